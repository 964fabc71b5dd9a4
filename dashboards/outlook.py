"""Page: revenue outlook — the channel revenue forecast against the stage-weighted pipeline, with
prediction intervals, and partner lifetime value against current revenue (reads
rpt_channel_outlook and rpt_partner_lifetime_value; docs/forecast_plv.md)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.style import TIER_COLOURS, TIER_ORDER, money

MONEY = (
    "actual_amount",
    "forecast_amount",
    "lower_amount",
    "upper_amount",
    "baseline_amount",
    "won_to_date_amount",
)
QUADRANT_LABELS = {
    "core: keep investing": "Core: keep investing",
    "rising: develop": "Rising: develop",
    "at risk: retain": "At risk: retain",
    "long tail: automate": "Long tail: automate",
}


def _wape(actual: pd.Series, predicted: pd.Series) -> float:
    total = actual.sum()
    return float((predicted - actual).abs().sum() / total) if total > 0 else float("nan")


def _quarters(frame: pd.DataFrame) -> list[str]:
    return [
        f"{d.year} Q{(d.month - 1) // 3 + 1}" for d in pd.to_datetime(frame["quarter_start_date"])
    ]


def _forecast_figure(df: pd.DataFrame) -> tuple[go.Figure, str]:
    df = df.sort_values("quarter_start_date")
    past = df[df["row_kind"] == "backtest"]
    ahead = df[df["row_kind"] == "forecast"]
    figure = go.Figure()
    both = pd.concat([past, ahead])
    banded = both.dropna(subset=["lower_amount", "upper_amount"])
    if len(banded):
        figure.add_trace(
            go.Scatter(
                x=_quarters(banded) + _quarters(banded)[::-1],
                y=list(banded["upper_amount"]) + list(banded["lower_amount"])[::-1],
                fill="toself",
                fillcolor="rgba(75, 93, 115, 0.18)",
                line={"width": 0},
                name="Model interval",
                hoverinfo="skip",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=_quarters(past),
            y=past["actual_amount"],
            name="Actual channel revenue",
            mode="lines+markers",
            line={"color": "#212529", "width": 3},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=_quarters(both),
            y=both["forecast_amount"],
            name="Model forecast",
            mode="lines+markers",
            line={"color": "#4b5d73", "dash": "dash"},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=_quarters(both),
            y=both["baseline_amount"],
            name="Stage-weighted pipeline",
            mode="markers",
            marker={"color": "#e8590c", "symbol": "diamond", "size": 9},
        )
    )
    if len(ahead):
        figure.add_trace(
            go.Bar(
                x=_quarters(ahead),
                y=ahead["won_to_date_amount"],
                name="Won so far",
                marker_color="#2b8a3e",
                opacity=0.5,
            )
        )
    model, baseline = (
        _wape(past["actual_amount"], past["forecast_amount"]),
        _wape(past["actual_amount"], past["baseline_amount"]),
    )
    summary_bits = []
    if len(past) and pd.notna(model) and pd.notna(baseline):
        better = "beats" if model < baseline else "does not beat"
        title = (
            f"The forecast {better} the stage-weighted pipeline: {model:.0%} error (WAPE) "
            f"against {baseline:.0%} over {len(past)} backtested quarters"
        )
        summary_bits.append(f"total-channel backtest WAPE {model:.0%} (pipeline {baseline:.0%})")
    else:
        title = "Not enough finished quarters to backtest the forecast yet"
    if len(ahead):
        nxt = ahead.iloc[0]
        summary_bits.insert(
            0,
            f"{_quarters(ahead)[0]} channel revenue forecast {money(nxt['forecast_amount'])}"
            + (
                f" ({money(nxt['lower_amount'])}-{money(nxt['upper_amount'])})"
                if pd.notna(nxt["lower_amount"])
                else ""
            ),
        )
    figure.update_layout(
        title=title,
        xaxis_title="Quarter",
        yaxis_title="Channel revenue (USD)",
        legend_title="Series",
        barmode="overlay",
    )
    return figure, "; ".join(summary_bits)


def _quadrant_figure(df: pd.DataFrame) -> go.Figure:
    tiers = [*TIER_ORDER, *sorted(set(df["partner_tier"].dropna()) - set(TIER_ORDER))]
    figure = go.Figure(
        [
            go.Scatter(
                name=tier,
                x=part["t12m_sourced_won_amount"],
                y=part["expected_revenue_next_12m_amount"],
                mode="markers",
                text=part["partner_name"],
                marker={
                    "color": TIER_COLOURS.get(tier),
                    "size": 10,
                    "opacity": 0.85,
                    "symbol": [
                        "circle-open" if thin else "circle" for thin in part["is_thin_history"]
                    ],
                },
                customdata=part[["probability_alive"]].to_numpy(),
                hovertemplate="%{text}<br>T12M %{x:$,.0f}<br>PLV %{y:$,.0f}<br>P(alive) %{customdata[0]:.0%}<extra></extra>",
            )
            for tier in tiers
            if len(part := df[df["partner_tier"] == tier])
        ]
    )
    figure.add_vline(
        x=df["t12m_sourced_won_amount"].median(), line_dash="dot", line_color="#868e96"
    )
    figure.add_hline(
        y=df["expected_revenue_next_12m_amount"].median(), line_dash="dot", line_color="#868e96"
    )
    rising = df[df["quadrant"] == "rising: develop"]
    at_risk = df[df["quadrant"] == "at risk: retain"]
    title = (
        f"{len(rising)} partners are worth more ahead than their last year shows (rising), "
        f"{len(at_risk)} earn now but are expected to fade (at risk)"
    )
    if len(at_risk):
        top = at_risk.sort_values("t12m_sourced_won_amount", ascending=False).iloc[0]
        title += (
            f"; largest at risk: {top['partner_name']} ({money(top['t12m_sourced_won_amount'])})"
        )
    figure.update_layout(
        title=title,
        xaxis_title="Trailing-12-month partner-sourced revenue (USD)",
        yaxis_title="Lifetime value, next 12 months (USD)",
        legend_title="Partner tier (open = thin history)",
    )
    return figure


def figures(reports: dict[str, pd.DataFrame]) -> tuple[str, list[go.Figure]]:
    """The page's summary line and figures."""
    outlook = reports["rpt_channel_outlook"].copy()
    plv = reports["rpt_partner_lifetime_value"].copy()
    for column in MONEY:
        outlook[column] = outlook[column].astype(float)
    for column in (
        "t12m_sourced_won_amount",
        "expected_revenue_next_12m_amount",
        "probability_alive",
    ):
        plv[column] = plv[column].astype(float)
    if outlook.empty and plv.empty:
        return "No channel revenue to forecast yet.", [
            go.Figure(layout={"title": "No channel revenue to forecast yet"})
        ]
    shown = []
    summary = ""
    if len(outlook):
        figure, summary = _forecast_figure(outlook)
        shown.append(figure)
    if len(plv):
        shown.append(_quadrant_figure(plv))
        summary += ("; " if summary else "") + (
            f"{len(plv)} partners carry {money(plv['expected_revenue_next_12m_amount'].sum())} of lifetime value "
            "over the next 12 months"
        )
    else:
        shown.append(
            go.Figure(
                layout={"title": "Too few partners with repeat sourced wins to value them yet"}
            )
        )
    return (
        summary[:1].upper() + summary[1:] + "."
    ) if summary else "No channel forecast yet.", shown
