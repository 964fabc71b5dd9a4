-- Partner x calendar month: the additive building blocks of every partner KPI (sums and counts, so
-- any roll-up by tier, type, region, vertical, quarter or year is a plain sum) next to the ratios
-- for the partner-month itself. Pipeline is counted in the month an opportunity was created,
-- outcomes in the month it closed. Formulas are written in _kpi__models.yml.
with

partner_months as (

    select * from {{ ref('int_partner_months') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

partner_attribution as (

    select * from {{ ref('fct_partner_attribution') }}
    where currency_code = '{{ var("reporting_currency") }}'
        and attribution_role in ('sourced', 'influenced')

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

registrations as (

    select * from {{ ref('fct_deal_registrations') }}

),

mdf_payments as (

    select * from {{ ref('stg_finance__mdf_payments') }}
    where currency_code = '{{ var("reporting_currency") }}'

),

rebate_payments as (

    select * from {{ ref('stg_finance__rebate_payments') }}
    where currency_code = '{{ var("reporting_currency") }}'

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

pipeline_created as (

    select
        partner_id,
        cast({{ dbt.date_trunc('month', 'created_date') }} as date) as month_start_date,
        count(case when attribution_role = 'sourced' then 1 end) as sourced_opportunity_count,
        count(case when attribution_role = 'influenced' then 1 end) as influenced_opportunity_count,
        sum(case when attribution_role = 'sourced' then pipeline_credit_amount else 0 end) as psp_amount,
        sum(case when attribution_role = 'influenced' then pipeline_credit_amount else 0 end) as pip_amount

    from partner_attribution
    cross join reporting
    -- months are closed at the reporting date: pipeline created after it is not counted yet
    where partner_attribution.created_date <= reporting.reporting_date
    group by all

),

outcomes as (

    select
        partner_attribution.partner_id,
        cast({{ dbt.date_trunc('month', 'partner_attribution.close_date') }} as date) as month_start_date,
        count(case when partner_attribution.attribution_role = 'sourced' then 1 end) as sourced_closed_count,
        count(case when partner_attribution.attribution_role = 'sourced' and partner_attribution.is_won then 1 end) as sourced_won_count,
        -- won deals whose amount is known (a CRM value nulled at load is unknown, not $0): APDS divides by these
        count(
            case
                when partner_attribution.attribution_role = 'sourced' and partner_attribution.is_won
                    and partner_attribution.won_credit_amount is not null
                    then 1
            end
        ) as sourced_won_priced_count,
        sum(case when partner_attribution.attribution_role = 'sourced' then opportunities.amount else 0 end) as sourced_closed_amount,
        sum(case when partner_attribution.attribution_role = 'sourced' then partner_attribution.won_credit_amount else 0 end) as sourced_won_amount,
        sum(case when partner_attribution.attribution_role = 'influenced' then partner_attribution.won_credit_amount else 0 end) as influenced_won_amount,
        count(
            case
                when partner_attribution.attribution_role = 'sourced'
                    and partner_attribution.is_won
                    and opportunities.days_registration_to_close is not null
                    then 1
            end
        ) as registered_won_count,
        sum(
            case
                -- decimal, so the sum does not depend on the order DuckDB adds the rows in
                when partner_attribution.attribution_role = 'sourced' and partner_attribution.is_won
                    then cast(opportunities.days_registration_to_close as decimal(18, 6))
            end
        ) as registration_to_close_days_total

    from partner_attribution
    inner join opportunities
        on partner_attribution.opportunity_id = opportunities.opportunity_id
    cross join reporting
    where partner_attribution.is_closed
        and partner_attribution.close_date <= reporting.reporting_date
    group by all

),

registrations_submitted as (

    select
        partner_id,
        cast({{ dbt.date_trunc('month', 'submitted_date') }} as date) as month_start_date,
        count(*) as registrations_submitted_count,
        count(case when is_approved then 1 end) as registrations_approved_count

    from registrations
    group by all

),

finance_payments as (

    select
        partner_external_id,
        paid_at,
        payment_amount as mdf_paid_amount,
        cast(0 as decimal(18, 2)) as rebate_paid_amount

    from mdf_payments

    union all

    select
        partner_external_id,
        paid_at,
        cast(0 as decimal(18, 2)),
        rebate_amount

    from rebate_payments

),

payments_paid as (

    select
        partners.partner_id,
        cast({{ dbt.date_trunc('month', 'finance_payments.paid_at') }} as date) as month_start_date,
        sum(finance_payments.mdf_paid_amount) as mdf_paid_amount,
        sum(finance_payments.rebate_paid_amount) as rebate_paid_amount

    from finance_payments
    inner join partners
        on finance_payments.partner_external_id = partners.partner_external_id
    group by all

),

combined as (

    select
        partner_months.partner_id,
        partner_months.partner_tier,
        partners.partner_type,
        partners.region,
        partners.vertical,
        partner_months.certified_people_count,
        partner_months.months_before_reporting,
        partner_months.quarters_before_reporting,
        partner_months.month_start_date,
        partner_months.month_end_date,
        coalesce(pipeline_created.sourced_opportunity_count, 0) as sourced_opportunity_count,
        coalesce(pipeline_created.influenced_opportunity_count, 0) as influenced_opportunity_count,
        coalesce(outcomes.sourced_closed_count, 0) as sourced_closed_count,
        coalesce(outcomes.sourced_won_count, 0) as sourced_won_count,
        coalesce(outcomes.sourced_won_priced_count, 0) as sourced_won_priced_count,
        coalesce(outcomes.registered_won_count, 0) as registered_won_count,
        coalesce(registrations_submitted.registrations_submitted_count, 0) as registrations_submitted_count,
        coalesce(registrations_submitted.registrations_approved_count, 0) as registrations_approved_count,
        coalesce(pipeline_created.psp_amount, 0) as psp_amount,
        coalesce(pipeline_created.pip_amount, 0) as pip_amount,
        coalesce(outcomes.sourced_closed_amount, 0) as sourced_closed_amount,
        coalesce(outcomes.sourced_won_amount, 0) as sourced_won_amount,
        coalesce(outcomes.influenced_won_amount, 0) as influenced_won_amount,
        coalesce(outcomes.registration_to_close_days_total, 0) as registration_to_close_days_total,
        coalesce(payments_paid.mdf_paid_amount, 0) as mdf_paid_amount,
        coalesce(payments_paid.rebate_paid_amount, 0) as rebate_paid_amount

    from partner_months
    inner join partners
        on partner_months.partner_id = partners.partner_id
    left join pipeline_created
        on partner_months.partner_id = pipeline_created.partner_id
        and partner_months.month_start_date = pipeline_created.month_start_date
    left join outcomes
        on partner_months.partner_id = outcomes.partner_id
        and partner_months.month_start_date = outcomes.month_start_date
    left join registrations_submitted
        on partner_months.partner_id = registrations_submitted.partner_id
        and partner_months.month_start_date = registrations_submitted.month_start_date
    left join payments_paid
        on partner_months.partner_id = payments_paid.partner_id
        and partner_months.month_start_date = payments_paid.month_start_date

),

final as (

    select
        {{ dbt.concat(["partner_id", "'|'", "cast(month_start_date as " ~ type_text() ~ ")"]) }} as partner_month_id,
        partner_id,
        partner_tier,
        partner_type,
        region,
        vertical,
        cast(sourced_opportunity_count as integer) as sourced_opportunity_count,
        cast(influenced_opportunity_count as integer) as influenced_opportunity_count,
        cast(sourced_closed_count as integer) as sourced_closed_count,
        cast(sourced_won_count as integer) as sourced_won_count,
        cast(sourced_won_priced_count as integer) as sourced_won_priced_count,
        cast(registered_won_count as integer) as registered_won_count,
        cast(registrations_submitted_count as integer) as registrations_submitted_count,
        cast(registrations_approved_count as integer) as registrations_approved_count,
        {{ if_feed('lms', 'certified_people_count') }} as certified_people_count,
        months_before_reporting,
        quarters_before_reporting,
        cast(psp_amount as decimal(18, 2)) as psp_amount,
        cast(pip_amount as decimal(18, 2)) as pip_amount,
        cast(sourced_closed_amount as decimal(18, 2)) as sourced_closed_amount,
        cast(sourced_won_amount as decimal(18, 2)) as sourced_won_amount,
        cast(influenced_won_amount as decimal(18, 2)) as influenced_won_amount,
        cast(sourced_won_amount + influenced_won_amount as decimal(18, 2)) as partner_revenue_amount,
        {{ if_feed('finance', 'cast(mdf_paid_amount as decimal(18, 2))') }} as mdf_paid_amount,
        {{ if_feed('finance', 'cast(rebate_paid_amount as decimal(18, 2))') }} as rebate_paid_amount,
        cast(registration_to_close_days_total as decimal(18, 6)) as registration_to_close_days_total,
        cast(sourced_won_count as double) / nullif(sourced_closed_count, 0) as win_rate_by_count,
        cast(sourced_won_amount as double) / nullif(sourced_closed_amount, 0) as win_rate_by_amount,
        cast(sourced_won_amount / nullif(sourced_won_priced_count, 0) as decimal(18, 2)) as apds,
        cast(registration_to_close_days_total as double) / nullif(registered_won_count, 0) as avg_days_registration_to_close,
        {{ if_feed('lms', 'certified_people_count > 0') }} as is_certified,
        months_before_reporting < {{ var('trailing_months') }} as is_in_trailing_12_months,
        month_start_date,
        cast({{ dbt.date_trunc('quarter', 'month_start_date') }} as date) as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'month_start_date') }} as date) as year_start_date,
        month_end_date

    from combined

)

select * from final
