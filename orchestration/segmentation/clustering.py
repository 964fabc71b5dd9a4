"""Segment partners by capability and intent, not revenue (docs/segmentation.md).

Established partners (enough history to show what they do) are clustered with k-means on
standardised capability features; k is chosen by the silhouette score over a small range, with a
fixed random state, one thread and sorted input, so the same warehouse gives the same segments.
Each segment is named from its profile: the features where its centre stands furthest above the
average partner. New partners, with no history yet, get the segment most common among established
partners with the same application answers (business model and vertical, then business model
alone), so onboarding can start on the right track from day one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

RANDOM_STATE = 42
K_RANGE = range(2, 7)
MIN_PARTNERS_PER_SEGMENT = 3  # k is at most (clustered partners) / 3
APPLICATION_MIN_MATCHES = 3  # established partners with the same answers before their mode counts
NAME_MIN_Z = 0.35  # a feature names a segment when its centre is this many SDs above average


@dataclass(frozen=True)
class Feature:
    """One clustering feature: its column, whether to log-scale it, how the profile reads it, the
    segment name it gives when high, and the onboarding focus that goes with it."""

    column: str
    log: bool
    label: str
    name: str
    focus: str
    feed: str | None = None


FEATURES: tuple[Feature, ...] = (
    Feature("technical_certification_share", False, "technical share of certifications",
            "Technical implementers", "technical certification path first", "lms"),
    Feature("sales_certification_count", True, "sales certifications",
            "Sales-certified sellers", "sales certification and battle cards", "lms"),
    Feature("certified_product_line_count", False, "product lines certified",
            "Broad-portfolio specialists", "cross-product certification", "lms"),
    Feature("services_attach_rate", False, "won deals with services attached",
            "Services-led deliverers", "service-delivery kit and services pricing"),
    Feature("own_vertical_won_share", False, "won deals in its own vertical",
            "Vertical specialists", "vertical solution plays"),
    Feature("won_vertical_count", False, "verticals won",
            "Multi-vertical generalists", "horizontal platform messaging"),
    Feature("co_sell_touch_share", False, "co-sell share of touches",
            "Co-sellers", "co-selling playbook with the vendor team"),
    Feature("referral_touch_share", False, "referral share of touches",
            "Referrers", "referral programme and lead passing"),
    Feature("registration_rate", True, "registrations per active month",
            "Active registrars", "deal registration best practice"),
    Feature("course_completion_rate", True, "course completions per month in the programme",
            "Active learners", "advanced learning paths", "lms"),
)  # fmt: skip


def feature_frame(features: pd.DataFrame, feeds: tuple[str, ...]) -> pd.DataFrame:
    """The clustering matrix (partner_id index, sorted): derived rates, missing values as 0 (no
    evidence of the capability), log1p where counts are skewed; features of absent feeds dropped."""
    df = features.sort_values("partner_id").set_index("partner_id")
    months = df["months_in_programme"].clip(lower=1).fillna(1)
    active_months = df[["registration_month_count", "touch_month_count"]].max(axis=1).clip(lower=1)
    derived = df.assign(
        registration_rate=df["registration_count"] / active_months,
        course_completion_rate=df["course_completion_count"] / months
        if "course_completion_count" in df
        else np.nan,
    )
    out = {}
    for f in FEATURES:
        if f.feed is not None and f.feed not in feeds:
            continue
        values = pd.to_numeric(derived[f.column], errors="coerce").astype(float).fillna(0.0)
        out[f.column] = np.log1p(values) if f.log else values
    return pd.DataFrame(out, index=df.index)


def established(features: pd.DataFrame, min_history: int) -> pd.Series:
    """Partners with enough history to cluster: registrations + won deals + current
    certifications of at least ``min_history``."""
    df = features.sort_values("partner_id").set_index("partner_id")
    certs = df.get("technical_certification_count", 0)
    certs = pd.to_numeric(certs, errors="coerce").fillna(0) + pd.to_numeric(
        df.get("sales_certification_count", 0), errors="coerce"
    ).fillna(0)
    history = df["registration_count"].fillna(0) + df["won_deal_count"].fillna(0) + certs
    return history >= min_history


def choose_k(x: np.ndarray) -> tuple[int, dict[int, float]]:
    """k by the best silhouette score over K_RANGE (smaller k on ties)."""
    scores: dict[int, float] = {}
    for k in K_RANGE:
        if k > len(x) // MIN_PARTNERS_PER_SEGMENT:
            break
        labels = KMeans(n_clusters=k, random_state=RANDOM_STATE, n_init=10).fit_predict(x)
        if len(set(labels)) < 2:
            continue
        scores[k] = round(float(silhouette_score(x, labels)), 6)
    if not scores:
        return 1, {}
    best = max(scores.values())
    return min(k for k, s in scores.items() if s == best), scores


def name_segments(z_centres: pd.DataFrame) -> dict[int, tuple[str, str]]:
    """(name, onboarding focus) per segment from its standardised centre: the highest feature
    above NAME_MIN_Z names it (the second too, when also above); none above: low engagement.
    Names are made unique by adding the next distinguishing feature."""
    by_column = {f.column: f for f in FEATURES}
    named: dict[int, tuple[str, str]] = {}
    used: set[str] = set()
    for segment in sorted(z_centres.index):
        ranked = z_centres.loc[segment].sort_values(ascending=False, kind="stable")
        high = [c for c, z in ranked.items() if z >= NAME_MIN_Z]
        if not high:
            name, focus = (
                "Low-engagement partners",
                "activation: first registration and first certification",
            )
        else:
            first = by_column[high[0]]
            name, focus = first.name, first.focus
            extra = 1
            if len(high) > 1 and ranked.iloc[1] >= 2 * NAME_MIN_Z:
                name += f" and {by_column[high[1]].name.lower()}"
                extra = 2
            while name in used and extra < len(high):
                name += f", {by_column[high[extra]].label}"
                extra += 1
        base, n = name, 2
        while name in used:
            name, n = f"{base} ({n})", n + 1
        used.add(name)
        named[segment] = (name, focus)
    return named


def describe(members: pd.DataFrame, matrix_raw: pd.DataFrame, overall: pd.Series, size: int) -> str:
    """A channel manager's reading of a segment: size, what stands out against all partners,
    and its most common business model and vertical."""
    labels = {f.column: f.label for f in FEATURES}
    means = matrix_raw.loc[members.index].mean()
    diffs = ((means - overall) / matrix_raw.std(ddof=0).replace(0, np.nan)).dropna()
    top = diffs.sort_values(ascending=False, kind="stable").head(3)
    parts = []
    for column in top.index:
        mine, allv = means[column], overall[column]
        fmt = (
            (lambda v: f"{v:.0%}")
            if column.endswith(("share", "rate"))
            and column not in ("registration_rate", "course_completion_rate")
            else (lambda v: f"{v:.1f}")
        )
        parts.append(f"{labels[column]} {fmt(mine)} (all partners {fmt(allv)})")
    model = (
        members["partner_type"]
        .value_counts()
        .sort_index()
        .sort_values(ascending=False, kind="stable")
    )
    vertical = (
        members["vertical"].value_counts().sort_index().sort_values(ascending=False, kind="stable")
    )
    text = f"{size} partners; " + "; ".join(parts)
    if len(model):
        text += f"; mostly {model.index[0]} ({model.iloc[0] / size:.0%})"
    if len(vertical):
        text += f", {vertical.index[0]} the largest vertical ({vertical.iloc[0] / size:.0%})"
    return text + "."


def raw_matrix(features: pd.DataFrame, feeds: tuple[str, ...]) -> pd.DataFrame:
    """The features before log scaling, for profiles in the units a reader knows."""
    scaled = feature_frame(features, feeds)
    logged = [f.column for f in FEATURES if f.log and f.column in scaled]
    return scaled.assign(**{c: np.expm1(scaled[c]) for c in logged})


# the one segment of a programme in which no partner has enough history to cluster on
NO_HISTORY = (
    "Not segmented yet: no partner with enough history",
    "activation: first registration and first certification",
)


def segment_partners(
    features: pd.DataFrame, feeds: tuple[str, ...], min_history: int
) -> pd.DataFrame:
    """One row per partner: segment id and name, how it was assigned ('capability' for clustered
    partners, 'application' for new ones), the segment's profile, size, the onboarding focus, the
    chosen k and its silhouette score."""
    columns = ["partner_id", "segment_id", "segment_name", "segment_description",
               "onboarding_focus", "assignment_basis", "segment_size", "chosen_k",
               "silhouette_score"]  # fmt: skip
    if features.empty:
        return pd.DataFrame(columns=columns)
    features = features.sort_values("partner_id").reset_index(drop=True)
    matrix = feature_frame(features, feeds)
    raw = raw_matrix(features, feeds)
    info = features.set_index("partner_id")
    is_est = established(features, min_history)
    est = matrix[is_est & info["is_active"].fillna(False).astype(bool)]
    if est.empty:  # nobody to cluster on yet (a new programme, a thin CRM export): one segment
        out = pd.DataFrame({"partner_id": info.index})
        return out.assign(
            segment_id=1,
            segment_name=NO_HISTORY[0],
            segment_description=(
                f"No active partner has {min_history} or more registrations, won deals and "
                "current certifications yet: every partner starts in one segment."
            ),
            onboarding_focus=NO_HISTORY[1],
            assignment_basis="application",
            segment_size=len(out),
            chosen_k=1,
            silhouette_score=np.nan,
        )[columns]
    if len(est) >= 3:
        with threadpool_limits(limits=1):
            x = StandardScaler().fit_transform(est.to_numpy())
            k, scores = choose_k(x)
            if k > 1:
                labels = KMeans(n_clusters=k, random_state=RANDOM_STATE, n_init=10).fit_predict(x)
            else:
                labels = np.zeros(len(est), dtype=int)
    else:
        k, scores, labels = 1, {}, np.zeros(len(est), dtype=int)
    # segment ids by size (1 = largest), ties by the first partner id: stable across reruns
    frame = pd.DataFrame({"label": labels}, index=est.index)
    order = (
        frame.reset_index()
        .groupby("label")
        .agg(size=("partner_id", "size"), first=("partner_id", "min"))
        .sort_values(["size", "first"], ascending=[False, True])
    )
    relabel = {label: i + 1 for i, label in enumerate(order.index)}
    frame["segment_id"] = frame["label"].map(relabel)
    std = est.std(ddof=0).replace(0, np.nan)
    z = ((est.groupby(frame["segment_id"]).mean() - est.mean()) / std).fillna(0.0)
    names = name_segments(z)
    overall = raw.loc[est.index].mean()
    descriptions = {
        s: describe(info.loc[g.index], raw.loc[est.index], overall, len(g))
        for s, g in frame.groupby("segment_id")
    }
    assigned = frame[["segment_id"]].assign(assignment_basis="capability")
    newcomers = info.index.difference(assigned.index)
    if len(newcomers):
        assigned = pd.concat(
            [
                assigned,
                from_application(info.loc[est.index], frame["segment_id"], info.loc[newcomers]),
            ]
        )
    sizes = frame["segment_id"].value_counts()
    out = assigned.reset_index().rename(columns={"index": "partner_id"})
    out["segment_name"] = out["segment_id"].map(lambda s: names[s][0])
    out["onboarding_focus"] = out["segment_id"].map(lambda s: names[s][1])
    out["segment_description"] = out["segment_id"].map(descriptions)
    out["segment_size"] = out["segment_id"].map(sizes).astype(int)
    out["chosen_k"] = k
    out["silhouette_score"] = scores.get(k, np.nan)
    return out[columns].sort_values("partner_id").reset_index(drop=True)


def from_application(
    established_info: pd.DataFrame, segments: pd.Series, newcomers: pd.DataFrame
) -> pd.DataFrame:
    """The segment of partners without history, from their application: the most common segment
    among established partners of the same business model and vertical, else of the same business
    model, else the largest segment (ties to the lower segment id). A group of fewer than
    APPLICATION_MIN_MATCHES established partners is too small for its mode to mean anything."""
    known = established_info[["partner_type", "vertical"]].assign(segment_id=segments)

    def modal(rows: pd.DataFrame, min_rows: int = APPLICATION_MIN_MATCHES) -> int | None:
        if len(rows) < min_rows or rows.empty:
            return None
        counts = rows["segment_id"].value_counts()
        return int(min(s for s, n in counts.items() if n == counts.max()))

    overall = modal(known, 1) or 1
    out = []
    for partner_id, row in newcomers.iterrows():
        same_both = known[
            (known.partner_type == row.partner_type) & (known.vertical == row.vertical)
        ]
        same_type = known[known.partner_type == row.partner_type]
        segment = modal(same_both) or modal(same_type) or overall
        out.append((partner_id, segment))
    return (
        pd.DataFrame(out, columns=["partner_id", "segment_id"])
        .set_index("partner_id")
        .assign(assignment_basis="application")
    )


def application_accuracy(assigned: pd.DataFrame, info: pd.DataFrame) -> tuple[float, float]:
    """How well application answers predict the capability segment, leave-one-out over the
    clustered partners: (accuracy of the application rule, accuracy of always the largest)."""
    clustered = assigned[assigned["assignment_basis"] == "capability"].set_index("partner_id")
    known = info.loc[clustered.index]
    hits = base = 0
    largest = int(clustered["segment_id"].value_counts().sort_index().idxmax())
    for partner_id in clustered.index:
        others = clustered.index.drop(partner_id)
        guess = from_application(
            known.loc[others], clustered.loc[others, "segment_id"], known.loc[[partner_id]]
        ).iloc[0]["segment_id"]
        hits += int(guess == clustered.loc[partner_id, "segment_id"])
        base += int(largest == clustered.loc[partner_id, "segment_id"])
    n = max(len(clustered), 1)
    return hits / n, base / n
