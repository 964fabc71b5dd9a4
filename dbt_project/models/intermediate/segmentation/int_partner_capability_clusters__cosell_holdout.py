"""Capability segments as they stood the day before co-sell's held-out deals: the same
segmentation as int_partner_capability_clusters, on int_partner_capability_features__cosell_holdout,
so the co-sell evaluation (rpt_cosell_evaluation) learns and recommends on segments known then."""

from orchestration.segmentation.clustering import segment_partners


def model(dbt, session):
    """dbt-duckdb entry point: one row per partner that had applied by then, with its segment."""
    dbt.config(materialized="table")
    features = dbt.ref("int_partner_capability_features__cosell_holdout").df()
    feeds = ("crm", "tcma", "finance")
    if features["sales_certification_count"].notna().any():
        feeds = (*feeds, "lms")
    min_history = int(dbt.config.get("min_history") or 3)
    segments = segment_partners(features, feeds, min_history)
    # what the co-sell matcher needs beside the segment, as of the same day
    known = features[["partner_id", "as_of_date", "top_won_vertical", "is_active"]]
    return segments.merge(known, on="partner_id", how="left")
