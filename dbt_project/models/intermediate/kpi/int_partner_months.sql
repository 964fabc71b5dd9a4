-- One row per partner and calendar month, from the partner's first month in the program (or its
-- first credited opportunity, whichever is earlier) to the reporting month, with the partner's
-- state at the end of the month: tier held and currently certified people. Months are closed at
-- the reporting date, so the reporting month ends on the reporting date.
with

partners as (

    select * from {{ ref('dim_partners') }}

),

tier_history as (

    select * from {{ ref('dim_partner_tier_history') }}

),

certifications as (

    select * from {{ ref('fct_certifications') }}

),

partner_attribution as (

    select * from {{ ref('fct_partner_attribution') }}

),

months as (

    select distinct month_start_date
    from {{ ref('dim_dates') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

first_months as (

    select
        partners.partner_id,
        -- least() skips nulls (DuckDB, Postgres, Spark); the reporting date bounds a partner with no dates
        cast({{ dbt.date_trunc('month', 'least(partners.applied_date, partners.approved_date, partners.enrolled_date, first_credit.first_created_date, reporting.reporting_date)') }} as date) as first_month_start_date

    from partners
    cross join reporting
    left join (
        select
            partner_id,
            min(created_date) as first_created_date
        from partner_attribution
        where attribution_role in ('sourced', 'influenced')
        group by partner_id
    ) as first_credit
        on partners.partner_id = first_credit.partner_id

),

partner_months as (

    select
        first_months.partner_id,
        months.month_start_date,
        least(
            cast({{ dbt.last_day('months.month_start_date', 'month') }} as date),
            reporting.reporting_date
        ) as month_end_date,
        {{ dbt.datediff('months.month_start_date', dbt.date_trunc('month', 'reporting.reporting_date'), 'month') }} as months_before_reporting,
        {{ dbt.datediff(dbt.date_trunc('quarter', 'months.month_start_date'), dbt.date_trunc('quarter', 'reporting.reporting_date'), 'quarter') }} as quarters_before_reporting

    from first_months
    cross join reporting
    inner join months
        on months.month_start_date >= first_months.first_month_start_date
        and months.month_start_date <= reporting.reporting_date

),

certified_people as (

    select
        partner_months.partner_id,
        partner_months.month_start_date,
        count(distinct certifications.contact_id) as certified_people_count

    from partner_months
    inner join certifications
        on partner_months.partner_id = certifications.partner_id
        and {{ certification_valid_on('partner_months.month_end_date') }}
    group by all

),

final as (

    select
        partner_months.partner_id,
        tier_history.partner_tier,
        cast(coalesce(certified_people.certified_people_count, 0) as integer) as certified_people_count,
        cast(partner_months.months_before_reporting as integer) as months_before_reporting,
        cast(partner_months.quarters_before_reporting as integer) as quarters_before_reporting,
        partner_months.month_start_date,
        partner_months.month_end_date

    from partner_months
    left join tier_history
        on partner_months.partner_id = tier_history.partner_id
        and partner_months.month_end_date >= tier_history.valid_from_date
        and partner_months.month_end_date < tier_history.valid_to_date
    left join certified_people
        on partner_months.partner_id = certified_people.partner_id
        and partner_months.month_start_date = certified_people.month_start_date

)

select * from final
