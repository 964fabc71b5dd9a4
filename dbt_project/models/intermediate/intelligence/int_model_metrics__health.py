"""Metrics of the pipeline-health model and its two baselines on the time-split test rows
(orchestration/intelligence/health.py evaluate): one row per metric x baseline (null = the model)."""

import pandas as pd

from orchestration.intelligence.health import evaluate

COLUMNS = [
    "model_name",
    "metric_name",
    "metric_value",
    "baseline_name",
    "split_name",
    "as_of_date",
    "n_rows",
]


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    reporting = dbt.ref("int_reporting_date").df()
    as_of = pd.Timestamp(reporting["as_of_date"].iloc[0]).date()
    rows = dbt.ref("int_opportunity_health_scores").df()
    test = rows[rows["split_name"] == "test"]
    out = pd.DataFrame(evaluate(test) if len(test) else [], columns=COLUMNS)
    out["as_of_date"] = as_of
    out["n_rows"] = out["n_rows"].astype("int64")
    out["baseline_name"] = out["baseline_name"].astype("object")
    return out[COLUMNS]
