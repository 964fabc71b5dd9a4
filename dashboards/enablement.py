"""Page: enablement — certification lift by course against comparable uncertified partners, content
in deals by asset type and stage, and the onboarding funnel by cohort (reads rpt_certification_lift,
rpt_content_lift and rpt_onboarding_funnel; definitions in docs/enablement.md)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.style import money

ALL = "all"  # the reports' every-asset / every-stage / every-cohort rows
GROUPS = {  # (partner_group, period): legend name, colour
    ("certified", "before"): ("Certified, before", "#a9e34b"),
    ("certified", "after"): ("Certified, after", "#2b8a3e"),
    ("comparable", "before"): ("Comparable uncertified, before", "#dee2e6"),
    ("comparable", "after"): ("Comparable uncertified, after", "#868e96"),
}
WITH_COLOUR = "#2b8a3e"
WITHOUT_COLOUR = "#adb5bd"
FUNNEL_COLOUR = "#4b5d73"


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _lift_by_course(
    lift: pd.DataFrame, value: str, axis_title: str, hover: str, lift_hover: str
) -> go.Figure:
    """Before/after bars of certified and comparable partners per course; ``hover`` formats a bar
    (``%{x...}``), ``lift_hover`` the course's lift (``%{customdata[1]...}``)."""
    scale = 100 if value == "win_rate" else 1  # win rates in percent (points), money as is
    courses = (
        lift.groupby("course_title")[f"{value}_lift"]
        .first()
        .sort_values(ascending=False, na_position="last")
    )
    certified = lift[lift["partner_group"] == "certified"]
    custom = pd.DataFrame(
        {
            "partners": certified.groupby("course_title")["partner_count"].max(),
            "lift": courses * scale,
        }
    ).reindex(courses.index)
    figure = go.Figure()
    for (group, period), (name, colour) in GROUPS.items():
        rows = lift[(lift["partner_group"] == group) & (lift["period"] == period)]
        figure.add_trace(
            go.Bar(
                name=name,
                y=courses.index,
                x=rows.set_index("course_title")[value].reindex(courses.index) * scale,
                orientation="h",
                marker_color=colour,
                customdata=custom,
                hovertemplate=(
                    f"%{{y}}<br>{name}: {hover}<br>%{{customdata[0]}} certified partners<br>"
                    f"lift beyond comparable partners {lift_hover}"
                    "<extra></extra>"
                ),
            )
        )
    figure.update_layout(
        barmode="group",
        xaxis_title=axis_title,
        yaxis_title="Certification course (largest lift first)",
        yaxis_autorange="reversed",
        legend_title="Partners, window",
        height=max(450, 90 * len(courses) + 200),
    )
    return figure


def _lift_title(courses: pd.Series, measure: str, fmt) -> str:
    measured = courses.dropna()
    if measured.empty:
        return f"No certification has comparable partners to measure a {measure} lift against yet"
    best, worst = measured.idxmax(), measured.idxmin()
    title = (
        f"{int((measured > 0).sum())} of {len(measured)} certifications lift {measure} beyond "
        f"comparable partners; best {best} ({fmt(measured[best])})"
    )
    if worst != best:
        title += f", worst {worst} ({fmt(measured[worst])})"
    if len(courses) > len(measured):
        title += f"; {len(courses) - len(measured)} without comparable partners"
    return title


def _certification(lift: pd.DataFrame) -> list[go.Figure]:
    by_course = lift.groupby("course_title")[["win_rate_lift", "revenue_per_partner_lift"]].first()
    win = _lift_by_course(
        lift, "win_rate", "Sourced win rate (%)", "%{x:.1f}%", "%{customdata[1]:+.1f} points"
    )
    win.update_layout(
        title=_lift_title(
            by_course["win_rate_lift"], "win rate", lambda v: f"{v * 100:+.1f} points"
        )
    )
    revenue = _lift_by_course(
        lift,
        "revenue_per_partner",
        "Partner revenue per partner in the window (USD)",
        "%{x:$,.0f}",
        "%{customdata[1]:$+,.0f}",
    )
    revenue.update_layout(
        title=_lift_title(
            by_course["revenue_per_partner_lift"],
            "revenue per partner",
            lambda v: ("+" if v >= 0 else "-") + money(abs(v)),
        )
    )
    return [win, revenue]


def _content_by_asset(content: pd.DataFrame) -> go.Figure:
    assets = content[content["deal_stage"] == ALL].sort_values("win_rate_lift", ascending=False)
    assets = pd.concat([assets[assets["asset_type"] == ALL], assets[assets["asset_type"] != ALL]])
    labels = ["All assets" if a == ALL else _label(a) for a in assets["asset_type"]]
    won_with = (assets["win_rate_with"] * assets["closed_with_count"]).round()
    won_without = (assets["win_rate_without"] * assets["closed_without_count"]).round()
    figure = go.Figure(
        [
            go.Bar(
                name=name,
                x=labels,
                y=assets[rate] * 100,
                marker_color=colour,
                customdata=pd.DataFrame({"won": won, "closed": assets[closed]}),
                hovertemplate=(
                    f"%{{x}}, {name.lower()}<br>win rate %{{y:.1f}}%<br>%{{customdata[0]:,.0f}} won "
                    "of %{customdata[1]:,} closed<extra></extra>"
                ),
            )
            for name, rate, closed, won, colour in (
                ("With the asset", "win_rate_with", "closed_with_count", won_with, WITH_COLOUR),
                (
                    "Without",
                    "win_rate_without",
                    "closed_without_count",
                    won_without,
                    WITHOUT_COLOUR,
                ),
            )
        ]
    )
    overall = assets[assets["asset_type"] == ALL]
    typed = assets[(assets["asset_type"] != ALL)].dropna(subset=["win_rate_lift"])
    parts = []
    if len(overall) and pd.notna(overall["win_rate_lift"].iloc[0]):
        row = overall.iloc[0]
        parts.append(
            f"Deals with content attached win {row['win_rate_with']:.0%} against "
            f"{row['win_rate_without']:.0%} without (lift {row['win_rate_lift']:.2f})"
        )
    if len(typed):
        best = typed.iloc[0]
        parts.append(
            f"{_label(best['asset_type']).lower()} lifts most ({best['win_rate_lift']:.2f})"
        )
    figure.update_layout(
        barmode="group",
        title="; ".join(parts) if parts else "No closed partner deals with content attached yet",
        xaxis_title="Asset type attached before close (any stage)",
        yaxis_title="Win rate of closed partner deals (%)",
        legend_title="Deals",
    )
    return figure


def _content_by_stage(content: pd.DataFrame) -> go.Figure:
    ordered = content.sort_values("stage_order")
    stages = ordered.drop_duplicates("deal_stage")[["deal_stage", "deal_stage_label"]]
    assets = [ALL, *sorted(set(content["asset_type"]) - {ALL})]
    lift = content.pivot_table(
        index="asset_type", columns="deal_stage", values="win_rate_lift", aggfunc="first"
    ).reindex(index=assets, columns=stages["deal_stage"])
    counts = content.pivot_table(
        index="asset_type", columns="deal_stage", values="closed_with_count", aggfunc="first"
    ).reindex(index=assets, columns=stages["deal_stage"])
    figure = go.Figure(
        go.Heatmap(
            z=lift.to_numpy(),
            x=stages["deal_stage_label"].tolist(),
            y=["All assets" if a == ALL else _label(a) for a in assets],
            customdata=counts.to_numpy(),
            text=[["" if pd.isna(v) else f"{v:.2f}" for v in row] for row in lift.to_numpy()],
            texttemplate="%{text}",
            colorscale="RdYlGn",
            zmid=1,
            colorbar_title="Lift",
            hovertemplate=(
                "%{y} attached at %{x}<br>win-rate lift %{z:.2f}<br>%{customdata:,} closed deals "
                "with it<extra></extra>"
            ),
        )
    )
    by_stage = content[(content["asset_type"] == ALL) & (content["deal_stage"] != ALL)]
    by_stage = by_stage.dropna(subset=["win_rate_lift"])
    if by_stage.empty:
        title = "No stage-level content lift yet"
    else:
        low = by_stage.loc[by_stage["win_rate_lift"].idxmin()]
        high = by_stage.loc[by_stage["win_rate_lift"].idxmax()]
        title = (
            f"By stage of attachment the lift runs from {low['win_rate_lift']:.2f} at "
            f"{low['deal_stage_label']} ({int(low['closed_with_count']):,} deals with content) "
            f"to {high['win_rate_lift']:.2f} at {high['deal_stage_label']} "
            f"({int(high['closed_with_count']):,})"
        )
    figure.update_layout(
        title=title,
        xaxis_title="Deal stage the asset was attached in (funnel order)",
        yaxis_title="Asset type",
        yaxis_autorange="reversed",
    )
    return figure


def _funnel(overall: pd.DataFrame) -> go.Figure:
    steps = overall.sort_values("step_number")
    figure = go.Figure(
        go.Funnel(
            y=[_label(s) for s in steps["funnel_step"]],
            x=steps["partners_reached_count"],
            textinfo="value+percent initial+percent previous",
            marker_color=FUNNEL_COLOUR,
            customdata=steps[["median_days_from_applied"]],
            hovertemplate=(
                "%{y}: %{x:,} partners<br>%{percentInitial:.0%} of applicants, "
                "%{percentPrevious:.0%} of the previous step<br>median %{customdata[0]:,.0f} days "
                "from application<extra></extra>"
            ),
        )
    )
    applied = steps["cohort_partner_count"].iloc[0]
    last = steps.iloc[-1]
    following = steps.dropna(subset=["conversion_from_previous_step"])
    title = (
        f"{last['conversion_from_applied']:.0%} of {int(applied):,} applicants reached "
        f"{_label(last['funnel_step']).lower()}"
    )
    if len(following):
        drop = following.loc[following["conversion_from_previous_step"].idxmin()]
        title += (
            f"; the steepest drop is into {_label(drop['funnel_step']).lower()} "
            f"({drop['conversion_from_previous_step']:.0%} of the previous step go on)"
        )
    figure.update_layout(
        title=title,
        xaxis_title="Partners",
        yaxis_title="Onboarding step (strict: every earlier step reached)",
    )
    return figure


def _cohorts(funnel: pd.DataFrame) -> go.Figure:
    cohorts = funnel[funnel["cohort_quarter"] != ALL]
    steps = cohorts.drop_duplicates("step_number").sort_values("step_number")
    share = cohorts.pivot_table(
        index="cohort_quarter",
        columns="step_number",
        values="conversion_from_applied",
        aggfunc="first",
    ).reindex(columns=steps["step_number"])
    reached = cohorts.pivot_table(
        index="cohort_quarter",
        columns="step_number",
        values="partners_reached_count",
        aggfunc="first",
    ).reindex(index=share.index, columns=steps["step_number"])
    size = cohorts.groupby("cohort_quarter")["cohort_partner_count"].max().reindex(share.index)
    figure = go.Figure(
        go.Heatmap(
            z=share.to_numpy() * 100,
            x=[_label(s) for s in steps["funnel_step"]],
            y=share.index.tolist(),
            text=[
                [f"{r:.0f}/{n:.0f}" for r in row]
                for row, n in zip(reached.fillna(0).to_numpy(), size.fillna(0), strict=True)
            ],
            texttemplate="%{text}",
            colorscale="Greens",
            zmin=0,
            zmax=100,
            colorbar_title="% of applicants",
            hovertemplate="%{y} cohort, %{x}<br>%{text} applicants (%{z:.0f}%)<extra></extra>",
        )
    )
    final = share.iloc[:, -1] if share.shape[1] else pd.Series(dtype=float)
    final = final[size.reindex(final.index) > 0].dropna()
    if final.empty:
        title = "No application cohorts yet"
    else:
        best = final.idxmax()
        step = _label(steps["funnel_step"].iloc[-1]).lower()
        title = (
            f"{best} converted best: {final[best]:.0%} of its {int(size[best]):,} applicants "
            f"reached {step}"
        )
        overall = funnel[
            (funnel["cohort_quarter"] == ALL)
            & (funnel["step_number"] == steps["step_number"].iloc[-1])
        ]
        if len(overall):
            title += f", against {overall['conversion_from_applied'].iloc[0]:.0%} over all cohorts"
        none = int((final == 0).sum())
        if none:
            title += f"; {none} cohort{'s have' if none > 1 else ' has'} none yet"
    figure.update_layout(
        title=title,
        xaxis_title="Onboarding step",
        yaxis_title="Application quarter (cohort)",
        yaxis_autorange="reversed",
        height=max(450, 24 * len(share) + 200),
    )
    return figure


def figures(reports: dict[str, pd.DataFrame]) -> tuple[str, list[go.Figure]]:
    """The page's summary line and figures."""
    lift = reports["rpt_certification_lift"].copy()
    for column in (
        "win_rate",
        "avg_deal_size",
        "revenue_per_partner",
        "win_rate_lift",
        "revenue_per_partner_lift",
    ):
        lift[column] = lift[column].astype(float)
    content = reports["rpt_content_lift"].copy()
    for column in ("attachment_rate", "win_rate_with", "win_rate_without", "win_rate_lift"):
        content[column] = content[column].astype(float)
    funnel = reports["rpt_onboarding_funnel"].copy()
    for column in (
        "conversion_from_previous_step",
        "conversion_from_applied",
        "median_days_from_applied",
        "cohort_median_ttpp_days",
    ):
        funnel[column] = funnel[column].astype(float)

    parts, pages = [], []
    if lift.empty:
        pages.append(go.Figure(layout={"title": "No certified partners with complete windows yet"}))
    else:
        courses = lift.groupby("course_title")["win_rate_lift"].first()
        certified = lift[(lift["partner_group"] == "certified") & (lift["period"] == "before")]
        parts.append(
            f"{int(certified['partner_count'].sum()):,} certified partner-courses in "
            f"{len(courses)} courses, {int((courses.dropna() > 0).sum())} with a win-rate lift "
            "beyond comparable partners"
        )
        pages.extend(_certification(lift))
    if content.empty:
        pages.append(go.Figure(layout={"title": "No closed partner deals with content yet"}))
    else:
        overall = content[(content["asset_type"] == ALL) & (content["deal_stage"] == ALL)]
        if len(overall) and pd.notna(overall["win_rate_lift"].iloc[0]):
            parts.append(f"content in deals lifts win rate {overall['win_rate_lift'].iloc[0]:.2f}x")
        pages.extend([_content_by_asset(content), _content_by_stage(content)])
    overall_funnel = funnel[funnel["cohort_quarter"] == ALL]
    if overall_funnel.empty:
        pages.append(go.Figure(layout={"title": "No partner applications yet"}))
    else:
        last = overall_funnel.sort_values("step_number").iloc[-1]
        text = (
            f"{last['conversion_from_applied']:.0%} of {int(last['cohort_partner_count']):,} "
            f"applicants reached {_label(last['funnel_step']).lower()}"
        )
        if pd.notna(last["cohort_median_ttpp_days"]):
            text += f" (median {last['cohort_median_ttpp_days']:,.0f} days to first revenue)"
        parts.append(text)
        pages.extend([_funnel(overall_funnel), _cohorts(funnel)])
    if not parts:
        return "No enablement data yet.", pages
    return "; ".join(parts)[0].upper() + "; ".join(parts)[1:] + ".", pages
