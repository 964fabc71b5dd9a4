-- Certification grain: the partner's current certifications that expire within var
-- partner_page_expiry_horizon_days of the reporting date, with the course and whether it counts as
-- technical or sales for the tier rules. The holder is named by job title, not by name. Empty
-- without the LMS feed.
with

certifications as (

    select * from {{ ref('fct_certifications') }}

),

courses as (

    select * from {{ ref('dim_courses') }}

),

contacts as (

    select * from {{ ref('dim_partner_contacts') }}

),

reporting as (

    select as_of_date as reporting_date
    from {{ ref('int_reporting_date') }}

),

final as (

    select
        certifications.certification_id,
        certifications.partner_id,
        certifications.course_id,
        courses.course_title,
        courses.target_role,
        courses.product_line,
        contacts.job_title as holder_job_title,
        cast({{ dbt.datediff('reporting.reporting_date', 'certifications.expires_date', 'day') }} as integer) as days_until_expiry,
        certifications.expires_date

    from certifications
    cross join reporting
    left join courses
        on certifications.course_id = courses.course_id
    left join contacts
        on certifications.contact_id = contacts.contact_id
    where certifications.is_current
        and certifications.partner_id is not null
        and certifications.expires_date >= reporting.reporting_date
        and {{ dbt.datediff('reporting.reporting_date', 'certifications.expires_date', 'day') }}
            <= {{ var('partner_page_expiry_horizon_days') }}

)

select * from final
