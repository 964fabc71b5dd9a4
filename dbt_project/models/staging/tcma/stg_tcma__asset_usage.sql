with

source as (

    select * from {{ feed_source('tcma', 'asset_usage') }}

),

deduplicated as (

    -- immutable events: dlt appends every delivery, so a re-delivered event can land twice;
    -- its latest load wins
    {{ latest_delivery('source', 'usage_id') }}

),

final as (

    select
        usage_id as asset_usage_id,
        asset_id,
        partner_id as partner_external_id,
        execution_id as campaign_execution_id,
        deal_id,
        usage_type,
        used_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from final
