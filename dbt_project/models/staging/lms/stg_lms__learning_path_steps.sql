with

source as (

    select * from {{ feed_source('lms', 'learning_path_steps') }}

),

final as (

    select
        step_id as learning_path_step_id,
        path_id as learning_path_id,
        course_id,
        path_name as learning_path_name,
        role as target_role,
        step_no as step_number,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
