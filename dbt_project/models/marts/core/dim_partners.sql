with

partners as (

    select * from {{ ref('stg_crm__partners') }}

),

final as (

    select
        partner_id,
        partner_external_id,
        partner_name,
        partner_type,
        vertical,
        region,
        crm_tier as partner_tier,
        partner_status,
        contract_status,
        dpa_status,
        dpa_status = 'signed' as has_signed_dpa,
        applied_date,
        approved_date,
        enrolled_date,
        dpa_signed_date,
        record_updated_at

    from partners
    where not coalesce(is_archived, false)

)

select * from final
