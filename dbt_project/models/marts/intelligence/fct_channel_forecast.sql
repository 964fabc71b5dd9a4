-- The channel revenue forecast (docs/forecast_plv.md): from the quarter holding the day after the reporting date,
-- one row per target quarter, horizon and segment (region x tier, 'all' = the total) with the
-- prediction interval, the stage-weighted pipeline baseline (horizon 1) and what is already won.
with

forecast as (

    select * from {{ ref('int_channel_forecast') }}

),

reporting as (

    select as_of_date from {{ ref('int_reporting_date') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat(["cast(forecast.target as " ~ type_text() ~ ")", "'|'", "forecast.region", "'|'", "forecast.partner_tier"])) }} as channel_forecast_id,
        cast(forecast.region as {{ type_text() }}) as region,
        cast(forecast.partner_tier as {{ type_text() }}) as partner_tier,
        cast('{{ var("reporting_currency") }}' as {{ type_text() }}) as currency_code,
        cast(forecast.horizon as integer) as horizon_quarters,
        cast(forecast.prediction as decimal(18, 2)) as forecast_amount,
        cast(forecast.lower as decimal(18, 2)) as lower_amount,
        cast(forecast.upper as decimal(18, 2)) as upper_amount,
        cast(forecast.baseline as decimal(18, 2)) as baseline_amount,
        cast(forecast.won_to_date as decimal(18, 2)) as won_to_date_amount,
        cast({{ var('channel_forecast_interval_level', 0.8) }} as double) as interval_level,
        forecast.region = 'all' as is_total,
        cast(forecast.origin as date) as origin_date,
        cast(forecast.target as date) as quarter_start_date,
        reporting.as_of_date

    from forecast
    cross join reporting

)

select * from final
