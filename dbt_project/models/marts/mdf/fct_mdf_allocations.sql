-- One row per MDF allocation (funds set aside for one partner from one budget): what the partner
-- requested, was approved, claimed and was paid against it, whether it has expired, and what is
-- left unused.
with

allocations as (

    select * from {{ ref('stg_finance__mdf_allocations') }}

),

budgets as (

    select * from {{ ref('stg_finance__mdf_budgets') }}

),

requests as (

    select * from {{ ref('fct_mdf_requests') }}

),

partners as (

    select * from {{ ref('dim_partners') }}

),

quarters as (

    select distinct year_quarter, quarter_start_date from {{ ref('dim_dates') }}

),

reporting as (

    select as_of_date as reporting_date from {{ ref('int_reporting_date') }}

),

request_totals as (

    select
        mdf_allocation_id,
        count(*) as request_count,
        sum(case when is_approved then 1 else 0 end) as approved_request_count,
        sum(case when is_completed then 1 else 0 end) as completed_request_count,
        sum(requested_amount) as requested_amount,
        sum(approved_amount) as approved_amount,
        sum(claimed_amount) as claimed_amount,
        sum(paid_amount) as paid_amount,
        sum(releasable_amount) as releasable_amount

    from requests
    where mdf_allocation_id is not null
    group by mdf_allocation_id

),

joined as (

    select
        allocations.mdf_allocation_id,
        allocations.mdf_budget_id,
        partners.partner_id,
        allocations.partner_external_id,
        budgets.fiscal_quarter,
        budgets.region,
        budgets.partner_tier,
        allocations.currency_code,
        allocations.allocated_amount,
        coalesce(request_totals.request_count, 0) as request_count,
        coalesce(request_totals.approved_request_count, 0) as approved_request_count,
        coalesce(request_totals.completed_request_count, 0) as completed_request_count,
        coalesce(request_totals.requested_amount, 0) as requested_amount,
        coalesce(request_totals.approved_amount, 0) as approved_amount,
        coalesce(request_totals.claimed_amount, 0) as claimed_amount,
        coalesce(request_totals.paid_amount, 0) as paid_amount,
        coalesce(request_totals.releasable_amount, 0) as releasable_amount,
        allocations.expires_date < reporting.reporting_date as is_expired,
        quarters.quarter_start_date as fiscal_quarter_start_date,
        allocations.allocated_date,
        allocations.expires_date

    from allocations
    cross join reporting
    left join budgets
        on allocations.mdf_budget_id = budgets.mdf_budget_id
    left join request_totals
        on allocations.mdf_allocation_id = request_totals.mdf_allocation_id
    left join partners
        on allocations.partner_external_id = partners.partner_external_id
    left join quarters
        on budgets.fiscal_quarter = quarters.year_quarter

),

final as (

    select
        mdf_allocation_id,
        mdf_budget_id,
        partner_id,
        partner_external_id,
        fiscal_quarter,
        region,
        partner_tier,
        currency_code,
        cast(request_count as integer) as request_count,
        cast(approved_request_count as integer) as approved_request_count,
        cast(completed_request_count as integer) as completed_request_count,
        cast(allocated_amount as decimal(18, 2)) as allocated_amount,
        cast(requested_amount as decimal(18, 2)) as requested_amount,
        cast(approved_amount as decimal(18, 2)) as approved_amount,
        cast(claimed_amount as decimal(18, 2)) as claimed_amount,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        cast(releasable_amount as decimal(18, 2)) as releasable_amount,
        cast(greatest(allocated_amount - paid_amount, 0) as decimal(18, 2)) as unused_amount,
        cast(case when is_expired then greatest(allocated_amount - paid_amount, 0) else 0 end as decimal(18, 2)) as expired_unused_amount,
        cast(paid_amount / nullif(allocated_amount, 0) as double) as utilisation_rate,
        is_expired,
        fiscal_quarter_start_date,
        allocated_date,
        expires_date

    from joined

)

select * from final
