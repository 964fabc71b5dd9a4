"""Channel revenue forecast: origin features, the rolling-origin backtest (no origin sees its
future), intervals and the empty-warehouse path, on small synthetic histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orchestration.intelligence import forecast as fc


def _history(quarters: int = 16, seed: int = 3, future: int = 3) -> pd.DataFrame:
    """Segments whose revenue is known: 0.7 x the weighted pipeline at the quarter start plus 0.3 x
    last quarter's revenue, times noise; the last observed quarter is under way."""
    rng = np.random.default_rng(seed)
    starts = pd.period_range("2022Q1", periods=quarters + future, freq="Q")
    rows = []
    for region in ("EMEA", "NA"):
        for tier in ("gold", "silver"):
            previous = 100_000.0
            for i, quarter in enumerate(starts):
                observed = i < quarters
                weighted = rng.uniform(50_000, 300_000) if observed else 0.0
                won = (0.7 * weighted + 0.3 * previous) * rng.uniform(0.8, 1.2) if observed else 0.0
                rows.append(
                    {
                        "quarter_start_date": quarter.start_time.date(),
                        "region": region,
                        "partner_tier": tier,
                        "won_amount": won,
                        "open_pipeline_amount": weighted * 2,
                        "weighted_pipeline_amount": weighted,
                        "is_complete": i < quarters - 1,
                        "has_started": observed,
                    }
                )
                previous = won
    return pd.DataFrame(rows)


SETTINGS = fc.ForecastSettings(horizon_quarters=2)  # two horizons keep the fits (and the tests) few


def test_origin_rows_use_only_the_past_and_leave_unfinished_targets_null() -> None:
    history = _history()
    rows = fc.origin_rows(history)
    seg = history[(history["region"] == "NA") & (history["partner_tier"] == "gold")].reset_index(
        drop=True
    )
    at = rows[
        (rows["region"] == "NA")
        & (rows["partner_tier"] == "gold")
        & (rows["origin"] == pd.Period("2023Q2", "Q"))
    ].set_index("horizon")
    # 2023Q2 is the 6th quarter: last quarter = the 5th's revenue, actual = the target's
    assert at.loc[1, "last_quarter"] == pytest.approx(seg.loc[4, "won_amount"])
    assert at.loc[1, "actual"] == pytest.approx(seg.loc[5, "won_amount"])
    assert at.loc[2, "actual"] == pytest.approx(seg.loc[6, "won_amount"])
    assert at.loc[1, "baseline"] == pytest.approx(seg.loc[5, "weighted_pipeline_amount"])
    assert at.loc[2, ["baseline"]].isna().all()
    # the quarter under way and everything after it have no actual yet
    latest = rows[rows["origin"] == rows["origin"].max()]
    assert latest["actual"].isna().all()
    # origins are quarters that have started: none in the future
    assert rows["origin"].max() == pd.Period("2025Q4", "Q")


def test_backtest_predictions_do_not_change_when_the_future_does() -> None:
    history = _history()
    cut = pd.Timestamp("2024-07-01").date()
    before = fc.backtest(fc.origin_rows(history, SETTINGS), SETTINGS)
    changed = history.copy()
    future = changed["quarter_start_date"] >= cut
    changed.loc[future, "won_amount"] *= 5.0
    changed.loc[future, "weighted_pipeline_amount"] *= 0.1
    after = fc.backtest(fc.origin_rows(changed, SETTINGS), SETTINGS)
    key = ["origin", "horizon", "region", "partner_tier"]
    # every prediction made at an origin before the change is the same (targets may lie after it)
    early = before[before["origin"] < pd.Period(cut, "Q")].set_index(key)
    np.testing.assert_allclose(
        early["prediction"].to_numpy(),
        after.set_index(key).loc[early.index, "prediction"].to_numpy(),
    )
    assert not early.empty and early.index.get_level_values("horizon").max() > 1
    # and an origin at or after the change sees it
    late = before[before["origin"] >= pd.Period(cut, "Q")].set_index(key)
    assert not np.allclose(late["prediction"], after.set_index(key).loc[late.index, "prediction"])


def test_backtest_needs_enough_history_and_beats_the_pipeline_baseline_when_revenue_carries_over() -> (
    None
):
    settings = fc.ForecastSettings(horizon_quarters=2, min_train_quarters=4)
    backtested = fc.backtest(fc.origin_rows(_history()), settings)
    first = backtested.groupby("horizon")["origin"].min()
    # horizon h at origin o trains on targets before o: 4 targets need 4 + h - 1 earlier origins
    assert first[1] == pd.Period("2022Q1", "Q") + 4
    assert first[2] == pd.Period("2022Q1", "Q") + 5
    summary = fc.error_summary(backtested)
    assert summary["model_wape"].mean() < summary["baseline_wape"].mean()
    total = backtested[backtested["region"] == fc.TOTAL]
    segments = backtested[backtested["region"] != fc.TOTAL]
    sums = segments.groupby(["origin", "horizon"])["prediction"].sum()
    np.testing.assert_allclose(
        total.set_index(["origin", "horizon"]).loc[sums.index, "prediction"], sums
    )


def test_intervals_come_from_earlier_errors_only_and_cover_about_their_level() -> None:
    settings = fc.ForecastSettings(horizon_quarters=1, interval_level=0.8, min_interval_errors=8)
    backtested = fc.backtest(fc.origin_rows(_history(quarters=24), settings), settings)
    seg = backtested[(backtested["region"] != fc.TOTAL) & (backtested["horizon"] == 1)]
    first_origin = seg["origin"].min()
    # the first origins have fewer than 8 earlier errors (4 segments each): no interval
    assert seg[seg["origin"] <= first_origin + 1]["lower"].isna().all()
    with_interval = seg.dropna(subset=["lower"])
    assert (with_interval["lower"] <= with_interval["prediction"]).all()
    assert (with_interval["prediction"] <= with_interval["upper"]).all()
    covered = with_interval["actual"].between(with_interval["lower"], with_interval["upper"]).mean()
    assert 0.6 <= covered <= 1.0


def test_forecast_starts_at_the_quarter_under_way_with_intervals_and_won_to_date() -> None:
    history = _history()
    settings = fc.ForecastSettings(horizon_quarters=3)
    backtested = fc.run_backtest(history, settings)
    out = fc.run_forecast(history, backtested, settings)
    total = out[out["region"] == fc.TOTAL].set_index("horizon")
    assert list(total.index) == [1, 2, 3]
    assert (
        str(total.loc[1, "target"]) == "2025-10-01" and str(total.loc[3, "target"]) == "2026-04-01"
    )
    assert total.loc[1, "won_to_date"] > 0 and total.loc[2, "won_to_date"] == 0
    assert pd.notna(total.loc[1, "baseline"]) and pd.isna(total.loc[2, "baseline"])
    assert total.loc[1, "lower"] <= total.loc[1, "prediction"] <= total.loc[1, "upper"]


def test_an_empty_history_gives_empty_frames_with_their_columns() -> None:
    empty = _history().iloc[:0]
    backtested = fc.run_backtest(empty, SETTINGS)
    assert backtested.empty and {"origin", "prediction", "baseline", "lower"} <= set(
        backtested.columns
    )
    out = fc.run_forecast(empty, backtested, SETTINGS)
    assert out.empty and {"target", "prediction", "won_to_date"} <= set(out.columns)


def test_empty_frames_are_typed_for_the_warehouse() -> None:
    backtested = fc.run_backtest(_history().iloc[:0], SETTINGS)
    assert backtested["prediction"].dtype == "float64" and backtested["region"].dtype == "string"
