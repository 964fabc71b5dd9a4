"""Metrics of the stall-risk model on the time-split test rows against the prevalence and a
days-since-activity ranking (orchestration/intelligence/stall.py evaluate)."""

import pandas as pd

from orchestration.intelligence.health import metrics_frame
from orchestration.intelligence.stall import evaluate


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    top_share = dbt.config.get("top_share")
    reporting = dbt.ref("int_reporting_date").df()
    as_of = pd.Timestamp(reporting["as_of_date"].iloc[0]).date()
    rows = dbt.ref("int_opportunity_stall_scores").df()
    test = rows[rows["split_name"] == "test"]
    return metrics_frame(evaluate(test, float(top_share)) if len(test) else [], as_of)
