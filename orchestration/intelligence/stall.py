"""Stall risk: will an open partner opportunity stall in the next `horizon` days
(docs/pipeline_health.md#stall)?

A deal is *stalled* on a day when it is open and neither its stage changed nor any partner touched
it in the `inactive_days` up to that day (dbt vars stall_inactive_days, stall_horizon_days). The
label of a feature row not stalled on its day is whether the deal is stalled `horizon` days later.
Same model machinery and time split as health.py; scored by AUC, Brier and precision at top-k
(the riskiest stall_top_share of each as-of day) against prevalence and a days-since-activity ranking.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from orchestration.intelligence.health import (
    binary_metrics,
    category_levels,
    design,
    fit,
    predict,
    top_factors,
    train_rows_metric,
)

MODEL_NAME = "stall_risk"
LABEL = "stalls_within_horizon"


def precision_at_k(frame: pd.DataFrame, score: str, label: str, share: float) -> tuple[float, int]:
    """Precision at top-k: on each as-of day flag the k = ceil(share x rows of the day) highest
    scored rows (ties broken by opportunity id); the share of all flagged rows that stalled, and
    how many were flagged."""
    if not len(frame):
        return float("nan"), 0
    ranked = frame.sort_values(
        ["as_of_date", score, "opportunity_id"], ascending=[True, False, True], kind="stable"
    )
    rank = ranked.groupby("as_of_date", sort=True).cumcount()
    k = (
        ranked.groupby("as_of_date", sort=True)["opportunity_id"]
        .transform("size")
        .mul(share)
        .apply(np.ceil)
    )
    top = ranked[rank < k]
    return float(top[label].mean()), len(top)


def precision_metric_name(share: float) -> str:
    return f"precision_at_top_{round(share * 100):d}pct"


def _metric(name: str, value: float, baseline: str | None, n: int) -> dict:
    return {
        "model_name": MODEL_NAME,
        "metric_name": name,
        "metric_value": float(value),
        "baseline_name": baseline,
        "split_name": "time_split_test",
        "n_rows": int(n),
    }


def evaluate(test: pd.DataFrame, top_share: float, train_rows: int | None = None) -> list[dict]:
    """AUC, Brier, calibration and precision at the top `top_share` of the model on the test rows, against the
    prevalence (what random flags would hit) and a ranking by days since the last activity."""
    y = test[LABEL].to_numpy(dtype="float64")
    split = "time_split_test"
    rows = binary_metrics(y, test["stall_probability"], MODEL_NAME, None, split)
    t = test.assign(_rule=test["days_since_activity"].fillna(0).astype("float64"))
    rule_p = np.clip(t["_rule"] / max(float(t["_rule"].max()), 1.0), 0, 1)
    rows += [
        r
        for r in binary_metrics(y, rule_p, MODEL_NAME, "days_since_activity_rule", split)
        if r["metric_name"] in ("auc", "base_rate")
    ]
    p_model, n_model = precision_at_k(t, "stall_probability", LABEL, top_share)
    p_rule, n_rule = precision_at_k(t, "_rule", LABEL, top_share)
    rows.append(_metric(precision_metric_name(top_share), p_model, None, n_model))
    rows.append(
        _metric(precision_metric_name(top_share), p_rule, "days_since_activity_rule", n_rule)
    )
    rows.append(
        _metric(
            precision_metric_name(top_share),
            float(np.mean(y)) if len(y) else np.nan,
            "prevalence",
            len(y),
        )
    )
    if train_rows is not None:
        rows.append(train_rows_metric(MODEL_NAME, train_rows))
    return rows


def score(
    feats: pd.DataFrame,
    reporting_date: date,
    cutoff_date: date,
    horizon_days: int,
    top_share: float,
    seed: int = 15,
    rounds: int = 200,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, metrics) like health.score; `feats` carries is_stalled and stalls_within_horizon
    (features.stall_labels). Score rows include the deals already stalled (probability 1)."""
    # the warehouse returns rows in any order; LightGBM's bins and sums depend on it
    f = feats.sort_values(["as_of_date", "opportunity_id"], kind="stable").reset_index(drop=True)
    day, cut = pd.Timestamp(reporting_date), pd.Timestamp(cutoff_date)
    h = pd.Timedelta(days=horizon_days)
    known = f[LABEL].notna()
    train = f[known & (f["as_of_date"] + h <= cut)]
    test = f[known & (f["as_of_date"] >= cut)]
    final_train = f[known]
    current = f[f["as_of_date"] == day]
    levels = category_levels(f)
    out, metrics = [], []
    if len(train) and train[LABEL].nunique() == 2 and len(test):
        m = fit(design(train, levels), train[LABEL], seed, rounds)
        t = test.copy()
        t["stall_probability"] = predict(m, design(t, levels))
        t["split_name"] = "test"
        out.append(t)
        metrics += evaluate(t, top_share, len(train))
    if len(current):
        c = current.copy()
        fresh = ~c["is_stalled"].astype(bool)
        c["stall_probability"] = 1.0
        for col in ("top_factor_1", "top_factor_2", "top_factor_3"):
            c[col] = None
        days = c["days_since_activity"].fillna(0).astype(int).astype(str)
        c.loc[~fresh, "top_factor_1"] = (
            "already stalled: " + days[~fresh] + " days without stage change or touch"
        )
        if len(final_train) and final_train[LABEL].nunique() == 2 and fresh.any():
            model = fit(design(final_train, levels), final_train[LABEL], seed, rounds)
            x = design(c[fresh], levels)
            c.loc[fresh, "stall_probability"] = predict(model, x)
            c.loc[fresh, ["top_factor_1", "top_factor_2", "top_factor_3"]] = top_factors(
                model, x
            ).to_numpy()
        elif fresh.any():
            c.loc[fresh, "stall_probability"] = np.nan
        c["split_name"] = "score"
        out.append(c)
    rows = (
        pd.concat(out, ignore_index=True)
        if out
        else f.iloc[0:0].assign(stall_probability=np.nan, split_name="")
    )
    return rows, pd.DataFrame(metrics)


def cutoff(reporting_date: date, test_days: int) -> date:
    """The time-split cut-off: rows on or after it are the test set."""
    return reporting_date - timedelta(days=test_days)
