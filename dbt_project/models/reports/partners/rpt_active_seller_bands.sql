-- How many partners, and how many active sellers, sit in each revenue band, and the band's share
-- of trailing-12-month partner revenue (0-100). Every band of seeds/revenue_bands.csv appears,
-- empty or not.
with

bands as (

    select * from {{ ref('revenue_bands') }}

),

active_sellers as (

    select * from {{ ref('dim_partner_active_sellers') }}

),

totals as (

    select sum(t12m_revenue) as total_revenue
    from active_sellers

),

final as (

    select
        bands.revenue_band,
        bands.band_label,
        cast(bands.band_order as integer) as band_order,
        count(active_sellers.partner_id) as partner_count,
        count(case when active_sellers.is_active_seller then 1 end) as active_seller_count,
        cast(coalesce(sum(active_sellers.t12m_revenue), 0) as decimal(18, 2)) as t12m_revenue,
        coalesce(100.0 * sum(active_sellers.t12m_revenue) / nullif(max(totals.total_revenue), 0), 0) as revenue_share_pct

    from bands
    cross join totals
    left join active_sellers
        on bands.revenue_band = active_sellers.revenue_band
    group by bands.revenue_band, bands.band_label, bands.band_order

)

select * from final
