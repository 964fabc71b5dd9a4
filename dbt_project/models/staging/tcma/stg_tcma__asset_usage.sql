with

source as (

    select * from {{ source('tcma', 'asset_usage') }}

),

renamed as (

    select
        usage_id,
        asset_id,
        partner_id as partner_external_id,
        execution_id,
        deal_id,
        usage_type,
        used_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source
    -- immutable events: a re-delivered event keeps its first load only
    qualify row_number() over (partition by usage_id order by _dlt_load_id) = 1

)

select * from renamed
