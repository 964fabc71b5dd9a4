with

source as (

    select * from {{ source('crm', 'products') }}

),

renamed as (

    select
        id as product_id,
        sku,
        name as product_name,
        product_line,
        price as list_price,
        archived as is_archived,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
