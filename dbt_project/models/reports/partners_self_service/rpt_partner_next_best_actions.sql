-- Partner grain, for the partner's own page: up to partner_page_max_actions (5) of its open deals that need an action now
-- (fct_opportunity_stall_risk: a rule other than 'none'), the likeliest to stall first, then the
-- biggest. The text names the partner's own deal and stage, never the customer, so it is safe on
-- a restricted partner's page too.
with

risks as (

    select * from {{ ref('fct_opportunity_stall_risk') }}
    where action_rule <> 'none'

),

ranked as (

    select
        partner_id,
        opportunity_id,
        deal_stage,
        product_line,
        next_best_action,
        action_reason,
        action_rule,
        stall_risk_score,
        amount,
        row_number() over (
            partition by partner_id
            order by stall_risk_score desc, amount desc nulls last, opportunity_id
        ) as action_rank

    from risks

),

final as (

    select
        partner_id,
        cast(action_rank as integer) as action_rank,
        opportunity_id,
        action_rule,
        next_best_action || ': deal ' || opportunity_id || ' (' || deal_stage
            || coalesce(', ' || product_line, '') || ')' as action_text,
        action_reason,
        stall_risk_score

    from ranked
    where action_rank <= {{ var('partner_page_max_actions') }}

)

select * from final
