with

campaigns as (

    select * from {{ ref('stg_tcma__campaigns') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        product_line,
        budget_amount,
        '{{ var("reporting_currency") }}' as currency_code,
        start_date,
        end_date

    from campaigns

)

select * from final
