-- MDF return per fiscal quarter x activity type, shaped for the MDF page: spend, the funnel,
-- attributed return with both ROI definitions, and (on the activity_type = 'all' row of each
-- quarter) the incremental return measured by difference-in-differences beside it. Ratios are
-- ratios of sums.
with

activities as (

    select * from {{ ref('fct_mdf_activity_roi') }}

),

incremental as (

    select * from {{ ref('fct_mdf_incremental_roi') }}
    where estimate_scope = 'cohort_quarter'

),

by_activity_type as (

    select
        fiscal_quarter,
        fiscal_quarter_start_date,
        activity_type,
        count(*) as activity_count,
        sum(lead_count) as lead_count,
        sum(opportunity_count) as opportunity_count,
        sum(won_opportunity_count) as won_opportunity_count,
        sum(approved_amount) as approved_amount,
        sum(spend_amount) as spend_amount,
        sum(case when has_campaign_execution then spend_amount else 0 end) as tracked_spend_amount,
        sum(lead_sourced_revenue_amount) as lead_sourced_revenue_amount,
        sum(attributed_revenue_amount) as attributed_revenue_amount

    from activities
    group by fiscal_quarter, fiscal_quarter_start_date, activity_type

),

all_types as (

    select
        fiscal_quarter,
        fiscal_quarter_start_date,
        'all' as activity_type,
        sum(activity_count) as activity_count,
        sum(lead_count) as lead_count,
        sum(opportunity_count) as opportunity_count,
        sum(won_opportunity_count) as won_opportunity_count,
        sum(approved_amount) as approved_amount,
        sum(spend_amount) as spend_amount,
        sum(tracked_spend_amount) as tracked_spend_amount,
        sum(lead_sourced_revenue_amount) as lead_sourced_revenue_amount,
        sum(attributed_revenue_amount) as attributed_revenue_amount

    from by_activity_type
    group by fiscal_quarter, fiscal_quarter_start_date

),

unioned as (

    select * from by_activity_type
    union all
    select * from all_types

),

final as (

    select
        unioned.fiscal_quarter || '|' || unioned.activity_type as mdf_roi_summary_id,
        unioned.fiscal_quarter,
        unioned.activity_type,
        '{{ var("mdf_default_attribution_model") }}' as attribution_model,
        '{{ var("reporting_currency") }}' as currency_code,
        cast(unioned.activity_count as integer) as activity_count,
        cast(unioned.lead_count as integer) as lead_count,
        cast(unioned.opportunity_count as integer) as opportunity_count,
        cast(unioned.won_opportunity_count as integer) as won_opportunity_count,
        cast(unioned.approved_amount as decimal(18, 2)) as approved_amount,
        cast(unioned.spend_amount as decimal(18, 2)) as spend_amount,
        cast(unioned.tracked_spend_amount as decimal(18, 2)) as tracked_spend_amount,
        cast(unioned.lead_sourced_revenue_amount as decimal(18, 2)) as lead_sourced_revenue_amount,
        cast(unioned.attributed_revenue_amount as decimal(18, 2)) as attributed_revenue_amount,
        cast(unioned.spend_amount / nullif(unioned.lead_count, 0) as decimal(18, 2)) as cost_per_lead_amount,
        cast(unioned.spend_amount / nullif(unioned.opportunity_count, 0) as decimal(18, 2)) as cost_per_opportunity_amount,
        cast((unioned.attributed_revenue_amount - unioned.spend_amount) / nullif(unioned.spend_amount, 0) as double) as roi_net,
        cast(unioned.attributed_revenue_amount / nullif(unioned.spend_amount, 0) as double) as roi_gross,
        cast(unioned.attributed_revenue_amount / nullif(unioned.tracked_spend_amount, 0) as double) as tracked_roi_gross,
        incremental.spend_amount as incremental_spend_amount,
        incremental.incremental_revenue_amount,
        incremental.incremental_revenue_ci_lower_amount,
        incremental.incremental_revenue_ci_upper_amount,
        incremental.incremental_roi_net,
        incremental.incremental_roi_gross,
        incremental.incremental_roi_net_ci_lower,
        incremental.incremental_roi_net_ci_upper,
        incremental.is_post_window_complete,
        unioned.fiscal_quarter_start_date

    from unioned
    left join incremental
        on unioned.fiscal_quarter = incremental.fiscal_quarter
        and unioned.activity_type = 'all'

)

select * from final
