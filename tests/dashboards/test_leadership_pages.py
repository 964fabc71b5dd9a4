"""The attribution, partner-scorecard, active-seller, MDF ROI and enablement pages: titles computed from the data, and a
clear message instead of a crash when a report is empty."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
import yaml

from dashboards import active_sellers, attribution, enablement, mdf_roi, partner_scorecards
from pipelines.settings import PROJECT_ROOT as ROOT
from tests.dashboards import report_frames


def _titles(figures: list[go.Figure]) -> list[str]:
    return [figure.layout.title.text for figure in figures]


def _attribution(**frames: pd.DataFrame) -> tuple[str, list[str]]:
    reports = {
        "rpt_attribution_over_time": report_frames.attribution_over_time(),
        "rpt_attribution_model_comparison": report_frames.attribution_model_comparison(),
        **frames,
    }
    summary, figures = attribution.figures(reports)
    return summary, _titles(figures)


def test_attribution_page_states_partner_shares_and_model_disagreement() -> None:
    summary, titles = _attribution()
    assert summary == (
        "12 months to Sep 2026: won revenue $1.4M, of which partner-sourced $660.0k (48%) and "
        "partner-influenced $120.0k (9%); partner pipeline created $2.0M."
    )
    assert titles == [
        "Partners brought 58% of won revenue in 2026-Q3 (50% sourced, 8% influenced), "
        "up from 50% a year earlier",
        "Partners sourced $1.4M of new pipeline in the last 12 months, +20% on the 12 months before",
        "The models disagree most on referral touches: 10% of credit under Last touch, "
        "60% under First touch",
        "Acme gets the most credit under 7 of 8 models; Markov by partner puts Globex first",
    ]


def test_attribution_titles_follow_the_data() -> None:
    _, titles = _attribution(
        rpt_attribution_over_time=report_frames.attribution_over_time(direct_won=200_000),
        rpt_attribution_model_comparison=report_frames.attribution_model_comparison("Acme"),
    )
    assert titles[0].startswith("Partners brought 26% of won revenue in 2026-Q3")
    assert titles[0].endswith("up from 20% a year earlier")
    assert titles[3] == "Acme gets the most credit under 8 of 8 models"


def test_a_quarter_in_progress_is_labelled_and_a_short_history_has_no_comparison() -> None:
    frame = report_frames.attribution_over_time()
    months = pd.to_datetime(frame["period_month"])
    ten_months = frame[(months >= "2025-11-01") & (months <= "2026-08-01")]
    _, titles = _attribution(rpt_attribution_over_time=ten_months)
    assert titles[0] == (
        "Partners brought 58% of won revenue in 2026-Q3 to date (50% sourced, 8% influenced)"
    )
    assert titles[1] == "Partners sourced $1.2M of new pipeline in the last 12 months"


def test_partner_scorecards_page_ranks_the_league() -> None:
    summary, figures = partner_scorecards.figures(
        {"rpt_partner_scorecard": report_frames.partner_scorecard()}
    )
    assert summary == (
        "30 partners scored, 20 of them active sellers; the top 25 bring 96% of $4.0M "
        "trailing-12-month partner revenue."
    )
    table, scatter, win_rates = figures
    assert table.layout.title.text == (
        "Partner 01 leads the league with $1.0M trailing-12-month revenue and a 40% win rate"
    )
    assert len(table.data[0].cells.values[0]) == 25
    assert scatter.layout.title.text.startswith("Partners in the top engagement quartile average")
    assert scatter.layout.title.text.endswith("times the bottom quartile")
    assert win_rates.layout.title.text == (
        "Platinum partners win 40% of their deals on average, registered partners 10%"
    )


def test_partner_scorecard_titles_follow_the_data() -> None:
    summary, figures = partner_scorecards.figures(
        {"rpt_partner_scorecard": report_frames.partner_scorecard(partners=3)}
    )
    assert summary.startswith("3 partners scored, 3 of them active sellers; the top 3 bring 100%")
    assert figures[2].layout.title.text == "Platinum partners win 40% of their deals on average"


def _active_sellers(**frames: pd.DataFrame) -> tuple[str, list[str]]:
    reports = {
        "rpt_revenue_concentration": report_frames.revenue_concentration(),
        "rpt_active_seller_bands": report_frames.active_seller_bands(),
        **frames,
    }
    summary, figures = active_sellers.figures(reports)
    return summary, _titles(figures)


def test_active_sellers_page_reads_the_pareto_curve() -> None:
    summary, titles = _active_sellers()
    assert summary == (
        "$100.0k trailing-12-month partner revenue from 9 of 10 partners; "
        "2 partners bring half of it."
    )
    assert titles == [
        "Top 20% of partners bring 65% of trailing-12-month revenue",
        "Band A: 2 partners (20% of partners) bring 65% of trailing-12-month revenue",
        "7 of 10 partners (70%) are active sellers",
    ]


def test_active_seller_titles_follow_the_data() -> None:
    summary, titles = _active_sellers(
        rpt_revenue_concentration=report_frames.revenue_concentration(
            (10, 10, 10, 10, 10, 10, 10, 10, 10, 10)
        )
    )
    assert summary.endswith("5 partners bring half of it.")
    assert titles[0] == "Top 20% of partners bring 20% of trailing-12-month revenue"


@pytest.mark.parametrize(
    ("module", "reports", "message"),
    [
        (attribution, ("rpt_attribution_over_time", "rpt_attribution_model_comparison"), "No opportunities in the warehouse yet."),
        (partner_scorecards, ("rpt_partner_scorecard",), "No partner scorecards yet."),
        (active_sellers, ("rpt_revenue_concentration", "rpt_active_seller_bands"), "No trailing-12-month partner revenue yet."),
        (mdf_roi, ("rpt_mdf_roi_summary", "rpt_mdf_reallocation_dry_run"), "No MDF spend yet."),
        (enablement, ("rpt_certification_lift", "rpt_content_lift", "rpt_onboarding_funnel"), "No enablement data yet."),
    ],
)  # fmt: skip
def test_empty_reports_give_a_message_not_a_crash(module, reports, message) -> None:
    frames = report_frames.all_reports()
    summary, figures = module.figures({name: frames[name].iloc[:0] for name in reports})
    assert summary == message
    assert all(title.startswith("No ") for title in _titles(figures)), _titles(figures)


def _mdf(**frames: pd.DataFrame) -> tuple[str, list[go.Figure]]:
    reports = {
        "rpt_mdf_roi_summary": report_frames.mdf_roi_summary(),
        "rpt_mdf_reallocation_dry_run": report_frames.mdf_reallocation_dry_run(),
        **frames,
    }
    return mdf_roi.figures(reports)


def test_mdf_page_sets_incremental_against_attributed_return() -> None:
    summary, figures = _mdf()
    assert summary == (
        "$300.0k MDF paid over 2026-Q1 to 2026-Q2; attributed revenue (linear model) $100.0k: "
        "net ROI -0.67, gross 0.33. Incremental revenue $400.0k on $250.0k paid to matched "
        "partners: net ROI +0.60, gross 1.60."
    )
    assert _titles(figures) == [
        "Event took the largest share of MDF spend: $150.0k of $300.0k (50%), 2026-Q1 to 2026-Q2",
        "Incremental return is 1.6x spend (interval 0.6x to 2.6x); attributed return sees only 0.3x",
        "No activity type earns back its MDF in attributed revenue; the best, event, reaches gross "
        "ROI 0.60, net -0.40",
        "Dry run for 2026-Q4: MDF would go from $75.0k to $60.0k a quarter (-20%); $12.0k is "
        "releasable from activities that never completed",
        "1 of 4 partner-activity lines would be cut, 1 raised and 2 held; the largest cut: Acme "
        "event $40.0k → $20.0k",
    ]


def test_mdf_figures_label_both_roi_definitions_and_the_interval() -> None:
    _, figures = _mdf()
    returns, roi = figures[1], figures[2]
    incremental = returns.data[2]
    assert list(incremental.error_y.array) == [150_000, 200_000]
    assert [trace.name for trace in roi.data] == [
        "Net ROI = (return - spend) / spend (0 = break-even)",
        "Gross ROI (ROAS) = return / spend (1 = break-even)",
    ]
    assert list(roi.data[0].x) == [
        "Event",
        "Webinar",
        "All activities, attributed",
        "All activities, incremental",
    ]
    assert roi.data[1].y[-1] == pytest.approx(1.6) and roi.data[0].y[-1] == pytest.approx(0.6)
    assert all(trace.hovertemplate for figure in figures for trace in figure.data)
    assert all(figure.layout.yaxis.title.text for figure in figures)


def test_mdf_titles_follow_the_data() -> None:
    _, figures = _mdf(
        rpt_mdf_roi_summary=report_frames.mdf_roi_summary(event_attributed_q1=200_000)
    )
    assert _titles(figures)[1] == (
        "Incremental return is 1.6x spend (interval 0.6x to 2.6x); attributed return sees only 0.8x"
    )
    assert (
        _titles(figures)[2]
        == "Only event earns back its MDF in attributed revenue (gross ROI 1.60, net +0.60)"
    )
    _, figures = _mdf(rpt_mdf_roi_summary=report_frames.mdf_roi_summary(incremental_scale=0.1))
    assert _titles(figures)[1] == (
        "Attributed return is 0.3x spend, but only 0.2x is incremental (interval -0.8x to 1.2x)"
    )


def test_the_closed_loop_caption_says_it_runs_on_attributed_roi() -> None:
    _, figures = _mdf()
    (caption,) = [a.text for a in figures[-1].layout.annotations]
    assert caption.startswith(
        "The closed loop is driven by attributed ROI: 3 of 4 lines are banded"
    )
    assert "1 unmeasured" in caption
    assert "Attribution sees 0.3x spend where difference-in-differences measures 1.6x" in caption
    _, figures = _mdf(rpt_mdf_roi_summary=report_frames.mdf_roi_summary(incremental_scale=0.1))
    (caption,) = [a.text for a in figures[-1].layout.annotations]
    assert "difference-in-differences" not in caption


def test_a_quarter_without_spend_neither_crashes_nor_moves_the_incremental_return() -> None:
    summary, figures = _mdf(
        rpt_mdf_roi_summary=report_frames.mdf_roi_summary(zero_spend_quarter=True)
    )
    titles = _titles(figures)
    assert summary.startswith("$300.0k MDF paid over 2026-Q1 to 2026-Q3")
    assert titles[0].endswith("2026-Q1 to 2026-Q3; nothing paid in 2026-Q3")
    # the open cohort (post window not closed) stays out of the pooled figure
    assert titles[1] == (
        "Incremental return is 1.6x spend (interval 0.6x to 2.6x); attributed return sees only 0.3x"
    )
    assert list(figures[1].data[2].marker.opacity) == [1.0, 1.0, 0.4]


def test_mdf_without_spend_or_without_a_dry_run_says_so() -> None:
    unpaid = report_frames.mdf_roi_summary().assign(spend_amount=0.0)
    summary, figures = _mdf(rpt_mdf_roi_summary=unpaid)
    assert summary == "No MDF spend yet."
    assert _titles(figures)[0] == "No MDF spend yet"
    assert _titles(figures)[1].startswith("Dry run for 2026-Q4")
    empty = report_frames.mdf_reallocation_dry_run().iloc[:0]
    _, figures = _mdf(rpt_mdf_reallocation_dry_run=empty)
    assert _titles(figures)[-1] == "No MDF reallocation dry run yet"


def _enablement(**frames: pd.DataFrame) -> tuple[str, list[go.Figure]]:
    reports = {
        "rpt_certification_lift": report_frames.certification_lift(),
        "rpt_content_lift": report_frames.content_lift(),
        "rpt_onboarding_funnel": report_frames.onboarding_funnel(),
        **frames,
    }
    return enablement.figures(reports)


def test_enablement_page_states_lift_and_funnel() -> None:
    summary, figures = _enablement()
    assert summary == (
        "20 certified partner-courses in 2 courses, 1 with a win-rate lift beyond comparable "
        "partners; content in deals lifts win rate 1.60x; 20% of 15 applicants reached first won "
        "deal (median 200 days to first revenue)."
    )
    assert _titles(figures) == [
        "1 of 2 certifications lift win rate beyond comparable partners; best Security Sales "
        "(+15.0 points), worst Networking Technical (-8.0 points)",
        "1 of 2 certifications lift revenue per partner beyond comparable partners; best Security "
        "Sales (+$40.0k), worst Networking Technical (-$20.0k)",
        "Deals with content attached win 40% against 25% without (lift 1.60); pdf lifts most (2.00)",
        "By stage of attachment the lift runs from 0.80 at Contract sent (5 deals with content) to "
        "1.00 at Qualified to buy (60)",
        "20% of 15 applicants reached first won deal; the steepest drop is into first won deal "
        "(60% of the previous step go on)",
        "2026-Q1 converted best: 30% of its 10 applicants reached first won deal, against 20% over "
        "all cohorts; 1 cohort has none yet",
    ]
    win_rate = figures[0]
    assert [trace.name for trace in win_rate.data] == [
        "Certified, before",
        "Certified, after",
        "Comparable uncertified, before",
        "Comparable uncertified, after",
    ]
    assert list(win_rate.data[1].x) == pytest.approx([35.0, 25.0])


def test_enablement_titles_follow_the_data() -> None:
    _, figures = _enablement(
        rpt_certification_lift=report_frames.certification_lift(security_after=0.10),
        rpt_content_lift=report_frames.content_lift(pdf_win_rate_with=0.25),
        rpt_onboarding_funnel=report_frames.onboarding_funnel(second_cohort_won=1),
    )
    titles = _titles(figures)
    assert titles[0] == (
        "0 of 2 certifications lift win rate beyond comparable partners; best Networking Technical "
        "(-8.0 points), worst Security Sales (-10.0 points)"
    )
    assert titles[2].endswith("video lifts most (1.20)")
    assert titles[4] == (
        "27% of 15 applicants reached first won deal; the steepest drop is into agreements signed "
        "(64% of the previous step go on)"
    )
    assert titles[5] == (
        "2026-Q1 converted best: 30% of its 10 applicants reached first won deal, against 27% over "
        "all cohorts"
    )


def test_a_course_without_comparable_partners_is_shown_but_not_scored() -> None:
    lift = report_frames.certification_lift(course_without_comparables=True)
    _, figures = _enablement(rpt_certification_lift=lift)
    win_rate, revenue = figures[:2]
    assert win_rate.layout.title.text.endswith("; 1 without comparable partners")
    assert revenue.layout.title.text.endswith("; 1 without comparable partners")
    assert list(win_rate.data[0].y) == ["Security Sales", "Networking Technical", "Platform Sales"]
    only = lift[lift["course_title"] == "Platform Sales"]
    _, figures = _enablement(rpt_certification_lift=only)
    assert _titles(figures)[:2] == [
        "No certification has comparable partners to measure a win rate lift against yet",
        "No certification has comparable partners to measure a revenue per partner lift against yet",
    ]


def test_no_model_comparison_yet_leaves_the_trend_in_place() -> None:
    empty = report_frames.attribution_model_comparison().iloc[:0]
    summary, titles = _attribution(rpt_attribution_model_comparison=empty)
    assert summary.startswith("12 months to Sep 2026")
    assert titles[2:] == [
        "No touch-type credit from the attribution models yet",
        "No partner credit from the attribution models yet",
    ]


def test_fixture_frames_have_the_columns_the_dbt_reports_document() -> None:
    """The page tests run on fixture frames: they must match the report models, or the pages would
    pass here and break on the warehouse."""
    documented: dict[str, set[str]] = {}
    for yml in (ROOT / "dbt_project" / "models" / "reports").rglob("_*.yml"):
        for model in yaml.safe_load(yml.read_text()).get("models", []):
            documented[model["name"]] = {c["name"] for c in model.get("columns", [])}
    for name, frame in report_frames.all_reports().items():
        assert set(frame.columns) <= documented[name], (name, set(frame.columns) - documented[name])
