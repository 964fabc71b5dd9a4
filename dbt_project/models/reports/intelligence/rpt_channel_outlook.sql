-- The revenue outlook page's forecast figure: per quarter, the total channel revenue actually won,
-- what the model and the stage-weighted pipeline forecast for it from the quarter's first day
-- (backtest, horizon 1) and, for the quarter under way and the next ones, the forecast with its
-- interval and what is already won.
with

backtest as (

    select * from {{ ref('fct_channel_forecast_backtest') }}
    where is_total and horizon_quarters = 1

),

forecast as (

    select * from {{ ref('fct_channel_forecast') }}
    where is_total

),

final as (

    select
        quarter_start_date,
        cast('backtest' as {{ type_text() }}) as row_kind,
        currency_code,
        horizon_quarters,
        actual_amount,
        forecast_amount,
        lower_amount,
        upper_amount,
        baseline_amount,
        cast(null as decimal(18, 2)) as won_to_date_amount

    from backtest

    union all

    select
        quarter_start_date,
        cast('forecast' as {{ type_text() }}) as row_kind,
        currency_code,
        horizon_quarters,
        cast(null as decimal(18, 2)) as actual_amount,
        forecast_amount,
        lower_amount,
        upper_amount,
        baseline_amount,
        won_to_date_amount

    from forecast

)

select * from final
