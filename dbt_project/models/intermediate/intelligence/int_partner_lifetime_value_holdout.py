"""Partner lifetime value metrics (typed by int_model_metrics__plv): a calibration/holdout check (fit on
the deals up to a year before the reporting date, predict the year after) against the naive
"each partner repeats its previous year", and the fitted parameters (docs/forecast_plv.md)."""

import pandas as pd

from orchestration.intelligence.lifetime_value import holdout_metrics, settings_from_config


def model(dbt, session):
    """dbt-duckdb entry point: model_name, metric_name, metric_value, baseline_name, split_name,
    as_of_date, n_rows."""
    dbt.config(materialized="table")
    as_of = dbt.ref("int_reporting_date").df()["as_of_date"].iloc[0]
    deals = (
        dbt.ref("fct_opportunities")
        .filter("is_won and sourced_partner_id is not null and close_date is not null")
        .project("sourced_partner_id as partner_id, close_date, cast(amount as double) as amount")
        .order("partner_id, close_date, amount")
        .df()
    )
    metrics = holdout_metrics(deals, pd.Timestamp(as_of), settings_from_config(dbt.config.get))
    metrics.insert(0, "model_name", "partner_lifetime_value")
    # the parameters are those of the calibration fit (deals up to a year before the reporting date)
    metrics["split_name"] = "holdout_12m"
    metrics["as_of_date"] = pd.Timestamp(as_of)
    metrics["baseline_name"] = metrics["baseline_name"].astype("string")
    metrics["metric_value"] = metrics["metric_value"].astype(float)
    metrics["n_rows"] = metrics["n_rows"].astype("int64")
    return metrics[
        [
            "model_name",
            "metric_name",
            "metric_value",
            "baseline_name",
            "split_name",
            "as_of_date",
            "n_rows",
        ]
    ]
