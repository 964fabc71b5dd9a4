with

source as (

    select * from {{ source('tcma', 'leads') }}

),

final as (

    select
        lead_id,
        execution_id as campaign_execution_id,
        campaign_id,
        partner_id as partner_external_id,
        company_id,
        converted_deal_id,
        lead_email,
        status as lead_status,
        created_at,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
