with

assets as (

    select * from {{ ref('stg_tcma__assets') }}

),

final as (

    select
        asset_id,
        campaign_id,
        asset_name,
        asset_type,
        product_line

    from assets

)

select * from final
