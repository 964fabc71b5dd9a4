"""Channel revenue forecast by quarter, region and tier (docs/forecast_plv.md).

Input: the quarterly history of int_channel_revenue_quarters (won channel revenue per quarter and
segment, and the pipeline open on the quarter's first day). From each origin (a quarter's first
day) the model forecasts the revenue of the quarter starting there (horizon 1) and of the next
ones (horizons 2..H), from what is known that day only: the stage-weighted open pipeline and last
quarter's revenue. One median (least-absolute-error) linear regression per horizon without
intercept (scikit-learn QuantileRegressor(quantile=0.5), solved exactly by HiGHS: deterministic,
needs little data, each coefficient reads as "revenue per dollar of weighted pipeline / of last
quarter's revenue", and the absolute loss is the one WAPE and MAPE score). Richer feature sets
(unweighted pipeline, four-quarter mean, same quarter last year) and least squares or gradient
boosting scored worse on the backtest (docs/forecast_plv.md).

Backtest: rolling origin. At each origin the model is refitted on the (origin, horizon) rows whose
target quarter had ended before that origin, so no origin sees its future; the baseline is the
stage-weighted pipeline at the origin (sum of amount x stage probability, horizon 1 only).
Prediction intervals are empirical quantiles of the relative backtest errors of earlier origins
(same horizon, segment or total level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import QuantileRegressor

FEATURES = ("weighted_pipeline", "last_quarter")
SEGMENT = ("region", "partner_tier")
TOTAL = "all"


@dataclass(frozen=True)
class ForecastSettings:
    """Horizons, how much history a fit needs, and the interval level."""

    horizon_quarters: int = 4
    min_train_quarters: int = 4  # distinct target quarters a fit needs; earlier origins are skipped
    interval_level: float = 0.8
    min_interval_errors: int = 8  # fewer earlier errors than this: no interval (null)


def _quarter(values: pd.Series) -> pd.Series:
    return pd.PeriodIndex(pd.to_datetime(values), freq="Q").to_series(index=values.index)


def origin_rows(
    history: pd.DataFrame, settings: ForecastSettings = ForecastSettings()
) -> pd.DataFrame:
    """One row per segment, origin and horizon with the features known at the origin, the
    baseline (horizon 1) and the actual revenue of the target quarter (null until it has ended).

    ``history``: quarter_start_date, region, partner_tier, won_amount, open_pipeline_amount,
    weighted_pipeline_amount, is_complete, has_started (one row per quarter and segment).
    """
    frame = history.assign(quarter=_quarter(history["quarter_start_date"]))
    quarters = pd.period_range(frame["quarter"].min(), frame["quarter"].max(), freq="Q")
    segments = frame[list(SEGMENT)].drop_duplicates().sort_values(list(SEGMENT))
    grid = segments.merge(pd.DataFrame({"quarter": quarters}), how="cross")
    frame = grid.merge(
        frame.drop(columns="quarter_start_date"), on=[*SEGMENT, "quarter"], how="left"
    )
    complete = set(
        history.loc[history["is_complete"].astype(bool), "quarter_start_date"].pipe(_quarter)
    )
    started = set(
        history.loc[history["has_started"].astype(bool), "quarter_start_date"].pipe(_quarter)
    )
    frame = frame.sort_values([*SEGMENT, "quarter"], kind="mergesort").reset_index(drop=True)
    frame["won_amount"] = frame["won_amount"].fillna(0.0)
    won = frame.set_index([*SEGMENT, "quarter"])["won_amount"]
    by_segment = frame.groupby(list(SEGMENT), sort=False)["won_amount"]
    frame["last_quarter"] = by_segment.shift(1).fillna(0.0)
    rows = []
    for h in range(1, settings.horizon_quarters + 1):
        part = frame[frame["quarter"].isin(started)].copy()
        part["origin"] = part["quarter"]
        part["target"] = part["origin"] + (h - 1)
        part["horizon"] = h
        target_keys = list(zip(*(part[c] for c in SEGMENT), part["target"], strict=True))
        actual = won.reindex(target_keys).to_numpy()
        part["actual"] = np.where(part["target"].isin(complete), actual, np.nan)
        part["baseline"] = part["weighted_pipeline_amount"].fillna(0.0) if h == 1 else np.nan
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    out["weighted_pipeline"] = out["weighted_pipeline_amount"].fillna(0.0)
    out["open_pipeline"] = out["open_pipeline_amount"].fillna(0.0)
    columns = [
        *SEGMENT,
        "origin",
        "target",
        "horizon",
        *FEATURES,
        "open_pipeline",
        "baseline",
        "actual",
    ]
    return (
        out[columns]
        .sort_values(["origin", "horizon", *SEGMENT], kind="mergesort")
        .reset_index(drop=True)
    )


def _fit_predict(train: pd.DataFrame, score: pd.DataFrame) -> np.ndarray:
    model = QuantileRegressor(quantile=0.5, alpha=0.0, fit_intercept=False, solver="highs")
    model.fit(train[list(FEATURES)].to_numpy(), train["actual"].to_numpy())
    return np.maximum(model.predict(score[list(FEATURES)].to_numpy()), 0.0)


def _known_at(rows: pd.DataFrame, origin: pd.Period, horizon: int) -> pd.DataFrame:
    """Training rows an origin may see: same horizon, target quarter ended before the origin."""
    return rows[(rows["horizon"] == horizon) & (rows["target"] < origin) & rows["actual"].notna()]


def _with_totals(frame: pd.DataFrame) -> pd.DataFrame:
    value_columns = [c for c in ("actual", "baseline", "prediction", "won_to_date") if c in frame]
    totals = (
        frame.groupby(["origin", "target", "horizon"], as_index=False)[value_columns]
        .sum(min_count=1)
        .assign(region=TOTAL, partner_tier=TOTAL)
    )
    return pd.concat([frame, totals], ignore_index=True)


def _relative_errors(frame: pd.DataFrame) -> pd.Series:
    usable = frame[(frame["prediction"] > 0) & frame["actual"].notna()]
    return usable["actual"] / usable["prediction"] - 1.0


def _interval(
    prediction: pd.Series, errors: pd.Series, settings: ForecastSettings
) -> tuple[pd.Series, pd.Series]:
    if len(errors) < settings.min_interval_errors:
        nan = pd.Series(np.nan, index=prediction.index)
        return nan, nan
    tail = (1.0 - settings.interval_level) / 2.0
    low, high = np.quantile(errors.to_numpy(), [tail, 1.0 - tail])
    return (prediction * (1.0 + low)).clip(lower=0.0), (prediction * (1.0 + high)).clip(lower=0.0)


def backtest(rows: pd.DataFrame, settings: ForecastSettings = ForecastSettings()) -> pd.DataFrame:
    """Rolling-origin backtest over every origin with enough history and a finished target.

    Returns one row per origin, target quarter, horizon and segment (plus the 'all' total) with
    actual, prediction, baseline (horizon 1) and the interval built from earlier origins' errors.
    """
    scored = []
    for origin in sorted(rows["origin"].unique()):
        for h in range(1, settings.horizon_quarters + 1):
            test = rows[
                (rows["origin"] == origin) & (rows["horizon"] == h) & rows["actual"].notna()
            ]
            train = _known_at(rows, origin, h)
            if test.empty or train["target"].nunique() < settings.min_train_quarters:
                continue
            scored.append(test.assign(prediction=_fit_predict(train, test)))
    columns = [
        *SEGMENT,
        "origin",
        "target",
        "horizon",
        "actual",
        "prediction",
        "baseline",
        "lower",
        "upper",
    ]
    if not scored:
        return pd.DataFrame(columns=columns)
    frame = _with_totals(
        pd.concat(scored, ignore_index=True)[
            [*SEGMENT, "origin", "target", "horizon", "actual", "prediction", "baseline"]
        ]
    )
    frame["is_total"] = frame["region"] == TOTAL
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    for (origin, h, is_total), part in frame.groupby(["origin", "horizon", "is_total"], sort=True):
        earlier = frame[
            (frame["origin"] < origin) & (frame["horizon"] == h) & (frame["is_total"] == is_total)
        ]
        low, high = _interval(part["prediction"], _relative_errors(earlier), settings)
        frame.loc[part.index, "lower"] = low
        frame.loc[part.index, "upper"] = high
    return (
        frame[columns]
        .sort_values(["origin", "horizon", *SEGMENT], kind="mergesort")
        .reset_index(drop=True)
    )


def forecast(
    rows: pd.DataFrame,
    backtested: pd.DataFrame,
    history: pd.DataFrame,
    settings: ForecastSettings = ForecastSettings(),
) -> pd.DataFrame:
    """Forecast from the latest origin (the first day of the quarter holding the day after the reporting date)
    for each horizon, with intervals from all backtest errors of that horizon and level.

    Returns segment rows and the 'all' totals: origin, target, horizon, prediction, lower, upper,
    baseline (horizon 1) and won_to_date (revenue already won in a target quarter under way).
    """
    columns = [
        *SEGMENT,
        "origin",
        "target",
        "horizon",
        "prediction",
        "lower",
        "upper",
        "baseline",
        "won_to_date",
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    origin = rows["origin"].max()
    won = history.assign(quarter=_quarter(history["quarter_start_date"])).set_index(
        [*SEGMENT, "quarter"]
    )["won_amount"]
    parts = []
    for h in range(1, settings.horizon_quarters + 1):
        score = rows[(rows["origin"] == origin) & (rows["horizon"] == h)]
        train = _known_at(rows, origin, h)
        if score.empty or train["target"].nunique() < settings.min_train_quarters:
            continue
        keys = list(zip(*(score[c] for c in SEGMENT), score["target"], strict=True))
        parts.append(
            score.assign(
                prediction=_fit_predict(train, score),
                won_to_date=won.reindex(keys).fillna(0.0).to_numpy(),
            )
        )
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = _with_totals(
        pd.concat(parts, ignore_index=True)[
            [*SEGMENT, "origin", "target", "horizon", "prediction", "baseline", "won_to_date"]
        ]
    )
    frame["lower"] = np.nan
    frame["upper"] = np.nan
    bt_total = backtested["region"] == TOTAL if not backtested.empty else pd.Series(dtype=bool)
    for (h, is_total), part in frame.groupby([frame["horizon"], frame["region"] == TOTAL]):
        errors = (
            _relative_errors(backtested[(backtested["horizon"] == h) & (bt_total == is_total)])
            if not backtested.empty
            else pd.Series(dtype=float)
        )
        low, high = _interval(part["prediction"], errors, settings)
        frame.loc[part.index, "lower"] = low
        frame.loc[part.index, "upper"] = high
    return (
        frame[columns].sort_values(["horizon", *SEGMENT], kind="mergesort").reset_index(drop=True)
    )


def error_summary(backtested: pd.DataFrame) -> pd.DataFrame:
    """MAPE and WAPE of the model and the baseline per target quarter (horizon 1, segment level),
    with interval coverage: the table behind the backtest page and docs."""
    frame = backtested[(backtested["horizon"] == 1) & (backtested["region"] != TOTAL)]
    rows = []
    for target, part in frame.groupby("target", sort=True):
        positive = part[part["actual"] > 0]
        row = {"target": target, "n_segments": len(part), "actual": part["actual"].sum()}
        for name, column in (("model", "prediction"), ("baseline", "baseline")):
            errors = (part[column] - part["actual"]).abs()
            row[f"{name}_wape"] = (
                errors.sum() / part["actual"].sum() if part["actual"].sum() > 0 else np.nan
            )
            row[f"{name}_mape"] = (
                ((positive[column] - positive["actual"]).abs() / positive["actual"]).mean()
                if len(positive)
                else np.nan
            )
        rows.append(row)
    return pd.DataFrame(rows)


def settings_from_config(get) -> ForecastSettings:
    """ForecastSettings from a dbt Python model's config (``dbt.config.get``; the yml sets them
    from dbt vars), defaults where unset."""
    defaults = ForecastSettings()
    return ForecastSettings(
        horizon_quarters=int(get("horizon_quarters") or defaults.horizon_quarters),
        min_train_quarters=int(get("min_train_quarters") or defaults.min_train_quarters),
        interval_level=float(get("interval_level") or defaults.interval_level),
    )


DTYPES = {
    "region": "string", "partner_tier": "string", "horizon": "int64", "actual": "float64",
    "prediction": "float64", "baseline": "float64", "lower": "float64", "upper": "float64",
    "won_to_date": "float64",
}  # fmt: skip


def _to_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Periods as their first day (the marts' quarter_start_date convention); every column typed,
    so an empty frame still gives typed warehouse columns."""
    out = frame.astype({k: v for k, v in DTYPES.items() if k in frame.columns})
    for column in ("origin", "target"):
        out[column] = (
            pd.to_datetime(
                [p.start_time if isinstance(p, pd.Period) else pd.NaT for p in out[column]]
            ).date
            if len(out)
            else pd.Series([], dtype="datetime64[ns]")
        )
    return out


def _to_periods(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in ("origin", "target"):
        out[column] = _quarter(out[column]) if len(out) else pd.Series([], dtype="period[Q-DEC]")
    return out


def run_backtest(
    history: pd.DataFrame, settings: ForecastSettings = ForecastSettings()
) -> pd.DataFrame:
    """The backtest of int_channel_forecast_backtest, origin/target as dates; empty history
    (no credited deals yet) gives an empty frame with the columns."""
    if history.empty:
        return _to_dates(backtest(pd.DataFrame(columns=["origin"]), settings))
    return _to_dates(backtest(origin_rows(history, settings), settings))


def run_forecast(
    history: pd.DataFrame, backtested: pd.DataFrame, settings: ForecastSettings = ForecastSettings()
) -> pd.DataFrame:
    """The forecast of int_channel_forecast from the history and the backtest (dates in, dates out)."""
    if history.empty:
        return _to_dates(forecast(pd.DataFrame(), backtested, history, settings))
    bt = _to_periods(backtested)
    for column in ("actual", "prediction", "baseline", "lower", "upper"):
        bt[column] = pd.to_numeric(bt[column])
    bt["horizon"] = bt["horizon"].astype(int)
    return _to_dates(forecast(origin_rows(history, settings), bt, history, settings))
