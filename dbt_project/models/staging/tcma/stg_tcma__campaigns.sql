with

source as (

    select * from {{ feed_source('tcma', 'campaigns') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        product_line,
        '{{ var("reporting_currency") }}' as currency_code,
        budget as budget_amount,
        start_date,
        end_date,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
