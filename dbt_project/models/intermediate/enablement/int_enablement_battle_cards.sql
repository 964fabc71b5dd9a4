-- The battle card per product line and asset type: the asset attached to the most won deals
-- (ties: the lowest asset id), so a recommendation names one asset that has worked before.

with

assets as (

    select * from {{ ref('dim_content_assets') }}

),

usage as (

    select * from {{ ref('fct_content_usage') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

won_attachments as (

    select
        usage.asset_id,
        count(distinct usage.opportunity_id) as won_deal_count

    from usage
    inner join opportunities
        on usage.opportunity_id = opportunities.opportunity_id
    where usage.is_attached_to_opportunity
        and opportunities.is_won
    group by usage.asset_id

),

ranked as (

    select
        assets.product_line,
        assets.asset_type,
        assets.asset_id,
        assets.asset_name,
        coalesce(won_attachments.won_deal_count, 0) as won_deal_count,
        row_number() over (
            partition by assets.product_line, assets.asset_type
            order by coalesce(won_attachments.won_deal_count, 0) desc, assets.asset_id
        ) as card_rank

    from assets
    left join won_attachments
        on assets.asset_id = won_attachments.asset_id
    where assets.product_line is not null
        and assets.asset_type is not null

),

final as (

    select
        product_line || '|' || asset_type as battle_card_id,
        product_line,
        asset_type,
        asset_id,
        asset_name,
        won_deal_count

    from ranked
    where card_rank = 1

)

select * from final
