"""The win model on synthetic rows with known effects: it recovers their direction, scores ~0.5 AUC
on shuffled labels, is deterministic, and the time split and metrics behave
(orchestration/intelligence/health.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from orchestration.intelligence import health
from tests.intelligence.frames import synthetic


def _truth(f: pd.DataFrame) -> pd.Series:
    # the simulated world's main effects: certification at creation lifts wins, later stages win
    # more often; plus a long dwell lowers them
    return (
        -1.5
        + 1.2 * f["was_certified_at_creation"]
        + 0.5 * (f["stage_order"] - 3)
        - 0.03 * f["days_in_stage"]
    )


@pytest.fixture(scope="module")
def fitted():
    f = synthetic(4000, 1, _truth)
    f["label"] = f["is_won"].astype(float)
    levels = health.category_levels(f)
    train, test = f.iloc[:3000], f.iloc[3000:]
    model = health.fit(health.design(train, levels), train["label"], seed=15, rounds=100)
    return model, levels, test


def _shift(model, levels, frame, column, value) -> np.ndarray:
    return health.predict(model, health.design(frame.assign(**{column: value}), levels))


def test_the_model_recovers_the_direction_of_the_main_effects(fitted) -> None:
    model, levels, test = fitted
    assert (
        _shift(model, levels, test, "was_certified_at_creation", 1.0)
        - _shift(model, levels, test, "was_certified_at_creation", 0.0)
    ).mean() > 0.1
    assert (
        _shift(model, levels, test, "stage_order", 5.0)
        - _shift(model, levels, test, "stage_order", 1.0)
    ).mean() > 0.1
    assert (
        _shift(model, levels, test, "days_in_stage", 80.0)
        - _shift(model, levels, test, "days_in_stage", 2.0)
    ).mean() < -0.05
    # a feature with no effect moves nothing much
    assert (
        abs(
            (
                _shift(model, levels, test, "touch_count", 2.0)
                - _shift(model, levels, test, "touch_count", -2.0)
            ).mean()
        )
        < 0.05
    )
    auc = roc_auc_score(test["label"], health.predict(model, health.design(test, levels)))
    assert auc > 0.75


def test_on_shuffled_labels_the_model_scores_about_half_auc() -> None:
    f = synthetic(4000, 2, _truth)
    f["label"] = np.random.default_rng(3).permutation(f["is_won"].astype(float).to_numpy())
    levels = health.category_levels(f)
    train, test = f.iloc[:3000], f.iloc[3000:]
    model = health.fit(health.design(train, levels), train["label"], seed=15, rounds=100)
    auc = roc_auc_score(test["label"], health.predict(model, health.design(test, levels)))
    assert abs(auc - 0.5) < 0.06


def test_the_same_rows_give_the_same_scores(fitted) -> None:
    model, levels, test = fitted
    f = synthetic(4000, 1, _truth)
    f["label"] = f["is_won"].astype(float)
    again = health.fit(
        health.design(f.iloc[:3000], levels), f.iloc[:3000]["label"], seed=15, rounds=100
    )
    x = health.design(test, levels)
    assert np.array_equal(health.predict(model, x), health.predict(again, x))


def test_top_factors_name_the_largest_contributions(fitted) -> None:
    model, levels, test = fitted
    tf = health.top_factors(model, health.design(test.iloc[:50], levels))
    assert list(tf.columns) == ["top_factor_1", "top_factor_2", "top_factor_3"]
    firsts = tf["top_factor_1"].str.split(" = ").str[0].value_counts()
    assert firsts.index[0] in {"stage", "certified when the deal was created", "days in stage"}
    assert tf["top_factor_1"].str.contains(r"\([+-]\d\.\d\d\)$").all()


def test_score_splits_by_time_and_scores_only_the_reporting_day() -> None:
    f = synthetic(3000, 4, _truth)
    day = f["as_of_date"].max().date()
    cutoff = date(2024, 7, 1)
    rows, metrics = health.score(f, day, cutoff, {s: 0.2 * s for s in range(1, 6)}, rounds=50)
    test = rows[rows["split_name"] == "test"]
    assert (test["as_of_date"] >= pd.Timestamp(cutoff)).all() and (
        test["as_of_date"] < pd.Timestamp(day)
    ).all()
    score = rows[rows["split_name"] == "score"]
    assert len(score) and (score["as_of_date"] == pd.Timestamp(day)).all()
    assert score["health_score"].between(1, 99).all() and score["top_factor_1"].notna().all()
    got = set(zip(metrics["metric_name"], metrics["baseline_name"].fillna("model"), strict=True))
    for who in ("model", "crm_stage_probability", "stage_tier_win_rate"):
        assert {("auc", who), ("brier", who), ("expected_calibration_error", who)} <= got
    train_rows = metrics.loc[metrics["metric_name"] == "train_rows", "n_rows"].iloc[0]
    assert (
        train_rows
        == (
            (f["as_of_date"] < pd.Timestamp(cutoff)) & (f["closed_date"] <= pd.Timestamp(cutoff))
        ).sum()
    )


def test_binary_metrics_and_the_calibration_table() -> None:
    y = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0.05, 0.15, 0.95, 0.85, 0.55, 0.45])
    m = pd.DataFrame(health.binary_metrics(y, p, "m", None, "s")).set_index("metric_name")
    assert m.loc["auc", "metric_value"] == 1.0
    assert m.loc["brier", "metric_value"] == pytest.approx(np.mean((p - y) ** 2))
    bins = m[m.index.str.startswith("calibration_observed_")]
    assert bins["n_rows"].sum() == len(y)
    assert m.loc["calibration_observed_0.9_1.0", "metric_value"] == 1.0
    assert m.loc["calibration_predicted_0.4_0.5", "metric_value"] == pytest.approx(0.45)


def test_health_score_is_a_rounded_percent_within_1_and_99() -> None:
    s = health.health_score(pd.Series([0.0, 0.004, 0.426, 0.996, 1.0]))
    assert s.tolist() == [1, 1, 43, 99, 99]


def test_stage_tier_table_falls_back_to_the_stage_then_overall() -> None:
    train = pd.DataFrame(
        {
            "stage_order": [1, 1, 2, 2],
            "partner_tier": ["gold", "gold", "gold", "silver"],
            "label": [1.0, 0.0, 1.0, 0.0],
        }
    )
    test = pd.DataFrame(
        {"stage_order": [1, 1, 2, 4], "partner_tier": ["gold", "silver", "silver", "gold"]}
    )
    assert health.stage_tier_table(train, "label", test).tolist() == [0.5, 0.5, 0.0, 0.5]


def test_scores_do_not_depend_on_the_row_order_of_the_feature_rows() -> None:
    f = synthetic(1500, 9, _truth)
    day = f["as_of_date"].max().date()
    args = (day, date(2024, 7, 1), {s: 0.2 * s for s in range(1, 6)})
    a, _ = health.score(f, *args, rounds=30)
    b, _ = health.score(f.sample(frac=1.0, random_state=2), *args, rounds=30)
    pd.testing.assert_frame_equal(a, b)


def test_metrics_rows_take_the_model_metrics_shape_even_when_empty() -> None:
    from datetime import date

    from orchestration.intelligence.health import METRIC_COLUMNS, metrics_frame, train_rows_metric

    empty = metrics_frame([], date(2026, 9, 30))
    assert list(empty.columns) == METRIC_COLUMNS and empty.empty
    one = metrics_frame([train_rows_metric("pipeline_health", 12)], date(2026, 9, 30))
    assert one.loc[0, "as_of_date"] == date(2026, 9, 30) and one.loc[0, "n_rows"] == 12
    assert str(one["n_rows"].dtype) == "int64" and one.loc[0, "baseline_name"] is None
