with

source as (

    select * from {{ source('crm', 'deal_stage_changes') }}

),

renamed as (

    select
        id as stage_change_id,
        deal_id,
        dealstage as deal_stage,
        archived as is_archived,
        entered_at as stage_entered_at,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        to_timestamp(cast(_dlt_load_id as double)) as loaded_at

    from source
    -- immutable events: a re-delivered event keeps its first load only
    qualify row_number() over (partition by id order by _dlt_load_id) = 1

)

select * from renamed
