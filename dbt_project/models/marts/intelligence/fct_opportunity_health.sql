-- Pipeline health of every open partner opportunity on the reporting date: the LightGBM win
-- probability (int_opportunity_health_scores), as a 1-99 score, its top three factors, both
-- baselines and the drivers behind it (int_opportunity_features). docs/pipeline_health.md
with

scores as (

    select * from {{ ref('int_opportunity_health_scores') }}
    where split_name = 'score'
        -- a deal nothing can score (no closed history to train on and no CRM stage probability,
        -- e.g. a first small export) is not given a made-up score: it is left out, and the page
        -- and fct_model_metrics say how much history there was
        and win_probability is not null

),

features as (

    select * from {{ ref('int_opportunity_features') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

final as (

    select
        cast(scores.opportunity_id as {{ type_text() }}) as opportunity_id,
        cast(features.partner_id as {{ type_text() }}) as partner_id,
        opportunities.product_id,
        partners.partner_name,
        opportunities.deal_stage,
        cast(features.partner_tier as {{ type_text() }}) as partner_tier,
        cast(features.region as {{ type_text() }}) as region,
        cast(features.product_line as {{ type_text() }}) as product_line,
        cast(features.deal_source as {{ type_text() }}) as deal_source,
        opportunities.currency_code,
        -- typed: a Python model's column with no value at all lands as type NULL
        cast(scores.top_factor_1 as {{ type_text() }}) as top_factor_1,
        cast(scores.top_factor_2 as {{ type_text() }}) as top_factor_2,
        cast(scores.top_factor_3 as {{ type_text() }}) as top_factor_3,
        cast(opportunities.amount as decimal(18, 2)) as amount,
        cast(scores.health_score as integer) as health_score,
        cast(scores.scored_by as {{ type_text() }}) as scored_by,
        cast(scores.win_probability as double) as win_probability,
        cast(scores.crm_stage_probability as double) as crm_stage_probability,
        cast(scores.stage_tier_win_rate as double) as stage_tier_win_rate,
        cast(features.stage_source as {{ type_text() }}) as stage_source,
        cast(features.days_in_stage as integer) as days_in_stage,
        cast(features.stage_dwell_ratio as double) as stage_dwell_ratio,
        cast(features.days_since_activity as integer) as days_since_activity,
        cast(features.touch_count as integer) as touch_count,
        cast(features.partner_win_rate as double) as partner_win_rate,
        cast(features.mdf_approved_365d as double) as mdf_approved_365d,
        cast(features.has_valid_certification as boolean) as has_valid_certification,
        cast(features.has_product_certification as boolean) as has_product_certification,
        cast(scores.as_of_date as date) as as_of_date

    from scores
    inner join features
        on scores.opportunity_id = features.opportunity_id
        and scores.as_of_date = features.as_of_date
    inner join opportunities
        on scores.opportunity_id = opportunities.opportunity_id
    left join partners
        on features.partner_id = partners.partner_id

)

select * from final
