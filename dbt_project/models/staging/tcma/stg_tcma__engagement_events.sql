with

source as (

    select * from {{ source('tcma', 'engagement_events') }}

),

renamed as (

    select
        event_id as engagement_event_id,
        execution_id,
        event_type,
        occurred_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source
    -- immutable events: a re-delivered event keeps its first load only
    qualify row_number() over (partition by event_id order by _dlt_load_id) = 1

)

select * from renamed
