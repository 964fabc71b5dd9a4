with

source as (

    select * from {{ source('crm', 'touches') }}

),

deduplicated as (

    -- immutable events: dlt appends every delivery, so a re-delivered event can land twice;
    -- its latest load wins
    {{ latest_delivery('source', 'id') }}

),

final as (

    select
        id as touch_id,
        deal_id,
        partner_id,
        asset_id,
        touch_type,
        archived as is_archived,
        touched_at,
        created_at as record_created_at,
        updated_at as record_updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from final
