"""Pipeline health: the win probability of every open partner opportunity (docs/pipeline_health.md).

A LightGBM classifier on the point-in-time feature rows (features.py), trained on closed history
with a time split: rows dated before the cut-off whose deal had closed by the cut-off train, rows
on or after it (closed by the reporting date) are the test set, scored against two baselines (the
CRM stage probability and a stage x partner-tier win-rate table learnt on the training rows).
The scoring model is refit on every row closed by the reporting date. One thread, fixed seed,
fixed category order: the same input gives the same scores, bit for bit.
"""

from __future__ import annotations

from datetime import date

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from orchestration.intelligence.features import CATEGORICAL, FEATURES, label_win

MODEL_NAME = "pipeline_health"
CALIBRATION_EDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
TOP_FACTORS = 3


def lgb_params(seed: int) -> dict:
    """Small, regularised trees; single-threaded and deterministic."""
    return {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 7,
        "min_data_in_leaf": 50,
        "lambda_l2": 5.0,
        "num_threads": 1,
        "deterministic": True,
        "force_row_wise": True,
        "seed": seed,
        "verbose": -1,
    }


def design(
    frame: pd.DataFrame, categories: dict[str, list[str]], features: list[str] | None = None
) -> pd.DataFrame:
    """The model's input columns, numeric as float, categoricals with a fixed category order."""
    cols = features or list(FEATURES)
    x = pd.DataFrame(index=frame.index)
    for c in cols:
        if c in CATEGORICAL:
            x[c] = pd.Categorical(
                frame[c].astype("object").fillna("unknown"), categories=categories[c]
            )
        else:
            x[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    return x


def category_levels(frame: pd.DataFrame) -> dict[str, list[str]]:
    return {
        c: sorted(set(frame[c].astype("object").fillna("unknown")) | {"unknown"})
        for c in CATEGORICAL
        if c in frame
    }


def fit(x: pd.DataFrame, y: pd.Series, seed: int, rounds: int) -> lgb.Booster:
    """A LightGBM binary model; columns that are all null are left to LightGBM (never split on)."""
    data = lgb.Dataset(
        x,
        label=y.astype("float64"),
        categorical_feature=[c for c in x if c in CATEGORICAL],
        free_raw_data=False,
    )
    return lgb.train(lgb_params(seed), data, num_boost_round=rounds)


def predict(model: lgb.Booster, x: pd.DataFrame) -> np.ndarray:
    return model.predict(x, num_threads=1) if len(x) else np.zeros(0)


def _fmt(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "unknown"
    v = float(value)
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.2f}"


def top_factors(model: lgb.Booster, x: pd.DataFrame, k: int = TOP_FACTORS) -> pd.DataFrame:
    """Per row, the k features with the largest absolute contribution (log-odds, LightGBM
    pred_contrib = TreeSHAP), as readable text: 'partner certified today = 1 (+0.31)'."""
    cols = [f"top_factor_{i + 1}" for i in range(k)]
    if not len(x):
        return pd.DataFrame(columns=cols, index=x.index)
    contrib = model.predict(x, pred_contrib=True, num_threads=1)[:, :-1]
    order = np.argsort(-np.abs(contrib), axis=1, kind="stable")[:, :k]
    names = list(x.columns)
    out = []
    for i, row in enumerate(order):
        texts = []
        for j in row:
            c = contrib[i, j]
            if abs(c) < 1e-9:
                continue
            texts.append(f"{FEATURES.get(names[j], names[j])} = {_fmt(x.iat[i, j])} ({c:+.2f})")
        out.append(texts + [None] * (k - len(texts)))
    return pd.DataFrame(out, columns=cols, index=x.index)


def stage_tier_table(train: pd.DataFrame, label: str, test: pd.DataFrame) -> np.ndarray:
    """Baseline: the training rows' win rate by stage x partner tier, falling back to the stage's
    rate, then the overall rate."""
    overall = train[label].mean() if len(train) else 0.5
    by_stage = train.groupby("stage_order")[label].mean()
    by_cell = train.groupby(["stage_order", "partner_tier"])[label].agg(["mean", "count"])
    cell = test.join(by_cell, on=["stage_order", "partner_tier"])["mean"]
    stage = test["stage_order"].map(by_stage)
    return cell.fillna(stage).fillna(overall).to_numpy(dtype="float64")


def binary_metrics(
    y: np.ndarray, p: np.ndarray, model_name: str, baseline: str | None, split: str
) -> list[dict]:
    """AUC, Brier, log loss, expected calibration error, and the calibration table (one row per
    probability bin: mean predicted and observed rate, n_rows = rows in the bin)."""
    y = np.asarray(y, dtype="float64")
    p = np.clip(np.asarray(p, dtype="float64"), 1e-6, 1 - 1e-6)
    n = len(y)

    def row(name: str, value: float, count: int) -> dict:
        return {
            "model_name": model_name,
            "metric_name": name,
            "metric_value": float(value),
            "baseline_name": baseline,
            "split_name": split,
            "n_rows": int(count),
        }

    rows = [row("base_rate", y.mean() if n else np.nan, n)]
    if n == 0:
        return rows
    both = len(np.unique(y)) == 2
    rows.append(row("auc", roc_auc_score(y, p) if both else np.nan, n))
    rows.append(row("brier", brier_score_loss(y, p), n))
    rows.append(row("log_loss", log_loss(y, p, labels=[0, 1]), n))
    bins = np.clip(np.digitize(p, CALIBRATION_EDGES[1:-1]), 0, len(CALIBRATION_EDGES) - 2)
    ece = 0.0
    for b in range(len(CALIBRATION_EDGES) - 1):
        m = bins == b
        lo, hi = CALIBRATION_EDGES[b], CALIBRATION_EDGES[b + 1]
        tag = f"{lo:.1f}_{hi:.1f}"
        if not m.any():
            continue
        ece += m.sum() / n * abs(p[m].mean() - y[m].mean())
        rows.append(row(f"calibration_predicted_{tag}", p[m].mean(), int(m.sum())))
        rows.append(row(f"calibration_observed_{tag}", y[m].mean(), int(m.sum())))
    rows.append(row("expected_calibration_error", ece, n))
    return rows


def evaluate(test: pd.DataFrame, train_rows: int | None = None) -> list[dict]:
    """The model and both baselines on the test rows (columns label, win_probability,
    crm_stage_probability, stage_tier_win_rate)."""
    y = test["label"].to_numpy(dtype="float64")
    split = "time_split_test"
    rows = binary_metrics(y, test["win_probability"], MODEL_NAME, None, split)
    rows += binary_metrics(
        y, test["crm_stage_probability"].fillna(0.5), MODEL_NAME, "crm_stage_probability", split
    )
    rows += binary_metrics(y, test["stage_tier_win_rate"], MODEL_NAME, "stage_tier_win_rate", split)
    if train_rows is not None:
        rows.append(train_rows_metric(MODEL_NAME, train_rows))
    return rows


METRIC_COLUMNS = [
    "model_name",
    "metric_name",
    "metric_value",
    "baseline_name",
    "split_name",
    "as_of_date",
    "n_rows",
]


def metrics_frame(rows: list[dict], as_of: date) -> pd.DataFrame:
    """Metric rows as the int_model_metrics__<model> models return them (fct_model_metrics)."""
    out = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    out["as_of_date"] = as_of
    out["n_rows"] = out["n_rows"].astype("int64")
    out["baseline_name"] = out["baseline_name"].astype("object")
    return out[METRIC_COLUMNS]


def train_rows_metric(model_name: str, train_rows: int) -> dict:
    """The metrics row saying how many rows a model was trained on (fct_model_metrics shape)."""
    return {
        "model_name": model_name,
        "metric_name": "train_rows",
        "metric_value": float(train_rows),
        "baseline_name": None,
        "split_name": "time_split_train",
        "n_rows": int(train_rows),
    }


def score(
    feats: pd.DataFrame,
    reporting_date: date,
    cutoff_date: date,
    stage_probability: dict[int, float],
    seed: int = 15,
    rounds: int = 150,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, metrics): rows = the test rows ('test', with both baselines) and the open
    opportunities on the reporting date ('score', with top factors); metrics = binary_metrics of
    the model and both baselines on the test rows."""
    # the warehouse returns rows in any order; LightGBM's bins and sums depend on it
    f = feats.sort_values(["as_of_date", "opportunity_id"], kind="stable").reset_index(drop=True)
    f["label"] = label_win(f)
    day = pd.Timestamp(reporting_date)
    cut = pd.Timestamp(cutoff_date)
    known = f["label"].notna()
    train = f[known & (f["as_of_date"] < cut) & (f["closed_date"] <= cut)]
    test = f[known & (f["as_of_date"] >= cut) & (f["as_of_date"] < day)]
    final_train = f[known & (f["as_of_date"] < day)]
    current = f[f["as_of_date"] == day]
    levels = category_levels(f)
    out, metrics = [], []
    if len(train) and train["label"].nunique() == 2 and len(test):
        eval_model = fit(design(train, levels), train["label"], seed, rounds)
        t = test.copy()
        t["win_probability"] = predict(eval_model, design(t, levels))
        t["crm_stage_probability"] = t["stage_order"].map(stage_probability).astype("float64")
        t["stage_tier_win_rate"] = stage_tier_table(train, "label", t)
        t["split_name"] = "test"
        t["scored_by"] = "model"
        out.append(t)
        metrics += evaluate(t, len(train))
    if len(current):
        c = current.copy()
        c["crm_stage_probability"] = c["stage_order"].map(stage_probability).astype("float64")
        if len(final_train) and final_train["label"].nunique() == 2:
            model = fit(design(final_train, levels), final_train["label"], seed, rounds)
            x = design(c, levels)
            c["win_probability"] = predict(model, x)
            c = pd.concat([c, top_factors(model, x)], axis=1)
            c["stage_tier_win_rate"] = stage_tier_table(final_train, "label", c)
            c["scored_by"] = "model"
        else:  # too little closed history to train on: the CRM's stage probability
            c["win_probability"] = c["crm_stage_probability"]
            c["stage_tier_win_rate"] = c["crm_stage_probability"]
            c["scored_by"] = "crm_stage_probability"
        c["split_name"] = "score"
        out.append(c)
    rows = (
        pd.concat(out, ignore_index=True)
        if out
        else f.iloc[0:0].assign(win_probability=np.nan, split_name="", scored_by="")
    )
    for col in ("top_factor_1", "top_factor_2", "top_factor_3"):
        if col not in rows:
            rows[col] = None
    rows["health_score"] = health_score(rows["win_probability"])
    return rows, pd.DataFrame(metrics)


def health_score(p: pd.Series) -> pd.Series:
    """Win probability as a 1-99 score (rounded percent, clipped)."""
    return (np.round(pd.to_numeric(p, errors="coerce") * 100).clip(1, 99)).astype("Int64")
