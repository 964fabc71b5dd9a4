with

enrolments as (

    select * from {{ ref('stg_lms__enrolments') }}
    where completed_at is not null

),

partners as (

    select * from {{ ref('stg_crm__partners') }}

),

final as (

    select
        enrolments.enrolment_id as course_completion_id,
        enrolments.contact_id,
        partners.partner_id,
        enrolments.partner_external_id,
        enrolments.course_id,
        enrolments.score,
        {{ days_between('enrolments.enrolled_at', 'enrolments.completed_at') }} as days_to_complete,
        cast(enrolments.completed_at as date) as completed_date,
        enrolments.enrolled_at,
        enrolments.completed_at

    from enrolments
    left join partners
        on enrolments.partner_external_id = partners.partner_external_id

)

select * from final
