"""Capability segments of every partner (docs/segmentation.md), by orchestration/segmentation:
k-means on the capability features of established partners (k by silhouette, fixed random
state), segment names and profiles from the cluster centres, and for new partners the segment
their application answers point to. A feature of an absent feed (all null) is left out."""

from orchestration.segmentation.clustering import segment_partners


def model(dbt, session):
    """dbt-duckdb entry point: one row per partner with its segment."""
    dbt.config(materialized="table")
    features = dbt.ref("int_partner_capability_features").df()
    feeds = ("crm", "tcma", "finance")
    # the LMS columns are null on every row without the LMS feed (if_feed)
    if features["sales_certification_count"].notna().any():
        feeds = (*feeds, "lms")
    min_history = int(dbt.config.get("min_history") or 3)
    return segment_partners(features, feeds, min_history)
