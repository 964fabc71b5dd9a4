with

source as (

    select * from {{ feed_source('lms', 'learning_events') }}

),

deduplicated as (

    -- immutable events: dlt appends every delivery, so a re-delivered event can land twice;
    -- its latest load wins
    {{ latest_delivery('source', 'event_id') }}

),

final as (

    select
        event_id as learning_event_id,
        enrolment_id,
        contact_id,
        activity_type,
        duration_seconds,
        occurred_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from final
