-- The closed-loop MDF reallocation as a dry run: for every partner x activity type funded in the
-- lookback, the current quarterly run rate against the recommendation for next quarter, the change,
-- the funds releasable from activities that never completed, and the reason. Nothing is applied.
with

recommendations as (

    select * from {{ ref('fct_mdf_allocation_recommendations') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

final as (

    select
        recommendations.mdf_allocation_recommendation_id,
        recommendations.partner_id,
        partners.partner_name,
        partners.partner_tier,
        partners.partner_type,
        partners.region,
        recommendations.activity_type,
        recommendations.recommendation_fiscal_quarter,
        recommendations.roi_band,
        recommendations.recommendation_reason,
        recommendations.currency_code,
        recommendations.activity_count,
        recommendations.measured_spend_amount,
        recommendations.attributed_revenue_amount,
        recommendations.measured_roi_gross,
        recommendations.measured_roi_net,
        recommendations.baseline_amount as current_quarterly_amount,
        recommendations.recommended_amount,
        recommendations.change_amount,
        cast(recommendations.change_amount / nullif(recommendations.baseline_amount, 0) as double) as change_rate,
        recommendations.releasable_amount,
        case
            when recommendations.change_amount > 0 then 'increase'
            when recommendations.change_amount < 0 then 'decrease'
            else 'hold'
        end as change_direction,
        recommendations.is_floored,
        recommendations.is_capped

    from recommendations
    left join partners
        on recommendations.partner_id = partners.partner_id

)

select * from final
