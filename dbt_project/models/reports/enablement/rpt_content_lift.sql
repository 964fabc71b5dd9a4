-- Asset type x deal stage: win rate of closed partner deals with vs without the asset type
-- attached in that stage and the lift, labelled and ordered for the content-in-deals page.
with

lift as (

    select * from {{ ref('fct_content_deal_lift') }}

),

stages as (

    select * from {{ ref('deal_stages') }}

),

final as (

    select
        lift.asset_type,
        lift.deal_stage,
        coalesce(stages.deal_stage_label, 'Any open stage') as deal_stage_label,
        lift.stage_order,
        lift.closed_with_count,
        lift.closed_without_count,
        lift.attachment_rate,
        lift.win_rate_with,
        lift.win_rate_without,
        lift.win_rate_lift

    from lift
    left join stages
        on lift.deal_stage = stages.deal_stage

)

select * from final
