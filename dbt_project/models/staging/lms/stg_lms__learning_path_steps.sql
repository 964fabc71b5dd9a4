with

source as (

    select * from {{ source('lms', 'learning_path_steps') }}

),

renamed as (

    select
        step_id,
        path_id,
        course_id,
        path_name,
        role as target_role,
        step_no,
        updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
