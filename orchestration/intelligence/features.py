"""Point-in-time features of open partner opportunities (docs/pipeline_health.md#features).

One row per (opportunity, as-of day): the partner opportunities open at the end of that day, on a
grid of days every `every_days` back from the reporting date. Every feature is read as of the
row's `as_of_date` through `asof_join`, which keeps the date of the source row it used in a
`_src__<name>` column; `assert_point_in_time` fails when any of them is later than the as-of day,
so a feature computed from the future cannot reach a model. Feeds other than the CRM are optional:
pass None (or an empty frame) and their features are null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

SRC = "_src__"
WIN_RATE_PRIOR_WEIGHT = (
    5.0  # closed deals' worth of the overall rate a partner's own rate starts from
)

# model feature -> readable label (top factors on the page); the order is the model's column order
FEATURES: dict[str, str] = {
    "stage_order": "stage",
    "days_in_stage": "days in stage",
    "stage_dwell_ratio": "days in stage vs partner's usual",
    "opportunity_age_days": "deal age (days)",
    "registration_age_days": "registration age (days)",
    "touch_count": "partner touches",
    "days_since_activity": "days since last stage change or touch",
    "days_since_partner_activity": "days since partner's last touch (any deal)",
    "days_since_partner_content_use": "days since partner used content",
    "partner_tier": "partner tier",
    "has_valid_certification": "partner certified today",
    "has_product_certification": "certified for the product line",
    "was_certified_at_creation": "certified when the deal was created",
    "partner_win_rate": "partner's win rate",
    "partner_product_win_rate": "partner's win rate on the product line",
    "partner_cycle_days": "partner's usual cycle (days)",
    "mdf_approved_365d": "MDF approved, last 365 days",
    "log_amount": "deal size (log)",
    "product_line": "product line",
    "deal_source": "deal source",
    "region": "region",
}
CATEGORICAL = ("partner_tier", "product_line", "deal_source", "region")


class LeakageError(AssertionError):
    """A feature was computed from a source row dated after the as-of day."""


@dataclass(frozen=True)
class Sources:
    """The marts the features read (pandas frames); LMS / TCMA / finance ones may be None."""

    opportunities: pd.DataFrame  # fct_opportunities
    stage_changes: pd.DataFrame  # fct_opportunity_stage_changes
    touches: pd.DataFrame  # fct_partner_touches
    products: pd.DataFrame  # dim_products
    partners: pd.DataFrame  # dim_partners
    tiers: pd.DataFrame  # dim_partner_tier_history
    certifications: pd.DataFrame | None = None  # fct_certifications (LMS)
    courses: pd.DataFrame | None = None  # dim_courses (LMS)
    content_usage: pd.DataFrame | None = None  # fct_content_usage (TCMA)
    mdf_requests: pd.DataFrame | None = None  # fct_mdf_requests (finance)


def _empty(frame: pd.DataFrame | None) -> bool:
    return frame is None or len(frame) == 0


def _dates(s: pd.Series) -> pd.Series:
    """Days as datetime64[ns] (midnight, naive UTC): one dtype for every as-of join."""
    d = pd.to_datetime(s, errors="coerce")
    if isinstance(d.dtype, pd.DatetimeTZDtype):
        d = d.dt.tz_convert("UTC").dt.tz_localize(None)
    d = d.where(d < pd.Timestamp("2200-01-01"))  # open-ended "9999-12-31" -> NaT (ns range)
    return d.dt.normalize().astype("datetime64[ns]")


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days.astype("float64")


def snapshot_dates(reporting_date: date, first_date: date, every_days: int) -> list[date]:
    """The as-of grid: the reporting date and every `every_days` before it, back to first_date."""
    out, d = [], reporting_date
    while d >= first_date:
        out.append(d)
        d -= timedelta(days=every_days)
    return sorted(out)


def asof_join(
    left: pd.DataFrame,
    right: pd.DataFrame,
    right_date: str,
    by: list[str],
    name: str,
    left_date: str = "as_of_date",
) -> pd.DataFrame:
    """Each left row with the latest right row (per `by`) dated <= its left_date; the right row's
    date is kept as `_src__<name>` for the leakage guard."""
    r = right.dropna(subset=[right_date]).copy()
    r[right_date] = r[right_date].astype("datetime64[ns]")
    r[SRC + name] = r[right_date]
    # a full sort: among rows with the same key and date, the one picked (the last) must not
    # depend on the order the warehouse returned them in
    r = r.sort_values(
        [right_date, *by, *[c for c in r.columns if c not in (right_date, *by)]], kind="stable"
    )
    lhs = left.reset_index(drop=True).copy()
    lhs["_row"] = np.arange(len(lhs))
    lhs[left_date] = lhs[left_date].astype("datetime64[ns]")
    lhs = lhs.sort_values([left_date, "_row"], kind="stable")
    if right_date != left_date:
        r = r.rename(columns={right_date: "_rdate_" + name})
        right_date = "_rdate_" + name
    out = pd.merge_asof(
        lhs,
        r,
        left_on=left_date,
        right_on=right_date,
        by=by or None,
        direction="backward",
        allow_exact_matches=True,
    )
    return (
        out.sort_values("_row", kind="stable")
        .drop(columns=["_row", right_date])
        .reset_index(drop=True)
    )


def assert_point_in_time(frame: pd.DataFrame, as_of: str = "as_of_date") -> None:
    """Raise LeakageError when a source row behind any feature is dated after the as-of day."""
    for col in [c for c in frame.columns if c.startswith(SRC)]:
        late = frame[col].notna() & (frame[col] > frame[as_of])
        if late.any():
            row = frame.loc[late].iloc[0]
            raise LeakageError(
                f"feature source {col[len(SRC) :]!r} dated {row[col]} is after the as-of day "
                f"{row[as_of]} ({int(late.sum())} rows)"
            )


def _opportunities(src: Sources) -> pd.DataFrame:
    o = src.opportunities
    o = o[o["partner_id"].notna()].copy()
    o["created_date"] = _dates(o["created_date"])
    o["close_date"] = _dates(o["close_date"])
    o["registration_date"] = _dates(o["registration_submitted_at"])
    prod = src.products[["product_id", "product_line"]]
    o = o.merge(prod, on="product_id", how="left")
    o = o.merge(src.partners[["partner_id", "region"]], on="partner_id", how="left")
    o["closed_date"] = o["close_date"].where(o["is_closed"].astype(bool))
    # the CRM's current stage: what an export without stage history still says (_stage_features)
    o["current_stage_order"] = (
        pd.to_numeric(o["stage_order"], errors="coerce") if "stage_order" in o else np.nan
    )
    return o


def open_snapshots(opps: pd.DataFrame, dates: list[date]) -> pd.DataFrame:
    """Opportunities open at the end of each day: created by then, not closed by then (each deal
    is repeated over its own open days only, never a full cross join)."""
    cols = [
        "opportunity_id",
        "partner_id",
        "product_line",
        "deal_source",
        "region",
        "amount",
        "created_date",
        "registration_date",
        "closed_date",
        "is_won",
        "current_stage_order",
    ]
    grid = pd.to_datetime(pd.Series(sorted(dates))).astype("datetime64[ns]").to_numpy()
    o = opps[cols].reset_index(drop=True)
    created = o["created_date"].astype("datetime64[ns]").to_numpy()
    closed = o["closed_date"].astype("datetime64[ns]").to_numpy()
    first = np.searchsorted(grid, created, side="left")  # first day >= created
    end = np.where(
        np.isnat(closed), len(grid), np.searchsorted(grid, closed, side="left")
    )  # days < closed
    count = np.clip(end - first, 0, None)
    rows = np.repeat(np.arange(len(o)), count)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    snap = o.iloc[rows].reset_index(drop=True)
    snap.insert(0, "as_of_date", grid[np.repeat(first, count) + offset] if len(rows) else grid[:0])
    snap = snap.sort_values(["as_of_date", "opportunity_id"], kind="stable")
    return snap.reset_index(drop=True)


def _cumulative(
    frame: pd.DataFrame, date_col: str, by: list[str], values: dict[str, str]
) -> pd.DataFrame:
    """Per `by`, the running sums of `values` (new name -> column) at each date (last row per date)."""
    f = frame.sort_values([*by, date_col, *values.values()], kind="stable").copy()
    g = f.groupby(by, sort=False) if by else None
    for new, col in values.items():
        f[new] = g[col].cumsum() if by else f[col].cumsum()
    keep = [*by, date_col, *values]
    return f[keep].drop_duplicates([*by, date_col], keep="last")


def _stage_features(
    snap: pd.DataFrame, src: Sources, opps: pd.DataFrame, current_day: pd.Timestamp
) -> pd.DataFrame:
    """Stage, days in it and the dwell against the partner's usual, from the stage history.

    A deal the history does not cover (an export with no stage history, such as a Salesforce
    Opportunity export without OpportunityHistory) takes the CRM's current stage on `current_day`
    only, the day the export describes, with days in stage unknown; on earlier days its stage is
    unknown, since today's stage says nothing about the past. `stage_source` says which:
    'stage_history', 'current_stage' or null (docs/pipeline_health.md#features)."""
    sc = src.stage_changes[
        [
            "opportunity_id",
            "stage_order",
            "stage_entered_date",
            "stage_dwell_days",
            "is_closing_stage",
            "stage_exited_at",
        ]
    ].copy()
    sc["stage_entered_date"] = _dates(sc["stage_entered_date"])
    sc["stage_exited_date"] = _dates(sc["stage_exited_at"])
    open_sc = sc[~sc["is_closing_stage"].astype(bool)]
    cur = open_sc[["opportunity_id", "stage_entered_date", "stage_order"]].rename(
        columns={"stage_order": "stage_order_now"}
    )
    snap = asof_join(snap, cur, "stage_entered_date", ["opportunity_id"], "stage")
    snap["stage_order"] = snap.pop("stage_order_now").astype("float64")
    snap["days_in_stage"] = _days(snap["as_of_date"], snap[SRC + "stage"])
    from_history = snap["stage_order"].notna()
    fallback = (
        ~from_history & (snap["as_of_date"] == current_day) & snap["current_stage_order"].notna()
    )
    snap.loc[fallback, "stage_order"] = snap.loc[fallback, "current_stage_order"]
    snap[SRC + "current_stage"] = pd.Series(current_day, index=snap.index).where(fallback)
    snap["stage_source"] = np.select(
        [from_history, fallback], ["stage_history", "current_stage"], default=None
    )
    snap = snap.drop(columns=["current_stage_order"])
    # the partner's own baseline: mean dwell of its deals' stages exited by the day
    exits = open_sc.dropna(subset=["stage_exited_date"]).merge(
        opps[["opportunity_id", "partner_id"]], on="opportunity_id"
    )
    exits = exits.assign(one=1.0, dwell=exits["stage_dwell_days"].astype("float64"))
    by_partner = _cumulative(
        exits,
        "stage_exited_date",
        ["partner_id", "stage_order"],
        {"p_dwell_sum": "dwell", "p_dwell_n": "one"},
    )
    overall = _cumulative(
        exits, "stage_exited_date", ["stage_order"], {"g_dwell_sum": "dwell", "g_dwell_n": "one"}
    )
    snap["stage_order"] = snap["stage_order"].fillna(-1).astype("int64")
    by_partner["stage_order"] = by_partner["stage_order"].astype("int64")
    overall["stage_order"] = overall["stage_order"].astype("int64")
    snap = asof_join(
        snap, by_partner, "stage_exited_date", ["partner_id", "stage_order"], "partner_dwell"
    )
    snap = asof_join(snap, overall, "stage_exited_date", ["stage_order"], "overall_dwell")
    baseline = (snap["p_dwell_sum"] + 3 * snap["g_dwell_sum"] / snap["g_dwell_n"]) / (
        snap["p_dwell_n"].fillna(0) + 3
    )
    baseline = baseline.fillna(snap["g_dwell_sum"] / snap["g_dwell_n"])
    snap["stage_dwell_ratio"] = snap["days_in_stage"] / baseline.clip(lower=1.0)
    snap["stage_order"] = snap["stage_order"].replace(-1, np.nan)
    return snap.drop(columns=["p_dwell_sum", "p_dwell_n", "g_dwell_sum", "g_dwell_n"])


def _touch_features(snap: pd.DataFrame, src: Sources) -> pd.DataFrame:
    t = src.touches[["opportunity_id", "partner_id", "touched_date"]].copy()
    t["touched_date"] = _dates(t["touched_date"])
    t["one"] = 1.0
    per_deal = _cumulative(
        t.dropna(subset=["opportunity_id"]),
        "touched_date",
        ["opportunity_id"],
        {"touch_count": "one"},
    )
    snap = asof_join(snap, per_deal, "touched_date", ["opportunity_id"], "touch")
    snap["touch_count"] = snap["touch_count"].fillna(0.0)
    last = pd.concat([snap[SRC + "stage"], snap[SRC + "touch"], snap["created_date"]], axis=1).max(
        axis=1
    )
    snap["last_activity_date"] = last
    snap["days_since_activity"] = _days(snap["as_of_date"], last)
    per_partner = t.dropna(subset=["partner_id"])[["partner_id", "touched_date"]].drop_duplicates()
    per_partner = per_partner.assign(partner_touch_date=per_partner["touched_date"])
    snap = asof_join(snap, per_partner, "touched_date", ["partner_id"], "partner_touch")
    snap["days_since_partner_activity"] = _days(snap["as_of_date"], snap.pop("partner_touch_date"))
    return snap


def _content_features(snap: pd.DataFrame, src: Sources) -> pd.DataFrame:
    if _empty(src.content_usage):
        snap["days_since_partner_content_use"] = np.nan
        return snap
    u = src.content_usage[["partner_id", "used_date"]].dropna().drop_duplicates().copy()
    u["used_date"] = _dates(u["used_date"])
    u["content_date"] = u["used_date"]
    snap = asof_join(snap, u, "used_date", ["partner_id"], "content")
    snap["days_since_partner_content_use"] = _days(snap["as_of_date"], snap.pop("content_date"))
    return snap


def _tier_features(snap: pd.DataFrame, src: Sources) -> pd.DataFrame:
    tiers = src.tiers[["partner_id", "partner_tier", "valid_from_date", "valid_to_date"]].copy()
    tiers["valid_from_date"] = _dates(tiers["valid_from_date"])
    tiers["valid_to_date"] = _dates(
        tiers["valid_to_date"]
    )  # 9999-12-31 (open) is out of range: NaT
    snap = asof_join(snap, tiers, "valid_from_date", ["partner_id"], "tier")
    held = snap["valid_to_date"].isna() | (snap["valid_to_date"] > snap["as_of_date"])
    snap["partner_tier"] = snap["partner_tier"].where(held).fillna("unknown")
    return snap.drop(columns=["valid_to_date"])


def _certification_events(src: Sources) -> pd.DataFrame | None:
    if _empty(src.certifications):
        return None
    c = src.certifications
    c = c[c["partner_id"].notna()].copy()
    c["certified_date"] = _dates(c["certified_date"])
    # it stops counting on the earlier of expiry and revocation (fct_certifications); a revoked
    # certification without that column (an older warehouse) never counts
    if "valid_until_date" in c.columns:
        c["expires_date"] = _dates(c["valid_until_date"])
    else:
        c = c[c["certification_status"] != "revoked"]
        c["expires_date"] = _dates(c["expires_date"])
    if not _empty(src.courses):
        c = c.merge(src.courses[["course_id", "product_line"]], on="course_id", how="left")
    else:
        c["product_line"] = None
    on = c[["partner_id", "product_line", "certified_date"]].rename(
        columns={"certified_date": "event_date"}
    )
    off = c.dropna(subset=["expires_date"])[["partner_id", "product_line", "expires_date"]]
    off = off.rename(columns={"expires_date": "event_date"})
    return pd.concat([on.assign(delta=1.0), off.assign(delta=-1.0)], ignore_index=True)


def _certification_features(snap: pd.DataFrame, src: Sources) -> pd.DataFrame:
    ev = _certification_events(src)
    if ev is None:
        for col in (
            "has_valid_certification",
            "has_product_certification",
            "was_certified_at_creation",
        ):
            snap[col] = np.nan
        return snap
    any_cert = _cumulative(ev, "event_date", ["partner_id"], {"active_certs": "delta"})
    snap = asof_join(snap, any_cert, "event_date", ["partner_id"], "certification")
    snap["has_valid_certification"] = (snap.pop("active_certs").fillna(0) > 0).astype("float64")
    at_creation = any_cert.rename(columns={"active_certs": "certs_at_creation"})
    snap = asof_join(
        snap,
        at_creation,
        "event_date",
        ["partner_id"],
        "certification_at_creation",
        left_date="created_date",
    )
    snap["was_certified_at_creation"] = (snap.pop("certs_at_creation").fillna(0) > 0).astype(
        "float64"
    )
    by_line = _cumulative(
        ev.dropna(subset=["product_line"]),
        "event_date",
        ["partner_id", "product_line"],
        {"line_certs": "delta"},
    )
    snap["product_line"] = snap["product_line"].fillna("unknown")
    snap = asof_join(
        snap, by_line, "event_date", ["partner_id", "product_line"], "product_certification"
    )
    snap["has_product_certification"] = (snap.pop("line_certs").fillna(0) > 0).astype("float64")
    return snap


def _partner_history(snap: pd.DataFrame, opps: pd.DataFrame) -> pd.DataFrame:
    closed = opps.dropna(subset=["closed_date"]).copy()
    closed["won"] = closed["is_won"].astype("float64")
    closed["one"] = 1.0
    closed["cycle"] = _days(closed["closed_date"], closed["created_date"])
    overall = _cumulative(closed, "closed_date", [], {"g_won": "won", "g_n": "one"})
    snap = asof_join(snap, overall, "closed_date", [], "overall_history")
    prior = (snap["g_won"] / snap["g_n"]).fillna(0.25)
    partner = _cumulative(
        closed, "closed_date", ["partner_id"], {"p_won": "won", "p_n": "one", "p_cycle": "cycle"}
    )
    snap = asof_join(snap, partner, "closed_date", ["partner_id"], "partner_history")
    line = _cumulative(
        closed.assign(product_line=closed["product_line"].fillna("unknown")),
        "closed_date",
        ["partner_id", "product_line"],
        {"l_won": "won", "l_n": "one"},
    )
    snap = asof_join(
        snap, line, "closed_date", ["partner_id", "product_line"], "partner_line_history"
    )
    k = WIN_RATE_PRIOR_WEIGHT
    snap["partner_closed_count"] = snap["p_n"].fillna(0.0)
    snap["partner_win_rate"] = (snap["p_won"].fillna(0) + k * prior) / (
        snap["partner_closed_count"] + k
    )
    snap["partner_product_win_rate"] = (snap["l_won"].fillna(0) + k * snap["partner_win_rate"]) / (
        snap["l_n"].fillna(0) + k
    )
    snap["partner_cycle_days"] = snap["p_cycle"] / snap["p_n"]
    return snap.drop(columns=["g_won", "g_n", "p_won", "p_n", "p_cycle", "l_won", "l_n"])


def _mdf_features(snap: pd.DataFrame, src: Sources) -> pd.DataFrame:
    if _empty(src.mdf_requests):
        snap["mdf_approved_365d"] = np.nan
        return snap
    m = src.mdf_requests
    m = m[m["is_approved"].astype(bool) & m["partner_id"].notna()].copy()
    m["decided_date"] = _dates(m["decided_date"])
    m["amt"] = m["approved_amount"].astype("float64").fillna(0.0)
    cum = _cumulative(
        m.dropna(subset=["decided_date"]), "decided_date", ["partner_id"], {"mdf_cum": "amt"}
    )
    snap = asof_join(snap, cum, "decided_date", ["partner_id"], "mdf")
    snap["year_ago"] = snap["as_of_date"] - pd.Timedelta(days=365)
    before = cum.rename(columns={"mdf_cum": "mdf_cum_before"})
    snap = asof_join(
        snap, before, "decided_date", ["partner_id"], "mdf_year_ago", left_date="year_ago"
    )
    snap["mdf_approved_365d"] = snap.pop("mdf_cum").fillna(0) - snap.pop("mdf_cum_before").fillna(0)
    return snap.drop(columns=["year_ago"])


def build_features(
    src: Sources, dates: list[date], guard: bool = True, current_date: date | None = None
) -> pd.DataFrame:
    """The feature rows of the partner opportunities open on each day of `dates`. `current_date`
    (default: the last of `dates`) is the day the CRM's current values describe."""
    opps = _opportunities(src)
    snap = open_snapshots(opps, dates)
    snap["product_line"] = snap["product_line"].fillna("unknown")
    current_day = pd.Timestamp(current_date or max(dates))
    snap = _stage_features(snap, src, opps, current_day)
    snap = _touch_features(snap, src)
    snap = _content_features(snap, src)
    snap = _tier_features(snap, src)
    snap = _certification_features(snap, src)
    snap = _partner_history(snap, opps)
    snap = _mdf_features(snap, src)
    snap["opportunity_age_days"] = _days(snap["as_of_date"], snap["created_date"])
    reg = snap["registration_date"].where(snap["registration_date"] <= snap["as_of_date"])
    snap[SRC + "registration"] = reg
    snap["registration_age_days"] = _days(snap["as_of_date"], reg)
    snap["log_amount"] = np.log1p(snap["amount"].astype("float64").clip(lower=0))
    if guard:
        assert_point_in_time(snap)
    snap = snap.drop(columns=[c for c in snap.columns if c.startswith(SRC)])
    return snap.sort_values(["as_of_date", "opportunity_id"], kind="stable").reset_index(drop=True)


def stall_labels(
    feats: pd.DataFrame, src: Sources, inactive_days: int, horizon_days: int, last_day: date
) -> pd.DataFrame:
    """`is_stalled`: open, and no stage change and no touch in the `inactive_days` up to the as-of
    day. `stalls_within_horizon` (only for rows not stalled on the day): 1 when the deal is stalled
    on the day + horizon, 0 when not (a deal that closes in between does not stall); null when that
    day is after `last_day` (not observed yet) or the deal is already stalled."""
    f = feats.copy()
    f["is_stalled"] = f["days_since_activity"] >= inactive_days
    later = f[["opportunity_id", "partner_id", "as_of_date", "created_date"]].copy()
    later["as_of_date"] = later["as_of_date"] + pd.Timedelta(days=horizon_days)
    sc = src.stage_changes[["opportunity_id", "stage_entered_date"]].copy()
    sc["stage_entered_date"] = _dates(sc["stage_entered_date"])
    later = asof_join(later, sc, "stage_entered_date", ["opportunity_id"], "stage")
    t = src.touches[["opportunity_id", "touched_date"]].dropna().copy()
    t["touched_date"] = _dates(t["touched_date"])
    later = asof_join(later, t.drop_duplicates(), "touched_date", ["opportunity_id"], "touch")
    last = pd.concat(
        [later[SRC + "stage"], later[SRC + "touch"], later["created_date"]], axis=1
    ).max(axis=1)
    stalled_later = (later["as_of_date"] - last).dt.days >= inactive_days
    open_later = f["closed_date"].isna() | (f["closed_date"] > later["as_of_date"])
    label = (stalled_later & open_later).astype("float64")
    observed = later["as_of_date"] <= pd.Timestamp(last_day)
    f["stalls_within_horizon"] = label.where(observed & ~f["is_stalled"])
    return f


def label_win(feats: pd.DataFrame) -> pd.Series:
    """1 won / 0 lost for deals closed since; null for deals still open."""
    return feats["is_won"].astype("float64").where(feats["closed_date"].notna())
