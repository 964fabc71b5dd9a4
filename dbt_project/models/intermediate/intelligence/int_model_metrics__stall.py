"""Metrics of the stall-risk model on the time-split test rows against the prevalence and a
days-since-activity ranking (orchestration/intelligence/stall.py evaluate)."""

import pandas as pd

from orchestration.intelligence.stall import evaluate

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
    top_share = dbt.config.get("top_share")
    reporting = dbt.ref("int_reporting_date").df()
    as_of = pd.Timestamp(reporting["as_of_date"].iloc[0]).date()
    rows = dbt.ref("int_opportunity_stall_scores").df()
    test = rows[rows["split_name"] == "test"]
    out = pd.DataFrame(evaluate(test, float(top_share)) if len(test) else [], columns=COLUMNS)
    out["as_of_date"] = as_of
    out["n_rows"] = out["n_rows"].astype("int64")
    out["baseline_name"] = out["baseline_name"].astype("object")
    return out[COLUMNS]
