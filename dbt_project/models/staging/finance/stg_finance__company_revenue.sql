with

source as (

    select * from {{ feed_source('finance', 'company_revenue') }}

),

final as (

    select
        revenue_id as company_revenue_id,
        region,
        currency as currency_code,
        total_revenue,
        period_month,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
