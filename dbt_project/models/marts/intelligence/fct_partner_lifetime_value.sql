-- Partner lifetime value (docs/forecast_plv.md): one row per partner with its BG/NBD expected
-- partner-sourced won deals and Gamma-Gamma deal value over the next 12 months, the probability it
-- is still active, and its trailing-12-month sourced revenue to set the forecast against.
with

plv as (

    select * from {{ ref('int_partner_lifetime_value') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

reporting as (

    select as_of_date from {{ ref('int_reporting_date') }}

),

trailing_revenue as (

    select
        opportunities.sourced_partner_id as partner_id,
        sum(opportunities.won_amount) as t12m_sourced_won_amount

    from opportunities
    cross join reporting
    where opportunities.is_won
        and opportunities.sourced_partner_id is not null
        and opportunities.close_date > {{ dbt.dateadd('month', -12, 'reporting.as_of_date') }}
        and opportunities.close_date <= reporting.as_of_date
    group by 1

),

final as (

    select
        cast(plv.partner_id as {{ type_text() }}) as partner_id,
        partners.partner_name,
        partners.partner_tier,
        partners.region,
        cast(plv.plv_status as {{ type_text() }}) as plv_status,
        cast('{{ var("reporting_currency") }}' as {{ type_text() }}) as currency_code,
        cast(plv.won_deal_count as integer) as won_deal_count,
        cast(plv.frequency as integer) as repeat_won_days,
        cast(plv.recency_weeks as double) as recency_weeks,
        cast(plv.tenure_weeks as double) as tenure_weeks,
        cast(plv.mean_repeat_won_amount as decimal(18, 2)) as mean_repeat_won_amount,
        cast(plv.total_won_amount as decimal(18, 2)) as total_won_amount,
        cast(coalesce(trailing_revenue.t12m_sourced_won_amount, 0) as decimal(18, 2)) as t12m_sourced_won_amount,
        cast(plv.expected_deals_next_12m as double) as expected_deals_next_12m,
        cast(plv.expected_deal_value as decimal(18, 2)) as expected_deal_value_amount,
        cast(plv.expected_revenue_next_12m as decimal(18, 2)) as expected_revenue_next_12m_amount,
        cast(plv.probability_alive as double) as probability_alive,
        cast(plv.is_thin_history as boolean) as is_thin_history,
        cast(plv.first_won_date as date) as first_won_date,
        cast(plv.last_won_date as date) as last_won_date,
        cast(plv.as_of_date as date) as as_of_date

    from plv
    inner join partners
        on plv.partner_id = partners.partner_id
    left join trailing_revenue
        on plv.partner_id = trailing_revenue.partner_id

)

select * from final
