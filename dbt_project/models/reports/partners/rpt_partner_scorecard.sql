-- The partner league table: one row per partner, ranked by trailing-12-month revenue, with the
-- KPIs of the scorecard page. Ratios are T12M ratios of sums from fct_partner_monthly_kpis.
with

partners as (

    select * from {{ ref('dim_partners') }}

),

active_sellers as (

    select * from {{ ref('dim_partner_active_sellers') }}

),

productivity as (

    select * from {{ ref('dim_partner_productivity') }}

),

partner_months as (

    select * from {{ ref('fct_partner_monthly_kpis') }}
    where is_in_trailing_12_months

),

lifetime_values as (

    select * from {{ ref('fct_partner_lifetime_value') }}

),

trailing_outcomes as (

    select
        partner_id,
        sum(sourced_closed_count) as sourced_closed_count,
        sum(sourced_won_count) as sourced_won_count,
        sum(sourced_won_priced_count) as sourced_won_priced_count,
        sum(sourced_closed_amount) as sourced_closed_amount,
        sum(sourced_won_amount) as sourced_won_amount,
        sum(registered_won_count) as registered_won_count,
        sum(registration_to_close_days_total) as registration_to_close_days_total

    from partner_months
    group by partner_id

),

open_health as (

    -- issue 15: mean health of the partner's open pipeline on the reporting date
    select
        partner_id,
        avg(cast(health_score as double)) as open_pipeline_health_score

    from {{ ref('fct_opportunity_health') }}
    group by partner_id

),

final as (

    select
        partners.partner_id,
        partners.partner_name,
        partners.partner_tier,
        partners.partner_type,
        partners.region,
        partners.vertical,
        active_sellers.revenue_rank as league_rank,
        active_sellers.t12m_revenue,
        active_sellers.t12m_psp,
        active_sellers.t12m_pip,
        cast(trailing_outcomes.sourced_won_count as double) / nullif(trailing_outcomes.sourced_closed_count, 0) as win_rate_by_count,
        cast(trailing_outcomes.sourced_won_amount as double) / nullif(trailing_outcomes.sourced_closed_amount, 0) as win_rate_by_amount,
        cast(trailing_outcomes.sourced_won_amount / nullif(trailing_outcomes.sourced_won_priced_count, 0) as decimal(18, 2)) as apds,
        cast(trailing_outcomes.registration_to_close_days_total as double) / nullif(trailing_outcomes.registered_won_count, 0) as avg_days_registration_to_close,
        productivity.ttpp_days_to_first_qualified,
        productivity.ttpp_days_to_first_revenue,
        productivity.ees_score,
        partners.certified_people_count,
        active_sellers.is_active_seller,
        active_sellers.revenue_band,
        lifetime_values.expected_revenue_next_12m_amount as plv_next_12m_amount,
        open_health.open_pipeline_health_score

    from partners
    inner join active_sellers
        on partners.partner_id = active_sellers.partner_id
    inner join productivity
        on partners.partner_id = productivity.partner_id
    left join trailing_outcomes
        on partners.partner_id = trailing_outcomes.partner_id
    left join lifetime_values
        on partners.partner_id = lifetime_values.partner_id
    left join open_health
        on partners.partner_id = open_health.partner_id

)

select * from final
