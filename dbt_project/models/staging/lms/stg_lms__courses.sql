with

source as (

    select * from {{ feed_source('lms', 'courses') }}

),

final as (

    select
        course_id,
        title as course_title,
        course_type,
        role as target_role,
        product_line,
        level as course_level,
        duration_hours,
        points,
        validity_days,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
