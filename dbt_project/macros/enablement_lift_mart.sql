{#- The course-grain lift mart of one enablement event type (certification, course_completion):
    int_enablement_lift_by_course with the course's attributes, typed for the mart contract. One
    definition for fct_certification_sales_lift and fct_training_module_impact. -#}
{% macro enablement_lift_mart(event_type) %}
with

lift as (

    select * from {{ ref('int_enablement_lift_by_course') }}
    where event_type = '{{ event_type }}'

),

courses as (

    select * from {{ ref('dim_courses') }}

),

final as (

    select
        lift.course_id,
        courses.course_title,
        courses.course_type,
        courses.target_role,
        courses.product_line,
        cast(lift.partner_count as integer) as partner_count,
        cast(lift.matched_partner_count as integer) as matched_partner_count,
        cast(lift.avg_control_partner_count as double) as avg_control_partner_count,
        cast(lift.before_closed_count as integer) as before_closed_count,
        cast(lift.before_won_count as integer) as before_won_count,
        cast(lift.after_closed_count as integer) as after_closed_count,
        cast(lift.after_won_count as integer) as after_won_count,
        cast(lift.before_win_rate as double) as before_win_rate,
        cast(lift.after_win_rate as double) as after_win_rate,
        cast(lift.control_before_win_rate as double) as control_before_win_rate,
        cast(lift.control_after_win_rate as double) as control_after_win_rate,
        cast(lift.win_rate_change as double) as win_rate_change,
        cast(lift.control_win_rate_change as double) as control_win_rate_change,
        cast(lift.win_rate_lift as double) as win_rate_lift,
        cast(lift.after_win_rate - lift.control_after_win_rate as double) as after_win_rate_vs_control,
        cast(lift.before_avg_deal_size as double) as before_avg_deal_size,
        cast(lift.after_avg_deal_size as double) as after_avg_deal_size,
        cast(lift.avg_deal_size_change as double) as avg_deal_size_change,
        cast(lift.avg_deal_size_lift as double) as avg_deal_size_lift,
        cast(lift.before_revenue_per_partner as double) as before_revenue_per_partner,
        cast(lift.after_revenue_per_partner as double) as after_revenue_per_partner,
        cast(lift.control_before_revenue_per_partner as double) as control_before_revenue_per_partner,
        cast(lift.control_after_revenue_per_partner as double) as control_after_revenue_per_partner,
        cast(lift.revenue_per_partner_change as double) as revenue_per_partner_change,
        cast(lift.control_revenue_per_partner_change as double) as control_revenue_per_partner_change,
        cast(lift.revenue_per_partner_lift as double) as revenue_per_partner_lift,
        coalesce(lift.win_rate_lift > 0, false) as has_positive_win_rate_lift,
        lift.first_event_date,
        lift.last_event_date

    from lift
    inner join courses
        on lift.course_id = courses.course_id

)

select * from final
{% endmacro %}
