-- The revenue outlook page's quadrant: each partner with a partner-sourced win, its lifetime value
-- over the next 12 months against its trailing-12-month sourced revenue, and the quadrant it falls
-- in (split at the medians of the scored partners).
with

plv as (

    select * from {{ ref('fct_partner_lifetime_value') }}
    where expected_revenue_next_12m_amount is not null

),

medians as (

    select
        median(expected_revenue_next_12m_amount) as median_plv,
        median(t12m_sourced_won_amount) as median_t12m

    from plv

),

final as (

    select
        plv.partner_id,
        plv.partner_name,
        plv.partner_tier,
        plv.plv_status,
        plv.currency_code,
        plv.t12m_sourced_won_amount,
        plv.expected_revenue_next_12m_amount,
        plv.expected_deals_next_12m,
        plv.probability_alive,
        case
            when plv.expected_revenue_next_12m_amount >= medians.median_plv
                and plv.t12m_sourced_won_amount >= medians.median_t12m then 'core: keep investing'
            when plv.expected_revenue_next_12m_amount >= medians.median_plv then 'rising: develop'
            when plv.t12m_sourced_won_amount >= medians.median_t12m then 'at risk: retain'
            else 'long tail: automate'
        end as quadrant,
        plv.is_thin_history

    from plv
    cross join medians

)

select * from final
