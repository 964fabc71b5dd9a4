"""Page: partner revenue and pipeline by tier, partner type and stage (reads rpt_partner_pipeline)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.style import PARTNER_TYPE_COLOURS, TIER_COLOURS, TIER_ORDER, money


def _share_sentence(revenue_by_tier: pd.Series) -> str:
    total = revenue_by_tier.sum()
    if total <= 0:
        return "No closed-won partner revenue yet."
    top = revenue_by_tier.idxmax()
    return f"{top.title()} partners bring {revenue_by_tier[top] / total:.0%} of closed-won partner revenue"


def figures(reports: dict[str, pd.DataFrame]) -> tuple[str, list[go.Figure]]:
    """The page's summary line and figures."""
    df = reports["rpt_partner_pipeline"].copy()
    df["amount_usd"] = df["amount_usd"].astype(float)
    won = df[df["is_won"]]
    open_ = df[df["is_open"]]
    tiers = [t for t in TIER_ORDER if t in set(df["partner_tier"])]

    revenue_by_tier = won.groupby("partner_tier")["amount_usd"].sum().reindex(tiers, fill_value=0)
    summary = (
        f"Closed-won partner revenue {money(won['amount_usd'].sum())} from "
        f"{int(won['deal_count'].sum()):,} deals; open partner pipeline "
        f"{money(open_['amount_usd'].sum())} in {int(open_['deal_count'].sum()):,} deals."
    )
    if "has_account" in open_:
        # kept, not dropped: the CRM holds them without a customer account (prospects)
        no_account = open_[open_["has_account"].eq(False)]
        summary += (
            f" {money(no_account['amount_usd'].sum())} of that open pipeline "
            f"({int(no_account['deal_count'].sum()):,} deals) has no account in the CRM."
        )

    by_tier_type = won.pivot_table(
        index="partner_tier",
        columns="partner_type",
        values="amount_usd",
        aggfunc="sum",
        fill_value=0,
    ).reindex(tiers, fill_value=0)
    revenue = go.Figure(
        [
            go.Bar(
                name=ptype,
                x=by_tier_type.index,
                y=by_tier_type[ptype],
                marker_color=PARTNER_TYPE_COLOURS.get(ptype),
            )
            for ptype in by_tier_type.columns
        ]
    )
    revenue.update_layout(
        barmode="stack",
        title=_share_sentence(revenue_by_tier),
        xaxis_title="Partner tier",
        yaxis_title="Closed-won revenue (USD)",
        legend_title="Partner type",
    )

    stages = open_.groupby(["stage_order", "deal_stage_label"], as_index=False)["amount_usd"].sum()
    biggest = stages.loc[stages["amount_usd"].idxmax(), "deal_stage_label"] if len(stages) else None
    by_stage_tier = open_.pivot_table(
        index=["stage_order", "deal_stage_label"],
        columns="partner_tier",
        values="amount_usd",
        aggfunc="sum",
        fill_value=0,
    ).sort_index()
    labels = [label for _, label in by_stage_tier.index]
    pipeline = go.Figure(
        [
            go.Bar(
                name=tier,
                y=labels,
                x=by_stage_tier[tier],
                orientation="h",
                marker_color=TIER_COLOURS[tier],
            )
            for tier in tiers
            if tier in by_stage_tier.columns
        ]
    )
    pipeline.update_layout(
        barmode="stack",
        title=f"Most open partner pipeline sits in '{biggest}'"
        if biggest
        else "No open partner pipeline",
        xaxis_title="Open pipeline (USD)",
        yaxis_title="Deal stage (funnel order)",
        yaxis_autorange="reversed",
        legend_title="Partner tier",
    )

    by_type = (
        pd.DataFrame(
            {
                "won": won.groupby("partner_type")["amount_usd"].sum(),
                "open": open_.groupby("partner_type")["amount_usd"].sum(),
            }
        )
        .fillna(0)
        .sort_values("won", ascending=False)
    )
    lead = by_type.index[0] if len(by_type) and by_type["won"].iloc[0] > 0 else None
    types = go.Figure(
        [
            go.Bar(
                name="Closed-won revenue", x=by_type.index, y=by_type["won"], marker_color="#2b8a3e"
            ),
            go.Bar(
                name="Open pipeline", x=by_type.index, y=by_type["open"], marker_color="#74c0fc"
            ),
        ]
    )
    types.update_layout(
        barmode="group",
        title=f"{lead.title()} partners lead on revenue"
        if lead
        else "No closed-won partner revenue yet",
        xaxis_title="Partner type",
        yaxis_title="USD",
    )
    return summary, [revenue, pipeline, types]
