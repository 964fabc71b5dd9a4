with

partner_roles as (

    select * from {{ ref('int_opportunity_partners_roled') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_sourced') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat(["partner_roles.opportunity_id", "'|'", "partner_roles.partner_id"])) }} as partner_attribution_id,
        partner_roles.opportunity_id,
        partner_roles.partner_id,
        partner_roles.attribution_role,
        opportunities.currency_code,
        cast(partner_roles.touch_count as integer) as touch_count,
        cast(partner_roles.credited_partner_count as integer) as credited_partner_count,
        partner_roles.credit_share,
        partner_roles.pipeline_credit_amount,
        case
            when opportunities.is_won then partner_roles.pipeline_credit_amount
            else cast(0 as decimal(18, 2))
        end as won_credit_amount,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.created_date,
        opportunities.close_date,
        partner_roles.first_touched_at,
        partner_roles.last_touched_at

    from partner_roles
    inner join opportunities
        on partner_roles.opportunity_id = opportunities.opportunity_id

)

select * from final
