-- The concentration (Pareto) curve: partners ranked by trailing-12-month revenue with their share
-- and the cumulative share of all partner revenue, 0-100.
with

partners as (

    select * from {{ ref('dim_partners') }}

),

active_sellers as (

    select * from {{ ref('dim_partner_active_sellers') }}

),

final as (

    select
        active_sellers.revenue_rank as partner_rank,
        active_sellers.partner_id,
        partners.partner_name,
        active_sellers.t12m_revenue,
        active_sellers.partner_share_pct,
        active_sellers.cumulative_revenue_share_pct,
        active_sellers.revenue_band,
        active_sellers.is_active_seller

    from active_sellers
    inner join partners
        on active_sellers.partner_id = partners.partner_id

)

select * from final
