-- Partner x course x enablement event: the first day any of the partner's people earned the
-- certification (event_type 'certification'; one revoked on the day it was earned never counts)
-- or completed the course
-- ('course_completion'). The day enablement "happened" for before/after comparisons.
with

certifications as (

    select * from {{ ref('fct_certifications') }}
    where valid_until_date is null or valid_until_date > certified_date

),

completions as (

    select * from {{ ref('fct_course_completions') }}

),

events as (

    select
        partner_id,
        course_id,
        'certification' as event_type,
        min(certified_date) as event_date,
        count(distinct contact_id) as people_count

    from certifications
    where partner_id is not null
    group by partner_id, course_id

    union all

    select
        partner_id,
        course_id,
        'course_completion' as event_type,
        min(completed_date) as event_date,
        count(distinct contact_id) as people_count

    from completions
    where partner_id is not null
    group by partner_id, course_id

),

final as (

    select
        partner_id || '|' || course_id || '|' || event_type as partner_enablement_event_id,
        partner_id,
        course_id,
        event_type,
        people_count,
        event_date

    from events

)

select * from final
