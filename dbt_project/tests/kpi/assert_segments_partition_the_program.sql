-- Every segmentation of fct_segment_kpis (tier, type, region, vertical, certification) splits the
-- program: its segments add up to the 'all' row of the same period, and the 'all' quarter rows
-- equal the partner months summed by quarter. Returns the periods that do not add up.
with

segments as (

    select * from {{ ref('fct_segment_kpis') }}

),

program as (

    select * from segments
    where segment_type = 'all'

),

by_segmentation as (

    select
        period_type,
        period_start_date,
        segment_type,
        sum(psp_amount) as psp_amount,
        sum(pip_amount) as pip_amount,
        sum(sourced_closed_count) as sourced_closed_count,
        sum(partner_revenue_amount) as partner_revenue_amount

    from segments
    where segment_type != 'all'
    group by all

),

partner_quarters as (

    select
        quarter_start_date,
        sum(psp_amount) as psp_amount,
        sum(partner_revenue_amount) as partner_revenue_amount

    from {{ ref('fct_partner_monthly_kpis') }}
    group by quarter_start_date

)

select
    by_segmentation.period_type,
    by_segmentation.period_start_date,
    by_segmentation.segment_type,
    'segments do not add up to the program' as failure

from by_segmentation
left join program
    on by_segmentation.period_type = program.period_type
    and by_segmentation.period_start_date = program.period_start_date
where program.segment_kpi_id is null
    or by_segmentation.psp_amount != program.psp_amount
    or by_segmentation.pip_amount != program.pip_amount
    or by_segmentation.sourced_closed_count != program.sourced_closed_count
    or by_segmentation.partner_revenue_amount != program.partner_revenue_amount

union all

select
    'quarter',
    partner_quarters.quarter_start_date,
    'all',
    'program quarter differs from its partner months'

from partner_quarters
left join program
    on program.period_type = 'quarter'
    and partner_quarters.quarter_start_date = program.period_start_date
where program.segment_kpi_id is null
    or partner_quarters.psp_amount != program.psp_amount
    or partner_quarters.partner_revenue_amount != program.partner_revenue_amount
