"""Next best action of every open partner opportunity on the reporting date
(orchestration/intelligence/actions.py): the first matching rule, its reason, and every rule that
matched."""

import pandas as pd

from orchestration.intelligence.actions import Reference, prescribe


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    feeds = dbt.config.get("feeds")
    joint_call_days = dbt.config.get("joint_call_days")
    reporting = dbt.ref("int_reporting_date").df()
    as_of = pd.Timestamp(reporting["as_of_date"].iloc[0])
    feats = dbt.ref("int_opportunity_features").df()
    feats = feats[pd.to_datetime(feats["as_of_date"]) == as_of]
    opps = dbt.ref("fct_opportunities").df()[["opportunity_id", "deal_stage", "is_won"]]
    deals = feats.merge(opps[["opportunity_id", "deal_stage"]], on="opportunity_id", how="left")
    attachments = dbt.ref("int_opportunity_content_attachments").df()
    assets = dbt.ref("dim_content_assets").df()[["asset_id", "asset_name"]]
    attachments = attachments.merge(assets, on="asset_id", how="left").merge(
        opps[["opportunity_id", "is_won"]], on="opportunity_id", how="left"
    )
    ref = Reference(
        flash_triggers=dbt.ref("fct_flash_incentive_triggers").df(),
        content_lift=dbt.ref("fct_content_deal_lift").df(),
        attachments=attachments,
        courses=dbt.ref("dim_courses").df(),
        has_lms="lms" in feeds,
        joint_call_days=int(joint_call_days),
    )
    deals = deals.sort_values("opportunity_id", kind="stable")
    return prescribe(deals, ref)
