-- Deal velocity by stage: how long opportunities stay in each stage before moving on, by the
-- quarter they left it and by partner role (sourced, influenced, direct). Only completed stays
-- count (the stage was exited); the current stage of an open deal is still running.
with

stage_changes as (

    select * from {{ ref('fct_opportunity_stage_changes') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

final as (

    select
        cast({{ dbt.date_trunc('quarter', 'stage_changes.stage_exited_at') }} as date) as quarter_start_date,
        opportunities.partner_role,
        stage_changes.deal_stage,
        stage_changes.deal_stage_label,
        stage_changes.stage_order,
        count(*) as completed_stay_count,
        -- a decimal average is exact, so order-independent (a double one is not)
        avg(cast(stage_changes.stage_dwell_days as decimal(18, 6))) as avg_stage_dwell_days,
        median(stage_changes.stage_dwell_days) as median_stage_dwell_days

    from stage_changes
    inner join opportunities
        on stage_changes.opportunity_id = opportunities.opportunity_id
    where stage_changes.stage_exited_at is not null
        and not stage_changes.is_closing_stage
    group by all

)

select * from final
