{#- One row per partner touch before close on a closed opportunity (won or lost, reporting currency),
    numbered along the opportunity's path. Won paths are what multi-touch models credit; won and lost
    paths together are what the Markov model learns from. The key touch (W-shaped) is the last touch at
    or before the opportunity first reached the qualified stage; when no touch came that early, the
    middle position (the earlier of two middles). -#}
with

touches as (

    select * from {{ ref('fct_partner_touches') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

closed_touches as (

    select
        touches.touch_id,
        touches.opportunity_id,
        touches.partner_id,
        touches.touch_type,
        opportunities.currency_code,
        opportunities.amount,
        opportunities.is_won,
        opportunities.close_date,
        opportunities.qualified_at,
        touches.touched_date,
        touches.touched_at

    from touches
    inner join opportunities
        on touches.opportunity_id = opportunities.opportunity_id
    where touches.is_before_close
        and touches.partner_id is not null
        and opportunities.is_closed
        and opportunities.currency_code = '{{ var("reporting_currency") }}'

),

positioned as (

    select
        *,
        row_number() over (partition by opportunity_id order by touched_at, touch_id) as touch_position,
        count(*) over (partition by opportunity_id) as touch_count

    from closed_touches

),

key_positions as (

    select
        opportunity_id,
        coalesce(
            max(case when touched_at <= qualified_at then touch_position end),
            floor((max(touch_count) + 1) / 2.0)
        ) as key_touch_position

    from positioned
    group by opportunity_id

),

final as (

    select
        positioned.opportunity_id,
        positioned.touch_id,
        positioned.partner_id,
        positioned.touch_type,
        positioned.currency_code,
        cast(positioned.touch_position as integer) as touch_position,
        cast(positioned.touch_count as integer) as touch_count,
        cast({{ dbt.datediff('positioned.touched_date', 'positioned.close_date', 'day') }} as integer)
            as days_before_close,
        cast(positioned.amount as decimal(18, 2)) as amount,
        positioned.touch_position = key_positions.key_touch_position as is_key_touch,
        positioned.is_won,
        positioned.close_date,
        positioned.qualified_at,
        positioned.touched_at

    from positioned
    inner join key_positions
        on positioned.opportunity_id = key_positions.opportunity_id

)

select * from final
