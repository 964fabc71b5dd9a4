with

stage_changes as (

    select * from {{ ref('stg_crm__deal_stage_changes') }}
    where not coalesce(is_archived, false)

),

stages as (

    select * from {{ ref('deal_stages') }}

),

sequenced as (

    select
        stage_changes.deal_stage_change_id,
        stage_changes.deal_id,
        stage_changes.deal_stage,
        stages.deal_stage_label,
        stages.stage_order,
        stages.is_closed,
        stage_changes.stage_entered_at,
        lead(stage_changes.stage_entered_at) over (
            partition by stage_changes.deal_id
            order by stage_changes.stage_entered_at, stages.stage_order
        ) as stage_exited_at

    from stage_changes
    inner join stages
        on stage_changes.deal_stage = stages.deal_stage

),

final as (

    select
        deal_stage_change_id as opportunity_stage_change_id,
        deal_id as opportunity_id,
        deal_stage,
        deal_stage_label,
        cast(stage_order as integer) as stage_order,
        case when stage_exited_at is not null then {{ days_between('stage_entered_at', 'stage_exited_at') }} end as stage_dwell_days,
        stage_exited_at is null as is_current_stage,
        is_closed as is_closing_stage,
        cast(stage_entered_at as date) as stage_entered_date,
        stage_entered_at,
        stage_exited_at

    from sequenced

)

select * from final
