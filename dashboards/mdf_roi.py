"""Page: MDF ROI — spend by quarter and activity type, attributed against incremental return, both
ROI definitions, and the closed-loop reallocation dry run (reads rpt_mdf_roi_summary and
rpt_mdf_reallocation_dry_run; definitions in docs/mdf.md)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboards.style import TIER_COLOURS, money

ALL = "all"  # the report's all-activities row of a quarter, which carries the incremental return
ACTIVITY_TYPE_COLOURS = {
    "event": "#1f77b4",
    "trade_show": "#ff7f0e",
    "webinar": "#2ca02c",
    "digital_campaign": "#d62728",
    "content": "#9467bd",
    "training": "#8c564b",
}
SPEND_COLOUR = "#adb5bd"
ATTRIBUTED_COLOUR = "#74c0fc"
INCREMENTAL_COLOUR = "#2b8a3e"
CURRENT_COLOUR = "#adb5bd"
RECOMMENDED_COLOUR = "#4b5d73"
RELEASABLE_COLOUR = "#c9a227"
NET_LABEL = "Net ROI = (return - spend) / spend"
GROSS_LABEL = "Gross ROI (ROAS) = return / spend"
TOP_PARTNERS = 10
SUMMARY_MONEY = (
    "approved_amount",
    "spend_amount",
    "tracked_spend_amount",
    "lead_sourced_revenue_amount",
    "attributed_revenue_amount",
    "incremental_spend_amount",
    "incremental_revenue_amount",
    "incremental_revenue_ci_lower_amount",
    "incremental_revenue_ci_upper_amount",
)
DRY_RUN_MONEY = (
    "measured_spend_amount",
    "attributed_revenue_amount",
    "current_quarterly_amount",
    "recommended_amount",
    "change_amount",
    "releasable_amount",
)


def _label(activity_type: str) -> str:
    return activity_type.replace("_", " ").capitalize()


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def _caption(figure: go.Figure, text: str) -> None:
    figure.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=-0.22,
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        font={"size": 12, "color": "#555"},
    )
    figure.update_layout(margin={"b": 150})


def _pooled_incremental(totals: pd.DataFrame) -> dict[str, float] | None:
    """Incremental return over the cohorts whose post window has closed: revenue and spend summed
    (the pooled estimate's own totals), the interval's half-widths combined in quadrature."""
    closed = totals[totals["is_post_window_complete"].fillna(False).astype(bool)]
    closed = closed.dropna(subset=["incremental_revenue_amount"])
    spend = closed["incremental_spend_amount"].sum()
    if closed.empty or spend <= 0:
        return None
    revenue = closed["incremental_revenue_amount"].sum()
    half = (
        closed["incremental_revenue_ci_upper_amount"]
        - closed["incremental_revenue_ci_lower_amount"]
    )
    margin = math.sqrt(((half / 2) ** 2).sum())
    return {
        "cohorts": len(closed),
        "first": closed["fiscal_quarter"].min(),
        "last": closed["fiscal_quarter"].max(),
        "spend": spend,
        "revenue": revenue,
        "gross": revenue / spend,
        "gross_lower": (revenue - margin) / spend,
        "gross_upper": (revenue + margin) / spend,
    }


def _spend_by_type(by_type: pd.DataFrame) -> go.Figure:
    quarters = sorted(by_type["fiscal_quarter"].unique())
    spend = by_type.pivot_table(
        index="fiscal_quarter",
        columns="activity_type",
        values="spend_amount",
        aggfunc="sum",
        fill_value=0.0,
    ).reindex(quarters, fill_value=0.0)
    counts = by_type.pivot_table(
        index="fiscal_quarter",
        columns="activity_type",
        values="activity_count",
        aggfunc="sum",
        fill_value=0,
    ).reindex(index=quarters, columns=spend.columns, fill_value=0)
    types = [t for t in ACTIVITY_TYPE_COLOURS if t in spend.columns]
    types += sorted(set(spend.columns) - set(types))
    figure = go.Figure(
        [
            go.Bar(
                name=_label(kind),
                x=quarters,
                y=spend[kind],
                marker_color=ACTIVITY_TYPE_COLOURS.get(kind, "#868e96"),
                customdata=counts[kind],
                hovertemplate=(
                    f"%{{x}}<br>{_label(kind)}: %{{y:$,.0f}} paid"
                    "<br>%{customdata} approved activities<extra></extra>"
                ),
            )
            for kind in types
        ]
    )
    by_kind = spend.sum().reindex(types)
    total = by_kind.sum()
    if total <= 0:
        title = "No MDF spend yet"
    else:
        top = by_kind.idxmax()
        title = (
            f"{_label(top)} took the largest share of MDF spend: {money(by_kind[top])} of "
            f"{money(total)} ({by_kind[top] / total:.0%}), {quarters[0]} to {quarters[-1]}"
        )
        idle = [q for q in quarters if spend.loc[q].sum() <= 0]
        if idle:
            title += f"; nothing paid in {', '.join(idle)}"
    figure.update_layout(
        barmode="stack",
        title=title,
        xaxis_title="Fiscal quarter of the funding budget",
        yaxis_title="MDF spend (paid, USD)",
        legend_title="Activity type",
    )
    return figure


def _attributed_vs_incremental(
    totals: pd.DataFrame, pooled: dict[str, float] | None, model: str
) -> go.Figure:
    quarters = totals["fiscal_quarter"].tolist()
    closed = totals["is_post_window_complete"].fillna(False).astype(bool)
    revenue = totals["incremental_revenue_amount"]
    figure = go.Figure(
        [
            go.Bar(
                name="MDF spend (paid)",
                x=quarters,
                y=totals["spend_amount"],
                marker_color=SPEND_COLOUR,
                hovertemplate="%{x}<br>MDF paid %{y:$,.0f}<extra></extra>",
            ),
            go.Bar(
                name=f"Attributed revenue ({model})",
                x=quarters,
                y=totals["attributed_revenue_amount"],
                marker_color=ATTRIBUTED_COLOUR,
                customdata=totals[["roi_gross", "roi_net"]],
                hovertemplate=(
                    "%{x}<br>attributed revenue %{y:$,.0f}<br>gross ROI %{customdata[0]:.2f}, "
                    "net %{customdata[1]:+.2f}<extra></extra>"
                ),
            ),
            go.Bar(
                name="Incremental revenue (difference-in-differences)",
                x=quarters,
                y=revenue,
                marker_color=INCREMENTAL_COLOUR,
                marker_opacity=[1.0 if c else 0.4 for c in closed],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": totals["incremental_revenue_ci_upper_amount"] - revenue,
                    "arrayminus": revenue - totals["incremental_revenue_ci_lower_amount"],
                    "color": "#555",
                },
                customdata=pd.DataFrame(
                    {
                        "lower": totals["incremental_revenue_ci_lower_amount"],
                        "upper": totals["incremental_revenue_ci_upper_amount"],
                        "spend": totals["incremental_spend_amount"],
                        "gross": totals["incremental_roi_gross"],
                        "window": ["closed" if c else "still open" for c in closed],
                    }
                ),
                hovertemplate=(
                    "%{x} cohort<br>incremental revenue %{y:$,.0f}<br>interval "
                    "%{customdata[0]:$,.0f} to %{customdata[1]:$,.0f}<br>on %{customdata[2]:$,.0f} "
                    "paid to matched partners: gross ROI %{customdata[3]:.2f}"
                    "<br>post window %{customdata[4]}<extra></extra>"
                ),
            ),
        ]
    )
    spend = totals["spend_amount"].sum()
    attributed = _ratio(totals["attributed_revenue_amount"].sum(), spend)
    if spend <= 0:
        title = "No MDF spend yet to measure a return on"
    elif pooled is None:
        title = (
            f"Attributed return is {attributed:.1f}x spend; no cohort's post window has closed "
            "yet to measure the incremental return"
        )
    elif pooled["gross"] > attributed:
        title = (
            f"Incremental return is {pooled['gross']:.1f}x spend (interval "
            f"{pooled['gross_lower']:.1f}x to {pooled['gross_upper']:.1f}x); attributed return "
            f"sees only {attributed:.1f}x"
        )
    else:
        title = (
            f"Attributed return is {attributed:.1f}x spend, but only {pooled['gross']:.1f}x is "
            f"incremental (interval {pooled['gross_lower']:.1f}x to {pooled['gross_upper']:.1f}x)"
        )
    figure.update_layout(
        barmode="group",
        title=title,
        xaxis_title="Fiscal quarter (cohort quarter for the incremental return)",
        yaxis_title="USD",
        legend_title="Per quarter",
    )
    if pooled is not None:
        _caption(
            figure,
            f"Incremental: revenue change of funded partners minus that of matched unfunded "
            f"partners, summed over the {pooled['cohorts']} cohorts {pooled['first']} to "
            f"{pooled['last']} whose post window has closed, against the MDF paid to the matched "
            "partners;<br>error bars are each cohort's interval (var mdf_did_ci_z, 95 % by "
            "default), combined in quadrature for the title. Faded bars: post window still "
            "open. Per-cohort figures are noisy: read the total.",
        )
    return figure


def _roi_definitions(
    by_type: pd.DataFrame, totals: pd.DataFrame, pooled: dict[str, float] | None
) -> go.Figure:
    sums = by_type.groupby("activity_type")[["spend_amount", "attributed_revenue_amount"]].sum()
    sums = sums[sums["spend_amount"] > 0]
    gross = (sums["attributed_revenue_amount"] / sums["spend_amount"]).sort_values(ascending=False)
    labels = [_label(t) for t in gross.index]
    spend_all = totals["spend_amount"].sum()
    values = list(gross)
    if spend_all > 0:
        labels.append("All activities, attributed")
        values.append(totals["attributed_revenue_amount"].sum() / spend_all)
    lower = upper = [math.nan] * len(values)  # only the incremental bars carry an interval
    if pooled is not None:
        labels.append("All activities, incremental")
        values.append(pooled["gross"])
        lower = [*lower, pooled["gross"] - pooled["gross_lower"]]
        upper = [*upper, pooled["gross_upper"] - pooled["gross"]]
    error = {"type": "data", "symmetric": False, "array": upper, "arrayminus": lower}
    figure = go.Figure(
        [
            go.Bar(
                name=NET_LABEL + " (0 = break-even)",
                x=labels,
                y=[v - 1 for v in values],
                marker_color="#4b5d73",
                error_y={**error, "color": "#555"},
                hovertemplate="%{x}<br>net ROI %{y:+.2f}<extra></extra>",
            ),
            go.Bar(
                name=GROSS_LABEL + " (1 = break-even)",
                x=labels,
                y=values,
                marker_color=ATTRIBUTED_COLOUR,
                error_y={**error, "color": "#555"},
                hovertemplate="%{x}<br>gross ROI %{y:.2f}<extra></extra>",
            ),
        ]
    )
    figure.add_hline(y=0, line={"color": "#4b5d73", "dash": "dot"})
    figure.add_hline(y=1, line={"color": ATTRIBUTED_COLOUR, "dash": "dot"})
    if gross.empty:
        title = "No MDF spend yet to compute a return on investment"
    else:
        covering = gross[gross >= 1]
        best = gross.index[0]
        figures_text = f"gross ROI {gross[best]:.2f}, net {gross[best] - 1:+.2f}"
        if covering.empty:
            title = (
                f"No activity type earns back its MDF in attributed revenue; the best, "
                f"{_label(best).lower()}, reaches {figures_text}"
            )
        elif len(covering) == 1:
            title = (
                f"Only {_label(best).lower()} earns back its MDF in attributed revenue "
                f"({figures_text})"
            )
        else:
            title = (
                f"{len(covering)} of {len(gross)} activity types earn back their MDF in attributed "
                f"revenue; best {_label(best).lower()} ({figures_text})"
            )
    figure.update_layout(
        barmode="group",
        title=title,
        xaxis_title="Activity type (all quarters)",
        yaxis_title="Return on MDF spend (ratio)",
        legend_title="ROI definition",
    )
    return figure


def _reallocation_by_type(dry_run: pd.DataFrame) -> go.Figure:
    by_type = dry_run.groupby("activity_type")[
        ["current_quarterly_amount", "recommended_amount", "releasable_amount"]
    ].sum()
    by_type = by_type.sort_values("current_quarterly_amount", ascending=False)
    labels = [_label(t) for t in by_type.index]
    quarter = dry_run["recommendation_fiscal_quarter"].iloc[0]
    figure = go.Figure(
        [
            go.Bar(
                name=name,
                x=labels,
                y=by_type[column],
                marker_color=colour,
                hovertemplate=f"%{{x}}<br>{name}: %{{y:$,.0f}}<extra></extra>",
            )
            for column, name, colour in (
                ("current_quarterly_amount", "Current run rate a quarter", CURRENT_COLOUR),
                ("recommended_amount", f"Recommended for {quarter}", RECOMMENDED_COLOUR),
                ("releasable_amount", "Releasable (never completed)", RELEASABLE_COLOUR),
            )
        ]
    )
    current, recommended = (
        by_type["current_quarterly_amount"].sum(),
        by_type["recommended_amount"].sum(),
    )
    releasable = by_type["releasable_amount"].sum()
    title = (
        f"Dry run for {quarter}: MDF would go from {money(current)} to {money(recommended)} a "
        f"quarter"
    )
    if current > 0:
        title += f" ({recommended / current - 1:+.0%})"
    title += f"; {money(releasable)} is releasable from activities that never completed"
    figure.update_layout(
        barmode="group",
        title=title,
        xaxis_title="Activity type",
        yaxis_title="MDF (USD)",
        legend_title="Closed loop (nothing applied)",
    )
    return figure


def _reallocation_by_partner(dry_run: pd.DataFrame, caption: str) -> go.Figure:
    named = dry_run.assign(partner_name=dry_run["partner_name"].fillna("Unknown partner"))
    partners = (
        named.groupby(["partner_name", "partner_tier"], dropna=False)
        .agg(
            current=("current_quarterly_amount", "sum"),
            recommended=("recommended_amount", "sum"),
            releasable=("releasable_amount", "sum"),
            lines=("activity_type", "count"),
        )
        .reset_index()
        .sort_values("current", ascending=False)
        .head(TOP_PARTNERS)
    )
    custom = partners[["partner_tier", "lines", "releasable"]]
    hover = (
        "%{y} (%{customdata[0]})<br>{name}: %{x:$,.0f}<br>%{customdata[1]} activity types, "
        "%{customdata[2]:$,.0f} releasable<extra></extra>"
    )
    figure = go.Figure(
        [
            go.Bar(
                name="Current run rate a quarter",
                y=partners["partner_name"],
                x=partners["current"],
                orientation="h",
                marker_color=CURRENT_COLOUR,
                customdata=custom,
                hovertemplate=hover.replace("{name}", "current"),
            ),
            go.Bar(
                name="Recommended (bar colour: partner tier)",
                y=partners["partner_name"],
                x=partners["recommended"],
                orientation="h",
                marker_color=[
                    TIER_COLOURS.get(t, RECOMMENDED_COLOUR) for t in partners["partner_tier"]
                ],
                customdata=custom,
                hovertemplate=hover.replace("{name}", "recommended"),
            ),
        ]
    )
    directions = dry_run["change_direction"].value_counts()
    change = named.sort_values("change_amount").iloc[0]
    title = (
        f"{directions.get('decrease', 0)} of {len(dry_run)} partner-activity lines would be cut, "
        f"{directions.get('increase', 0)} raised and {directions.get('hold', 0)} held"
    )
    if change["change_amount"] < 0:
        title += (
            f"; the largest cut: {change['partner_name']} {_label(change['activity_type']).lower()}"
            f" {money(change['current_quarterly_amount'])} → {money(change['recommended_amount'])}"
        )
    figure.update_layout(
        barmode="group",
        title=title,
        xaxis_title="MDF a quarter (USD)",
        yaxis_title=f"Partner (top {len(partners)} by current run rate)",
        yaxis_autorange="reversed",
        legend_title="Closed loop (nothing applied)",
        height=max(450, 45 * len(partners) + 250),
    )
    if caption:
        _caption(figure, caption)
    return figure


def _loop_caption(dry_run: pd.DataFrame, attributed: float, pooled: dict[str, float] | None) -> str:
    measured = int(dry_run["measured_roi_gross"].notna().sum())
    text = (
        f"The closed loop is driven by attributed ROI: {measured} of {len(dry_run)} lines are "
        "banded (seeds/mdf_allocation_policy.csv) on attributed revenue / campaign-tracked spend"
    )
    text += f", {len(dry_run) - measured} unmeasured." if measured < len(dry_run) else "."
    if pooled is not None and pooled["gross"] > attributed:
        text += (
            f"<br>Attribution sees {attributed:.1f}x spend where difference-in-differences "
            f"measures {pooled['gross']:.1f}x: read the cuts as a prompt to fund traceable "
            "(TCMA-executed) activities, not as a verdict on MDF as a whole."
        )
    return text


def figures(reports: dict[str, pd.DataFrame]) -> tuple[str, list[go.Figure]]:
    """The page's summary line and figures."""
    summary_frame = reports["rpt_mdf_roi_summary"].copy()
    for column in SUMMARY_MONEY:
        summary_frame[column] = summary_frame[column].astype(float)
    summary_frame = summary_frame.sort_values(["fiscal_quarter", "activity_type"])
    dry_run = reports["rpt_mdf_reallocation_dry_run"].copy()
    for column in DRY_RUN_MONEY:
        dry_run[column] = dry_run[column].astype(float)

    by_type = summary_frame[summary_frame["activity_type"] != ALL]
    totals = summary_frame[summary_frame["activity_type"] == ALL].reset_index(drop=True)
    spend = totals["spend_amount"].sum()
    if by_type.empty or spend <= 0:
        return "No MDF spend yet.", [
            go.Figure(layout={"title": "No MDF spend yet"}),
            *(
                [_reallocation_by_type(dry_run), _reallocation_by_partner(dry_run, "")]
                if len(dry_run)
                else [go.Figure(layout={"title": "No MDF reallocation dry run yet"})]
            ),
        ]
    pooled = _pooled_incremental(totals)
    model = summary_frame["attribution_model"].iloc[0]
    attributed = totals["attributed_revenue_amount"].sum()
    summary = (
        f"{money(spend)} MDF paid over {totals['fiscal_quarter'].min()} to "
        f"{totals['fiscal_quarter'].max()}; attributed revenue ({model} model) {money(attributed)}: "
        f"net ROI {attributed / spend - 1:+.2f}, gross {attributed / spend:.2f}."
    )
    if pooled is not None:
        summary += (
            f" Incremental revenue {money(pooled['revenue'])} on {money(pooled['spend'])} paid to "
            f"matched partners: net ROI {pooled['gross'] - 1:+.2f}, gross {pooled['gross']:.2f}."
        )
    pages = [
        _spend_by_type(by_type),
        _attributed_vs_incremental(totals, pooled, model),
        _roi_definitions(by_type, totals, pooled),
    ]
    if dry_run.empty:
        return summary, [*pages, go.Figure(layout={"title": "No MDF reallocation dry run yet"})]
    caption = _loop_caption(dry_run, attributed / spend, pooled)
    return summary, [
        *pages,
        _reallocation_by_type(dry_run),
        _reallocation_by_partner(dry_run, caption),
    ]
