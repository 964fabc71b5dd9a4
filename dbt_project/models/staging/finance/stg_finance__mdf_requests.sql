with

source as (

    select * from {{ source('finance', 'mdf_requests') }}

),

renamed as (

    select
        request_id,
        allocation_id,
        partner_id as partner_external_id,
        campaign_id,
        activity_type,
        currency as currency_code,
        status as request_status,
        requested_amount,
        approved_amount,
        estimated_pipeline,
        partner_coinvest_amount,
        submitted_at,
        decided_at,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
