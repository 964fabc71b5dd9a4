-- Quarter grain: what the partner program costs and what it returns. Cost = the program's own
-- costs (seeds/prm_program_costs.csv: platform, staff, enablement, events) + MDF paid + rebates
-- paid (finance feed). Return = partner revenue (won sourced deals + won influenced credit) at
-- var prm_roi_gross_margin. PRM program ROI = (partner gross margin - cost) / cost.
with

partner_months as (

    select * from {{ ref('fct_partner_monthly_kpis') }}

),

program_costs as (

    select * from {{ ref('prm_program_costs') }}
    where currency_code = '{{ var("reporting_currency") }}'

),

quarters as (

    select
        quarter_start_date,
        min(quarters_before_reporting) as quarters_before_reporting,
        sum(partner_revenue_amount) as partner_revenue_amount,
        sum(mdf_paid_amount) as mdf_paid_amount,
        sum(rebate_paid_amount) as rebate_paid_amount

    from partner_months
    group by quarter_start_date

),

costs as (

    select
        quarter_start_date,
        count(*) as cost_line_count,
        sum(cost_amount) as program_cost_amount

    from program_costs
    group by quarter_start_date

),

combined as (

    select
        quarters.quarter_start_date,
        quarters.quarters_before_reporting,
        coalesce(costs.cost_line_count, 0) as cost_line_count,
        quarters.partner_revenue_amount,
        quarters.partner_revenue_amount * {{ var('prm_roi_gross_margin') }} as partner_gross_margin_amount,
        coalesce(costs.program_cost_amount, 0) as program_cost_amount,
        quarters.mdf_paid_amount,
        quarters.rebate_paid_amount,
        coalesce(costs.program_cost_amount, 0) + quarters.mdf_paid_amount + quarters.rebate_paid_amount as total_program_cost_amount

    from quarters
    left join costs
        on quarters.quarter_start_date = costs.quarter_start_date

),

final as (

    select
        cast(quarters_before_reporting as integer) as quarters_before_reporting,
        cast(partner_revenue_amount as decimal(18, 2)) as partner_revenue_amount,
        cast(partner_gross_margin_amount as decimal(18, 2)) as partner_gross_margin_amount,
        cast(program_cost_amount as decimal(18, 2)) as program_cost_amount,
        cast(mdf_paid_amount as decimal(18, 2)) as mdf_paid_amount,
        cast(rebate_paid_amount as decimal(18, 2)) as rebate_paid_amount,
        cast(total_program_cost_amount as decimal(18, 2)) as total_program_cost_amount,
        cast((partner_gross_margin_amount - total_program_cost_amount) / nullif(total_program_cost_amount, 0) as double) as prm_program_roi,
        cast(partner_revenue_amount / nullif(total_program_cost_amount, 0) as double) as revenue_per_program_dollar,
        cost_line_count > 0 as has_program_cost_inputs,
        quarter_start_date

    from combined

)

select * from final
