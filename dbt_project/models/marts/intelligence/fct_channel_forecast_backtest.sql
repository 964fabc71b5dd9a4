-- The rolling-origin backtest of the channel forecast (docs/forecast_plv.md): one row per origin,
-- target quarter, horizon and segment ('all' = the total) with the actual channel revenue, the
-- model's forecast and interval (from earlier origins' errors only), the stage-weighted pipeline
-- baseline (horizon 1) and both errors.
with

backtest as (

    select * from {{ ref('int_channel_forecast_backtest') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat(["cast(origin as " ~ type_text() ~ ")", "'|'", "cast(horizon as " ~ type_text() ~ ")", "'|'", "region", "'|'", "partner_tier"])) }} as channel_forecast_backtest_id,
        cast(region as {{ type_text() }}) as region,
        cast(partner_tier as {{ type_text() }}) as partner_tier,
        cast('{{ var("reporting_currency") }}' as {{ type_text() }}) as currency_code,
        cast(horizon as integer) as horizon_quarters,
        cast(actual as decimal(18, 2)) as actual_amount,
        cast(prediction as decimal(18, 2)) as forecast_amount,
        cast(baseline as decimal(18, 2)) as baseline_amount,
        cast(lower as decimal(18, 2)) as lower_amount,
        cast(upper as decimal(18, 2)) as upper_amount,
        cast(abs(prediction - actual) as decimal(18, 2)) as forecast_abs_error_amount,
        cast(abs(baseline - actual) as decimal(18, 2)) as baseline_abs_error_amount,
        cast(case when actual > 0 then abs(prediction - actual) / actual end as double) as forecast_ape,
        cast(case when actual > 0 then abs(baseline - actual) / actual end as double) as baseline_ape,
        region = 'all' as is_total,
        case when lower is not null then actual between lower and upper end as is_within_interval,
        cast(origin as date) as origin_date,
        cast(target as date) as quarter_start_date

    from backtest

)

select * from final
