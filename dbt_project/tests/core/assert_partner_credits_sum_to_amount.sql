-- Every partner-associated opportunity's pipeline credits sum to its amount exactly (no dollar lost
-- to rounding, none counted twice); unassociated opportunities get no credit.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

credits as (

    select
        opportunity_id,
        sum(pipeline_credit_amount) as credited_amount

    from {{ ref('fct_partner_attribution') }}
    group by opportunity_id

)

select
    opportunities.opportunity_id,
    opportunities.is_partner_associated,
    opportunities.amount,
    credits.credited_amount

from opportunities
left join credits
    on opportunities.opportunity_id = credits.opportunity_id
where (opportunities.is_partner_associated and coalesce(credits.credited_amount, -1) <> opportunities.amount)
    or (not opportunities.is_partner_associated and coalesce(credits.credited_amount, 0) <> 0)
