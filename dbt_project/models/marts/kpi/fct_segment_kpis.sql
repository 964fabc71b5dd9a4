-- Program KPIs per segment and period: the whole program ('all') and each partner tier (held at
-- month end), partner type, region, vertical and certification state, by month and by quarter.
-- Ratios are computed from the summed building blocks of fct_partner_monthly_kpis (a ratio of
-- sums, never an average of partner ratios). PCR divides partner revenue by the finance feed's
-- company revenue for the same region (or all regions) and period. Without an LMS feed there is
-- no certification segmentation (not every partner "uncertified"); without finance, MDF, rebates,
-- company revenue and PCR are null.
{%- set segments = {
    'all': "'all'",
    'partner_tier': 'partner_tier',
    'partner_type': 'partner_type',
    'region': 'region',
    'vertical': 'vertical',
    'certification': "case when is_certified then 'certified' else 'uncertified' end",
} %}
{%- if not feed_enabled('lms') %}{% do segments.pop('certification') %}{% endif %}
{%- set periods = {'month': 'month_start_date', 'quarter': 'quarter_start_date'} %}
with

partner_months as (

    select * from {{ ref('fct_partner_monthly_kpis') }}

),

company_revenue as (

    select * from {{ ref('stg_finance__company_revenue') }}
    where currency_code = '{{ var("reporting_currency") }}'

),

segment_periods as (

    {% for period_type, period_column in periods.items() -%}
    {% for segment_type, segment_expression in segments.items() -%}
    select
        '{{ period_type }}' as period_type,
        '{{ segment_type }}' as segment_type,
        coalesce(cast({{ segment_expression }} as {{ type_text() }}), 'unknown') as segment_value,
        {{ period_column }} as period_start_date,
        min(quarters_before_reporting) as quarters_before_reporting,
        count(distinct partner_id) as partner_count,
        count(distinct case when partner_revenue_amount > 0 then partner_id end) as revenue_partner_count,
        sum(sourced_opportunity_count) as sourced_opportunity_count,
        sum(influenced_opportunity_count) as influenced_opportunity_count,
        sum(sourced_closed_count) as sourced_closed_count,
        sum(sourced_won_count) as sourced_won_count,
        sum(sourced_won_priced_count) as sourced_won_priced_count,
        sum(registered_won_count) as registered_won_count,
        sum(psp_amount) as psp_amount,
        sum(pip_amount) as pip_amount,
        sum(sourced_closed_amount) as sourced_closed_amount,
        sum(sourced_won_amount) as sourced_won_amount,
        sum(influenced_won_amount) as influenced_won_amount,
        sum(partner_revenue_amount) as partner_revenue_amount,
        sum(mdf_paid_amount) as mdf_paid_amount,
        sum(rebate_paid_amount) as rebate_paid_amount,
        sum(registration_to_close_days_total) as registration_to_close_days_total

    from partner_months
    group by 1, 2, 3, 4
    {% if not (loop.last and period_type == 'quarter') %}union all{% endif %}
    {% endfor -%}
    {% endfor %}

),

company_revenue_periods as (

    {% for period_type in periods -%}
    select
        '{{ period_type }}' as period_type,
        region,
        cast({{ dbt.date_trunc(period_type, 'period_month') }} as date) as period_start_date,
        sum(total_revenue) as company_revenue_amount

    from company_revenue
    group by 1, 2, 3
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

company_revenue_all_regions as (

    select
        period_type,
        period_start_date,
        sum(company_revenue_amount) as company_revenue_amount

    from company_revenue_periods
    group by 1, 2

),

final as (

    select
        {{ dbt.concat(["segment_periods.period_type", "'|'", "segment_periods.segment_type", "'|'", "segment_periods.segment_value", "'|'", "cast(segment_periods.period_start_date as " ~ type_text() ~ ")"]) }} as segment_kpi_id,
        segment_periods.period_type,
        segment_periods.segment_type,
        segment_periods.segment_value,
        cast(segment_periods.partner_count as integer) as partner_count,
        cast(segment_periods.revenue_partner_count as integer) as revenue_partner_count,
        cast(segment_periods.sourced_opportunity_count as integer) as sourced_opportunity_count,
        cast(segment_periods.influenced_opportunity_count as integer) as influenced_opportunity_count,
        cast(segment_periods.sourced_closed_count as integer) as sourced_closed_count,
        cast(segment_periods.sourced_won_count as integer) as sourced_won_count,
        cast(segment_periods.quarters_before_reporting as integer) as quarters_before_reporting,
        cast(segment_periods.psp_amount as decimal(18, 2)) as psp_amount,
        cast(segment_periods.pip_amount as decimal(18, 2)) as pip_amount,
        cast(segment_periods.sourced_closed_amount as decimal(18, 2)) as sourced_closed_amount,
        cast(segment_periods.sourced_won_amount as decimal(18, 2)) as sourced_won_amount,
        cast(segment_periods.influenced_won_amount as decimal(18, 2)) as influenced_won_amount,
        cast(segment_periods.partner_revenue_amount as decimal(18, 2)) as partner_revenue_amount,
        cast(
            case
                when segment_periods.segment_type = 'region' then region_revenue.company_revenue_amount
                else all_regions.company_revenue_amount
            end as decimal(18, 2)
        ) as company_revenue_amount,
        cast(segment_periods.mdf_paid_amount as decimal(18, 2)) as mdf_paid_amount,
        cast(segment_periods.rebate_paid_amount as decimal(18, 2)) as rebate_paid_amount,
        cast(segment_periods.sourced_won_count as double) / nullif(segment_periods.sourced_closed_count, 0) as win_rate_by_count,
        cast(segment_periods.sourced_won_amount as double) / nullif(segment_periods.sourced_closed_amount, 0) as win_rate_by_amount,
        cast(segment_periods.sourced_won_amount / nullif(segment_periods.sourced_won_priced_count, 0) as decimal(18, 2)) as apds,
        cast(segment_periods.partner_revenue_amount as double) / nullif(
            case
                when segment_periods.segment_type = 'region' then region_revenue.company_revenue_amount
                else all_regions.company_revenue_amount
            end, 0
        ) as pcr,
        cast(segment_periods.registration_to_close_days_total as double) / nullif(segment_periods.registered_won_count, 0) as avg_days_registration_to_close,
        segment_periods.period_start_date

    from segment_periods
    left join company_revenue_periods as region_revenue
        on segment_periods.segment_type = 'region'
        and segment_periods.period_type = region_revenue.period_type
        and segment_periods.segment_value = region_revenue.region
        and segment_periods.period_start_date = region_revenue.period_start_date
    left join company_revenue_all_regions as all_regions
        on segment_periods.period_type = all_regions.period_type
        and segment_periods.period_start_date = all_regions.period_start_date

)

select * from final
