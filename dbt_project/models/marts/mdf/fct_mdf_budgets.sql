-- One row per MDF budget (fiscal quarter x region x tier): the funnel of the money from budget to
-- allocation, request, approval, claim and payment, its utilisation and what expired unused.
with

budgets as (

    select * from {{ ref('stg_finance__mdf_budgets') }}

),

allocations as (

    select * from {{ ref('fct_mdf_allocations') }}

),

quarters as (

    select distinct year_quarter, quarter_start_date from {{ ref('dim_dates') }}

),

reporting as (

    select as_of_date as reporting_date from {{ ref('int_reporting_date') }}

),

allocation_totals as (

    select
        mdf_budget_id,
        count(*) as allocation_count,
        count(distinct partner_external_id) as partner_count,
        sum(request_count) as request_count,
        sum(allocated_amount) as allocated_amount,
        sum(requested_amount) as requested_amount,
        sum(approved_amount) as approved_amount,
        sum(claimed_amount) as claimed_amount,
        sum(paid_amount) as paid_amount,
        sum(releasable_amount) as releasable_amount,
        sum(expired_unused_amount) as expired_allocation_unused_amount

    from allocations
    where mdf_budget_id is not null
    group by mdf_budget_id

),

joined as (

    select
        budgets.mdf_budget_id,
        budgets.fiscal_quarter,
        budgets.region,
        budgets.partner_tier,
        budgets.currency_code,
        budgets.budget_amount,
        coalesce(allocation_totals.allocation_count, 0) as allocation_count,
        coalesce(allocation_totals.partner_count, 0) as partner_count,
        coalesce(allocation_totals.request_count, 0) as request_count,
        coalesce(allocation_totals.allocated_amount, 0) as allocated_amount,
        coalesce(allocation_totals.requested_amount, 0) as requested_amount,
        coalesce(allocation_totals.approved_amount, 0) as approved_amount,
        coalesce(allocation_totals.claimed_amount, 0) as claimed_amount,
        coalesce(allocation_totals.paid_amount, 0) as paid_amount,
        coalesce(allocation_totals.releasable_amount, 0) as releasable_amount,
        coalesce(allocation_totals.expired_allocation_unused_amount, 0) as expired_allocation_unused_amount,
        quarters.quarter_start_date as fiscal_quarter_start_date,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, 'quarters.quarter_start_date')) }} as date) as fiscal_quarter_end_date,
        reporting.reporting_date

    from budgets
    cross join reporting
    left join allocation_totals
        on budgets.mdf_budget_id = allocation_totals.mdf_budget_id
    left join quarters
        on budgets.fiscal_quarter = quarters.year_quarter

),

final as (

    select
        mdf_budget_id,
        fiscal_quarter,
        region,
        partner_tier,
        currency_code,
        cast(allocation_count as integer) as allocation_count,
        cast(partner_count as integer) as partner_count,
        cast(request_count as integer) as request_count,
        cast(budget_amount as decimal(18, 2)) as budget_amount,
        cast(allocated_amount as decimal(18, 2)) as allocated_amount,
        cast(greatest(budget_amount - allocated_amount, 0) as decimal(18, 2)) as unallocated_amount,
        cast(requested_amount as decimal(18, 2)) as requested_amount,
        cast(approved_amount as decimal(18, 2)) as approved_amount,
        cast(claimed_amount as decimal(18, 2)) as claimed_amount,
        cast(paid_amount as decimal(18, 2)) as paid_amount,
        cast(releasable_amount as decimal(18, 2)) as releasable_amount,
        cast(
            expired_allocation_unused_amount
            + case when fiscal_quarter_end_date < reporting_date then greatest(budget_amount - allocated_amount, 0) else 0 end
            as decimal(18, 2)
        ) as expired_unused_amount,
        cast(allocated_amount / nullif(budget_amount, 0) as double) as allocation_rate,
        cast(paid_amount / nullif(budget_amount, 0) as double) as utilisation_rate,
        cast(paid_amount / nullif(allocated_amount, 0) as double) as allocated_utilisation_rate,
        fiscal_quarter_end_date < reporting_date as is_quarter_closed,
        fiscal_quarter_start_date,
        fiscal_quarter_end_date

    from joined

)

select * from final
