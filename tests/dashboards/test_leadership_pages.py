"""The attribution, partner-scorecard and active-seller pages: titles computed from the data, and a
clear message instead of a crash when a report is empty."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
import yaml

from dashboards import active_sellers, attribution, partner_scorecards
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
        "Acme gets the most credit under 6 of 7 models; Markov puts Globex first",
    ]


def test_attribution_titles_follow_the_data() -> None:
    _, titles = _attribution(
        rpt_attribution_over_time=report_frames.attribution_over_time(direct_won=200_000),
        rpt_attribution_model_comparison=report_frames.attribution_model_comparison("Acme"),
    )
    assert titles[0].startswith("Partners brought 26% of won revenue in 2026-Q3")
    assert titles[0].endswith("up from 20% a year earlier")
    assert titles[3] == "Acme gets the most credit under 7 of 7 models"


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
    ],
)  # fmt: skip
def test_empty_reports_give_a_message_not_a_crash(module, reports, message) -> None:
    frames = report_frames.all_reports()
    summary, figures = module.figures({name: frames[name].iloc[:0] for name in reports})
    assert summary == message
    assert all(title.startswith("No ") for title in _titles(figures)), _titles(figures)


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
