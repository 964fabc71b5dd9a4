"""Point-in-time feature rows of the open partner opportunities (orchestration/intelligence/features.py):
one row per opportunity and as-of day on a grid every intelligence_snapshot_days back from the
reporting date, with the win label (closed since) and the stall labels. The leakage guard runs
here: the build fails if any feature read a source row dated after its as-of day."""

from datetime import timedelta

import pandas as pd

from orchestration.intelligence.features import (
    Sources,
    build_features,
    snapshot_dates,
    stall_labels,
)

OUTPUT = [
    "opportunity_id",
    "partner_id",
    "as_of_date",
    "product_line",
    "deal_source",
    "region",
    "partner_tier",
    "amount",
    "stage_order",
    "stage_source",
    "days_in_stage",
    "stage_dwell_ratio",
    "opportunity_age_days",
    "registration_age_days",
    "touch_count",
    "days_since_activity",
    "days_since_partner_activity",
    "days_since_partner_content_use",
    "has_valid_certification",
    "has_product_certification",
    "was_certified_at_creation",
    "partner_win_rate",
    "partner_product_win_rate",
    "partner_cycle_days",
    "partner_closed_count",
    "mdf_approved_365d",
    "log_amount",
    "is_won",
    "is_stalled",
    "stalls_within_horizon",
    "created_date",
    "closed_date",
    "last_activity_date",
]


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    history_days = dbt.config.get("history_days")
    snapshot_days = dbt.config.get("snapshot_days")
    stall_horizon_days = dbt.config.get("stall_horizon_days")
    stall_inactive_days = dbt.config.get("stall_inactive_days")
    reporting = dbt.ref("int_reporting_date").df()
    as_of = pd.Timestamp(reporting["as_of_date"].iloc[0]).date()
    every = int(snapshot_days)
    history = int(history_days)
    src = Sources(
        opportunities=dbt.ref("fct_opportunities").df(),
        stage_changes=dbt.ref("fct_opportunity_stage_changes").df(),
        touches=dbt.ref("fct_partner_touches").df(),
        products=dbt.ref("dim_products").df(),
        partners=dbt.ref("dim_partners").df(),
        tiers=dbt.ref("dim_partner_tier_history").df(),
        certifications=dbt.ref("fct_certifications").df(),
        courses=dbt.ref("dim_courses").df(),
        content_usage=dbt.ref("fct_content_usage").df(),
        mdf_requests=dbt.ref("fct_mdf_requests").df(),
    )
    dates = snapshot_dates(as_of, as_of - timedelta(days=history), every)
    feats = build_features(src, dates, current_date=as_of)
    feats = stall_labels(feats, src, int(stall_inactive_days), int(stall_horizon_days), as_of)
    out = feats[OUTPUT].copy()
    for c in ("as_of_date", "created_date", "closed_date", "last_activity_date"):
        out[c] = pd.to_datetime(out[c]).dt.date
    out["is_won"] = out["is_won"].astype("boolean")
    out["is_stalled"] = out["is_stalled"].astype("boolean")
    return out
