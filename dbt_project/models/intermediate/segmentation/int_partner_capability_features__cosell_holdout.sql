-- Partner grain: the capability features as they stood the day before co-sell's held-out deals
-- (the latest 30 % of closed deals by close date, orchestration/segmentation/cosell.py
-- HOLDOUT_SHARE), so rpt_cosell_evaluation segments partners on what was known before them.
with

closed as (

    select
        close_date,
        row_number() over (order by close_date) - 1 as close_rank,
        count(*) over () as closed_count

    from {{ ref('fct_opportunities') }}
    where is_closed and close_date is not null

),

holdout_start as (

    -- the same row as holdout_split(): sorted close dates, position floor(n x 0.7)
    select cast({{ dbt.dateadd('day', -1, 'min(close_date)') }} as date) as reporting_date
    from closed
    where close_rank = floor(closed_count * 0.7)

),

{{ partner_capability_features("select reporting_date from holdout_start") }}
