"""Page: data health — rows loaded, quarantine rate and last load per feed entity (rpt_feed_health),
and what changed in the files: quarantined files and schema drift (rpt_feed_schema_drift)."""

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
    figures = [rates, volumes]
    drift = reports.get("rpt_feed_schema_drift")
    if drift is not None and len(drift):
        summary += " " + drift_summary(drift)
        figures.append(drift_table(drift))
    elif drift is not None:
        summary += " Every file matched its feed contract or mapping."
    return summary, figures


# what the operator does about each kind of drift
DRIFT_ACTIONS = {
    "file quarantined": "Fix or replace the file (a changed file is read again); the feed's other files loaded.",
    "type change": "Values no longer parse as the contract type and were nulled (optional) or rejected: check the export's format settings.",
    "unknown columns": "Not loaded: map them in the CRM mapping, or ignore them.",
    "missing optional columns": "Loaded as null: check whether the vendor renamed them and update the mapping.",
}


def drift_summary(drift: pd.DataFrame) -> str:
    """One sentence on the files whose latest reading differed from the contract or mapping."""
    files = len(drift)
    whole = int((drift["drift_kind"] == "file quarantined").sum())
    text = f"{files:,} file{'s' if files != 1 else ''} differ{'s' if files == 1 else ''} from the feed contract or mapping"
    if whole:
        text += f", {whole:,} of them quarantined whole"
    return text + ": see what changed below."


def drift_table(drift: pd.DataFrame) -> go.Figure:
    """The files that changed format, worst first, with what changed and what to do."""
    rows = drift.assign(
        order=(drift["drift_severity"] != "error").astype(int),
        what=[
            "; ".join(
                part
                for part in (
                    row.file_reason if row.drift_kind == "file quarantined" else None,
                    f"type change: {row.type_changes}" if pd.notna(row.type_changes) else None,
                    f"unknown: {row.unknown_columns}" if pd.notna(row.unknown_columns) else None,
                    f"missing: {row.missing_columns}" if pd.notna(row.missing_columns) else None,
                    f"{int(row.values_nulled):,} optional values nulled (raw value_issues)"
                    if pd.notna(row.values_nulled) and row.values_nulled
                    else None,
                )
                if part
            )
            for row in drift.itertuples()
        ],
    ).sort_values(["order", "feed_name", "entity_name", "source_ref"])
    table = go.Figure(
        go.Table(
            header={"values": ["Feed", "Entity", "File", "What changed", "What to do"]},
            cells={
                "values": [
                    rows["feed_name"],
                    rows["entity_name"],
                    rows["source_ref"],
                    rows["what"],
                    rows["drift_kind"].map(DRIFT_ACTIONS),
                ],
                "align": "left",
            },
            columnwidth=[0.8, 1.2, 4, 3.5, 3.5],
        )
    )
    worst = rows.iloc[0]
    table.update_layout(
        title=f"What changed in the files: {worst['source_ref']} ({worst['drift_kind']}) first",
        height=max(300, 80 + 40 * len(rows)),
    )
    return table
