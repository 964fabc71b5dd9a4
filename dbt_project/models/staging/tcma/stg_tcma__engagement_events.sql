with

source as (

    select * from {{ feed_source('tcma', 'engagement_events') }}

),

deduplicated as (

    -- immutable events: dlt appends every delivery, so a re-delivered event can land twice;
    -- its latest load wins
    {{ latest_delivery('source', 'event_id') }}

),

final as (

    select
        event_id as engagement_event_id,
        execution_id as campaign_execution_id,
        event_type,
        occurred_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from final
