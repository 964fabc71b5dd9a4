-- Stall risk and next best action of every open partner opportunity on the reporting date: the
-- probability it is stalled (no stage change, no partner touch for stall_inactive_days) in
-- stall_horizon_days (int_opportunity_stall_scores), whether it is already, and the action of the
-- first matching rule with its reason (int_opportunity_next_best_actions). docs/pipeline_health.md
with

scores as (

    select * from {{ ref('int_opportunity_stall_scores') }}
    where split_name = 'score'
        -- no stall model without history (see fct_opportunity_health): such deals are left out
        and stall_probability is not null

),

features as (

    select * from {{ ref('int_opportunity_features') }}

),

actions as (

    select * from {{ ref('int_opportunity_next_best_actions') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

final as (

    select
        cast(scores.opportunity_id as {{ type_text() }}) as opportunity_id,
        cast(features.partner_id as {{ type_text() }}) as partner_id,
        opportunities.deal_stage,
        cast(features.partner_tier as {{ type_text() }}) as partner_tier,
        cast(features.product_line as {{ type_text() }}) as product_line,
        opportunities.currency_code,
        -- typed: a Python model's column with no value at all lands as type NULL
        cast(scores.top_factor_1 as {{ type_text() }}) as top_factor_1,
        cast(scores.top_factor_2 as {{ type_text() }}) as top_factor_2,
        cast(scores.top_factor_3 as {{ type_text() }}) as top_factor_3,
        coalesce(actions.action_rule, 'none') as action_rule,
        coalesce(actions.next_best_action, 'No action: on track') as next_best_action,
        cast(actions.action_reason as {{ type_text() }}) as action_reason,
        cast(actions.matched_rules as {{ type_text() }}) as matched_rules,
        cast(opportunities.amount as decimal(18, 2)) as amount,
        cast(least(greatest(round(scores.stall_probability * 100), 1), 99) as integer) as stall_risk_score,
        cast(scores.stall_probability as double) as stall_probability,
        cast(features.days_since_activity as integer) as days_since_activity,
        cast(scores.is_stalled as boolean) as is_stalled,
        coalesce(scores.is_stalled or scores.stall_probability >= {{ var('stall_flag_probability') }}, false) as is_flagged,
        cast(features.last_activity_date as date) as last_activity_date,
        cast(scores.as_of_date as date) as as_of_date

    from scores
    inner join features
        on scores.opportunity_id = features.opportunity_id
        and scores.as_of_date = features.as_of_date
    inner join opportunities
        on scores.opportunity_id = opportunities.opportunity_id
    left join actions
        on scores.opportunity_id = actions.opportunity_id

)

select * from final
