-- Channel forecast metrics for marts.fct_model_metrics: MAPE, WAPE and interval coverage of the
-- rolling-origin backtest, the model against the stage-weighted pipeline baseline (horizon 1),
-- and the model's WAPE at each longer horizon (segment level; docs/forecast_plv.md).
with

backtest as (

    select * from {{ ref('int_channel_forecast_backtest') }}
    where region <> 'all'

),

reporting as (

    select as_of_date from {{ ref('int_reporting_date') }}

),

predictions as (

    select horizon, cast(null as {{ type_text() }}) as baseline_name, actual, prediction as predicted, lower, upper
    from backtest
    union all
    select horizon, 'stage_weighted_pipeline' as baseline_name, actual, baseline as predicted,
        cast(null as double) as lower, cast(null as double) as upper
    from backtest
    where horizon = 1

),

by_split as (

    select
        baseline_name,
        'backtest_h' || cast(horizon as {{ type_text() }}) as split_name,
        sum(abs(predicted - actual)) / nullif(sum(actual), 0) as wape,
        avg(case when actual > 0 then abs(predicted - actual) / actual end) as mape,
        avg(case when lower is not null then cast(actual between lower and upper as integer) end) as interval_coverage,
        count(*) as n_rows

    from predictions
    group by 1, 2

),

final as (

    select
        cast('channel_forecast' as {{ type_text() }}) as model_name,
        cast(metrics.metric_name as {{ type_text() }}) as metric_name,
        cast(metrics.metric_value as double) as metric_value,
        cast(by_split.baseline_name as {{ type_text() }}) as baseline_name,
        cast(by_split.split_name as {{ type_text() }}) as split_name,
        reporting.as_of_date,
        cast(by_split.n_rows as bigint) as n_rows

    from by_split
    cross join reporting
    cross join lateral (
        values ('wape', by_split.wape), ('mape', by_split.mape), ('interval_coverage', by_split.interval_coverage)
    ) as metrics (metric_name, metric_value)
    where metrics.metric_value is not null

)

select * from final
