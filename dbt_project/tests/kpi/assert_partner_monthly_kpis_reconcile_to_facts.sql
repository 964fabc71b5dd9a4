-- PSP, PIP and sourced outcomes summed over a partner's months equal the same figures recomputed
-- straight from fct_opportunities (sourced) and fct_partner_attribution (influenced): no month
-- lost, none doubled. Returns the partners that disagree.
-- As of the reporting date: pipeline created after it is not yet pipeline (a pinned as_of_date, or
-- a create date typed in the future), as outcomes closed after it are not yet outcomes. Partners
-- the CRM's partner list lacks have no partner months; the pipeline credited to them is reported
-- by the (warn) relationships tests of fct_opportunities and fct_partner_attribution.
with

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

from_marts as (

    select
        partner_id,
        sum(psp_amount) as psp_amount,
        sum(pip_amount) as pip_amount,
        sum(sourced_closed_count) as sourced_closed_count,
        sum(sourced_won_count) as sourced_won_count,
        sum(sourced_won_amount) as sourced_won_amount

    from {{ ref('fct_partner_monthly_kpis') }}
    group by partner_id

),

sourced as (

    select
        opportunities.sourced_partner_id as partner_id,
        sum(opportunities.amount) as psp_amount,
        count(case when opportunities.is_closed and opportunities.close_date <= reporting.reporting_date then 1 end) as sourced_closed_count,
        count(case when opportunities.is_won and opportunities.close_date <= reporting.reporting_date then 1 end) as sourced_won_count,
        coalesce(sum(case when opportunities.is_won and opportunities.close_date <= reporting.reporting_date then opportunities.amount end), 0) as sourced_won_amount

    from {{ ref('fct_opportunities') }} as opportunities
    cross join reporting
    where opportunities.sourced_partner_id in (select partner_id from {{ ref('dim_partners') }})
        and opportunities.currency_code = '{{ var("reporting_currency") }}'
        and opportunities.created_date <= reporting.reporting_date
    group by opportunities.sourced_partner_id

),

influenced as (

    select
        partner_id,
        sum(pipeline_credit_amount) as pip_amount

    from {{ ref('fct_partner_attribution') }}
    cross join reporting
    where attribution_role = 'influenced'
        and partner_id in (select partner_id from {{ ref('dim_partners') }})
        and currency_code = '{{ var("reporting_currency") }}'
        and created_date <= reporting.reporting_date
    group by partner_id

),

recomputed as (

    select
        coalesce(sourced.partner_id, influenced.partner_id) as partner_id,
        coalesce(sourced.psp_amount, 0) as psp_amount,
        coalesce(influenced.pip_amount, 0) as pip_amount,
        coalesce(sourced.sourced_closed_count, 0) as sourced_closed_count,
        coalesce(sourced.sourced_won_count, 0) as sourced_won_count,
        coalesce(sourced.sourced_won_amount, 0) as sourced_won_amount

    from sourced
    full outer join influenced
        on sourced.partner_id = influenced.partner_id

)

select
    coalesce(recomputed.partner_id, from_marts.partner_id) as partner_id,
    recomputed.psp_amount as expected_psp,
    from_marts.psp_amount as mart_psp,
    recomputed.pip_amount as expected_pip,
    from_marts.pip_amount as mart_pip,
    recomputed.sourced_won_count as expected_won,
    from_marts.sourced_won_count as mart_won

from recomputed
full outer join from_marts
    on recomputed.partner_id = from_marts.partner_id
where coalesce(recomputed.psp_amount, 0) != coalesce(from_marts.psp_amount, 0)
    or coalesce(recomputed.pip_amount, 0) != coalesce(from_marts.pip_amount, 0)
    or coalesce(recomputed.sourced_closed_count, 0) != coalesce(from_marts.sourced_closed_count, 0)
    or coalesce(recomputed.sourced_won_count, 0) != coalesce(from_marts.sourced_won_count, 0)
    or coalesce(recomputed.sourced_won_amount, 0) != coalesce(from_marts.sourced_won_amount, 0)
