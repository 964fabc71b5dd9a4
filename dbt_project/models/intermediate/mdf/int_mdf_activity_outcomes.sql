-- One row per MDF request that ran a TCMA campaign execution: the funnel the activity produced
-- (execution -> leads -> opportunities -> closed-won) and the won revenue attributed to it.
--
-- Attribution: a won opportunity converted from one of the activity's leads credits the activity
-- with what each multi-touch model (fct_attribution_credits) gives the funded partner's touches on
-- it. A won opportunity with no credited touches at all (the lead is the partner's only recorded
-- involvement) credits the activity with the whole amount under every model. The lead-sourced
-- amount (100 % of every won converted opportunity) is kept beside as the upper bound.
with

executions as (

    select * from {{ ref('stg_tcma__campaign_executions') }}
    where mdf_request_id is not null

),

leads as (

    select * from {{ ref('fct_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}
    where currency_code = '{{ var("reporting_currency") }}'

),

credits as (

    select * from {{ ref('fct_attribution_credits') }}

),

activity_leads as (

    select
        executions.mdf_request_id,
        executions.campaign_execution_id,
        leads.lead_id,
        leads.partner_id,
        leads.opportunity_id

    from executions
    inner join leads
        on executions.campaign_execution_id = leads.campaign_execution_id

),

activity_opportunities as (

    select
        activity_leads.mdf_request_id,
        activity_leads.partner_id,
        opportunities.opportunity_id,
        opportunities.amount,
        opportunities.won_amount,
        opportunities.is_won,
        opportunities.is_qualified

    from activity_leads
    inner join opportunities
        on activity_leads.opportunity_id = opportunities.opportunity_id

),

opportunity_credits as (

    select
        opportunity_id,
        partner_id,
        attribution_model,
        sum(credit_amount) as credit_amount

    from credits
    group by opportunity_id, partner_id, attribution_model

),

credited_opportunities as (

    select distinct opportunity_id from credits

),

won_credits as (

    select
        activity_opportunities.mdf_request_id,
        activity_opportunities.opportunity_id,
        activity_opportunities.won_amount,
        credited_opportunities.opportunity_id is not null as has_touch_credits,
        {% for model in var('mdf_attribution_models') -%}
        sum(case when opportunity_credits.attribution_model = '{{ model }}' then opportunity_credits.credit_amount else 0 end) as credit_{{ model }}_amount{{ "," if not loop.last }}
        {% endfor %}

    from activity_opportunities
    left join credited_opportunities
        on activity_opportunities.opportunity_id = credited_opportunities.opportunity_id
    left join opportunity_credits
        on activity_opportunities.opportunity_id = opportunity_credits.opportunity_id
        and activity_opportunities.partner_id = opportunity_credits.partner_id
    where activity_opportunities.is_won
    group by
        activity_opportunities.mdf_request_id,
        activity_opportunities.opportunity_id,
        activity_opportunities.won_amount,
        credited_opportunities.opportunity_id is not null

),

lead_counts as (

    select
        mdf_request_id,
        count(distinct campaign_execution_id) as campaign_execution_count,
        count(distinct lead_id) as lead_count

    from activity_leads
    group by mdf_request_id

),

opportunity_counts as (

    select
        mdf_request_id,
        count(distinct opportunity_id) as opportunity_count,
        count(distinct case when is_qualified then opportunity_id end) as qualified_opportunity_count,
        count(distinct case when is_won then opportunity_id end) as won_opportunity_count,
        sum(amount) as pipeline_amount

    from activity_opportunities
    group by mdf_request_id

),

revenue as (

    select
        mdf_request_id,
        sum(won_amount) as lead_sourced_revenue_amount,
        {% for model in var('mdf_attribution_models') -%}
        sum(case when has_touch_credits then credit_{{ model }}_amount else won_amount end) as attributed_revenue_{{ model }}_amount{{ "," if not loop.last }}
        {% endfor %}

    from won_credits
    group by mdf_request_id

),

requests as (

    select distinct mdf_request_id from executions

),

final as (

    select
        requests.mdf_request_id,
        coalesce(lead_counts.campaign_execution_count, 0) as campaign_execution_count,
        coalesce(lead_counts.lead_count, 0) as lead_count,
        coalesce(opportunity_counts.opportunity_count, 0) as opportunity_count,
        coalesce(opportunity_counts.qualified_opportunity_count, 0) as qualified_opportunity_count,
        coalesce(opportunity_counts.won_opportunity_count, 0) as won_opportunity_count,
        coalesce(opportunity_counts.pipeline_amount, 0) as pipeline_amount,
        coalesce(revenue.lead_sourced_revenue_amount, 0) as lead_sourced_revenue_amount,
        {% for model in var('mdf_attribution_models') -%}
        coalesce(revenue.attributed_revenue_{{ model }}_amount, 0) as attributed_revenue_{{ model }}_amount{{ "," if not loop.last }}
        {% endfor %}

    from requests
    left join lead_counts
        on requests.mdf_request_id = lead_counts.mdf_request_id
    left join opportunity_counts
        on requests.mdf_request_id = opportunity_counts.mdf_request_id
    left join revenue
        on requests.mdf_request_id = revenue.mdf_request_id

)

select * from final
