"""Page: partner attribution — sourced against influenced pipeline and revenue over time, and how
eight multi-touch models (two of them Markov chains: by touch type and by partner) split the credit (reads rpt_attribution_over_time and
rpt_attribution_model_comparison)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.style import money

ATTRIBUTION_TYPES = {
    "partner_sourced": ("Partner-sourced", "#2b8a3e"),
    "partner_influenced": ("Partner-influenced", "#74c0fc"),
    "direct_unattributed": ("Direct / unattributed", "#adb5bd"),
}
PARTNER_TYPES = ("partner_sourced", "partner_influenced")
MODEL_ORDER = (
    "first_touch",
    "last_touch",
    "linear",
    "u_shaped",
    "w_shaped",
    "time_decay",
    "markov_touch_type",
    "markov_partner",
)
MODEL_COLOURS = dict(
    zip(
        MODEL_ORDER,
        ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"),
        strict=True,
    )
)
TOP_PARTNERS = 10


def _quarter_label(quarter: pd.Timestamp) -> str:
    return f"{quarter.year}-Q{quarter.quarter}"


def _change(now: float, before: float) -> str:
    if round(now, 2) == round(before, 2):
        return f"level with {before:.0%}"
    return f"{'up' if now > before else 'down'} from {before:.0%}"


def _summary(df: pd.DataFrame) -> str:
    months = sorted(df["period_month"].unique())
    last12 = df[df["period_month"].isin(months[-12:])]
    won = last12.groupby("attribution_type")["won_revenue"].sum()
    total = won.sum()
    pipeline = last12[last12["attribution_type"].isin(PARTNER_TYPES)]["pipeline_amount"].sum()
    through = pd.Timestamp(months[-1]).strftime("%b %Y")
    if total <= 0:
        return f"No won revenue in the 12 months to {through}."
    sourced, influenced = won.get("partner_sourced", 0.0), won.get("partner_influenced", 0.0)
    return (
        f"12 months to {through}: won revenue {money(total)}, of which partner-sourced "
        f"{money(sourced)} ({sourced / total:.0%}) and partner-influenced {money(influenced)} "
        f"({influenced / total:.0%}); partner pipeline created {money(pipeline)}."
    )


def _quarterly_revenue(df: pd.DataFrame) -> go.Figure:
    by_quarter = df.pivot_table(
        index="period_quarter",
        columns="attribution_type",
        values="won_revenue",
        aggfunc="sum",
        fill_value=0.0,
    ).sort_index()
    months_in_quarter = df.groupby("period_quarter")["period_month"].nunique()
    labels = [
        _quarter_label(q) + (" to date" if q == by_quarter.index[-1] and n < 3 else "")
        for q, n in months_in_quarter.sort_index().items()
    ]
    figure = go.Figure(
        [
            go.Bar(name=label, x=labels, y=by_quarter[kind], marker_color=colour)
            for kind, (label, colour) in ATTRIBUTION_TYPES.items()
            if kind in by_quarter.columns
        ]
    )
    totals = by_quarter.sum(axis=1)
    partner = by_quarter.reindex(columns=list(PARTNER_TYPES), fill_value=0.0)
    last = by_quarter.index[-1]
    if totals[last] <= 0:
        title = f"No won revenue in {labels[-1]} yet"
    else:
        share = partner.loc[last].sum() / totals[last]
        title = (
            f"Partners brought {share:.0%} of won revenue in {labels[-1]} "
            f"({partner.loc[last, 'partner_sourced'] / totals[last]:.0%} sourced, "
            f"{partner.loc[last, 'partner_influenced'] / totals[last]:.0%} influenced)"
        )
        year_before = last - pd.DateOffset(years=1)
        if year_before in totals.index and totals[year_before] > 0:
            title += ", " + _change(share, partner.loc[year_before].sum() / totals[year_before])
            title += " a year earlier"
    figure.update_layout(
        barmode="stack",
        title=title,
        xaxis_title="Quarter closed",
        yaxis_title="Won revenue (USD)",
        legend_title="Attribution",
    )
    return figure


def _monthly_pipeline(df: pd.DataFrame) -> go.Figure:
    by_month = df.pivot_table(
        index="period_month",
        columns="attribution_type",
        values="pipeline_amount",
        aggfunc="sum",
        fill_value=0.0,
    ).sort_index()
    sourced = by_month.get("partner_sourced", pd.Series(0.0, index=by_month.index))
    last12, before = sourced.iloc[-12:].sum(), sourced.iloc[-24:-12].sum()
    if by_month.to_numpy().sum() <= 0:
        title = "No pipeline created yet"
    else:
        title = f"Partners sourced {money(last12)} of new pipeline in the last 12 months"
        if len(sourced) >= 24 and before > 0:
            title += f", {last12 / before - 1:+.0%} on the 12 months before"
    figure = go.Figure(
        [
            go.Scatter(
                name=label,
                x=by_month.index,
                y=by_month[kind],
                mode="lines",
                line_color=colour,
            )
            for kind, (label, colour) in ATTRIBUTION_TYPES.items()
            if kind in by_month.columns
        ]
    )
    figure.update_layout(
        title=title,
        xaxis_title="Month created",
        yaxis_title="Pipeline created (USD)",
        legend_title="Attribution",
    )
    return figure


def _models(df: pd.DataFrame) -> list[str]:
    present = set(df["attribution_model"])
    return [m for m in MODEL_ORDER if m in present] + sorted(present - set(MODEL_ORDER))


def _touch_type_credit(df: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    touch = df[df["dimension"] == "touch_type"]
    if touch.empty:
        return go.Figure(layout={"title": "No touch-type credit from the attribution models yet"})
    shares = touch.pivot_table(
        index="dimension_value",
        columns="attribution_model",
        values="share_of_model_total",
        aggfunc="sum",
        fill_value=0.0,
    )
    models = [m for m in _models(touch) if m in shares.columns]
    shares = shares[models].sort_values(models[0], ascending=False)
    spread = shares.max(axis=1) - shares.min(axis=1)
    contested = spread.idxmax()
    low, high = shares.loc[contested].idxmin(), shares.loc[contested].idxmax()
    figure = go.Figure(
        [
            go.Bar(
                name=labels[m],
                x=shares.index,
                y=shares[m] * 100,
                marker_color=MODEL_COLOURS.get(m),
            )
            for m in models
        ]
    )
    figure.update_layout(
        barmode="group",
        title=(
            f"The models disagree most on {contested} touches: {shares.loc[contested, low]:.0%} "
            f"of credit under {labels[low]}, {shares.loc[contested, high]:.0%} under {labels[high]}"
        ),
        xaxis_title="Touch type",
        yaxis_title="Share of the model's credit (%)",
        legend_title="Attribution model",
    )
    return figure


def _partner_credit(df: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    partners = df[df["dimension"] == "partner"]
    if partners.empty:
        return go.Figure(layout={"title": "No partner credit from the attribution models yet"})
    credit = partners.pivot_table(
        index="dimension_value",
        columns="attribution_model",
        values="credit_amount",
        aggfunc="sum",
        fill_value=0.0,
    )
    models = [m for m in _models(partners) if m in credit.columns]
    credit = credit[models]
    leaders = credit.idxmax()
    leader = leaders.value_counts().idxmax()
    title = (
        f"{leader} gets the most credit under {(leaders == leader).sum()} of {len(models)} models"
    )
    dissent = [m for m in models if leaders[m] != leader]
    if dissent:
        title += f"; {labels[dissent[0]]} puts {leaders[dissent[0]]} first"
    top = credit.loc[credit.mean(axis=1).sort_values(ascending=False).index[:TOP_PARTNERS]]
    figure = go.Figure(
        go.Heatmap(
            z=top.to_numpy(),
            x=[labels[m] for m in models],
            y=top.index,
            text=[[money(v) for v in row] for row in top.to_numpy()],
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar_title="Credit (USD)",
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        xaxis_title="Attribution model",
        yaxis_title=f"Partner (top {len(top)} by average credit)",
        yaxis_autorange="reversed",
        height=max(400, 45 * len(top) + 150),
    )
    return figure


def figures(reports: dict[str, pd.DataFrame]) -> tuple[str, list[go.Figure]]:
    """The page's summary line and figures."""
    over_time = reports["rpt_attribution_over_time"].copy()
    for column in ("pipeline_amount", "won_revenue"):
        over_time[column] = over_time[column].astype(float)
    for column in ("period_month", "period_quarter"):
        over_time[column] = pd.to_datetime(over_time[column])
    comparison = reports["rpt_attribution_model_comparison"].copy()
    for column in ("credit_amount", "share_of_model_total"):
        comparison[column] = comparison[column].astype(float)
    labels = dict(zip(comparison["attribution_model"], comparison["model_label"], strict=True))

    if over_time.empty:
        summary = "No opportunities in the warehouse yet."
        trend = [go.Figure(layout={"title": "No partner-sourced or influenced revenue yet"})]
    else:
        summary = _summary(over_time)
        trend = [_quarterly_revenue(over_time), _monthly_pipeline(over_time)]
    return summary, [
        *trend,
        _touch_type_credit(comparison, labels),
        _partner_credit(comparison, labels),
    ]
