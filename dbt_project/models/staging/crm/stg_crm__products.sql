with

source as (

    select * from {{ source('crm', 'products') }}

),

final as (

    select
        id as product_id,
        sku,
        name as product_name,
        product_line,
        '{{ var("reporting_currency") }}' as currency_code,
        price as list_price,
        archived as is_archived,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
