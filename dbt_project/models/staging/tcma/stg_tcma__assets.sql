with

source as (

    select * from {{ source('tcma', 'assets') }}

),

renamed as (

    select
        asset_id,
        campaign_id,
        asset_name,
        asset_type,
        product_line,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
