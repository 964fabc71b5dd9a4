-- Partner x evaluation date: the figures the tier rules (seeds/tier_rules.csv) are checked against.
-- Evaluation dates are the month ends of the last var tiering_evaluation_months months, the last
-- one being the reporting date. Every figure is as of the evaluation date: trailing-12-month
-- partner-sourced revenue and win rate, people holding a certification valid on that day by role
-- (a lapsed certification stops counting the day it expires), and whether a DPA was signed.
-- The tiering job (orchestration/assets/automation.py) applies the rules and the grace period.
with

partner_months as (

    select * from {{ ref('fct_partner_monthly_kpis') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

tier_history as (

    select * from {{ ref('dim_partner_tier_history') }}

),

certifications as (

    select * from {{ ref('fct_certifications') }}

),

contacts as (

    select * from {{ ref('dim_partner_contacts') }}

),

evaluations as (

    select
        partner_id,
        month_start_date,
        month_end_date as evaluation_date

    from partner_months
    where months_before_reporting < {{ var('tiering_evaluation_months') }}

),

trailing_outcomes as (

    select
        evaluations.partner_id,
        evaluations.evaluation_date,
        sum(partner_months.sourced_won_amount) as t12m_sourced_revenue,
        sum(partner_months.sourced_won_count) as t12m_sourced_won_count,
        sum(partner_months.sourced_closed_count) as t12m_sourced_closed_count

    from evaluations
    inner join partner_months
        on evaluations.partner_id = partner_months.partner_id
        and partner_months.month_start_date <= evaluations.month_start_date
        and partner_months.month_start_date > {{ dbt.dateadd('month', -1 * var('trailing_months'), 'evaluations.month_start_date') }}
    group by all

),

certified_people as (

    select
        evaluations.partner_id,
        evaluations.evaluation_date,
        count(distinct case when contacts.job_role = 'sales' then certifications.contact_id end) as certified_sales_people,
        count(distinct case when contacts.job_role = 'technical' then certifications.contact_id end) as certified_technical_people,
        count(distinct certifications.contact_id) as certified_people

    from evaluations
    inner join certifications
        on evaluations.partner_id = certifications.partner_id
        and {{ certification_valid_on('evaluations.evaluation_date') }}
    inner join contacts
        on certifications.contact_id = contacts.contact_id
    group by all

),

final as (

    select
        {{ dbt.concat(["evaluations.partner_id", "'|'", "cast(evaluations.evaluation_date as " ~ type_text() ~ ")"]) }} as partner_tier_criteria_id,
        evaluations.partner_id,
        partners.partner_external_id,
        tier_history.partner_tier as tier_held,
        cast(coalesce(trailing_outcomes.t12m_sourced_won_count, 0) as integer) as t12m_sourced_won_count,
        cast(coalesce(trailing_outcomes.t12m_sourced_closed_count, 0) as integer) as t12m_sourced_closed_count,
        {{ if_feed('lms', 'cast(coalesce(certified_people.certified_sales_people, 0) as integer)') }} as certified_sales_people,
        {{ if_feed('lms', 'cast(coalesce(certified_people.certified_technical_people, 0) as integer)') }} as certified_technical_people,
        {{ if_feed('lms', 'cast(coalesce(certified_people.certified_people, 0) as integer)') }} as certified_people,
        cast(coalesce(trailing_outcomes.t12m_sourced_revenue, 0) as decimal(18, 2)) as t12m_sourced_revenue,
        cast(trailing_outcomes.t12m_sourced_won_count as double)
            / nullif(trailing_outcomes.t12m_sourced_closed_count, 0) as t12m_win_rate,
        coalesce(partners.dpa_signed_date <= evaluations.evaluation_date and partners.has_signed_dpa, false) as has_signed_dpa,
        partners.is_active as is_active_partner,
        evaluations.evaluation_date = max(evaluations.evaluation_date) over () as is_latest_evaluation,
        evaluations.evaluation_date

    from evaluations
    inner join partners
        on evaluations.partner_id = partners.partner_id
    left join tier_history
        on evaluations.partner_id = tier_history.partner_id
        and evaluations.evaluation_date >= tier_history.valid_from_date
        and evaluations.evaluation_date < tier_history.valid_to_date
    left join trailing_outcomes
        on evaluations.partner_id = trailing_outcomes.partner_id
        and evaluations.evaluation_date = trailing_outcomes.evaluation_date
    left join certified_people
        on evaluations.partner_id = certified_people.partner_id
        and evaluations.evaluation_date = certified_people.evaluation_date

)

select * from final
