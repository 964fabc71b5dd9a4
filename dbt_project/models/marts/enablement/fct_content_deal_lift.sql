-- Asset type x deal stage: is content attached in a stage followed by more wins? Population: the
-- closed (won or lost, by the reporting date) partner-associated opportunities that passed through
-- the stage. "With" = those with at least one asset of the type attached while in that stage
-- (attachments after close never count); "without" = the rest. Lift = win rate with / win rate
-- without, null when either has no closed deal or the win rate without is 0. asset_type 'all' =
-- any asset; deal_stage 'all' = attached at any open stage, over all closed partner deals.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where is_closed
        and is_partner_associated

),

stage_changes as (

    select * from {{ ref('fct_opportunity_stage_changes') }}
    where not is_closing_stage

),

attachments as (

    select * from {{ ref('int_opportunity_content_attachments') }}
    where not is_attached_after_close

),

assets as (

    select * from {{ ref('dim_content_assets') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

closed_deals as (

    select opportunities.opportunity_id, opportunities.is_won
    from opportunities
    cross join reporting
    where opportunities.close_date <= reporting.reporting_date

),

stages_reached as (

    select distinct stage_changes.opportunity_id, stage_changes.deal_stage, stage_changes.stage_order
    from stage_changes
    inner join closed_deals
        on stage_changes.opportunity_id = closed_deals.opportunity_id

    union all

    select opportunity_id, 'all' as deal_stage, 0 as stage_order
    from closed_deals

),

asset_types as (

    select distinct asset_type from assets

    union all

    select 'all' as asset_type

),

attached as (

    select distinct opportunity_id, asset_type, deal_stage from attachments
    union all
    select distinct opportunity_id, 'all' as asset_type, deal_stage from attachments
    union all
    select distinct opportunity_id, asset_type, 'all' as deal_stage from attachments
    union all
    select distinct opportunity_id, 'all' as asset_type, 'all' as deal_stage from attachments

),

deal_flags as (

    select
        asset_types.asset_type,
        stages_reached.deal_stage,
        stages_reached.stage_order,
        closed_deals.is_won,
        attached.opportunity_id is not null as has_attachment

    from stages_reached
    inner join closed_deals
        on stages_reached.opportunity_id = closed_deals.opportunity_id
    cross join asset_types
    left join attached
        on stages_reached.opportunity_id = attached.opportunity_id
        and stages_reached.deal_stage = attached.deal_stage
        and asset_types.asset_type = attached.asset_type

),

counts as (

    select
        asset_type,
        deal_stage,
        stage_order,
        count(case when has_attachment then 1 end) as closed_with_count,
        count(case when has_attachment and is_won then 1 end) as won_with_count,
        count(case when not has_attachment then 1 end) as closed_without_count,
        count(case when not has_attachment and is_won then 1 end) as won_without_count

    from deal_flags
    group by asset_type, deal_stage, stage_order

),

rates as (

    select
        counts.*,
        cast(won_with_count as double) / nullif(closed_with_count, 0) as win_rate_with,
        cast(won_without_count as double) / nullif(closed_without_count, 0) as win_rate_without

    from counts

),

final as (

    select
        asset_type || '|' || deal_stage as content_deal_lift_id,
        asset_type,
        deal_stage,
        cast(stage_order as integer) as stage_order,
        cast(closed_with_count as integer) as closed_with_count,
        cast(won_with_count as integer) as won_with_count,
        cast(closed_with_count - won_with_count as integer) as lost_with_count,
        cast(closed_without_count as integer) as closed_without_count,
        cast(won_without_count as integer) as won_without_count,
        cast(closed_without_count - won_without_count as integer) as lost_without_count,
        cast(closed_with_count as double) / nullif(closed_with_count + closed_without_count, 0) as attachment_rate,
        win_rate_with,
        win_rate_without,
        win_rate_with / nullif(win_rate_without, 0) as win_rate_lift

    from rates

)

select * from final
