-- Partner x cohort quarter (every quarter MDF was allocated in): the partner's average quarterly
-- revenue in the pre window (var mdf_did_pre_quarters quarters before the cohort quarter) and the
-- post window (the cohort quarter and the var mdf_did_post_quarters - 1 after it), and its group:
--   funded   MDF was paid on the partner's allocations of the cohort quarter;
--   control  no MDF allocated to the partner in the cohort quarter nor in the rest of the post window;
--   excluded allocated but nothing paid, or funded again within the post window.
-- Only partners in the program for the whole pre window are kept (no pre period, no difference).
with

partner_months as (

    select * from {{ ref('fct_partner_monthly_kpis') }}

),

allocations as (

    select * from {{ ref('fct_mdf_allocations') }}

),

requests as (

    select * from {{ ref('fct_mdf_requests') }}

),

reporting as (

    select as_of_date as reporting_date from {{ ref('int_reporting_date') }}

),

partner_quarters as (

    select
        partner_id,
        quarter_start_date,
        sum(partner_revenue_amount) as revenue_amount

    from partner_months
    group by partner_id, quarter_start_date

),

partner_quarter_tiers as (

    -- tier, type and region held at the end of each quarter (last month of the quarter)
    select
        partner_id,
        quarter_start_date,
        partner_tier,
        partner_type,
        region,
        row_number() over (partition by partner_id, quarter_start_date order by month_start_date desc) as month_rank

    from partner_months

),

partner_firsts as (

    select
        partner_id,
        min(quarter_start_date) as first_quarter_start_date

    from partner_quarters
    group by partner_id

),

cohorts as (

    select distinct allocations.fiscal_quarter_start_date as cohort_quarter_start_date
    from allocations
    cross join reporting
    where allocations.fiscal_quarter_start_date <= reporting.reporting_date

),

allocated_quarters as (

    select distinct
        partner_id,
        fiscal_quarter_start_date

    from allocations

),

paid_quarters as (

    select
        partner_id,
        fiscal_quarter_start_date,
        sum(paid_amount) as paid_amount

    from requests
    where partner_id is not null
    group by partner_id, fiscal_quarter_start_date

),

windows as (

    select
        cohorts.cohort_quarter_start_date,
        partner_firsts.partner_id,
        cast({{ dbt.dateadd('month', -3 * var('mdf_did_pre_quarters'), 'cohorts.cohort_quarter_start_date') }} as date) as pre_start_date,
        cast({{ dbt.dateadd('month', 3 * var('mdf_did_post_quarters'), 'cohorts.cohort_quarter_start_date') }} as date) as post_end_date,
        cast({{ dbt.dateadd('month', -3, 'cohorts.cohort_quarter_start_date') }} as date) as last_pre_quarter_start_date

    from cohorts
    cross join partner_firsts
    where partner_firsts.first_quarter_start_date
        <= cast({{ dbt.dateadd('month', -3 * var('mdf_did_pre_quarters'), 'cohorts.cohort_quarter_start_date') }} as date)

),

revenues as (

    select
        windows.cohort_quarter_start_date,
        windows.partner_id,
        sum(
            case when partner_quarters.quarter_start_date < windows.cohort_quarter_start_date then partner_quarters.revenue_amount else 0 end
        ) / {{ var('mdf_did_pre_quarters') }} as pre_revenue_amount,
        sum(
            case when partner_quarters.quarter_start_date >= windows.cohort_quarter_start_date then partner_quarters.revenue_amount else 0 end
        ) / {{ var('mdf_did_post_quarters') }} as post_revenue_amount

    from windows
    left join partner_quarters
        on windows.partner_id = partner_quarters.partner_id
        and partner_quarters.quarter_start_date >= windows.pre_start_date
        and partner_quarters.quarter_start_date < windows.post_end_date
    group by windows.cohort_quarter_start_date, windows.partner_id

),

funding as (

    select
        windows.cohort_quarter_start_date,
        windows.partner_id,
        coalesce(max(case when paid_quarters.fiscal_quarter_start_date = windows.cohort_quarter_start_date then paid_quarters.paid_amount end), 0) as paid_amount,
        count(allocated_quarters.fiscal_quarter_start_date) as allocated_quarter_count

    from windows
    left join allocated_quarters
        on windows.partner_id = allocated_quarters.partner_id
        and allocated_quarters.fiscal_quarter_start_date >= windows.cohort_quarter_start_date
        and allocated_quarters.fiscal_quarter_start_date < windows.post_end_date
    left join paid_quarters
        on windows.partner_id = paid_quarters.partner_id
        and windows.cohort_quarter_start_date = paid_quarters.fiscal_quarter_start_date
    group by windows.cohort_quarter_start_date, windows.partner_id

),

final as (

    select
        windows.cohort_quarter_start_date,
        windows.partner_id,
        case
            when funding.paid_amount > 0 then 'funded'
            when funding.allocated_quarter_count = 0 then 'control'
            else 'excluded'
        end as treatment_group,
        tiers.partner_tier,
        tiers.partner_type,
        tiers.region,
        funding.paid_amount,
        revenues.pre_revenue_amount,
        revenues.post_revenue_amount,
        revenues.post_revenue_amount - revenues.pre_revenue_amount as revenue_change_amount,
        windows.post_end_date <= cast({{ dbt.dateadd('day', 1, 'reporting.reporting_date') }} as date) as is_post_window_complete

    from windows
    cross join reporting
    inner join revenues
        on windows.cohort_quarter_start_date = revenues.cohort_quarter_start_date
        and windows.partner_id = revenues.partner_id
    inner join funding
        on windows.cohort_quarter_start_date = funding.cohort_quarter_start_date
        and windows.partner_id = funding.partner_id
    left join partner_quarter_tiers as tiers
        on windows.partner_id = tiers.partner_id
        and windows.last_pre_quarter_start_date = tiers.quarter_start_date
        and tiers.month_rank = 1

)

select * from final
