-- Partner grain: the learning track the partner was routed to at onboarding (seeds/
-- learning_track_routing.csv: the matching row of lowest routing_priority, where 'all' matches any
-- vertical or partner type) against the track it actually follows (the product line of most of
-- its people's completed courses; ties to the earliest started, then alphabetically). Off track:
-- at least var learning_track_min_completions completed courses and the followed product line is
-- not the assigned one.
with

partners as (

    select * from {{ ref('dim_partners') }}

),

routing as (

    select * from {{ ref('learning_track_routing') }}

),

completions as (

    select * from {{ ref('fct_course_completions') }}

),

courses as (

    select * from {{ ref('dim_courses') }}

),

routed as (

    select
        partners.partner_id,
        routing.learning_track,
        routing.track_product_line,
        routing.routing_priority,
        row_number() over (
            partition by partners.partner_id
            order by routing.routing_priority, routing.learning_track
        ) as routing_rank

    from partners
    inner join routing
        on (routing.vertical = partners.vertical or routing.vertical = 'all')
        and (routing.partner_type = partners.partner_type or routing.partner_type = 'all')

),

line_completions as (

    select
        completions.partner_id,
        courses.product_line,
        count(*) as completion_count,
        min(completions.completed_date) as first_completed_date

    from completions
    inner join courses
        on completions.course_id = courses.course_id
    where completions.partner_id is not null
    group by completions.partner_id, courses.product_line

),

followed as (

    select
        partner_id,
        product_line,
        completion_count,
        sum(completion_count) over (partition by partner_id) as total_completion_count,
        row_number() over (
            partition by partner_id
            order by completion_count desc, first_completed_date, product_line
        ) as line_rank

    from line_completions

),

final as (

    select
        partners.partner_id,
        partners.partner_type,
        partners.vertical,
        routed.learning_track as assigned_learning_track,
        routed.track_product_line as assigned_product_line,
        followed.product_line as followed_product_line,
        cast(routed.routing_priority as integer) as routing_priority,
        cast(coalesce(followed.total_completion_count, 0) as integer) as completed_course_count,
        cast(coalesce(on_track.completion_count, 0) as integer) as on_track_completed_course_count,
        cast(on_track.completion_count as double) / nullif(followed.total_completion_count, 0)
            as on_track_completion_share,
        coalesce(followed.total_completion_count, 0) >= {{ var('learning_track_min_completions') }}
            as is_track_evaluable,
        coalesce(
            followed.total_completion_count >= {{ var('learning_track_min_completions') }}
            and followed.product_line != routed.track_product_line,
            false
        ) as is_off_track

    from partners
    left join routed
        on partners.partner_id = routed.partner_id
        and routed.routing_rank = 1
    left join followed
        on partners.partner_id = followed.partner_id
        and followed.line_rank = 1
    left join line_completions as on_track
        on partners.partner_id = on_track.partner_id
        and routed.track_product_line = on_track.product_line

)

select * from final
