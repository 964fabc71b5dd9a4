with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

partner_attribution as (

    select * from {{ ref('fct_partner_attribution') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

attribution_types as (

    select 'partner_sourced' as attribution_type, 'sourced' as partner_role
    union all
    select 'partner_influenced', 'influenced'
    union all
    select 'direct_unattributed', 'none'

),

reported_opportunities as (

    select
        opportunities.opportunity_id,
        attribution_types.attribution_type,
        opportunities.amount,
        opportunities.won_amount,
        opportunities.is_won,
        cast({{ dbt.date_trunc('month', 'opportunities.created_date') }} as date) as created_month,
        cast({{ dbt.date_trunc('month', 'opportunities.close_date') }} as date) as close_month

    from opportunities
    inner join attribution_types
        on opportunities.partner_role = attribution_types.partner_role
    where opportunities.currency_code = '{{ var("reporting_currency") }}'
        and opportunities.created_date <= {{ reporting_date() }}

),

months as (

    select
        month_start_date as period_month,
        quarter_start_date as period_quarter

    from dates
    where date_day = month_start_date
        and is_on_or_before_reporting_date
        and month_start_date >= (select min(created_month) from reported_opportunities)

),

pipeline_created as (

    select
        created_month as period_month,
        attribution_type,
        count(*) as opportunity_count,
        sum(amount) as pipeline_amount

    from reported_opportunities
    group by all

),

revenue_won as (

    select
        close_month as period_month,
        attribution_type,
        count(*) as won_opportunity_count,
        sum(won_amount) as won_revenue

    from reported_opportunities
    where is_won
        and close_month in (select period_month from months)
    group by all

),

credited_partners as (

    -- partners credited with pipeline created in the month (sourcing or a share of influence)
    select
        cast({{ dbt.date_trunc('month', 'created_date') }} as date) as period_month,
        case attribution_role
            when 'sourced' then 'partner_sourced'
            when 'influenced' then 'partner_influenced'
        end as attribution_type,
        count(distinct partner_id) as credited_partner_count

    from partner_attribution
    where attribution_role in ('sourced', 'influenced')
        and currency_code = '{{ var("reporting_currency") }}'
    group by all

),

final as (

    select
        attribution_types.attribution_type,
        coalesce(pipeline_created.opportunity_count, 0) as opportunity_count,
        coalesce(revenue_won.won_opportunity_count, 0) as won_opportunity_count,
        coalesce(credited_partners.credited_partner_count, 0) as credited_partner_count,
        coalesce(pipeline_created.pipeline_amount, 0) as pipeline_amount,
        coalesce(revenue_won.won_revenue, 0) as won_revenue,
        months.period_month,
        months.period_quarter

    from months
    cross join attribution_types
    left join pipeline_created
        on months.period_month = pipeline_created.period_month
        and attribution_types.attribution_type = pipeline_created.attribution_type
    left join revenue_won
        on months.period_month = revenue_won.period_month
        and attribution_types.attribution_type = revenue_won.attribution_type
    left join credited_partners
        on months.period_month = credited_partners.period_month
        and attribution_types.attribution_type = credited_partners.attribution_type

)

select * from final
