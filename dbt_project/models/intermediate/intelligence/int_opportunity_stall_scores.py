"""Probability that a partner opportunity stalls within stall_horizon_days
(orchestration/intelligence/stall.py): the time-split test rows (split_name 'test', with the label)
and the open opportunities on the reporting date (split_name 'score', with the top factors; deals
already stalled have probability 1)."""

from datetime import timedelta

import pandas as pd

from orchestration.intelligence.stall import score

OUTPUT = [
    "opportunity_id",
    "as_of_date",
    "split_name",
    "stalls_within_horizon",
    "stall_probability",
    "days_since_activity",
    "is_stalled",
    "top_factor_1",
    "top_factor_2",
    "top_factor_3",
]


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    boosting_rounds = dbt.config.get("boosting_rounds")
    seed = dbt.config.get("seed")
    stall_horizon_days = dbt.config.get("stall_horizon_days")
    test_days = dbt.config.get("test_days")
    top_share = dbt.config.get("top_share")
    reporting = dbt.ref("int_reporting_date").df()
    as_of = pd.Timestamp(reporting["as_of_date"].iloc[0]).date()
    feats = dbt.ref("int_opportunity_features").df()
    feats["as_of_date"] = pd.to_datetime(feats["as_of_date"])
    cutoff = as_of - timedelta(days=int(test_days))
    rows, _ = score(
        feats,
        as_of,
        cutoff,
        int(stall_horizon_days),
        float(top_share),
        seed=int(seed),
        rounds=int(boosting_rounds),
    )
    out = rows.reindex(columns=OUTPUT)
    out["as_of_date"] = pd.to_datetime(out["as_of_date"]).dt.date
    out["is_stalled"] = out["is_stalled"].astype("boolean")
    out["stalls_within_horizon"] = out["stalls_within_horizon"].astype("float64")
    return out.sort_values(
        ["split_name", "as_of_date", "opportunity_id"], kind="stable"
    ).reset_index(drop=True)
