-- Partner grain, for that partner's own self-service page: its tier progress against the rules of
-- the next tier (fct_partner_tier_criteria's latest evaluation, seeds/tier_rules.csv in effect on
-- the reporting date, gaps from dim_partner_incentive_eligibility), its MDF balance (finance feed;
-- null without it) and how many of its registrations and certifications need attention.
-- Nothing here describes another partner. is_customer_data_restricted: no signed DPA (the
-- compliance rule of orchestration/expiry.py), so its page shows no customer-level data.
with

partners as (

    select * from {{ ref('dim_partners') }}

),

eligibility as (

    select * from {{ ref('dim_partner_incentive_eligibility') }}

),

tier_criteria as (

    select * from {{ ref('fct_partner_tier_criteria') }}
    where is_latest_evaluation

),

tier_rules as (

    select * from {{ ref('tier_rules') }}

),

allocations as (

    select * from {{ ref('fct_mdf_allocations') }}

),

registrations as (

    select * from {{ ref('rpt_partner_self_service_registrations') }}

),

certifications as (

    select * from {{ ref('rpt_partner_self_service_certifications') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

current_rules as (

    select tier_rules.*
    from tier_rules
    cross join reporting
    where tier_rules.effective_from_date = (
        select max(effective_from_date) from tier_rules
        where effective_from_date <= reporting.reporting_date
    )

),

mdf as (

    select
        partner_id,
        sum(allocated_amount) as mdf_allocated_amount,
        sum(approved_amount) as mdf_approved_amount,
        sum(claimed_amount) as mdf_claimed_amount,
        sum(paid_amount) as mdf_paid_amount,
        sum(case when not is_expired then greatest(allocated_amount - paid_amount, 0) else 0 end) as mdf_balance_amount

    from allocations
    group by partner_id

),

registration_counts as (

    select
        partner_id,
        count(*) as registration_count,
        count(case when is_protected then 1 end) as protected_registration_count,
        count(case when is_expiring_soon then 1 end) as expiring_registration_count

    from registrations
    group by partner_id

),

certification_counts as (

    select
        partner_id,
        count(*) as expiring_certification_count

    from certifications
    group by partner_id

),

final as (

    select
        partners.partner_id,
        partners.partner_external_id,
        partners.partner_name,
        partners.partner_tier,
        partners.partner_type,
        partners.region,
        partners.vertical,
        eligibility.next_tier,
        '{{ var("reporting_currency") }}' as currency_code,
        cast(coalesce(tier_criteria.t12m_sourced_revenue, 0) as decimal(18, 2)) as t12m_sourced_revenue,
        cast(tier_criteria.t12m_win_rate as double) as t12m_win_rate,
        cast(coalesce(tier_criteria.t12m_sourced_closed_count, 0) as integer) as t12m_sourced_closed_count,
        cast(tier_criteria.certified_sales_people as integer) as certified_sales_people,
        cast(tier_criteria.certified_technical_people as integer) as certified_technical_people,
        cast(next_rule.min_t12m_sourced_revenue as decimal(18, 2)) as next_tier_min_revenue,
        cast(next_rule.min_win_rate as double) as next_tier_min_win_rate,
        cast(next_rule.min_closed_deals as integer) as next_tier_min_closed_deals,
        cast(next_rule.min_certified_sales_people as integer) as next_tier_min_certified_sales_people,
        cast(next_rule.min_certified_technical_people as integer) as next_tier_min_certified_technical_people,
        eligibility.next_tier_revenue_gap_amount,
        eligibility.next_tier_win_rate_gap,
        eligibility.next_tier_closed_deals_gap,
        eligibility.next_tier_certified_sales_people_gap,
        eligibility.next_tier_certified_technical_people_gap,
        {{ if_feed('finance', 'cast(coalesce(mdf.mdf_allocated_amount, 0) as decimal(18, 2))') }} as mdf_allocated_amount,
        {{ if_feed('finance', 'cast(coalesce(mdf.mdf_approved_amount, 0) as decimal(18, 2))') }} as mdf_approved_amount,
        {{ if_feed('finance', 'cast(coalesce(mdf.mdf_claimed_amount, 0) as decimal(18, 2))') }} as mdf_claimed_amount,
        {{ if_feed('finance', 'cast(coalesce(mdf.mdf_paid_amount, 0) as decimal(18, 2))') }} as mdf_paid_amount,
        {{ if_feed('finance', 'cast(coalesce(mdf.mdf_balance_amount, 0) as decimal(18, 2))') }} as mdf_balance_amount,
        cast(coalesce(registration_counts.registration_count, 0) as integer) as registration_count,
        cast(coalesce(registration_counts.protected_registration_count, 0) as integer) as protected_registration_count,
        cast(coalesce(registration_counts.expiring_registration_count, 0) as integer) as expiring_registration_count,
        {{ if_feed('lms', 'cast(coalesce(certification_counts.expiring_certification_count, 0) as integer)') }} as expiring_certification_count,
        partners.is_active,
        coalesce(partners.has_signed_dpa, false) as has_signed_dpa,
        not coalesce(partners.has_signed_dpa, false) as is_customer_data_restricted,
        coalesce(eligibility.is_next_tier_blocked_by_dpa, false) as is_next_tier_blocked_by_dpa,
        reporting.reporting_date as as_of_date

    from partners
    cross join reporting
    left join eligibility
        on partners.partner_id = eligibility.partner_id
    left join tier_criteria
        on partners.partner_id = tier_criteria.partner_id
    left join current_rules as next_rule
        on eligibility.next_tier = next_rule.partner_tier
    left join mdf
        on partners.partner_id = mdf.partner_id
    left join registration_counts
        on partners.partner_id = registration_counts.partner_id
    left join certification_counts
        on partners.partner_id = certification_counts.partner_id

)

select * from final
