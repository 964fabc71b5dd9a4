-- MDF ROI computed two ways agrees, per activity and per quarter:
--   1. the two labelled definitions are consistent: roi_gross - roi_net = 1 wherever spend > 0;
--   2. recomputed along a second path, straight from the finance payments and the attribution
--      credits (not through int_mdf_activity_outcomes or fct_mdf_requests), attributed revenue,
--      spend and roi_net equal the mart's;
--   3. the report's ratios of sums equal the sums of fct_mdf_activity_roi.
-- Returns the activities or quarters where they differ.
with

activities as (

    select * from {{ ref('fct_mdf_activity_roi') }}

),

summary as (

    select * from {{ ref('rpt_mdf_roi_summary') }}

),

claims as (

    select * from {{ ref('stg_finance__mdf_claims') }}

),

payments as (

    select * from {{ ref('stg_finance__mdf_payments') }}

),

executions as (

    select * from {{ ref('stg_tcma__campaign_executions') }}
    where mdf_request_id is not null

),

leads as (

    select * from {{ ref('fct_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where is_won and currency_code = '{{ var("reporting_currency") }}'

),

credits as (

    select * from {{ ref('fct_attribution_credits') }}
    where attribution_model = '{{ var("mdf_default_attribution_model") }}'

),

paid_per_request as (

    select
        claims.mdf_request_id,
        sum(payments.payment_amount) as spend_amount

    from payments
    inner join claims
        on payments.mdf_claim_id = claims.mdf_claim_id
    group by claims.mdf_request_id

),

won_from_leads as (

    select
        executions.mdf_request_id,
        leads.partner_id,
        opportunities.opportunity_id,
        opportunities.won_amount

    from executions
    inner join leads
        on executions.campaign_execution_id = leads.campaign_execution_id
    inner join opportunities
        on leads.opportunity_id = opportunities.opportunity_id

),

revenue_per_request as (

    -- the funded partner's credit; the whole amount when the opportunity has no credit at all
    select
        won_from_leads.mdf_request_id,
        sum(
            case
                when not exists (select 1 from credits where credits.opportunity_id = won_from_leads.opportunity_id)
                    then won_from_leads.won_amount
                else (
                    select coalesce(sum(credits.credit_amount), 0) from credits
                    where credits.opportunity_id = won_from_leads.opportunity_id
                        and credits.partner_id = won_from_leads.partner_id
                )
            end
        ) as attributed_revenue_amount

    from won_from_leads
    group by won_from_leads.mdf_request_id

),

recomputed as (

    select
        activities.mdf_request_id,
        activities.roi_net,
        activities.roi_gross,
        activities.spend_amount,
        activities.attributed_revenue_amount,
        coalesce(paid_per_request.spend_amount, 0) as recomputed_spend_amount,
        coalesce(revenue_per_request.attributed_revenue_amount, 0) as recomputed_revenue_amount

    from activities
    left join paid_per_request
        on activities.mdf_request_id = paid_per_request.mdf_request_id
    left join revenue_per_request
        on activities.mdf_request_id = revenue_per_request.mdf_request_id

),

activity_failures as (

    select
        mdf_request_id as failing_key,
        'activity' as check_level

    from recomputed
    where abs(roi_gross - roi_net - 1) > 1e-9
        or (spend_amount > 0 and (roi_net is null or roi_gross is null))
        or (spend_amount = 0 and (roi_net is not null or roi_gross is not null))
        or spend_amount <> recomputed_spend_amount
        or attributed_revenue_amount <> recomputed_revenue_amount
        or abs(
            roi_net
            - (recomputed_revenue_amount - recomputed_spend_amount) / nullif(recomputed_spend_amount, 0)
        ) > 1e-6

),

quarter_sums as (

    select
        fiscal_quarter,
        sum(spend_amount) as spend_amount,
        sum(attributed_revenue_amount) as attributed_revenue_amount

    from activities
    group by fiscal_quarter

),

quarter_failures as (

    select
        summary.fiscal_quarter as failing_key,
        'quarter' as check_level

    from summary
    inner join quarter_sums
        on summary.fiscal_quarter = quarter_sums.fiscal_quarter
    where summary.activity_type = 'all'
        and (
            summary.spend_amount <> quarter_sums.spend_amount
            or summary.attributed_revenue_amount <> quarter_sums.attributed_revenue_amount
            or abs(summary.roi_gross - summary.roi_net - 1) > 1e-9
            or abs(summary.roi_net - (quarter_sums.attributed_revenue_amount - quarter_sums.spend_amount) / nullif(quarter_sums.spend_amount, 0)) > 1e-6
        )

)

select * from activity_failures
union all
select * from quarter_failures
