-- Event type x course: before/after outcomes of the partners enabled (only events with complete
-- windows, int_enablement_lift_windows) against the average comparable partner over the same
-- calendar windows. Ratios are ratios of sums (win rate = won / closed, deal size = won amount /
-- won count), revenue per partner = revenue / partners; change = after - before; lift = the
-- enabled partners' change - the comparable partners' change (difference in differences).
-- Every ratio is null when its denominator is zero.
with

windows as (

    select * from {{ ref('int_enablement_lift_windows') }}
    where has_complete_windows

),

sums as (

    select
        event_type,
        course_id,
        count(*) as partner_count,
        count(case when control_partner_count > 0 then 1 end) as matched_partner_count,
        avg(control_partner_count) as avg_control_partner_count,
        {%- for measure in ['before_closed_count', 'before_won_count', 'before_won_amount', 'before_revenue_amount', 'after_closed_count', 'after_won_count', 'after_won_amount', 'after_revenue_amount'] %}
        sum({{ measure }}) as {{ measure }},
        sum(control_avg_{{ measure }}) as control_{{ measure }},
        {%- endfor %}
        min(event_date) as first_event_date,
        max(event_date) as last_event_date

    from windows
    group by event_type, course_id

),

ratios as (

    select
        sums.*,
        {%- for group in ['', 'control_'] %}
        {%- for period in ['before', 'after'] %}
        cast({{ group }}{{ period }}_won_count as double) / nullif({{ group }}{{ period }}_closed_count, 0) as {{ group }}{{ period }}_win_rate,
        cast({{ group }}{{ period }}_won_amount as double) / nullif({{ group }}{{ period }}_won_count, 0) as {{ group }}{{ period }}_avg_deal_size,
        {%- endfor %}
        {%- endfor %}
        cast(before_revenue_amount as double) / nullif(partner_count, 0) as before_revenue_per_partner,
        cast(after_revenue_amount as double) / nullif(partner_count, 0) as after_revenue_per_partner,
        cast(control_before_revenue_amount as double) / nullif(matched_partner_count, 0) as control_before_revenue_per_partner,
        cast(control_after_revenue_amount as double) / nullif(matched_partner_count, 0) as control_after_revenue_per_partner

    from sums

),

final as (

    select
        ratios.*,
        after_win_rate - before_win_rate as win_rate_change,
        control_after_win_rate - control_before_win_rate as control_win_rate_change,
        (after_win_rate - before_win_rate) - (control_after_win_rate - control_before_win_rate) as win_rate_lift,
        after_avg_deal_size - before_avg_deal_size as avg_deal_size_change,
        (after_avg_deal_size - before_avg_deal_size)
            - (control_after_avg_deal_size - control_before_avg_deal_size) as avg_deal_size_lift,
        after_revenue_per_partner - before_revenue_per_partner as revenue_per_partner_change,
        control_after_revenue_per_partner - control_before_revenue_per_partner as control_revenue_per_partner_change,
        (after_revenue_per_partner - before_revenue_per_partner)
            - (control_after_revenue_per_partner - control_before_revenue_per_partner) as revenue_per_partner_lift

    from ratios

)

select * from final
