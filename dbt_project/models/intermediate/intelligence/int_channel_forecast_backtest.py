"""Rolling-origin backtest of the channel revenue forecast against the stage-weighted pipeline
(orchestration/intelligence/forecast.py, docs/forecast_plv.md): one row per origin, target quarter,
horizon and segment, plus the 'all' total."""

from orchestration.intelligence.forecast import run_backtest, settings_from_config


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    history = dbt.ref("int_channel_revenue_quarters").df()
    return run_backtest(history, settings_from_config(dbt.config.get))
