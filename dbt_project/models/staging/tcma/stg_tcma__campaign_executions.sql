with

source as (

    select * from {{ source('tcma', 'campaign_executions') }}

),

renamed as (

    select
        execution_id,
        campaign_id,
        partner_id as partner_external_id,
        mdf_request_id,
        status as execution_status,
        spend,
        launched_at,
        completed_at,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
