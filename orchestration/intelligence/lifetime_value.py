"""Partner lifetime value (docs/forecast_plv.md): BG/NBD (Fader, Hardie & Lee 2005) for how many
partner-sourced deals a partner will still win, Gamma-Gamma (Fader & Hardie 2013) for what a deal
is worth, both fitted by maximum likelihood with scipy.

The likelihoods are written here (no ``lifetimes`` at run time: it pins an old setuptools); the
tests check them against ``lifetimes`` on the published CDNOW example. Time is in weeks, as in
CDNOW: ``frequency`` = repeat won deals (distinct close days after the first), ``recency`` = weeks
from the first to the last won deal, ``T`` = weeks from the first won deal to the as-of date,
``monetary`` = mean amount of the repeat won deals (the first deal is the acquisition).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

DAYS_PER_WEEK = 7.0
WEEKS_PER_YEAR = 365.25 / DAYS_PER_WEEK


@dataclass(frozen=True)
class BgNbdParams:
    """BG/NBD: purchase rate ~ Gamma(r, alpha); dropout probability per deal ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParams:
    """Gamma-Gamma: deal value ~ Gamma(p, nu), nu ~ Gamma(q, v) per partner."""

    p: float
    q: float
    v: float


def _as_arrays(*columns: object) -> list[np.ndarray]:
    return [np.asarray(c, dtype=float) for c in columns]


def bgnbd_log_likelihood(
    params: BgNbdParams, frequency: object, recency: object, T: object
) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (FHL 2005, eq. 6, in logs for stability)."""
    x, t_x, t = _as_arrays(frequency, recency, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + t)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return a1 + a2 + np.logaddexp(a3, a4)


def _fit(negative_ll, start: np.ndarray) -> np.ndarray:
    """Minimise over log-parameters (keeps them positive); deterministic (no random start)."""
    result = minimize(negative_ll, start, method="L-BFGS-B")
    result = minimize(
        negative_ll,
        result.x,
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 5000},
    )
    return np.exp(result.x)


def fit_bgnbd(frequency: object, recency: object, T: object) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters."""
    x, t_x, t = _as_arrays(frequency, recency, T)
    scale = max(float(t.max()), 1e-9)  # fit on T scaled to ~1 so alpha starts near its optimum

    def nll(log_params: np.ndarray) -> float:
        r, alpha, a, b = np.exp(log_params)
        ll = bgnbd_log_likelihood(BgNbdParams(r, alpha, a, b), x, t_x / scale, t / scale)
        return -float(np.mean(ll))

    r, alpha, a, b = _fit(nll, np.zeros(4))
    return BgNbdParams(r=float(r), alpha=float(alpha * scale), a=float(a), b=float(b))


def _alive_odds(params: BgNbdParams, x: np.ndarray, t_x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The term d = [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore"):
        log_d = (
            np.log(a)
            - np.log(np.maximum(b + x - 1, 1e-300))
            + (r + x) * (np.log(alpha + t) - np.log(alpha + t_x))
        )
    return np.where(x > 0, np.exp(log_d), 0.0)


def probability_alive(
    params: BgNbdParams, frequency: object, recency: object, T: object
) -> np.ndarray:
    """P(still active | history) (FHL 2005, eq. 12)."""
    x, t_x, t = _as_arrays(frequency, recency, T)
    return 1.0 / (1.0 + _alive_odds(params, x, t_x, t))


def expected_deals(
    params: BgNbdParams, horizon: float, frequency: object, recency: object, T: object
) -> np.ndarray:
    """Expected repeat deals in the next ``horizon`` weeks given the history (FHL 2005, eq. 10)."""
    x, t_x, t = _as_arrays(frequency, recency, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = horizon / (alpha + t + horizon)
    numerator = 1.0 - np.exp((r + x) * np.log((alpha + t) / (alpha + t + horizon))) * hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    return (a + b + x - 1) / (a - 1) * numerator / (1.0 + _alive_odds(params, x, t_x, t))


def gamma_gamma_log_likelihood(
    params: GammaGammaParams, frequency: object, monetary: object
) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean value of ``frequency`` transactions."""
    x, m = _as_arrays(frequency, monetary)
    p, q, v = params.p, params.q, params.v
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )


def fit_gamma_gamma(frequency: object, monetary: object) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters over customers with at least one repeat."""
    x, m = _as_arrays(frequency, monetary)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    scale = float(np.mean(m))  # fit on values scaled to mean 1, then scale v back

    def nll(log_params: np.ndarray) -> float:
        p, q, v = np.exp(log_params)
        return -float(np.mean(gamma_gamma_log_likelihood(GammaGammaParams(p, q, v), x, m / scale)))

    p, q, v = _fit(nll, np.array([0.0, np.log(2.0), 0.0]))
    return GammaGammaParams(p=float(p), q=float(q), v=float(v * scale))


def expected_deal_value(
    params: GammaGammaParams, frequency: object, monetary: object
) -> np.ndarray:
    """E[value of a deal | history]; the population mean p v / (q - 1) for x = 0."""
    x, m = _as_arrays(frequency, monetary)
    p, q, v = params.p, params.q, params.v
    m = np.where(x > 0, m, 0.0)
    return p * (v + x * m) / (p * x + q - 1)


def rfm_summary(deals: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Partner-grain frequency / recency / T / monetary (weeks) from won deals.

    ``deals``: partner_id, close_date, amount (won, partner-sourced, closed on or before
    ``as_of``). Deals closed on the same day count as one (their amounts summed), as lifetimes does.
    Returns partner_id, won_deal_count, frequency, recency, T, monetary, first/last close dates.
    """
    as_of = pd.Timestamp(as_of)
    frame = deals.assign(close_date=pd.to_datetime(deals["close_date"]))
    frame = frame[frame["close_date"] <= as_of]
    columns = [
        "partner_id",
        "won_deal_count",
        "frequency",
        "recency",
        "T",
        "monetary",
        "first_won_date",
        "last_won_date",
        "total_won_amount",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    days = (
        frame.groupby(["partner_id", "close_date"], as_index=False)
        .agg(amount=("amount", "sum"), deals=("amount", "size"))
        .sort_values(["partner_id", "close_date"], kind="mergesort")
    )
    days["is_repeat"] = days.groupby("partner_id").cumcount() > 0
    summary = days.groupby("partner_id").agg(
        won_deal_count=("deals", "sum"),
        frequency=("is_repeat", "sum"),
        first_won_date=("close_date", "min"),
        last_won_date=("close_date", "max"),
        total_won_amount=("amount", "sum"),
    )
    repeat = days[days["is_repeat"]].groupby("partner_id")["amount"].mean()
    summary["monetary"] = repeat.reindex(summary.index).fillna(0.0)
    summary["recency"] = (
        summary["last_won_date"] - summary["first_won_date"]
    ).dt.days / DAYS_PER_WEEK
    summary["T"] = (as_of - summary["first_won_date"]).dt.days / DAYS_PER_WEEK
    summary["frequency"] = summary["frequency"].astype(int)
    return summary.reset_index()[columns]


@dataclass(frozen=True)
class PlvSettings:
    """Rules for partners with too little history and for fitting at all (docs/forecast_plv.md)."""

    horizon_weeks: float = WEEKS_PER_YEAR
    min_history_weeks: float = 13.0  # a partner whose first won deal is younger is flagged thin
    min_repeat_partners: int = 5  # fewer partners with a repeat deal than this: no fit at all


def score_partners(
    summary: pd.DataFrame, settings: PlvSettings = PlvSettings()
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Fit both models on ``summary`` (rfm_summary) and score every partner in it.

    Adds expected_deals_next_12m, expected_deal_value, expected_revenue_next_12m,
    probability_alive, is_thin_history, plv_status; returns the fitted parameters as a dict (empty
    and every score null when there are too few repeat partners to fit: plv_status 'not_fitted').
    """
    scored = summary.copy()
    scored["is_thin_history"] = (scored["frequency"] < 1) | (
        scored["T"] < settings.min_history_weeks
    )
    repeaters = scored[(scored["frequency"] > 0) & (scored["monetary"] > 0)]
    if (
        len(repeaters) < settings.min_repeat_partners
        or len(scored) < 2 * settings.min_repeat_partners
    ):
        for column in (
            "expected_deals_next_12m",
            "expected_deal_value",
            "expected_revenue_next_12m",
            "probability_alive",
        ):
            scored[column] = np.nan
        scored["plv_status"] = "not_fitted"
        return scored, {}
    bg = fit_bgnbd(scored["frequency"], scored["recency"], scored["T"])
    gg = fit_gamma_gamma(repeaters["frequency"], repeaters["monetary"])
    args = (scored["frequency"], scored["recency"], scored["T"])
    scored["expected_deals_next_12m"] = expected_deals(bg, settings.horizon_weeks, *args)
    scored["probability_alive"] = probability_alive(bg, *args)
    scored["expected_deal_value"] = expected_deal_value(gg, scored["frequency"], scored["monetary"])
    scored["expected_revenue_next_12m"] = (
        scored["expected_deals_next_12m"] * scored["expected_deal_value"]
    )
    scored["plv_status"] = np.where(scored["is_thin_history"], "thin_history", "modelled")
    params = {
        "bgnbd_r": bg.r,
        "bgnbd_alpha": bg.alpha,
        "bgnbd_a": bg.a,
        "bgnbd_b": bg.b,
        "gamma_gamma_p": gg.p,
        "gamma_gamma_q": gg.q,
        "gamma_gamma_v": gg.v,
    }
    return scored, params


def holdout_metrics(
    deals: pd.DataFrame, as_of: pd.Timestamp, settings: PlvSettings = PlvSettings()
) -> pd.DataFrame:
    """Calibration/holdout check: fit on deals up to as_of - horizon, predict each partner's deals
    and revenue in the horizon after it, compare with what they won. Baseline: each partner repeats
    its previous horizon (deals and revenue of the year before the cut-off).

    Returns metric rows: metric_name, metric_value, baseline_name (None = the model), n_rows.
    """
    as_of = pd.Timestamp(as_of)
    cutoff = as_of - pd.Timedelta(days=settings.horizon_weeks * DAYS_PER_WEEK)
    frame = deals.assign(close_date=pd.to_datetime(deals["close_date"]))
    calibration = rfm_summary(frame, cutoff)
    scored, params = score_partners(calibration, settings)
    if not params:
        return pd.DataFrame(
            {"metric_name": pd.Series(dtype="string"), "metric_value": pd.Series(dtype="float64"),
             "baseline_name": pd.Series(dtype="string"), "n_rows": pd.Series(dtype="int64")}
        )  # fmt: skip
    after = frame[(frame["close_date"] > cutoff) & (frame["close_date"] <= as_of)]
    before = frame[
        (frame["close_date"] > cutoff - (as_of - cutoff)) & (frame["close_date"] <= cutoff)
    ]
    ids = scored["partner_id"]
    actual_deals = after.groupby("partner_id").size().reindex(ids).fillna(0).to_numpy()
    actual_revenue = after.groupby("partner_id")["amount"].sum().reindex(ids).fillna(0).to_numpy()
    naive_deals = before.groupby("partner_id").size().reindex(ids).fillna(0).to_numpy()
    naive_revenue = before.groupby("partner_id")["amount"].sum().reindex(ids).fillna(0).to_numpy()
    # expected_deals counts repeat deals (distinct days); compare in the same unit with deals
    model_deals = scored["expected_deals_next_12m"].to_numpy()
    model_revenue = scored["expected_revenue_next_12m"].to_numpy()
    n = len(ids)
    rows = []
    for name, predicted_deals, predicted_revenue in (
        (None, model_deals, model_revenue),
        ("previous_12m_repeats", naive_deals, naive_revenue),
    ):
        rows += [
            ("holdout_deals_mae", float(np.mean(np.abs(predicted_deals - actual_deals))), name, n),
            (
                "holdout_revenue_mae",
                float(np.mean(np.abs(predicted_revenue - actual_revenue))),
                name,
                n,
            ),
            (
                "holdout_revenue_total_ratio",
                float(predicted_revenue.sum() / actual_revenue.sum())
                if actual_revenue.sum() > 0
                else np.nan,
                name,
                n,
            ),
            (
                "holdout_revenue_correlation",
                float(np.corrcoef(predicted_revenue, actual_revenue)[0, 1])
                if np.std(predicted_revenue) > 0 and np.std(actual_revenue) > 0
                else np.nan,
                name,
                n,
            ),
        ]
    rows += [(f"param_{k}", v, None, n) for k, v in params.items()]
    return pd.DataFrame(rows, columns=["metric_name", "metric_value", "baseline_name", "n_rows"])


def settings_from_config(get) -> PlvSettings:
    """PlvSettings from a dbt Python model's config (``dbt.config.get``), defaults where unset."""
    defaults = PlvSettings()
    return PlvSettings(
        horizon_weeks=float(get("horizon_weeks") or defaults.horizon_weeks),
        min_history_weeks=float(get("min_history_weeks") or defaults.min_history_weeks),
        min_repeat_partners=int(get("min_repeat_partners") or defaults.min_repeat_partners),
    )


def partner_lifetime_values(
    deals: pd.DataFrame,
    partner_ids: pd.Series,
    as_of: pd.Timestamp,
    settings: PlvSettings = PlvSettings(),
) -> pd.DataFrame:
    """One row per partner of ``partner_ids``: its RFM summary and scores; partners without a
    partner-sourced won deal get plv_status 'no_sourced_wins' and null scores."""
    summary = rfm_summary(deals, as_of)
    scored, _ = score_partners(summary, settings) if len(summary) else (summary, {})
    frame = pd.DataFrame({"partner_id": sorted(set(partner_ids.dropna()))}).merge(
        scored, on="partner_id", how="left"
    )
    frame["plv_status"] = (
        frame["plv_status"].fillna("no_sourced_wins")
        if "plv_status" in frame
        else "no_sourced_wins"
    )
    frame["won_deal_count"] = pd.to_numeric(frame["won_deal_count"]).fillna(0).astype("int64")
    frame["frequency"] = pd.to_numeric(frame["frequency"]).fillna(0).astype("int64")
    frame["is_thin_history"] = frame["plv_status"] != "modelled"
    for column in (
        "expected_deals_next_12m",
        "expected_deal_value",
        "expected_revenue_next_12m",
        "probability_alive",
    ):
        if column not in frame:
            frame[column] = np.nan
    frame["as_of_date"] = pd.Timestamp(as_of).date()
    floats = ["recency", "T", "monetary", "total_won_amount", "expected_deals_next_12m",
              "expected_deal_value", "expected_revenue_next_12m", "probability_alive"]  # fmt: skip
    frame = frame.astype(
        {**dict.fromkeys(floats, "float64"), "plv_status": "string", "is_thin_history": bool}
    )
    for column in ("first_won_date", "last_won_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame.rename(
        columns={
            "recency": "recency_weeks",
            "T": "tenure_weeks",
            "monetary": "mean_repeat_won_amount",
        }
    )
