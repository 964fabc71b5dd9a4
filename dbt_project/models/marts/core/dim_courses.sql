with

courses as (

    select * from {{ ref('stg_lms__courses') }}

),

final as (

    select
        course_id,
        course_title,
        course_type,
        target_role,
        product_line,
        course_level,
        duration_hours,
        points,
        validity_days,
        course_type = 'certification' as is_certification

    from courses

)

select * from final
