-- Under every attribution model, the credits of a won opportunity with partner touches before close
-- sum to its amount exactly (no cent lost to rounding, none counted twice), and no such opportunity
-- is missing from any model.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

touches as (

    select * from {{ ref('fct_partner_touches') }}

),

attribution_models as (

    select * from {{ ref('attribution_models') }}

),

credits as (

    select
        attribution_model,
        opportunity_id,
        sum(credit_amount) as credited_amount

    from {{ ref('fct_attribution_credits') }}
    group by attribution_model, opportunity_id

),

touched_won_opportunities as (

    select
        opportunities.opportunity_id,
        opportunities.amount

    from opportunities
    where opportunities.is_won
        and opportunities.currency_code = '{{ var("reporting_currency") }}'
        and exists (
            select 1
            from touches
            where touches.opportunity_id = opportunities.opportunity_id
                and touches.is_before_close
                and touches.partner_id is not null
        )

),

expected as (

    select
        attribution_models.attribution_model,
        touched_won_opportunities.opportunity_id,
        touched_won_opportunities.amount

    from touched_won_opportunities
    cross join attribution_models

)

select
    coalesce(expected.attribution_model, credits.attribution_model) as attribution_model,
    coalesce(expected.opportunity_id, credits.opportunity_id) as opportunity_id,
    expected.amount,
    credits.credited_amount

from expected
full outer join credits
    on expected.attribution_model = credits.attribution_model
    and expected.opportunity_id = credits.opportunity_id
where expected.opportunity_id is null
    or credits.opportunity_id is null
    or credits.credited_amount <> expected.amount
