"""Co-sell partner matching (docs/segmentation.md#co-sell-matching), by
orchestration/segmentation/cosell.py: for every open opportunity, up to three partners whose
capability complements the deal's, scored on account relationship, technical complement,
vertical and the measured lift of their segments' past pairings, with the reasons."""

import pandas as pd

from orchestration.segmentation.cosell import prepare, recommend_open


def model(dbt, session):
    """dbt-duckdb entry point: one row per (open opportunity, recommended partner)."""
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
    reporting = dbt.ref("int_reporting_date").df()
    as_of = pd.Timestamp(reporting["as_of_date"].iloc[0])
    return recommend_open(inputs, as_of)
