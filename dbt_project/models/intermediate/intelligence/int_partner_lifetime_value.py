"""Partner lifetime value (orchestration/intelligence/lifetime_value.py, docs/forecast_plv.md):
BG/NBD + Gamma-Gamma over partner-sourced won deals, one row per partner."""

from orchestration.intelligence.lifetime_value import partner_lifetime_values, settings_from_config


def model(dbt, session):
    """dbt-duckdb entry point."""
    dbt.config(materialized="table")
    as_of = dbt.ref("int_reporting_date").df()["as_of_date"].iloc[0]
    deals = (
        dbt.ref("fct_opportunities")
        .filter("is_won and sourced_partner_id is not null and close_date is not null")
        .project("sourced_partner_id as partner_id, close_date, cast(amount as double) as amount")
        .order("partner_id, close_date, amount")
        .df()
    )
    partners = dbt.ref("dim_partners").project("partner_id").df()["partner_id"]
    return partner_lifetime_values(deals, partners, as_of, settings_from_config(dbt.config.get))
