"""The revenue outlook page: titles computed from the forecast backtest and the PLV quadrant."""

from __future__ import annotations

import pandas as pd

from dashboards import outlook
from tests.dashboards import report_frames


def _page(**frames: pd.DataFrame) -> tuple[str, list[str]]:
    reports = {
        "rpt_channel_outlook": report_frames.channel_outlook(),
        "rpt_partner_lifetime_value": report_frames.partner_lifetime_value(),
        **frames,
    }
    summary, figures = outlook.figures(reports)
    return summary, [f.layout.title.text for f in figures]


def test_the_outlook_states_forecast_error_against_the_pipeline_and_the_quadrant() -> None:
    summary, titles = _page()
    assert titles[0] == (
        "The forecast beats the stage-weighted pipeline: 10% error (WAPE) against 30% over 8 backtested quarters"
    )
    assert "2026 Q3 channel revenue forecast $1.1M ($900.0k-$1.4M)" in summary
    assert titles[1].startswith(
        "1 partners are worth more ahead than their last year shows (rising), 1 earn now"
    )
    assert "largest at risk: Globex ($800.0k)" in titles[1]


def test_outlook_titles_follow_the_data() -> None:
    _, titles = _page(
        rpt_channel_outlook=report_frames.channel_outlook(model_error=0.5, baseline_error=0.2)
    )
    assert titles[0].startswith("The forecast does not beat the stage-weighted pipeline: 50% error")


def test_empty_reports_give_a_message_not_a_crash() -> None:
    summary, titles = _page(
        rpt_channel_outlook=report_frames.channel_outlook().iloc[:0],
        rpt_partner_lifetime_value=report_frames.partner_lifetime_value().iloc[:0],
    )
    assert summary == "No channel revenue to forecast yet."
    summary, titles = _page(
        rpt_partner_lifetime_value=report_frames.partner_lifetime_value().iloc[:0]
    )
    assert titles[1] == "Too few partners with repeat sourced wins to value them yet"
