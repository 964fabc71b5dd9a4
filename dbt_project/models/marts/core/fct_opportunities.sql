with

opportunities as (

    select * from {{ ref('int_opportunities_sourced') }}

),

partner_roles as (

    select * from {{ ref('int_opportunity_partners_roled') }}

),

stage_changes as (

    select * from {{ ref('stg_crm__deal_stage_changes') }}
    where not coalesce(is_archived, false)

),

stages as (

    select * from {{ ref('deal_stages') }}

),

tiers as (

    select * from {{ ref('dim_partner_tier_history') }}

),

role_summary as (

    select
        opportunity_id,
        count(case when attribution_role = 'influenced' then 1 end) as influencing_partner_count,
        count(case when attribution_role = 'overlap' then 1 end) as overlapping_partner_count

    from partner_roles
    group by opportunity_id

),

qualification as (

    -- when the opportunity first reached the qualified stage or beyond (closed lost excluded)
    select
        stage_changes.deal_id as opportunity_id,
        min(stage_changes.stage_entered_at) as qualified_at

    from stage_changes
    inner join stages
        on stage_changes.deal_stage = stages.deal_stage
    where stages.stage_order >= {{ var('qualified_stage_order') }}
        and (stages.is_won or not stages.is_closed)
    group by stage_changes.deal_id

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.partner_id,
        opportunities.sourced_partner_id,
        opportunities.product_id,
        opportunities.registration_id,
        opportunities.lead_id,
        opportunities.campaign_id,
        opportunities.opportunity_name,
        opportunities.deal_source,
        opportunities.sourcing_method,
        case
            when opportunities.sourced_partner_id is not null then 'sourced'
            when role_summary.influencing_partner_count > 0 then 'influenced'
            else 'none'
        end as partner_role,
        opportunities.deal_stage,
        opportunities.deal_stage_label,
        tiers.partner_tier as sourced_partner_tier_at_close,
        opportunities.owner_name,
        opportunities.currency_code,
        opportunities.amount,
        case when opportunities.is_won then opportunities.amount else cast(0 as decimal(18, 2)) end as won_amount,
        cast(opportunities.stage_order as integer) as stage_order,
        cast(coalesce(role_summary.influencing_partner_count, 0) as integer) as influencing_partner_count,
        cast(coalesce(role_summary.overlapping_partner_count, 0) as integer) as overlapping_partner_count,
        case
            when opportunities.is_closed
                then {{ days_between('opportunities.created_at', 'cast(opportunities.close_date as timestamp)') }}
        end as days_created_to_close,
        case
            when opportunities.is_closed and opportunities.registration_submitted_at is not null
                then {{ days_between('opportunities.registration_submitted_at', 'cast(opportunities.close_date as timestamp)') }}
        end as days_registration_to_close,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.is_closed and not opportunities.is_won as is_lost,
        not opportunities.is_closed as is_open,
        opportunities.sourced_partner_id is not null as is_partner_sourced,
        opportunities.sourced_partner_id is null
            and coalesce(role_summary.influencing_partner_count, 0) > 0 as is_partner_influenced,
        opportunities.sourced_partner_id is not null
            or coalesce(role_summary.influencing_partner_count, 0) > 0 as is_partner_associated,
        qualification.qualified_at is not null as is_qualified,
        -- an opportunity without an account (a prospect) is kept: it is pipeline, counted under
        -- "no account" on the pages rather than dropped
        opportunities.account_id is not null as has_account,
        opportunities.is_created_date_from_record,
        opportunities.created_date,
        cast(qualification.qualified_at as date) as qualified_date,
        opportunities.close_date,
        opportunities.created_at,
        qualification.qualified_at,
        opportunities.registration_submitted_at

    from opportunities
    left join role_summary
        on opportunities.opportunity_id = role_summary.opportunity_id
    left join qualification
        on opportunities.opportunity_id = qualification.opportunity_id
    left join tiers
        on opportunities.sourced_partner_id = tiers.partner_id
        and opportunities.close_date >= tiers.valid_from_date
        and opportunities.close_date < tiers.valid_to_date

)

select * from final
