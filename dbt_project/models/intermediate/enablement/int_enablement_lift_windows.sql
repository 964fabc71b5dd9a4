-- Partner enablement event (int_partner_enablement_events) with the partner's sourced outcomes in
-- the window before it [event_date - W, event_date) and after it [event_date, event_date + W),
-- W = var enablement_lift_window_days, and the same two calendar windows for comparable partners.
-- Comparable partner (control): same partner type, enrolled on or before the before-window start,
-- and no such event for that course by the end of the after window. Control figures are the
-- average control partner (sums / control_partner_count). has_complete_windows: the partner was
-- enrolled for the whole before window and the after window ended by the reporting date; only
-- those events enter the lift marts.
with

events as (

    select * from {{ ref('int_partner_enablement_events') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

partner_attribution as (

    select * from {{ ref('fct_partner_attribution') }}
    where attribution_role in ('sourced', 'influenced')
        and is_closed
        and currency_code = '{{ var("reporting_currency") }}'

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

daily_outcomes as (

    select
        partner_id,
        close_date,
        count(case when attribution_role = 'sourced' then 1 end) as closed_count,
        count(case when attribution_role = 'sourced' and is_won then 1 end) as won_count,
        sum(case when attribution_role = 'sourced' then won_credit_amount else 0 end) as won_amount,
        sum(won_credit_amount) as revenue_amount

    from partner_attribution
    group by partner_id, close_date

),

windows as (

    select
        events.partner_enablement_event_id,
        events.partner_id,
        events.course_id,
        events.event_type,
        events.event_date,
        partners.partner_type,
        cast({{ dbt.dateadd('day', -1 * var('enablement_lift_window_days'), 'events.event_date') }} as date) as before_start_date,
        cast({{ dbt.dateadd('day', var('enablement_lift_window_days'), 'events.event_date') }} as date) as after_end_date,
        partners.enrolled_date,
        reporting.reporting_date

    from events
    cross join reporting
    inner join partners
        on events.partner_id = partners.partner_id

),

treated as (

    select
        windows.partner_enablement_event_id,
        sum(case when daily_outcomes.close_date < windows.event_date then daily_outcomes.closed_count else 0 end) as before_closed_count,
        sum(case when daily_outcomes.close_date < windows.event_date then daily_outcomes.won_count else 0 end) as before_won_count,
        sum(case when daily_outcomes.close_date < windows.event_date then daily_outcomes.won_amount else 0 end) as before_won_amount,
        sum(case when daily_outcomes.close_date < windows.event_date then daily_outcomes.revenue_amount else 0 end) as before_revenue_amount,
        sum(case when daily_outcomes.close_date >= windows.event_date then daily_outcomes.closed_count else 0 end) as after_closed_count,
        sum(case when daily_outcomes.close_date >= windows.event_date then daily_outcomes.won_count else 0 end) as after_won_count,
        sum(case when daily_outcomes.close_date >= windows.event_date then daily_outcomes.won_amount else 0 end) as after_won_amount,
        sum(case when daily_outcomes.close_date >= windows.event_date then daily_outcomes.revenue_amount else 0 end) as after_revenue_amount

    from windows
    inner join daily_outcomes
        on windows.partner_id = daily_outcomes.partner_id
        and daily_outcomes.close_date >= windows.before_start_date
        and daily_outcomes.close_date < windows.after_end_date
    group by windows.partner_enablement_event_id

),

control_pairs as (

    select
        windows.partner_enablement_event_id,
        partners.partner_id as control_partner_id,
        windows.before_start_date,
        windows.event_date,
        windows.after_end_date

    from windows
    inner join partners
        on windows.partner_type = partners.partner_type
        and windows.partner_id != partners.partner_id
        and partners.enrolled_date <= windows.before_start_date
    left join events as control_events
        on partners.partner_id = control_events.partner_id
        and windows.course_id = control_events.course_id
        and windows.event_type = control_events.event_type
        and control_events.event_date < windows.after_end_date
    where control_events.partner_id is null

),

control_counts as (

    select
        partner_enablement_event_id,
        count(*) as control_partner_count

    from control_pairs
    group by partner_enablement_event_id

),

control_sums as (

    select
        control_pairs.partner_enablement_event_id,
        sum(case when daily_outcomes.close_date < control_pairs.event_date then daily_outcomes.closed_count else 0 end) as before_closed_count,
        sum(case when daily_outcomes.close_date < control_pairs.event_date then daily_outcomes.won_count else 0 end) as before_won_count,
        sum(case when daily_outcomes.close_date < control_pairs.event_date then daily_outcomes.won_amount else 0 end) as before_won_amount,
        sum(case when daily_outcomes.close_date < control_pairs.event_date then daily_outcomes.revenue_amount else 0 end) as before_revenue_amount,
        sum(case when daily_outcomes.close_date >= control_pairs.event_date then daily_outcomes.closed_count else 0 end) as after_closed_count,
        sum(case when daily_outcomes.close_date >= control_pairs.event_date then daily_outcomes.won_count else 0 end) as after_won_count,
        sum(case when daily_outcomes.close_date >= control_pairs.event_date then daily_outcomes.won_amount else 0 end) as after_won_amount,
        sum(case when daily_outcomes.close_date >= control_pairs.event_date then daily_outcomes.revenue_amount else 0 end) as after_revenue_amount

    from control_pairs
    inner join daily_outcomes
        on control_pairs.control_partner_id = daily_outcomes.partner_id
        and daily_outcomes.close_date >= control_pairs.before_start_date
        and daily_outcomes.close_date < control_pairs.after_end_date
    group by control_pairs.partner_enablement_event_id

),

final as (

    select
        windows.partner_enablement_event_id,
        windows.partner_id,
        windows.course_id,
        windows.event_type,
        windows.partner_type,
        coalesce(control_counts.control_partner_count, 0) as control_partner_count,
        coalesce(treated.before_closed_count, 0) as before_closed_count,
        coalesce(treated.before_won_count, 0) as before_won_count,
        coalesce(treated.before_won_amount, 0) as before_won_amount,
        coalesce(treated.before_revenue_amount, 0) as before_revenue_amount,
        coalesce(treated.after_closed_count, 0) as after_closed_count,
        coalesce(treated.after_won_count, 0) as after_won_count,
        coalesce(treated.after_won_amount, 0) as after_won_amount,
        coalesce(treated.after_revenue_amount, 0) as after_revenue_amount,
        {%- for measure in ['before_closed_count', 'before_won_count', 'before_won_amount', 'before_revenue_amount', 'after_closed_count', 'after_won_count', 'after_won_amount', 'after_revenue_amount'] %}
        -- decimal, so the per-course sums of these averages do not depend on summation order
        cast(
            cast(coalesce(control_sums.{{ measure }}, 0) as double)
            / nullif(control_counts.control_partner_count, 0) as decimal(38, 12)
        ) as control_avg_{{ measure }},
        {%- endfor %}
        windows.enrolled_date is not null
            and windows.enrolled_date <= windows.before_start_date
            and windows.after_end_date <= {{ dbt.dateadd('day', 1, 'windows.reporting_date') }} as has_complete_windows,
        windows.before_start_date,
        windows.event_date,
        windows.after_end_date

    from windows
    left join treated
        on windows.partner_enablement_event_id = treated.partner_enablement_event_id
    left join control_counts
        on windows.partner_enablement_event_id = control_counts.partner_enablement_event_id
    left join control_sums
        on windows.partner_enablement_event_id = control_sums.partner_enablement_event_id

)

select * from final
