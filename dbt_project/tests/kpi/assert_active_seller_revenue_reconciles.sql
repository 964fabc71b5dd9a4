-- Trailing-12-month revenue in dim_partner_active_sellers, recomputed from the facts by date
-- (won partner-associated opportunities closed in the window, sourced in full, influenced by
-- credit), matches per partner; the concentration curve ends at 100 %; bands never go back up
-- as the rank goes down. Returns the offending rows.
with

reporting as (

    select
        as_of_date as reporting_date,
        {{ trailing_window_start() }} as window_start_date

    from {{ ref('int_reporting_date') }}

),

sellers as (

    select * from {{ ref('dim_partner_active_sellers') }}

),

recomputed as (

    select
        attribution.partner_id,
        sum(attribution.won_credit_amount) as t12m_revenue

    from {{ ref('fct_partner_attribution') }} as attribution
    cross join reporting
    where attribution.attribution_role in ('sourced', 'influenced')
        and attribution.is_won
        and attribution.currency_code = '{{ var("reporting_currency") }}'
        and attribution.close_date >= reporting.window_start_date
        and attribution.close_date <= reporting.reporting_date
    group by attribution.partner_id

),

banding as (

    select
        partner_id,
        band_order,
        lag(band_order) over (order by revenue_rank) as band_order_above

    from sellers

)

select
    sellers.partner_id,
    'T12M revenue differs from the facts' as failure

from sellers
left join recomputed
    on sellers.partner_id = recomputed.partner_id
where sellers.t12m_revenue != coalesce(recomputed.t12m_revenue, 0)

union all

select
    null,
    'cumulative share does not end at 100'

from sellers
having sum(t12m_revenue) > 0
    and abs(max(cumulative_revenue_share_pct) - 100) > 0.000001

union all

select
    partner_id,
    'band above the band of a higher-ranked partner'

from banding
where band_order < band_order_above
