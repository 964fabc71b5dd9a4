"""Win probability of partner opportunities (orchestration/intelligence/health.py): the time-split
test rows (split_name 'test', with the label and both baselines) and the open opportunities on the
reporting date (split_name 'score', with the top factors)."""

from datetime import timedelta

import pandas as pd

from orchestration.intelligence.health import score

OUTPUT = [
    "opportunity_id",
    "as_of_date",
    "split_name",
    "scored_by",
    "label",
    "win_probability",
    "health_score",
    "crm_stage_probability",
    "stage_tier_win_rate",
    "top_factor_1",
    "top_factor_2",
    "top_factor_3",
]


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    boosting_rounds = dbt.config.get("boosting_rounds")
    seed = dbt.config.get("seed")
    test_days = dbt.config.get("test_days")
    reporting = dbt.ref("int_reporting_date").df()
    as_of = pd.Timestamp(reporting["as_of_date"].iloc[0]).date()
    stages = dbt.ref("deal_stages").df()
    probability = dict(
        zip(
            stages["stage_order"].astype(int),
            stages["default_probability"].astype(float),
            strict=True,
        )
    )
    feats = dbt.ref("int_opportunity_features").df()
    feats["as_of_date"] = pd.to_datetime(feats["as_of_date"])
    feats["closed_date"] = pd.to_datetime(feats["closed_date"])
    cutoff = as_of - timedelta(days=int(test_days))
    rows, _ = score(feats, as_of, cutoff, probability, seed=int(seed), rounds=int(boosting_rounds))
    out = rows.reindex(columns=OUTPUT)
    out["as_of_date"] = pd.to_datetime(out["as_of_date"]).dt.date
    out["label"] = out["label"].astype("float64")
    out["health_score"] = out["health_score"].astype("Int64")
    return out.sort_values(
        ["split_name", "as_of_date", "opportunity_id"], kind="stable"
    ).reset_index(drop=True)
