-- One row per MDF request, followed through its lifecycle: request (activity, estimated pipeline,
-- partner co-investment) -> decision -> claim with proof of performance -> payment. SLA timings,
-- the missing-proof flag and the funds releasable from activities that never completed. A request
-- normally has one claim and one TCMA execution; should it have several (a claim resubmitted after
-- a rejection), the latest describes it and the payments of all of them are summed.
with

requests as (

    select * from {{ ref('stg_finance__mdf_requests') }}

),

allocations as (

    select * from {{ ref('stg_finance__mdf_allocations') }}

),

budgets as (

    select * from {{ ref('stg_finance__mdf_budgets') }}

),

claims as (

    select * from {{ ref('int_mdf_claims_settled') }}

),

executions as (

    select * from {{ ref('stg_tcma__campaign_executions') }}
    where mdf_request_id is not null

),

claim_payments as (

    select
        mdf_request_id,
        sum(paid_amount) as paid_amount,
        min(first_paid_at) as first_paid_at

    from claims
    group by mdf_request_id

),

latest_claims as (

    select
        *,
        row_number() over (partition by mdf_request_id order by submitted_at desc, mdf_claim_id desc) as claim_rank

    from claims

),

latest_executions as (

    select
        *,
        row_number() over (partition by mdf_request_id order by launched_at desc, campaign_execution_id desc) as execution_rank

    from executions

),

partners as (

    select * from {{ ref('dim_partners') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

quarters as (

    select distinct year_quarter, quarter_start_date from dates

),

reporting as (

    select as_of_date as reporting_date from {{ ref('int_reporting_date') }}

),

joined as (

    select
        requests.mdf_request_id,
        requests.mdf_allocation_id,
        allocations.mdf_budget_id,
        claims.mdf_claim_id,
        partners.partner_id,
        requests.partner_external_id,
        requests.campaign_id,
        executions.campaign_execution_id,
        requests.activity_type,
        requests.request_status,
        claims.claim_status,
        claims.proof_type,
        executions.execution_status,
        coalesce(budgets.fiscal_quarter, submitted_days.year_quarter) as fiscal_quarter,
        budgets.region,
        budgets.partner_tier,
        requests.currency_code,
        requests.requested_amount,
        requests.approved_amount,
        requests.estimated_pipeline_amount,
        requests.partner_coinvest_amount,
        claims.claimed_amount,
        coalesce(claim_payments.paid_amount, 0) as paid_amount,
        coalesce(claims.has_proof_of_performance, false) as has_proof_of_performance,
        coalesce(budget_quarters.quarter_start_date, submitted_days.quarter_start_date) as fiscal_quarter_start_date,
        allocations.expires_date as allocation_expires_date,
        requests.submitted_at,
        requests.decided_at,
        claims.submitted_at as claim_submitted_at,
        claims.decided_at as claim_decided_at,
        claim_payments.first_paid_at as paid_at,
        reporting.reporting_date

    from requests
    cross join reporting
    left join allocations
        on requests.mdf_allocation_id = allocations.mdf_allocation_id
    left join budgets
        on allocations.mdf_budget_id = budgets.mdf_budget_id
    left join latest_claims as claims
        on requests.mdf_request_id = claims.mdf_request_id
        and claims.claim_rank = 1
    left join claim_payments
        on requests.mdf_request_id = claim_payments.mdf_request_id
    left join latest_executions as executions
        on requests.mdf_request_id = executions.mdf_request_id
        and executions.execution_rank = 1
    left join partners
        on requests.partner_external_id = partners.partner_external_id
    left join quarters as budget_quarters
        on budgets.fiscal_quarter = budget_quarters.year_quarter
    left join dates as submitted_days
        on cast(requests.submitted_at as date) = submitted_days.date_day

),

lifecycle as (

    select
        *,
        decided_at is not null as is_decided,
        request_status in ('approved', 'completed', 'cancelled') as is_approved,
        request_status = 'rejected' as is_rejected,
        request_status = 'completed' as is_completed,
        request_status = 'cancelled' as is_cancelled,
        mdf_claim_id is not null as has_claim,
        paid_amount > 0 as is_paid,
        coalesce(allocation_expires_date < reporting_date, false) as is_allocation_expired,
        {{ days_between('submitted_at', 'decided_at') }} as request_to_decision_days,
        {{ days_between('claim_submitted_at', 'claim_decided_at') }} as claim_to_decision_days,
        {{ days_between('claim_submitted_at', 'paid_at') }} as claim_to_payment_days

    from joined

),

releasable as (

    select
        *,
        case
            when is_cancelled then 'cancelled'
            when is_approved and not is_completed and is_allocation_expired then 'expired_before_completion'
        end as releasable_reason

    from lifecycle

),

final as (

    select
        mdf_request_id,
        mdf_allocation_id,
        mdf_budget_id,
        mdf_claim_id,
        partner_id,
        partner_external_id,
        campaign_id,
        campaign_execution_id,
        activity_type,
        request_status,
        claim_status,
        proof_type,
        execution_status,
        fiscal_quarter,
        region,
        partner_tier,
        releasable_reason,
        currency_code,
        cast(requested_amount as decimal(18, 2)) as requested_amount,
        cast(case when is_approved then approved_amount else 0 end as decimal(18, 2)) as approved_amount,
        cast(estimated_pipeline_amount as decimal(18, 2)) as estimated_pipeline_amount,
        cast(coalesce(partner_coinvest_amount, 0) as decimal(18, 2)) as partner_coinvest_amount,
        cast(coalesce(claimed_amount, 0) as decimal(18, 2)) as claimed_amount,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        cast(
            case when releasable_reason is not null then greatest(coalesce(approved_amount, 0) - paid_amount, 0) else 0 end
            as decimal(18, 2)
        ) as releasable_amount,
        cast(request_to_decision_days as double) as request_to_decision_days,
        cast(claim_to_decision_days as double) as claim_to_decision_days,
        cast(claim_to_payment_days as double) as claim_to_payment_days,
        is_decided,
        is_approved,
        is_rejected,
        is_completed,
        is_cancelled,
        has_claim,
        has_proof_of_performance,
        has_claim and not has_proof_of_performance as is_missing_proof,
        is_paid and not has_proof_of_performance as is_paid_without_proof,
        is_paid,
        releasable_reason is not null as is_releasable,
        is_allocation_expired,
        case
            when request_to_decision_days is not null
                then request_to_decision_days <= {{ var('mdf_request_decision_sla_days') }}
        end as is_decision_within_sla,
        case
            when claim_to_payment_days is not null
                then claim_to_payment_days <= {{ var('mdf_claim_payment_sla_days') }}
        end as is_payment_within_sla,
        fiscal_quarter_start_date,
        cast(submitted_at as date) as submitted_date,
        cast(decided_at as date) as decided_date,
        allocation_expires_date,
        cast(paid_at as date) as paid_date,
        submitted_at,
        decided_at,
        claim_submitted_at,
        claim_decided_at,
        paid_at

    from releasable

)

select * from final
