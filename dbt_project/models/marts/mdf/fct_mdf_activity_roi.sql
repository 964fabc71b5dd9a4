-- One row per approved MDF activity (request), or one paid without approval (money out is spend
-- whatever the request's status; the reconciliation test holds every payment to account): spend, the funnel it produced and the won revenue
-- attributed to it, cost per lead and per opportunity, and MDF ROI both ways it is quoted.
--   spend                 = MDF paid by finance for the activity (payments on its claim)
--   roi_net               = (attributed revenue - spend) / spend   (the "MDF ROI" of the PRM glossary)
--   roi_gross             = attributed revenue / spend             (revenue per MDF dollar, "ROAS")
-- Attributed revenue is the var mdf_default_attribution_model's; every model is a column beside.
with

requests as (

    select * from {{ ref('fct_mdf_requests') }}
    where is_approved or paid_amount > 0

),

outcomes as (

    select * from {{ ref('int_mdf_activity_outcomes') }}

),

joined as (

    select
        requests.mdf_request_id,
        requests.partner_id,
        requests.partner_external_id,
        requests.campaign_id,
        requests.activity_type,
        requests.request_status,
        requests.fiscal_quarter,
        requests.region,
        requests.partner_tier,
        requests.currency_code,
        coalesce(outcomes.campaign_execution_count, 0) as campaign_execution_count,
        coalesce(outcomes.lead_count, 0) as lead_count,
        coalesce(outcomes.opportunity_count, 0) as opportunity_count,
        coalesce(outcomes.qualified_opportunity_count, 0) as qualified_opportunity_count,
        coalesce(outcomes.won_opportunity_count, 0) as won_opportunity_count,
        requests.paid_amount as spend_amount,
        requests.approved_amount,
        requests.partner_coinvest_amount,
        requests.estimated_pipeline_amount,
        coalesce(outcomes.pipeline_amount, 0) as pipeline_amount,
        coalesce(outcomes.lead_sourced_revenue_amount, 0) as lead_sourced_revenue_amount,
        {% for model in var('mdf_attribution_models') -%}
        coalesce(outcomes.attributed_revenue_{{ model }}_amount, 0) as attributed_revenue_{{ model }}_amount,
        {% endfor -%}
        coalesce(outcomes.attributed_revenue_{{ var('mdf_default_attribution_model') }}_amount, 0) as attributed_revenue_amount,
        outcomes.mdf_request_id is not null as has_campaign_execution,
        requests.is_completed,
        requests.fiscal_quarter_start_date

    from requests
    left join outcomes
        on requests.mdf_request_id = outcomes.mdf_request_id

),

final as (

    select
        mdf_request_id,
        partner_id,
        partner_external_id,
        campaign_id,
        activity_type,
        request_status,
        fiscal_quarter,
        region,
        partner_tier,
        '{{ var("mdf_default_attribution_model") }}' as attribution_model,
        currency_code,
        cast(campaign_execution_count as integer) as campaign_execution_count,
        cast(lead_count as integer) as lead_count,
        cast(opportunity_count as integer) as opportunity_count,
        cast(qualified_opportunity_count as integer) as qualified_opportunity_count,
        cast(won_opportunity_count as integer) as won_opportunity_count,
        cast(spend_amount as decimal(18, 2)) as spend_amount,
        cast(approved_amount as decimal(18, 2)) as approved_amount,
        cast(partner_coinvest_amount as decimal(18, 2)) as partner_coinvest_amount,
        cast(estimated_pipeline_amount as decimal(18, 2)) as estimated_pipeline_amount,
        cast(pipeline_amount as decimal(18, 2)) as pipeline_amount,
        cast(lead_sourced_revenue_amount as decimal(18, 2)) as lead_sourced_revenue_amount,
        {% for model in var('mdf_attribution_models') -%}
        cast(attributed_revenue_{{ model }}_amount as decimal(18, 2)) as attributed_revenue_{{ model }}_amount,
        {% endfor -%}
        cast(attributed_revenue_amount as decimal(18, 2)) as attributed_revenue_amount,
        cast(spend_amount / nullif(lead_count, 0) as decimal(18, 2)) as cost_per_lead_amount,
        cast(spend_amount / nullif(opportunity_count, 0) as decimal(18, 2)) as cost_per_opportunity_amount,
        cast((attributed_revenue_amount - spend_amount) / nullif(spend_amount, 0) as double) as roi_net,
        cast(attributed_revenue_amount / nullif(spend_amount, 0) as double) as roi_gross,
        has_campaign_execution,
        spend_amount > 0 as has_spend,
        is_completed,
        fiscal_quarter_start_date

    from joined

)

select * from final
