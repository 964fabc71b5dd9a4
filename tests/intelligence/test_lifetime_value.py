"""Partner lifetime value: the scipy BG/NBD and Gamma-Gamma likelihoods against lifetimes on the
published CDNOW example (Fader, Hardie & Lee 2005; Fader & Hardie 2013), and the partner rules."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from orchestration.intelligence import lifetime_value as lv

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # lifetimes imports pkg_resources
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return load_cdnow_summary(index_col=[0])


@pytest.fixture(scope="module")
def cdnow_monetary() -> pd.DataFrame:
    return load_cdnow_summary_data_with_monetary_value()


def test_bgnbd_reproduces_the_published_cdnow_estimates(cdnow: pd.DataFrame) -> None:
    params = lv.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    # FHL 2005, table 1: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426
    assert round(params.r, 3) == 0.243
    assert round(params.alpha, 3) == 4.414
    assert round(params.a, 3) == 0.793
    assert round(params.b, 3) == 2.426


def test_gamma_gamma_reproduces_the_published_cdnow_estimates(cdnow_monetary: pd.DataFrame) -> None:
    params = lv.fit_gamma_gamma(cdnow_monetary["frequency"], cdnow_monetary["monetary_value"])
    # Fader & Hardie 2013 (and the lifetimes docs): p = 6.25, q = 3.74, v = 15.45
    assert round(params.p, 2) == 6.25
    assert round(params.q, 2) == 3.74
    assert round(params.v, 2) == 15.45


def test_conditional_expectations_match_lifetimes(
    cdnow: pd.DataFrame, cdnow_monetary: pd.DataFrame
) -> None:
    reference = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    ours = lv.BgNbdParams(**{k: float(v) for k, v in reference.params_.items()})
    # a few customers: repeaters, a one-off and never-repeated ones, and a long-silent heavy buyer
    sample = cdnow.iloc[[0, 1, 2, 5, 17, 1515, 2300]]
    args = (sample["frequency"], sample["recency"], sample["T"])
    np.testing.assert_allclose(
        lv.expected_deals(ours, 52.0, *args),
        reference.conditional_expected_number_of_purchases_up_to_time(52.0, *args),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        lv.probability_alive(ours, *args), reference.conditional_probability_alive(*args), rtol=1e-6
    )
    repeaters = cdnow_monetary[cdnow_monetary["frequency"] > 0]
    gg = GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])
    gg_ours = lv.GammaGammaParams(**{k: float(v) for k, v in gg.params_.items()})
    some = cdnow_monetary.iloc[:8]
    np.testing.assert_allclose(
        lv.expected_deal_value(gg_ours, some["frequency"], some["monetary_value"]),
        gg.conditional_expected_average_profit(some["frequency"], some["monetary_value"]),
        rtol=1e-6,
    )


def _deals(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["partner_id", "close_date", "amount"])


def test_rfm_summary_counts_repeat_days_in_weeks_and_ignores_the_future() -> None:
    deals = _deals(
        [
            ("p1", "2026-01-01", 100.0),
            ("p1", "2026-01-15", 300.0),
            ("p1", "2026-01-15", 100.0),  # same day: one repeat worth 400
            ("p1", "2026-03-12", 200.0),
            ("p1", "2026-12-01", 9e9),  # after the as-of date: not seen
            ("p2", "2026-03-26", 50.0),
        ]
    )
    summary = lv.rfm_summary(deals, pd.Timestamp("2026-04-02")).set_index("partner_id")
    assert summary.loc["p1", "frequency"] == 2
    assert summary.loc["p1", "won_deal_count"] == 4
    assert summary.loc["p1", "recency"] == pytest.approx(10.0)
    assert summary.loc["p1", "T"] == pytest.approx(13.0)
    assert summary.loc["p1", "monetary"] == pytest.approx(300.0)  # mean of 400 and 200
    assert summary.loc["p2", "frequency"] == 0 and summary.loc["p2", "monetary"] == 0
    assert summary.loc["p2", "T"] == pytest.approx(1.0)


def _synthetic_partners(n: int, seed: int = 7) -> pd.DataFrame:
    """Partners whose deal rate is known: a steady one, fast ones, and ones that stopped."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for i in range(n):
        rate_per_week = rng.gamma(2.0, 0.1)
        life_weeks = rng.exponential(80.0)
        t, k = 0.0, 0
        while True:
            t += rng.exponential(1 / rate_per_week)
            if t > min(life_weeks, 142.5):
                break
            rows.append((f"p{i:03d}", start + pd.Timedelta(weeks=t), float(rng.gamma(4.0, 2500.0))))
            k += 1
    return pd.DataFrame(rows, columns=["partner_id", "close_date", "amount"])


def test_score_partners_flags_thin_history_and_ranks_active_partners_higher() -> None:
    deals = _synthetic_partners(120)
    summary = lv.rfm_summary(deals, pd.Timestamp("2026-09-30"))
    scored, params = lv.score_partners(summary)
    assert params and set(scored["plv_status"]) <= {"modelled", "thin_history"}
    thin = scored[scored["is_thin_history"]]
    assert (thin["frequency"].lt(1) | thin["T"].lt(13)).all()
    # a partner with many recent deals is more alive and worth more than one silent for a year
    recent = scored[(scored["frequency"] >= 5) & (scored["T"] - scored["recency"] < 6)]
    silent = scored[(scored["frequency"] >= 1) & (scored["T"] - scored["recency"] > 52)]
    assert len(recent) and len(silent)
    assert recent["probability_alive"].min() > silent["probability_alive"].max()
    assert (
        recent["expected_revenue_next_12m"].median() > silent["expected_revenue_next_12m"].median()
    )
    assert (scored["probability_alive"].between(0, 1)).all()


def test_too_few_partners_are_not_fitted_and_score_null() -> None:
    deals = _deals(
        [("p1", "2026-01-01", 10.0), ("p1", "2026-02-01", 10.0), ("p2", "2026-03-01", 5.0)]
    )
    scored, params = lv.score_partners(lv.rfm_summary(deals, pd.Timestamp("2026-06-30")))
    assert params == {}
    assert (scored["plv_status"] == "not_fitted").all()
    assert scored["expected_revenue_next_12m"].isna().all()


def test_holdout_metrics_compare_the_model_with_the_naive_baseline() -> None:
    metrics = lv.holdout_metrics(_synthetic_partners(150), pd.Timestamp("2026-06-30"))
    table = metrics.set_index(["metric_name", metrics["baseline_name"].fillna("model")])[
        "metric_value"
    ]
    assert (
        table[("holdout_deals_mae", "model")] < table[("holdout_deals_mae", "previous_12m_repeats")]
    )
    assert 0.5 < table[("holdout_revenue_total_ratio", "model")] < 1.5


def test_a_warehouse_without_sourced_wins_gives_typed_null_scores() -> None:
    no_deals = _deals([]).astype({"amount": float})
    scored = lv.partner_lifetime_values(
        no_deals, pd.Series(["p1", "p2"]), pd.Timestamp("2026-09-30")
    )
    assert list(scored["plv_status"]) == ["no_sourced_wins"] * 2
    assert (
        scored["expected_revenue_next_12m"].dtype == "float64"
        and scored["expected_revenue_next_12m"].isna().all()
    )
    metrics = lv.holdout_metrics(no_deals, pd.Timestamp("2026-09-30"))
    assert metrics.empty and metrics["metric_value"].dtype == "float64"
