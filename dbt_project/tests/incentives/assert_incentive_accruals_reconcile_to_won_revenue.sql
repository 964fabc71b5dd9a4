-- The accrual base is exactly the won partner-credited revenue: per partner, sourced won amount in
-- fct_incentive_accruals = won sourced amount of fct_opportunities (sourced partner), and sourced +
-- influenced = won credit of fct_partner_attribution, closes up to the reporting date. Returns
-- every partner where either differs.
with

accruals as (

    select
        partner_id,
        sum(sourced_won_amount) as sourced_won_amount,
        sum(sourced_won_amount + influenced_won_amount) as credited_won_amount

    from {{ ref('fct_incentive_accruals') }}
    group by partner_id

),

opportunities as (

    select
        sourced_partner_id as partner_id,
        sum(won_amount) as sourced_won_amount

    from {{ ref('fct_opportunities') }}
    where is_won
        and is_partner_sourced
        and currency_code = '{{ var("reporting_currency") }}'
        and close_date <= {{ reporting_date() }}
    group by sourced_partner_id

),

credits as (

    select
        partner_id,
        sum(won_credit_amount) as credited_won_amount

    from {{ ref('fct_partner_attribution') }}
    where is_won
        and attribution_role in ('sourced', 'influenced')
        and currency_code = '{{ var("reporting_currency") }}'
        and close_date <= {{ reporting_date() }}
    group by partner_id

),

compared as (

    select
        coalesce(accruals.partner_id, opportunities.partner_id, credits.partner_id) as partner_id,
        coalesce(accruals.sourced_won_amount, 0) as accrued_sourced_won_amount,
        coalesce(opportunities.sourced_won_amount, 0) as opportunities_sourced_won_amount,
        coalesce(accruals.credited_won_amount, 0) as accrued_credited_won_amount,
        coalesce(credits.credited_won_amount, 0) as attribution_credited_won_amount

    from accruals
    full outer join opportunities
        on accruals.partner_id = opportunities.partner_id
    full outer join credits
        on coalesce(accruals.partner_id, opportunities.partner_id) = credits.partner_id

)

select *
from compared
where accrued_sourced_won_amount != opportunities_sourced_won_amount
    or accrued_credited_won_amount != attribution_credited_won_amount
