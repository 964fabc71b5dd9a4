-- Incremental MDF ROI by difference-in-differences, per cohort quarter and pooled over every
-- cohort whose post window has closed. Attributed revenue overstates what the money caused (the
-- partner might have won those deals anyway); DiD compares the revenue change of funded partners
-- with that of matched unfunded partners (int_mdf_did_partner_estimates) over the same windows.
--   DiD estimate       = mean over matched funded partners of their partner DiD (revenue per quarter)
--   standard error     = sample standard deviation of the partner DiDs / sqrt(n)
--   interval           = estimate +/- var mdf_did_ci_z x standard error (normal approximation)
--   incremental revenue = DiD estimate x n x var mdf_did_post_quarters
--   incremental ROI    = (incremental revenue - spend) / spend; gross = incremental revenue / spend
with

estimates as (

    select * from {{ ref('int_mdf_did_partner_estimates') }}

),

quarters as (

    select distinct year_quarter, quarter_start_date from {{ ref('dim_dates') }}

),

scoped as (

    select
        'cohort_quarter' as estimate_scope,
        cohort_quarter_start_date,
        estimates.*

    from estimates

    union all

    select
        'pooled' as estimate_scope,
        cast(null as date) as cohort_quarter_start_date,
        estimates.*

    from estimates
    where is_post_window_complete

),

aggregated as (

    select
        estimate_scope,
        cohort_quarter_start_date as scope_quarter_start_date,
        sum(case when is_matched then 1 else 0 end) as matched_partner_count,
        sum(case when is_matched then 0 else 1 end) as unmatched_partner_count,
        sum(case when is_matched then control_count else 0 end) as control_match_count,
        sum(case when is_matched then paid_amount else 0 end) as spend_amount,
        avg(case when is_matched then pre_revenue_amount end) as funded_pre_revenue_amount,
        avg(case when is_matched then post_revenue_amount end) as funded_post_revenue_amount,
        avg(case when is_matched then control_pre_revenue_amount end) as control_pre_revenue_amount,
        avg(case when is_matched then control_post_revenue_amount end) as control_post_revenue_amount,
        avg(did_revenue_amount) as did_estimate_amount,
        stddev_samp(did_revenue_amount) / sqrt(count(did_revenue_amount)) as did_standard_error_amount,
        bool_and(is_post_window_complete) as is_post_window_complete

    from scoped
    group by estimate_scope, cohort_quarter_start_date

),

bounded as (

    select
        *,
        did_estimate_amount - {{ var('mdf_did_ci_z') }} * did_standard_error_amount as did_ci_lower_amount,
        did_estimate_amount + {{ var('mdf_did_ci_z') }} * did_standard_error_amount as did_ci_upper_amount,
        matched_partner_count * {{ var('mdf_did_post_quarters') }} as partner_quarter_count

    from aggregated

),

incremental as (

    select
        *,
        did_estimate_amount * partner_quarter_count as incremental_revenue_amount,
        did_ci_lower_amount * partner_quarter_count as incremental_revenue_ci_lower_amount,
        did_ci_upper_amount * partner_quarter_count as incremental_revenue_ci_upper_amount

    from bounded

),

final as (

    select
        coalesce(quarters.year_quarter, 'pooled') as mdf_incremental_roi_id,
        incremental.estimate_scope,
        quarters.year_quarter as fiscal_quarter,
        '{{ var("reporting_currency") }}' as currency_code,
        cast(incremental.matched_partner_count as integer) as matched_partner_count,
        cast(incremental.unmatched_partner_count as integer) as unmatched_partner_count,
        cast(incremental.control_match_count as integer) as control_match_count,
        cast(incremental.spend_amount as decimal(18, 2)) as spend_amount,
        cast(incremental.funded_pre_revenue_amount as decimal(18, 2)) as funded_pre_revenue_amount,
        cast(incremental.funded_post_revenue_amount as decimal(18, 2)) as funded_post_revenue_amount,
        cast(incremental.control_pre_revenue_amount as decimal(18, 2)) as control_pre_revenue_amount,
        cast(incremental.control_post_revenue_amount as decimal(18, 2)) as control_post_revenue_amount,
        cast(incremental.did_estimate_amount as decimal(18, 2)) as did_estimate_amount,
        cast(incremental.did_standard_error_amount as decimal(18, 2)) as did_standard_error_amount,
        cast(incremental.did_ci_lower_amount as decimal(18, 2)) as did_ci_lower_amount,
        cast(incremental.did_ci_upper_amount as decimal(18, 2)) as did_ci_upper_amount,
        cast(incremental.incremental_revenue_amount as decimal(18, 2)) as incremental_revenue_amount,
        cast(incremental.incremental_revenue_ci_lower_amount as decimal(18, 2)) as incremental_revenue_ci_lower_amount,
        cast(incremental.incremental_revenue_ci_upper_amount as decimal(18, 2)) as incremental_revenue_ci_upper_amount,
        cast((incremental.incremental_revenue_amount - incremental.spend_amount) / nullif(incremental.spend_amount, 0) as double) as incremental_roi_net,
        cast(incremental.incremental_revenue_amount / nullif(incremental.spend_amount, 0) as double) as incremental_roi_gross,
        cast((incremental.incremental_revenue_ci_lower_amount - incremental.spend_amount) / nullif(incremental.spend_amount, 0) as double) as incremental_roi_net_ci_lower,
        cast((incremental.incremental_revenue_ci_upper_amount - incremental.spend_amount) / nullif(incremental.spend_amount, 0) as double) as incremental_roi_net_ci_upper,
        coalesce(incremental.did_ci_lower_amount > 0 or incremental.did_ci_upper_amount < 0, false) as is_significant,
        coalesce(incremental.is_post_window_complete, false) as is_post_window_complete,
        incremental.scope_quarter_start_date as fiscal_quarter_start_date

    from incremental
    left join quarters
        on incremental.scope_quarter_start_date = quarters.quarter_start_date

)

select * from final
