-- No opportunity is both partner-sourced and partner-influenced, in the opportunity fact or in the
-- per-partner credits (PIP = touched - overlap already counted as sourced).
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

credits as (

    select * from {{ ref('fct_partner_attribution') }}

),

roles_per_opportunity as (

    select
        opportunity_id,
        count(case when attribution_role = 'sourced' then 1 end) as sourced_rows,
        count(case when attribution_role = 'influenced' then 1 end) as influenced_rows

    from credits
    group by opportunity_id

)

select
    opportunities.opportunity_id,
    opportunities.is_partner_sourced,
    opportunities.is_partner_influenced,
    roles_per_opportunity.sourced_rows,
    roles_per_opportunity.influenced_rows

from opportunities
left join roles_per_opportunity
    on opportunities.opportunity_id = roles_per_opportunity.opportunity_id
where (opportunities.is_partner_sourced and opportunities.is_partner_influenced)
    or (roles_per_opportunity.sourced_rows > 0 and roles_per_opportunity.influenced_rows > 0)
    or roles_per_opportunity.sourced_rows > 1
