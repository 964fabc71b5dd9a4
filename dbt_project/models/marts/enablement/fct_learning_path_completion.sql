-- Partner x role x learning path: how far the partner's people are along the role-based path of
-- their job role (stg_lms__learning_path_steps.target_role = dim_partner_contacts.job_role).
-- Completion rate = steps completed by the role's people / (people in the role x steps in the path);
-- a step counts once per person however often the course was completed.
with

contacts as (

    select * from {{ ref('dim_partner_contacts') }}

),

path_steps as (

    select * from {{ ref('stg_lms__learning_path_steps') }}

),

completions as (

    select * from {{ ref('fct_course_completions') }}

),

paths as (

    select
        learning_path_id,
        learning_path_name,
        target_role,
        count(*) as step_count

    from path_steps
    group by learning_path_id, learning_path_name, target_role

),

person_progress as (

    select
        contacts.partner_id,
        contacts.contact_id,
        contacts.job_role,
        paths.learning_path_id,
        paths.step_count,
        count(distinct completions.course_id) as steps_completed

    from contacts
    inner join paths
        on contacts.job_role = paths.target_role
    left join path_steps
        on paths.learning_path_id = path_steps.learning_path_id
    left join completions
        on contacts.contact_id = completions.contact_id
        and path_steps.course_id = completions.course_id
    where contacts.partner_id is not null
    group by contacts.partner_id, contacts.contact_id, contacts.job_role, paths.learning_path_id, paths.step_count

),

final as (

    select
        person_progress.partner_id || '|' || person_progress.learning_path_id as partner_learning_path_id,
        person_progress.partner_id,
        person_progress.learning_path_id,
        paths.learning_path_name,
        person_progress.job_role,
        cast(count(*) as integer) as people_count,
        cast(max(person_progress.step_count) as integer) as step_count,
        cast(sum(person_progress.steps_completed) as integer) as steps_completed_count,
        cast(count(case when person_progress.steps_completed >= person_progress.step_count then 1 end) as integer)
            as people_completed_path_count,
        cast(count(case when person_progress.steps_completed > 0 then 1 end) as integer) as people_started_path_count,
        cast(sum(person_progress.steps_completed) as double)
            / nullif(count(*) * max(person_progress.step_count), 0) as completion_rate,
        coalesce(
            count(case when person_progress.steps_completed >= person_progress.step_count then 1 end) = count(*),
            false
        ) as is_path_complete

    from person_progress
    inner join paths
        on person_progress.learning_path_id = paths.learning_path_id
    group by person_progress.partner_id, person_progress.learning_path_id, paths.learning_path_name, person_progress.job_role

)

select * from final
