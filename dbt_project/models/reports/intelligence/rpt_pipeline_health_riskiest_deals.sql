-- The 20 riskiest big deals: open partner opportunities with an amount at or above the
-- big_deal_percentile of open partner deal amounts, lowest health first (ties: higher stall
-- probability, larger amount, id), with their top factor and next best action.
with

health as (

    select * from {{ ref('fct_opportunity_health') }}

),

stall as (

    select * from {{ ref('fct_opportunity_stall_risk') }}

),

threshold as (

    select {{ quantile_cont('amount', var('big_deal_percentile')) }} as big_deal_amount
    from health

),

ranked as (

    select
        health.*,
        stall.stall_risk_score,
        stall.stall_probability,
        stall.is_stalled,
        stall.action_rule,
        stall.next_best_action,
        stall.action_reason,
        threshold.big_deal_amount,
        row_number() over (
            order by health.health_score, stall.stall_probability desc, health.amount desc, health.opportunity_id
        ) as risk_rank

    from health
    cross join threshold
    left join stall
        on health.opportunity_id = stall.opportunity_id
    where health.amount >= threshold.big_deal_amount

),

final as (

    select
        opportunity_id,
        partner_id,
        partner_name,
        partner_tier,
        region,
        deal_stage,
        product_line,
        currency_code,
        top_factor_1,
        action_rule,
        next_best_action,
        action_reason,
        cast(risk_rank as integer) as risk_rank,
        amount,
        cast(big_deal_amount as decimal(18, 2)) as big_deal_amount,
        health_score,
        win_probability,
        stall_risk_score,
        is_stalled,
        as_of_date

    from ranked
    where risk_rank <= 20

)

select * from final
