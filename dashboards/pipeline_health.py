"""Page: pipeline health — how healthy the open partner pipeline is by tier and region, the 20
riskiest big deals with their next best actions, and how the models score against their
baselines (reads rpt_pipeline_health_distribution, rpt_pipeline_health_riskiest_deals and
rpt_model_performance; definitions in docs/pipeline_health.md)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards import outlook
from dashboards.style import TIER_COLOURS, TIER_ORDER, money

BANDS = ("01-19", "20-39", "40-59", "60-79", "80-99")
BAND_COLOURS = ("#c92a2a", "#f08c00", "#fcc419", "#74b816", "#2b8a3e")
SCORERS = {
    "model": "Model",
    "crm_stage_probability": "CRM stage probability",
    "stage_tier_win_rate": "Stage x tier win rate",
    "days_since_activity_rule": "Days-since-activity rule",
}


def _tiers(values) -> list[str]:
    present = set(values)
    return [*[t for t in TIER_ORDER if t in present], *sorted(present - set(TIER_ORDER))]


def _distribution(dist: pd.DataFrame) -> go.Figure:
    """Stacked deal counts by health band per tier x region."""
    dist = dist.assign(cell=dist["partner_tier"] + " / " + dist["region"])
    order = [
        f"{t} / {r}"
        for t in _tiers(dist["partner_tier"])
        for r in sorted(set(dist["region"]))
        if ((dist["partner_tier"] == t) & (dist["region"] == r)).any()
    ]
    figure = go.Figure(
        [
            go.Bar(
                name=f"Health {band}",
                x=order,
                y=dist[dist["health_band"] == band]
                .set_index("cell")["open_deal_count"]
                .reindex(order),
                marker_color=colour,
                hovertemplate="%{x}<br>%{y} open deals<extra>" + f"health {band}</extra>",
            )
            for band, colour in zip(BANDS, BAND_COLOURS, strict=True)
        ]
    )
    weighted = (
        (dist["mean_health_score"] * dist["open_deal_count"]).groupby(dist["partner_tier"]).sum()
    )
    by_tier = weighted / dist.groupby("partner_tier")["open_deal_count"].sum()
    best, worst = by_tier.idxmax(), by_tier.idxmin()
    title = (
        f"{best.title()} partners' open deals are the healthiest (mean health {by_tier[best]:.0f})"
    )
    if worst != best:
        title += f", {worst} partners' the least ({by_tier[worst]:.0f})"
    figure.update_layout(
        barmode="stack",
        title=title,
        xaxis_title="Partner tier / region",
        yaxis_title="Open partner deals",
        legend_title="Health score",
    )
    return figure


def _riskiest(deals: pd.DataFrame) -> go.Figure:
    deals = deals.sort_values("risk_rank")
    columns = {
        "Rank": deals["risk_rank"].astype(str).tolist(),
        "Partner": deals["partner_name"].fillna(deals["partner_id"]).tolist(),
        "Tier": deals["partner_tier"].tolist(),
        "Stage": deals["deal_stage"].tolist(),
        "Amount": [money(v) for v in deals["amount"].astype(float)],
        "Health": deals["health_score"].astype(str).tolist(),
        "Stall risk": [
            "stalled" if s else f"{r:.0f}"
            for s, r in zip(deals["is_stalled"], deals["stall_risk_score"].fillna(0), strict=True)
        ],
        "Main factor": deals["top_factor_1"].fillna("").tolist(),
        "Next best action": deals["next_best_action"].fillna("").tolist(),
        "Why": deals["action_reason"].fillna("").tolist(),
    }
    figure = go.Figure(
        go.Table(
            columnwidth=[4, 12, 6, 10, 7, 5, 6, 18, 20, 20],
            header={"values": list(columns), "fill_color": "#4b5d73", "font_color": "white"},
            cells={
                "values": list(columns.values()),
                "fill_color": [
                    [TIER_COLOURS.get(t, "#ffffff") + "33" for t in deals["partner_tier"]]
                ]
                * len(columns),
                "align": [
                    "right",
                    "left",
                    "left",
                    "left",
                    "right",
                    "right",
                    "right",
                    "left",
                    "left",
                    "left",
                ],
                "height": 24,
            },
        )
    )
    at_risk = deals["amount"].astype(float).sum()
    top_action = deals["action_rule"].value_counts()
    title = (
        f"The {len(deals)} riskiest big deals (each at least {money(float(deals['big_deal_amount'].iloc[0]))}) "
        f"hold {money(at_risk)} of pipeline at a mean health of {deals['health_score'].mean():.0f}"
    )
    if len(top_action):
        title += f"; most need: {top_action.index[0].replace('_', ' ')}"
    figure.update_layout(title=title, height=28 * len(deals) + 320, margin={"l": 10, "r": 10})
    return figure


def _models(perf: pd.DataFrame) -> go.Figure:
    perf = perf.assign(scorer=perf["scored_by"].map(SCORERS).fillna(perf["scored_by"]))
    figure = go.Figure(
        [
            go.Bar(
                name=SCORERS.get(scorer, scorer),
                x=rows["model_name"].str.replace("_", " "),
                y=rows["auc"],
                text=[f"{v:.2f}" for v in rows["auc"]],
                hovertemplate="%{x}: AUC %{y:.3f}<extra>"
                + SCORERS.get(scorer, scorer)
                + "</extra>",
            )
            for scorer, rows in perf.groupby("scored_by", sort=False)
        ]
    )
    health = perf[perf["model_name"] == "pipeline_health"].set_index("scored_by")["auc"].dropna()
    if "model" in health and len(health) > 1:
        rivals = health.drop("model")
        best = rivals.idxmax()
        verb = "beats" if health["model"] > rivals[best] else "trails"
        title = (
            f"The health model's AUC of {health['model']:.2f} {verb} the best baseline "
            f"({SCORERS.get(best, best)}, {rivals[best]:.2f}) on the time-split test"
        )
    else:
        title = "Not enough closed history yet to test the models on a time split"
    figure.update_layout(
        barmode="group",
        title=title,
        xaxis_title="Model",
        yaxis_title="AUC on the time-split test (0.5 = chance)",
        yaxis_range=[0, 1],
        legend_title="Scored by",
    )
    return figure


def figures(reports: dict[str, pd.DataFrame]) -> tuple[str, list[go.Figure]]:
    """The page's summary line and figures."""
    dist = reports["rpt_pipeline_health_distribution"].copy()
    deals = reports["rpt_pipeline_health_riskiest_deals"].copy()
    perf = reports["rpt_model_performance"].copy()
    if dist.empty and "rpt_channel_outlook" in reports:
        ahead, figures_ahead = outlook.figures(reports)
        return (
            f"No open partner deal has a health score yet: none is open, or there is too little closed history to train on. {ahead}",
            [
                go.Figure(layout={"title": "No open partner deal has a health score yet"}),
                *figures_ahead,
            ],
        )
    if dist.empty:
        return (
            "No open partner deal has a health score yet: none is open, or there is too little closed history to train on.",
            [go.Figure(layout={"title": "No open partner deal has a health score yet"})],
        )
    dist["open_pipeline_amount"] = dist["open_pipeline_amount"].astype(float)
    deals_n = int(dist["open_deal_count"].sum())
    low = int(dist.loc[dist["health_band"].isin(BANDS[:2]), "open_deal_count"].sum())
    summary = (
        f"{deals_n:,} open partner deals worth {money(dist['open_pipeline_amount'].sum())} scored; "
        f"{low:,} ({low / deals_n:.0%}) have a health below 40."
    )
    if "model_scored_deal_count" in dist:
        by_stage = deals_n - int(dist["model_scored_deal_count"].sum())
        if by_stage:
            summary += (
                f" {by_stage:,} of them scored by the CRM stage probability only: there is too "
                "little closed history to train on."
            )
    out = [_distribution(dist)]
    if len(deals):
        out.append(_riskiest(deals))
    if len(perf):
        out.append(_models(perf))
    # what will happen next: the channel forecast against the stage-weighted pipeline, with
    # intervals, and partner lifetime value against current revenue (dashboards/outlook.py)
    if "rpt_channel_outlook" in reports:
        ahead, figures_ahead = outlook.figures(reports)
        summary = f"{summary} {ahead[:1].upper()}{ahead[1:].rstrip('.')}."
        out.extend(figures_ahead)
    return summary, out
