with

source as (

    select * from {{ source('tcma', 'campaigns') }}

),

renamed as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        product_line,
        budget,
        start_date,
        end_date,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
