with

source as (

    select * from {{ source('crm', 'deals') }}

),

renamed as (

    select
        id as deal_id,
        company_id,
        product_id,
        partner_id,
        registration_id,
        lead_id,
        dealname as deal_name,
        deal_source,
        pipeline as pipeline_name,
        dealstage as deal_stage,
        deal_currency_code as currency_code,
        hubspot_owner_name as owner_name,
        amount,
        archived as is_archived,
        closedate as close_date,
        createdate as deal_created_at,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
