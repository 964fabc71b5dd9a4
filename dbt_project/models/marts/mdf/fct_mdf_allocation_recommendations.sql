-- Closed-loop MDF: one row per partner x activity type funded in the baseline window (the var
-- mdf_roi_lookback_quarters quarters up to the reporting quarter), with its recommended MDF for the
-- next quarter from measured ROI, policy floors and caps (seeds/mdf_allocation_policy.csv), and the
-- funds committed to its activities that never completed (releasable).
--   baseline     = approved MDF in the baseline window / lookback quarters (quarterly run rate)
--   measured ROI = attributed revenue / MDF spent on campaign-tracked activities of the ROI window:
--                  as many quarters, ending var mdf_roi_maturity_quarters before the reporting
--                  quarter so their deals had time to close; the partner's own when it has tracked
--                  spend there, else its activity type's across the program, else unmeasured
--   recommended  = min(max(baseline x (1 + change % / 100), floor), cap) of the ROI band
with

activities as (

    select * from {{ ref('fct_mdf_activity_roi') }}

),

requests as (

    select * from {{ ref('fct_mdf_requests') }}

),

policy as (

    select * from {{ ref('mdf_allocation_policy') }}

),

quarters as (

    select distinct year_quarter, quarter_start_date from {{ ref('dim_dates') }}

),

reporting as (

    select
        cast({{ dbt.date_trunc('quarter', 'as_of_date') }} as date) as reporting_quarter_start_date,
        cast({{ dbt.dateadd('month', -3 * (var('mdf_roi_lookback_quarters') - 1), dbt.date_trunc('quarter', 'as_of_date')) }} as date) as baseline_start_date,
        cast({{ dbt.dateadd('month', -3 * (var('mdf_roi_lookback_quarters') - 1 + var('mdf_roi_maturity_quarters')), dbt.date_trunc('quarter', 'as_of_date')) }} as date) as roi_window_start_date,
        cast({{ dbt.dateadd('month', -3 * var('mdf_roi_maturity_quarters'), dbt.date_trunc('quarter', 'as_of_date')) }} as date) as roi_window_end_date,
        cast({{ dbt.dateadd('month', 3, dbt.date_trunc('quarter', 'as_of_date')) }} as date) as recommendation_quarter_start_date

    from {{ ref('int_reporting_date') }}

),

baseline as (

    select
        activities.partner_id,
        activities.activity_type,
        count(*) as activity_count,
        sum(activities.approved_amount) as approved_amount,
        sum(activities.spend_amount) as spend_amount

    from activities
    cross join reporting
    where activities.partner_id is not null
        and activities.fiscal_quarter_start_date >= reporting.baseline_start_date
        and activities.fiscal_quarter_start_date <= reporting.reporting_quarter_start_date
    group by activities.partner_id, activities.activity_type

),

roi_window_activities as (

    select activities.*
    from activities
    cross join reporting
    where activities.has_campaign_execution
        and activities.fiscal_quarter_start_date >= reporting.roi_window_start_date
        and activities.fiscal_quarter_start_date <= reporting.roi_window_end_date

),

partner_roi as (

    select
        partner_id,
        activity_type,
        sum(spend_amount) as measured_spend_amount,
        sum(attributed_revenue_amount) as attributed_revenue_amount

    from roi_window_activities
    group by partner_id, activity_type
    having sum(spend_amount) > 0

),

activity_type_roi as (

    select
        activity_type,
        sum(spend_amount) as measured_spend_amount,
        sum(attributed_revenue_amount) as attributed_revenue_amount

    from roi_window_activities
    group by activity_type
    having sum(spend_amount) > 0

),

releasable as (

    select
        requests.partner_id,
        requests.activity_type,
        sum(requests.releasable_amount) as releasable_amount

    from requests
    cross join reporting
    where requests.fiscal_quarter_start_date >= reporting.baseline_start_date
        and requests.fiscal_quarter_start_date <= reporting.reporting_quarter_start_date
    group by requests.partner_id, requests.activity_type

),

scored as (

    select
        baseline.*,
        case
            when partner_roi.partner_id is not null then 'partner'
            when activity_type_roi.activity_type is not null then 'activity_type'
        end as roi_basis,
        coalesce(partner_roi.measured_spend_amount, activity_type_roi.measured_spend_amount, 0) as measured_spend_amount,
        coalesce(partner_roi.attributed_revenue_amount, activity_type_roi.attributed_revenue_amount, 0) as attributed_revenue_amount,
        coalesce(releasable.releasable_amount, 0) as releasable_amount,
        baseline.approved_amount / {{ var('mdf_roi_lookback_quarters') }} as baseline_amount,
        coalesce(
            partner_roi.attributed_revenue_amount / partner_roi.measured_spend_amount,
            activity_type_roi.attributed_revenue_amount / activity_type_roi.measured_spend_amount
        ) as measured_roi_gross

    from baseline
    left join partner_roi
        on baseline.partner_id = partner_roi.partner_id
        and baseline.activity_type = partner_roi.activity_type
    left join activity_type_roi
        on baseline.activity_type = activity_type_roi.activity_type
    left join releasable
        on baseline.partner_id = releasable.partner_id
        and baseline.activity_type = releasable.activity_type

),

banded as (

    select
        scored.*,
        policy.roi_band,
        policy.allocation_change_pct,
        policy.floor_amount,
        policy.cap_amount,
        policy.reason as policy_reason,
        scored.baseline_amount * (1 + policy.allocation_change_pct / 100) as unconstrained_amount

    from scored
    inner join policy
        on (scored.measured_roi_gross is null and policy.min_roi_gross is null and policy.max_roi_gross is null)
        or (
            scored.measured_roi_gross >= policy.min_roi_gross
            and (policy.max_roi_gross is null or scored.measured_roi_gross < policy.max_roi_gross)
        )

),

recommended as (

    select
        *,
        least(greatest(unconstrained_amount, floor_amount), cap_amount) as recommended_amount

    from banded

),

final as (

    select
        recommended.partner_id || '|' || recommended.activity_type as mdf_allocation_recommendation_id,
        recommended.partner_id,
        recommended.activity_type,
        quarters.year_quarter as recommendation_fiscal_quarter,
        recommended.roi_basis,
        recommended.roi_band,
        recommended.policy_reason
            || case
                when recommended.recommended_amount > recommended.unconstrained_amount then '; raised to the band floor'
                when recommended.recommended_amount < recommended.unconstrained_amount then '; held at the band cap'
                else ''
            end as recommendation_reason,
        '{{ var("reporting_currency") }}' as currency_code,
        cast(recommended.activity_count as integer) as activity_count,
        cast(recommended.approved_amount as decimal(18, 2)) as baseline_approved_amount,
        cast(recommended.spend_amount as decimal(18, 2)) as baseline_spend_amount,
        cast(recommended.measured_spend_amount as decimal(18, 2)) as measured_spend_amount,
        cast(recommended.attributed_revenue_amount as decimal(18, 2)) as attributed_revenue_amount,
        cast(recommended.measured_roi_gross as double) as measured_roi_gross,
        cast(recommended.measured_roi_gross - 1 as double) as measured_roi_net,
        cast(recommended.allocation_change_pct as double) as allocation_change_pct,
        cast(recommended.baseline_amount as decimal(18, 2)) as baseline_amount,
        cast(recommended.unconstrained_amount as decimal(18, 2)) as unconstrained_amount,
        cast(recommended.floor_amount as decimal(18, 2)) as floor_amount,
        cast(recommended.cap_amount as decimal(18, 2)) as cap_amount,
        cast(recommended.recommended_amount as decimal(18, 2)) as recommended_amount,
        cast(recommended.recommended_amount - recommended.baseline_amount as decimal(18, 2)) as change_amount,
        cast(recommended.releasable_amount as decimal(18, 2)) as releasable_amount,
        recommended.recommended_amount > recommended.unconstrained_amount as is_floored,
        recommended.recommended_amount < recommended.unconstrained_amount as is_capped,
        quarters.quarter_start_date as recommendation_quarter_start_date

    from recommended
    cross join reporting
    inner join quarters
        on reporting.recommendation_quarter_start_date = quarters.quarter_start_date

)

select * from final
