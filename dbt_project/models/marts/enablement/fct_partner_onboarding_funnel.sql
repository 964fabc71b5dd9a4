-- Partner grain: the onboarding funnel applied -> approved -> contract and DPA signed -> first
-- certification -> first deal registration -> first won deal, each milestone's date, the days
-- between consecutive milestones (negative when a partner did them out of order, e.g. registered
-- a deal before it was approved), the cohort (quarter of application) and TTPP
-- (dim_partner_productivity). A step counts as reached only when every earlier step was reached
-- too (a strict funnel), so each step's partners are a subset of the previous step's.
with

partners as (

    select * from {{ ref('dim_partners') }}

),

registrations as (

    select * from {{ ref('fct_deal_registrations') }}

),

productivity as (

    select * from {{ ref('dim_partner_productivity') }}

),

first_registrations as (

    select
        partner_id,
        min(submitted_date) as first_registration_date

    from registrations
    group by partner_id

),

milestones as (

    select
        partners.partner_id,
        partners.partner_type,
        partners.vertical,
        partners.region,
        partners.applied_date,
        partners.approved_date,
        case
            when partners.contract_signed_date is not null and partners.dpa_signed_date is not null
                then greatest(partners.contract_signed_date, partners.dpa_signed_date)
        end as agreements_signed_date,
        partners.first_certified_date,
        first_registrations.first_registration_date,
        productivity.first_revenue_date as first_won_date,
        productivity.ttpp_days_to_first_qualified,
        productivity.ttpp_days_to_first_revenue

    from partners
    left join first_registrations
        on partners.partner_id = first_registrations.partner_id
    left join productivity
        on partners.partner_id = productivity.partner_id

),

reached as (

    select
        milestones.*,
        applied_date is not null as is_applied,
        applied_date is not null and approved_date is not null as is_approved,
        applied_date is not null and approved_date is not null and agreements_signed_date is not null
            as is_agreements_signed,
        applied_date is not null and approved_date is not null and agreements_signed_date is not null
            and first_certified_date is not null as is_certified,
        applied_date is not null and approved_date is not null and agreements_signed_date is not null
            and first_certified_date is not null and first_registration_date is not null as is_registering,
        applied_date is not null and approved_date is not null and agreements_signed_date is not null
            and first_certified_date is not null and first_registration_date is not null
            and first_won_date is not null as is_winning

    from milestones

),

final as (

    select
        partner_id,
        partner_type,
        vertical,
        region,
        cast(extract(year from applied_date) as {{ type_text() }}) || '-Q'
            || cast(extract(quarter from applied_date) as {{ type_text() }}) as cohort_quarter,
        case
            when is_winning then 'first_won_deal'
            when is_registering then 'first_registration'
            when is_certified then 'first_certification'
            when is_agreements_signed then 'agreements_signed'
            when is_approved then 'approved'
            when is_applied then 'applied'
        end as funnel_stage,
        cast(
            case
                when is_winning then 6
                when is_registering then 5
                when is_certified then 4
                when is_agreements_signed then 3
                when is_approved then 2
                when is_applied then 1
                else 0
            end as integer
        ) as funnel_step_number,
        cast({{ dbt.datediff('applied_date', 'approved_date', 'day') }} as integer) as days_applied_to_approved,
        cast({{ dbt.datediff('approved_date', 'agreements_signed_date', 'day') }} as integer) as days_approved_to_agreements_signed,
        cast({{ dbt.datediff('agreements_signed_date', 'first_certified_date', 'day') }} as integer) as days_agreements_signed_to_first_certification,
        cast({{ dbt.datediff('first_certified_date', 'first_registration_date', 'day') }} as integer) as days_first_certification_to_first_registration,
        cast({{ dbt.datediff('first_registration_date', 'first_won_date', 'day') }} as integer) as days_first_registration_to_first_won,
        cast({{ dbt.datediff('applied_date', 'first_won_date', 'day') }} as integer) as days_applied_to_first_won,
        cast(ttpp_days_to_first_qualified as integer) as ttpp_days_to_first_qualified,
        cast(ttpp_days_to_first_revenue as integer) as ttpp_days_to_first_revenue,
        is_applied,
        is_approved,
        is_agreements_signed,
        is_certified,
        is_registering,
        is_winning,
        cast({{ dbt.date_trunc('quarter', 'applied_date') }} as date) as cohort_quarter_start_date,
        applied_date,
        approved_date,
        agreements_signed_date,
        first_certified_date,
        first_registration_date,
        first_won_date

    from reached

)

select * from final
