"""Held-out evaluation of co-sell matching (docs/segmentation.md#co-sell-matching): pairing lifts
learnt on the earlier 70 % of closed deals; on the later 30 % that had a helper partner, did the
deals whose actual helper was among the recommendations win more often than the others? Segments
and verticals are the ones known the day before the held-out deals
(int_partner_capability_clusters__cosell_holdout), not today's."""

import pandas as pd

from orchestration.segmentation.cosell import evaluate_history, prepare


def model(dbt, session):
    """dbt-duckdb entry point: one row of held-out figures."""
    dbt.config(materialized="table")
    segments = dbt.ref("int_partner_capability_clusters__cosell_holdout").df()
    inputs = prepare(
        dbt.ref("fct_opportunities").df(),
        dbt.ref("dim_accounts").df(),
        dbt.ref("dim_products").df(),
        dbt.ref("fct_partner_touches").df(),
        segments,
        dbt.ref("fct_certifications").df(),
        dbt.ref("dim_courses").df(),
    )
    as_of = segments["as_of_date"].dropna()
    # the held-out deals start the day after the features' day (the same row holdout_split picks)
    cutoff = pd.Timestamp(as_of.iloc[0]) + pd.Timedelta(days=1) if len(as_of) else None
    return evaluate_history(inputs, cutoff)
