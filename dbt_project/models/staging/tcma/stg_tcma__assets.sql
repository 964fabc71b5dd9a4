with

source as (

    select * from {{ feed_source('tcma', 'assets') }}

),

final as (

    select
        asset_id,
        campaign_id,
        asset_name,
        asset_type,
        product_line,
        updated_at,
        _source as source_ref,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
