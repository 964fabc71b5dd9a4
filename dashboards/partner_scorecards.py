"""Page: partner scorecards — the league table and how engagement and win rates relate to revenue
(reads rpt_partner_scorecard)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.style import TIER_COLOURS, TIER_ORDER, money

LEAGUE_SIZE = 25
MONEY_COLUMNS = ("t12m_revenue", "t12m_psp", "t12m_pip", "apds", "plv_next_12m_amount")
NUMBER_COLUMNS = (
    "win_rate_by_count",
    "win_rate_by_amount",
    "avg_days_registration_to_close",
    "ttpp_days_to_first_qualified",
    "ttpp_days_to_first_revenue",
    "ees_score",
    "open_pipeline_health_score",
)


def _fmt(values: pd.Series, style: str) -> list[str]:
    formats = {
        "money": money,
        "pct": lambda v: f"{v:.0%}",
        "days": lambda v: f"{v:,.0f}",
        "score": lambda v: f"{v:.0f}",
    }
    return ["n/a" if pd.isna(v) else formats[style](v) for v in values]


def _league_table(df: pd.DataFrame) -> go.Figure:
    top = df.sort_values("league_rank").head(LEAGUE_SIZE)
    leader = top.iloc[0]
    columns = {
        "Rank": top["league_rank"].astype(str).tolist(),
        "Partner": top["partner_name"].tolist(),
        "Tier": top["partner_tier"].tolist(),
        "Type": top["partner_type"].tolist(),
        "Region": top["region"].tolist(),
        "T12M revenue": _fmt(top["t12m_revenue"], "money"),
        "T12M sourced pipeline": _fmt(top["t12m_psp"], "money"),
        "T12M influenced pipeline": _fmt(top["t12m_pip"], "money"),
        "Win rate (deals)": _fmt(top["win_rate_by_count"], "pct"),
        "Win rate (USD)": _fmt(top["win_rate_by_amount"], "pct"),
        "Avg deal size": _fmt(top["apds"], "money"),
        "Days reg. to close": _fmt(top["avg_days_registration_to_close"], "days"),
        "Days to first revenue": _fmt(top["ttpp_days_to_first_revenue"], "days"),
        "EES (0-100)": _fmt(top["ees_score"], "score"),
        # null without an LMS feed: unknown, shown as n/a rather than 0
        "Certified people": [
            "n/a" if pd.isna(v) else str(int(v)) for v in top["certified_people_count"]
        ],
        "Active seller": ["yes" if v else "no" for v in top["is_active_seller"]],
        "Revenue band": top["revenue_band"].tolist(),
        # null without a partner-sourced win (or too few partners to fit): n/a
        "PLV next 12M": _fmt(top["plv_next_12m_amount"], "money"),
        # mean health (1-99) of the partner's open pipeline (fct_opportunity_health); n/a: no open deals
        "Pipeline health": _fmt(top["open_pipeline_health_score"], "score"),
    }
    figure = go.Figure(
        go.Table(
            columnwidth=[4, 16, 7, 8, 6, 9, 9, 9, 7, 7, 8, 7, 7, 6, 7, 6, 7, 9, 7],
            header={"values": list(columns), "fill_color": "#4b5d73", "font_color": "white"},
            cells={
                "values": list(columns.values()),
                "fill_color": [[TIER_COLOURS.get(t, "#ffffff") + "33" for t in top["partner_tier"]]]
                * len(columns),
                "align": ["right", "left", *["left"] * 3, *["right"] * 13],
                "height": 24,
            },
        )
    )
    title = (
        f"{leader['partner_name']} leads the league with {money(leader['t12m_revenue'])} "
        "trailing-12-month revenue"
    )
    if pd.notna(leader["win_rate_by_count"]):
        title += f" and a {leader['win_rate_by_count']:.0%} win rate"
    figure.update_layout(title=title, height=24 * len(top) + 300, margin={"l": 10, "r": 10})
    return figure


def _engagement_scatter(df: pd.DataFrame) -> go.Figure:
    scored = df.dropna(subset=["ees_score"])
    figure = go.Figure(
        [
            go.Scatter(
                name=tier,
                x=part["ees_score"],
                y=part["t12m_revenue"],
                mode="markers",
                marker={"color": TIER_COLOURS.get(tier), "size": 8, "opacity": 0.8},
                text=part["partner_name"],
                hovertemplate="%{text}<br>EES %{x:.0f}<br>%{y:$,.0f}<extra></extra>",
            )
            for tier in [*TIER_ORDER, *sorted(set(scored["partner_tier"]) - set(TIER_ORDER))]
            if len(part := scored[scored["partner_tier"] == tier])
        ]
    )
    high_cut, low_cut = scored["ees_score"].quantile([0.75, 0.25]) if len(scored) else (0, 0)
    high = scored[scored["ees_score"] >= high_cut]["t12m_revenue"].mean()
    low = scored[scored["ees_score"] <= low_cut]["t12m_revenue"].mean()
    if scored.empty or high_cut == low_cut:
        title = "Not enough engagement scores to compare partners yet"
    elif low > 0 and high > low:
        title = (
            f"Partners in the top engagement quartile average {money(high)} trailing-12-month "
            f"revenue, {high / low:.1f} times the bottom quartile"
        )
    else:
        title = (
            f"Partners in the top engagement quartile average {money(high)} trailing-12-month "
            f"revenue against {money(low)} in the bottom quartile"
        )
    figure.update_layout(
        title=title,
        xaxis_title="Engagement score (EES, 0-100)",
        yaxis_title="Trailing-12-month revenue (USD)",
        legend_title="Partner tier",
    )
    return figure


def _win_rates_by_tier(df: pd.DataFrame) -> go.Figure:
    tiers = [t for t in TIER_ORDER if t in set(df["partner_tier"])]
    rates = df.groupby("partner_tier")[["win_rate_by_count", "win_rate_by_amount"]].mean()
    rates = rates.reindex([*tiers, *sorted(set(rates.index) - set(tiers))]).dropna(how="all")
    figure = go.Figure(
        [
            go.Bar(name=name, x=rates.index, y=rates[column] * 100, marker_color=colour)
            for column, name, colour in (
                ("win_rate_by_count", "By number of deals", "#2b8a3e"),
                ("win_rate_by_amount", "By deal value", "#74c0fc"),
            )
        ]
    )
    by_count = rates["win_rate_by_count"].dropna()
    if by_count.empty:
        title = "No closed partner deals to compute win rates yet"
    else:
        best, worst = by_count.idxmax(), by_count.idxmin()
        title = f"{best.title()} partners win {by_count[best]:.0%} of their deals on average"
        if worst != best:
            title += f", {worst} partners {by_count[worst]:.0%}"
    figure.update_layout(
        barmode="group",
        title=title,
        xaxis_title="Partner tier",
        yaxis_title="Average partner win rate (%)",
        legend_title="Win rate",
    )
    return figure


def figures(reports: dict[str, pd.DataFrame]) -> tuple[str, list[go.Figure]]:
    """The page's summary line and figures."""
    df = reports["rpt_partner_scorecard"].copy()
    for column in (*MONEY_COLUMNS, *NUMBER_COLUMNS):
        df[column] = df[column].astype(float)
    if df.empty:
        return "No partner scorecards yet.", [
            go.Figure(layout={"title": "No partners to rank yet"})
        ]
    total = df["t12m_revenue"].sum()
    top_share = (
        df.nsmallest(LEAGUE_SIZE, "league_rank")["t12m_revenue"].sum() / total if total else 0
    )
    summary = (
        f"{len(df):,} partners scored, {int(df['is_active_seller'].sum()):,} of them active "
        f"sellers; the top {min(LEAGUE_SIZE, len(df))} bring {top_share:.0%} of "
        f"{money(total)} trailing-12-month partner revenue."
    )
    return summary, [_league_table(df), _engagement_scatter(df), _win_rates_by_tier(df)]
