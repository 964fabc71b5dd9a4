"""Page: active sellers and revenue concentration — the Pareto curve of partner revenue and the
revenue bands (reads rpt_revenue_concentration and rpt_active_seller_bands)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from dashboards.style import money

TOP_SHARE_OF_PARTNERS = 0.2  # the "top 20 %" the page's headline reads at


def _band_colours(bands: pd.DataFrame) -> dict[str, str]:
    """One colour per band, darkest for the first band in band_order, none too pale to see."""
    ordered = bands.sort_values("band_order")["revenue_band"].tolist()
    points = [0.8 * i / max(len(ordered) - 1, 1) for i in range(len(ordered))]
    return dict(zip(ordered, sample_colorscale("Viridis", points), strict=True))


def _pareto(concentration: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    ranked = concentration.sort_values("partner_rank")
    count = len(ranked)
    ranked = ranked.assign(partner_pct=ranked["partner_rank"] / count * 100)
    cutoff = ranked.iloc[math.ceil(count * TOP_SHARE_OF_PARTNERS) - 1]
    figure = go.Figure(
        [
            go.Scatter(
                name="Cumulative share",
                x=[0, *ranked["partner_pct"]],
                y=[0, *ranked["cumulative_revenue_share_pct"]],
                mode="lines",
                line={"color": "#4b5d73", "width": 3},
                hoverinfo="skip",
            ),
            go.Scatter(
                name="Equal shares",
                x=[0, 100],
                y=[0, 100],
                mode="lines",
                line={"color": "#adb5bd", "dash": "dot"},
                hoverinfo="skip",
            ),
            *[
                go.Scatter(
                    name=f"Band {band}",
                    x=part["partner_pct"],
                    y=part["cumulative_revenue_share_pct"],
                    mode="markers",
                    marker={"color": colours.get(band, "#888888"), "size": 6},
                    text=part["partner_name"],
                    customdata=part[["partner_rank", "t12m_revenue", "partner_share_pct"]],
                    hovertemplate=(
                        "#%{customdata[0]} %{text}<br>%{customdata[1]:$,.0f} "
                        "(%{customdata[2]:.1f}% of revenue)<br>cumulative %{y:.0f}%<extra></extra>"
                    ),
                )
                for band in colours
                if len(part := ranked[ranked["revenue_band"] == band])
            ],
        ]
    )
    figure.add_vline(x=cutoff["partner_pct"], line={"color": "#c92a2a", "dash": "dash"})
    figure.update_layout(
        title=(
            f"Top {TOP_SHARE_OF_PARTNERS:.0%} of partners bring "
            f"{cutoff['cumulative_revenue_share_pct']:.0f}% of trailing-12-month revenue"
        ),
        xaxis_title="Partners ranked by trailing-12-month revenue (cumulative % of partners)",
        yaxis_title="Cumulative share of revenue (%)",
        xaxis_range=[0, 100],
        yaxis_range=[0, 101],
        legend_title="Revenue band",
    )
    return figure


def _band_shares(bands: pd.DataFrame) -> go.Figure:
    partner_pct = bands["partner_count"] / bands["partner_count"].sum() * 100
    labels = bands["revenue_band"].tolist()
    figure = go.Figure(
        [
            go.Bar(name="Share of partners", x=labels, y=partner_pct, marker_color="#adb5bd"),
            go.Bar(
                name="Share of revenue",
                x=labels,
                y=bands["revenue_share_pct"],
                marker_color="#2b8a3e",
            ),
        ]
    )
    top = bands.loc[bands["revenue_share_pct"].idxmax()]
    figure.update_layout(
        barmode="group",
        title=(
            f"Band {top['revenue_band']}: {int(top['partner_count']):,} partners "
            f"({partner_pct[top.name]:.0f}% of partners) bring {top['revenue_share_pct']:.0f}% "
            "of trailing-12-month revenue"
        ),
        xaxis_title="Revenue band",
        yaxis_title="% of partners / % of revenue",
    )
    return figure


def _active_sellers(bands: pd.DataFrame) -> go.Figure:
    labels = bands["revenue_band"].tolist()
    active, partners = int(bands["active_seller_count"].sum()), int(bands["partner_count"].sum())
    figure = go.Figure(
        [
            go.Bar(
                name="Active sellers",
                x=labels,
                y=bands["active_seller_count"],
                marker_color="#2b8a3e",
            ),
            go.Bar(
                name="Not active",
                x=labels,
                y=bands["partner_count"] - bands["active_seller_count"],
                marker_color="#dee2e6",
            ),
        ]
    )
    figure.update_layout(
        barmode="stack",
        title=f"{active:,} of {partners:,} partners ({active / partners:.0%}) are active sellers",
        xaxis_title="Revenue band",
        yaxis_title="Partners",
    )
    return figure


def figures(reports: dict[str, pd.DataFrame]) -> tuple[str, list[go.Figure]]:
    """The page's summary line and figures."""
    concentration = reports["rpt_revenue_concentration"].copy()
    for column in ("t12m_revenue", "partner_share_pct", "cumulative_revenue_share_pct"):
        concentration[column] = concentration[column].astype(float)
    bands = reports["rpt_active_seller_bands"].sort_values("band_order").reset_index(drop=True)
    for column in ("t12m_revenue", "revenue_share_pct"):
        bands[column] = bands[column].astype(float)

    total = concentration["t12m_revenue"].sum()
    if concentration.empty or total <= 0:
        summary = "No trailing-12-month partner revenue yet."
        curve = go.Figure(layout={"title": "No partner revenue to rank yet"})
    else:
        half = int((concentration["cumulative_revenue_share_pct"] < 50).sum()) + 1
        sellers = int((concentration["t12m_revenue"] > 0).sum())
        summary = (
            f"{money(total)} trailing-12-month partner revenue from {sellers:,} of "
            f"{len(concentration):,} partners; {half:,} partner{'s' if half > 1 else ''} "
            f"bring{'' if half > 1 else 's'} half of it."
        )
        curve = _pareto(concentration, _band_colours(bands))
    if bands.empty or bands["partner_count"].sum() <= 0:
        return summary, [curve, go.Figure(layout={"title": "No revenue bands yet"})]
    return summary, [curve, _band_shares(bands), _active_sellers(bands)]
