-- The headline metrics of each revenue-intelligence model and its baselines on the latest
-- reporting date (fct_model_metrics): one row per model x baseline ('model' = the model itself).
with

metrics as (

    select * from {{ ref('fct_model_metrics') }}
    where split_name = 'time_split_test'

),

latest as (

    select max(as_of_date) as as_of_date from metrics

),

final as (

    select
        metrics.model_name || '|' || coalesce(metrics.baseline_name, 'model') as model_performance_id,
        metrics.model_name,
        coalesce(metrics.baseline_name, 'model') as scored_by,
        max(case when metrics.metric_name = 'auc' then metrics.metric_value end) as auc,
        max(case when metrics.metric_name = 'brier' then metrics.metric_value end) as brier,
        max(case when metrics.metric_name = 'expected_calibration_error' then metrics.metric_value end) as expected_calibration_error,
        max(case when metrics.metric_name like 'precision_at_top_%' then metrics.metric_value end) as precision_at_top_k,
        max(case when metrics.metric_name = 'base_rate' then metrics.metric_value end) as base_rate,
        cast(coalesce(max(case when metrics.metric_name in ('auc', 'base_rate') then metrics.n_rows end), max(metrics.n_rows)) as bigint) as test_rows,
        max(metrics.as_of_date) as as_of_date

    from metrics
    inner join latest
        on metrics.as_of_date = latest.as_of_date
    group by metrics.model_name, coalesce(metrics.baseline_name, 'model')

)

select * from final
