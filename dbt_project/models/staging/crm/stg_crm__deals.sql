with

source as (

    select * from {{ source('crm', 'deals') }}

),

final as (

    select
        id as deal_id,
        company_id,
        product_id,
        partner_id,
        registration_id,
        lead_id,
        pipeline as pipeline_id,
        dealname as deal_name,
        deal_source,
        dealstage as deal_stage,
        hubspot_owner_name as owner_name,
        deal_currency_code as currency_code,
        amount,
        archived as is_archived,
        closedate as close_date,
        createdate as created_at,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
