-- Application cohort (quarter; 'all' = every cohort) x funnel step: partners that reached the step
-- (strict funnel, fct_partner_onboarding_funnel), conversion from the previous step and from
-- application, median days from application to the step, and the cohort's median TTPP to first
-- revenue.
with

funnel as (

    select * from {{ ref('fct_partner_onboarding_funnel') }}
    where is_applied

),

cohorts as (

    select
        cohort_quarter,
        is_applied, is_approved, is_agreements_signed, is_certified, is_registering, is_winning,
        applied_date, approved_date, agreements_signed_date, first_certified_date, first_registration_date,
        first_won_date, ttpp_days_to_first_revenue
    from funnel

    union all

    select
        'all' as cohort_quarter,
        is_applied, is_approved, is_agreements_signed, is_certified, is_registering, is_winning,
        applied_date, approved_date, agreements_signed_date, first_certified_date, first_registration_date,
        first_won_date, ttpp_days_to_first_revenue
    from funnel

),

steps as (

    {%- set steps = [
        (1, 'applied', 'is_applied', 'applied_date'),
        (2, 'approved', 'is_approved', 'approved_date'),
        (3, 'agreements_signed', 'is_agreements_signed', 'agreements_signed_date'),
        (4, 'first_certification', 'is_certified', 'first_certified_date'),
        (5, 'first_registration', 'is_registering', 'first_registration_date'),
        (6, 'first_won_deal', 'is_winning', 'first_won_date'),
    ] %}
    {%- for step_number, step_name, flag, date_column in steps %}
    select
        cohort_quarter,
        {{ step_number }} as step_number,
        '{{ step_name }}' as funnel_step,
        count(*) as cohort_partner_count,
        count(case when {{ flag }} then 1 end) as partners_reached_count,
        median(case when {{ flag }} then {{ dbt.datediff('applied_date', date_column, 'day') }} end)
            as median_days_from_applied,
        median(ttpp_days_to_first_revenue) as cohort_median_ttpp_days

    from cohorts
    group by cohort_quarter
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        cohort_quarter,
        step_number,
        funnel_step,
        cohort_partner_count,
        partners_reached_count,
        cast(partners_reached_count as double) / nullif(
            lag(partners_reached_count) over (partition by cohort_quarter order by step_number), 0
        ) as conversion_from_previous_step,
        cast(partners_reached_count as double) / nullif(cohort_partner_count, 0) as conversion_from_applied,
        median_days_from_applied,
        cohort_median_ttpp_days

    from steps

)

select * from final
