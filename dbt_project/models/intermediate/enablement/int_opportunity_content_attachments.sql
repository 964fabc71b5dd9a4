-- Content asset attached to an opportunity, with the stage the deal was in when it was attached
-- (the stage stay that contains the attachment time). Attachments made once the deal had closed
-- are kept but flagged: they cannot have helped win it, so the lift marts leave them out.
with

content_usage as (

    select * from {{ ref('fct_content_usage') }}
    where is_attached_to_opportunity
        and opportunity_id is not null

),

assets as (

    select * from {{ ref('dim_content_assets') }}

),

stage_changes as (

    select * from {{ ref('fct_opportunity_stage_changes') }}

),

final as (

    select
        content_usage.content_usage_id,
        content_usage.opportunity_id,
        content_usage.asset_id,
        content_usage.partner_id,
        assets.asset_type,
        assets.product_line,
        stage_changes.deal_stage,
        stage_changes.stage_order,
        coalesce(stage_changes.is_closing_stage, false) as is_attached_after_close,
        content_usage.used_date,
        content_usage.used_at

    from content_usage
    left join assets
        on content_usage.asset_id = assets.asset_id
    left join stage_changes
        on content_usage.opportunity_id = stage_changes.opportunity_id
        and stage_changes.stage_entered_at <= content_usage.used_at
        and (stage_changes.stage_exited_at is null or content_usage.used_at < stage_changes.stage_exited_at)

)

select * from final
