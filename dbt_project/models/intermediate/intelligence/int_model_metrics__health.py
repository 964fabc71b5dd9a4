"""Metrics of the pipeline-health model and its two baselines on the time-split test rows
(orchestration/intelligence/health.py evaluate): one row per metric x baseline (null = the model)."""

import pandas as pd

from orchestration.intelligence.health import evaluate, metrics_frame


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    reporting = dbt.ref("int_reporting_date").df()
    as_of = pd.Timestamp(reporting["as_of_date"].iloc[0]).date()
    rows = dbt.ref("int_opportunity_health_scores").df()
    test = rows[rows["split_name"] == "test"]
    return metrics_frame(evaluate(test) if len(test) else [], as_of)
