-- The scorecard's trailing-12-month win rates and average deal size, recomputed from
-- fct_opportunities by close date, equal the report's. Returns the partners that differ.
with

reporting as (

    select
        as_of_date as reporting_date,
        {{ trailing_window_start() }} as window_start_date

    from {{ ref('int_reporting_date') }}

),

recomputed as (

    select
        opportunities.sourced_partner_id as partner_id,
        cast(count(case when opportunities.is_won then 1 end) as double) / count(*) as win_rate_by_count,
        cast(sum(case when opportunities.is_won then opportunities.amount else 0 end) as double)
            / nullif(sum(opportunities.amount), 0) as win_rate_by_amount,
        avg(case when opportunities.is_won then opportunities.amount end) as apds

    from {{ ref('fct_opportunities') }} as opportunities
    cross join reporting
    where opportunities.is_closed
        and opportunities.sourced_partner_id is not null
        and opportunities.currency_code = '{{ var("reporting_currency") }}'
        and opportunities.close_date >= reporting.window_start_date
        and opportunities.close_date <= reporting.reporting_date
    group by opportunities.sourced_partner_id

),

scorecard as (

    select * from {{ ref('rpt_partner_scorecard') }}

)

select
    scorecard.partner_id,
    scorecard.win_rate_by_count,
    recomputed.win_rate_by_count as expected_win_rate_by_count,
    scorecard.apds,
    recomputed.apds as expected_apds

from scorecard
left join recomputed
    on scorecard.partner_id = recomputed.partner_id
where abs(coalesce(scorecard.win_rate_by_count, -1) - coalesce(recomputed.win_rate_by_count, -1)) > 1e-9
    or abs(coalesce(scorecard.win_rate_by_amount, -1) - coalesce(recomputed.win_rate_by_amount, -1)) > 1e-9
    -- apds is stored to the cent
    or abs(coalesce(scorecard.apds, -1) - coalesce(recomputed.apds, -1)) > 0.0051
