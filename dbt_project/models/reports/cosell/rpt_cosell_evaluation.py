"""Held-out evaluation of co-sell matching (docs/segmentation.md#co-sell-matching): pairing lifts
learnt on the earlier 70 % of closed deals; on the later 30 % that had a helper partner, did the
deals whose actual helper was among the recommendations win more often than the others?"""

from orchestration.segmentation.cosell import evaluate_history, prepare


def model(dbt, session):
    """dbt-duckdb entry point: one row of held-out figures."""
    dbt.config(materialized="table")
    inputs = prepare(
        dbt.ref("fct_opportunities").df(),
        dbt.ref("dim_accounts").df(),
        dbt.ref("dim_products").df(),
        dbt.ref("fct_partner_touches").df(),
        dbt.ref("dim_partner_capability_segments").df(),
        dbt.ref("fct_certifications").df(),
        dbt.ref("dim_courses").df(),
    )
    return evaluate_history(inputs)
