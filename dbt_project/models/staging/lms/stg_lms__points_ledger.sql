with

source as (

    select * from {{ source('lms', 'points_ledger') }}

),

renamed as (

    select
        event_id as points_event_id,
        contact_id,
        partner_id as partner_external_id,
        event_type,
        badge,
        points,
        occurred_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source
    -- immutable events: a re-delivered event keeps its first load only
    qualify row_number() over (partition by event_id order by _dlt_load_id) = 1

)

select * from renamed
