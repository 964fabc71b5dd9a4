-- (Open opportunity, recommended partner): up to three partners whose capability complements the
-- deal, with the signals and reasons (int_cosell_recommendations, a dbt Python model over
-- orchestration/segmentation/cosell.py; contracts need SQL, so this mart types it). Vendor-facing:
-- it names customers' deals and partners, and is never shown on a partner's page.
with

recommendations as (

    select * from {{ ref('int_cosell_recommendations') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

final as (

    select
        -- typed: a Python model's columns land as type NULL when it returns no rows
        cast(recommendations.opportunity_id || ':' || recommendations.partner_id as {{ type_text() }})
            as cosell_recommendation_id,
        cast(recommendations.opportunity_id as {{ type_text() }}) as opportunity_id,
        cast(recommendations.partner_id as {{ type_text() }}) as recommended_partner_id,
        opportunities.sourced_partner_id,
        cast(recommendations.reasons as {{ type_text() }}) as reasons,
        cast(recommendations.recommendation_rank as integer) as recommendation_rank,
        cast(recommendations.score as double) as score,
        cast(recommendations.pairing_lift as double) as pairing_lift,
        cast(recommendations.has_account_relationship as boolean) as has_account_relationship,
        cast(recommendations.has_technical_complement as boolean) as has_technical_complement,
        cast(recommendations.has_vertical_match as boolean) as has_vertical_match

    from recommendations
    inner join opportunities
        on recommendations.opportunity_id = opportunities.opportunity_id

)

select * from final
