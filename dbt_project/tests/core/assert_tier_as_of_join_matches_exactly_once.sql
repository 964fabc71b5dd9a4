-- Every partner-sourced opportunity whose partner is in the tier history finds exactly one tier on
-- its close date.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where sourced_partner_id is not null and close_date is not null

),

tiers as (

    select * from {{ ref('dim_partner_tier_history') }}

),

known as (

    select opportunities.*
    from opportunities
    where sourced_partner_id in (select partner_id from tiers)

),

matches as (

    select
        known.opportunity_id,
        count(tiers.partner_tier_history_id) as tier_matches

    from known
    left join tiers
        on known.sourced_partner_id = tiers.partner_id
        and known.close_date >= tiers.valid_from_date
        and known.close_date < tiers.valid_to_date
    group by known.opportunity_id

)

select * from matches
where tier_matches <> 1
