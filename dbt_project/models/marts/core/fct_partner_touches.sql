with

touches as (

    select * from {{ ref('stg_crm__touches') }}
    where not coalesce(is_archived, false)

),

opportunities as (

    select * from {{ ref('int_opportunities_sourced') }}

),

final as (

    select
        touches.touch_id,
        touches.deal_id as opportunity_id,
        touches.partner_id,
        touches.asset_id,
        touches.touch_type,
        coalesce(touches.partner_id = opportunities.sourced_partner_id, false) as is_by_sourcing_partner,
        -- touches after an opportunity closed cannot have influenced it
        coalesce(
            not opportunities.is_closed or cast(touches.touched_at as date) <= opportunities.close_date, false
        ) as is_before_close,
        cast(touches.touched_at as date) as touched_date,
        touches.touched_at

    from touches
    left join opportunities
        on touches.deal_id = opportunities.opportunity_id

)

select * from final
