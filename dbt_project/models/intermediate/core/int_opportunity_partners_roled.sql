{#- One row per opportunity and partner associated with it, with the partner's role:
      sourced    - the one sourcing partner (int_opportunities_sourced); full pipeline credit;
      influenced - a partner that touched (before close), or is on, an opportunity no partner sourced;
                   the amount is split evenly between the influencing partners;
      overlap    - a partner that touched an opportunity another partner sourced: already counted as
                   sourced, so no credit (PIP = touched - overlap).
    Credits of an opportunity therefore sum to its amount when any partner is associated, and no
    opportunity is both sourced and influenced. -#}
with

opportunities as (

    select * from {{ ref('int_opportunities_sourced') }}

),

touches as (

    select * from {{ ref('stg_crm__touches') }}
    where not coalesce(is_archived, false)

),

touch_summary as (

    select
        touches.deal_id as opportunity_id,
        touches.partner_id,
        count(*) as touch_count,
        min(touches.touched_at) as first_touched_at,
        max(touches.touched_at) as last_touched_at

    from touches
    inner join opportunities
        on touches.deal_id = opportunities.opportunity_id
    where touches.partner_id is not null
        and (not opportunities.is_closed or cast(touches.touched_at as date) <= opportunities.close_date)
    group by touches.deal_id, touches.partner_id

),

associations as (

    select opportunity_id, sourced_partner_id as partner_id from opportunities
    where sourced_partner_id is not null
    union
    select opportunity_id, partner_id from opportunities
    where partner_id is not null
    union
    select opportunity_id, partner_id from touch_summary

),

roled as (

    select
        associations.opportunity_id,
        associations.partner_id,
        case
            when opportunities.sourced_partner_id = associations.partner_id then 'sourced'
            when opportunities.sourced_partner_id is not null then 'overlap'
            else 'influenced'
        end as attribution_role,
        opportunities.amount,
        coalesce(touch_summary.touch_count, 0) as touch_count,
        touch_summary.first_touched_at,
        touch_summary.last_touched_at

    from associations
    inner join opportunities
        on associations.opportunity_id = opportunities.opportunity_id
    left join touch_summary
        on associations.opportunity_id = touch_summary.opportunity_id
        and associations.partner_id = touch_summary.partner_id

),

shared as (

    select
        *,
        count(case when attribution_role <> 'overlap' then 1 end)
            over (partition by opportunity_id) as credited_partner_count,
        row_number() over (
            partition by opportunity_id
            order by case when attribution_role = 'overlap' then 1 else 0 end, partner_id
        ) as credit_rank

    from roled

),

split as (

    select
        *,
        case
            when attribution_role = 'overlap' then cast(0 as {{ dbt.type_numeric() }})
            else cast(1 as {{ dbt.type_numeric() }}) / credited_partner_count
        end as credit_share,
        case
            when attribution_role = 'overlap' then cast(0 as decimal(18, 2))
            else cast(round(amount / credited_partner_count, 2) as decimal(18, 2))
        end as rounded_credit_amount

    from shared

),

final as (

    select
        opportunity_id,
        partner_id,
        attribution_role,
        touch_count,
        credited_partner_count,
        credit_share,
        -- cents lost or gained by rounding go to the first credited partner, so credits sum exactly
        case
            when credit_rank = 1 and attribution_role <> 'overlap'
                then rounded_credit_amount
                    + (amount - sum(rounded_credit_amount) over (partition by opportunity_id))
            else rounded_credit_amount
        end as pipeline_credit_amount,
        first_touched_at,
        last_touched_at

    from split

)

select * from final
