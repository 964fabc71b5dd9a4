with

source as (

    select * from {{ source('tcma', 'leads') }}

),

renamed as (

    select
        lead_id,
        execution_id,
        campaign_id,
        partner_id as partner_external_id,
        company_id,
        converted_deal_id,
        lead_email,
        status as lead_status,
        created_at as lead_created_at,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
