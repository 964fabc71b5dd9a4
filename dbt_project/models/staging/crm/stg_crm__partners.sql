with

source as (

    select * from {{ source('crm', 'partners') }}

),

final as (

    select
        id as partner_id,
        external_id as partner_external_id,
        partner_name,
        partner_type,
        vertical,
        region,
        tier as crm_tier,
        status as partner_status,
        website_domain,
        contract_status,
        dpa_status,
        dpa_version,
        archived as is_archived,
        applied_date,
        approved_date,
        enrolled_date,
        contract_signed_date,
        dpa_signed_date,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
