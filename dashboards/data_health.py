"""Page: data health — rows loaded, quarantine rate and last load per feed entity (rpt_feed_health)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

FEED_COLOURS = {"crm": "#1f77b4", "lms": "#2ca02c", "tcma": "#ff7f0e", "finance": "#9467bd"}


def figures(reports: dict[str, pd.DataFrame]) -> tuple[str, list[go.Figure]]:
    """The page's summary line and figures."""
    df = reports["rpt_feed_health"].copy()
    df["quarantine_rate"] = df["quarantine_rate"].astype(float).fillna(0.0)
    df["label"] = df["feed_name"] + "." + df["entity_name"]
    staged, quarantined = int(df["staged_row_count"].sum()), int(df["quarantined_row_count"].sum())
    total = staged + quarantined
    rate = quarantined / total if total else 0.0
    worst = df.sort_values("quarantine_rate", ascending=False).iloc[0] if len(df) else None
    summary = (
        f"{staged:,} rows loaded across {df['feed_name'].nunique()} feeds; {quarantined:,} records "
        f"({rate:.2%}) kept in quarantine with a reason."
    )
    ordered = df.sort_values(["feed_name", "entity_name"])
    rates = go.Figure(
        [
            go.Bar(
                name=feed,
                x=part["quarantine_rate"] * 100,
                y=part["label"],
                orientation="h",
                marker_color=FEED_COLOURS.get(feed),
            )
            for feed, part in ordered.groupby("feed_name", sort=True)
        ]
    )
    rates.update_layout(
        title=(
            f"Highest quarantine rate: {worst['label']} at {worst['quarantine_rate']:.2%}"
            if worst is not None and worst["quarantine_rate"] > 0
            else "No records quarantined"
        ),
        xaxis_title="Quarantined records (% of records received)",
        yaxis_title="Feed entity",
        height=max(400, 22 * len(df)),
        legend_title="Feed",
    )
    volumes = go.Figure(
        [
            go.Bar(
                name=feed,
                x=part["label"],
                y=part["staged_row_count"],
                marker_color=FEED_COLOURS.get(feed),
            )
            for feed, part in ordered.groupby("feed_name", sort=True)
        ]
    )
    biggest = df.sort_values("staged_row_count", ascending=False).iloc[0] if len(df) else None
    volumes.update_layout(
        title=f"{biggest['label']} is the largest table" if biggest is not None else "No rows yet",
        yaxis_title="Rows loaded (log scale)",
        yaxis_type="log",
        xaxis_title="Feed entity",
        legend_title="Feed",
    )
    return summary, [rates, volumes]
