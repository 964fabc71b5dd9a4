with

products as (

    select * from {{ ref('stg_crm__products') }}

),

final as (

    select
        product_id,
        sku,
        product_name,
        product_line,
        list_price,
        '{{ var("reporting_currency") }}' as currency_code,
        coalesce(is_archived, false) as is_archived

    from products

)

select * from final
