with

source as (

    select * from {{ source('lms', 'learning_events') }}

),

renamed as (

    select
        event_id as learning_event_id,
        enrolment_id,
        contact_id,
        activity_type,
        duration_seconds,
        occurred_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source
    -- immutable events: a re-delivered event keeps its first load only
    qualify row_number() over (partition by event_id order by _dlt_load_id) = 1

)

select * from renamed
