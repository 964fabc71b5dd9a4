"""Channel revenue forecast from the quarter holding the day after the reporting date, for each horizon, with
intervals from the backtest errors (orchestration/intelligence/forecast.py, docs/forecast_plv.md)."""

from orchestration.intelligence.forecast import run_forecast, settings_from_config


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    history = dbt.ref("int_channel_revenue_quarters").df()
    backtested = dbt.ref("int_channel_forecast_backtest").df()
    return run_forecast(history, backtested, settings_from_config(dbt.config.get))
