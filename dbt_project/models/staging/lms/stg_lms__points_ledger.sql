with

source as (

    select * from {{ feed_source('lms', 'points_ledger') }}

),

deduplicated as (

    -- immutable events: dlt appends every delivery, so a re-delivered event can land twice;
    -- its latest load wins
    {{ latest_delivery('source', 'event_id') }}

),

final as (

    select
        event_id as points_event_id,
        contact_id,
        partner_id as partner_external_id,
        event_type,
        badge as badge_name,
        points,
        occurred_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from final
