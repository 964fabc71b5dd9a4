with

source as (

    select * from {{ source('lms', 'quarantined_records') }}

),

renamed as (

    select
        quarantine_id,
        entity as entity_name,
        source as source_ref,
        record_ref,
        reason,
        payload,
        quarantined_at,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source

)

select * from renamed
