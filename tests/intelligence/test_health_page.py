"""The Pipeline health page (dashboards/pipeline_health.py): titles computed from the data."""

from __future__ import annotations

from dashboards import pipeline_health
from tests.dashboards import report_frames


def _page(**frames):
    reports = {
        "rpt_pipeline_health_distribution": report_frames.pipeline_health_distribution(),
        "rpt_pipeline_health_riskiest_deals": report_frames.pipeline_health_riskiest_deals(),
        "rpt_model_performance": report_frames.model_performance(),
        **frames,
    }
    summary, figures = pipeline_health.figures(reports)
    return summary, [f.layout.title.text for f in figures]


def test_the_page_states_health_by_tier_the_riskiest_deals_and_the_models() -> None:
    summary, titles = _page()
    assert summary == "60 open partner deals worth $600.0k scored; 20 (33%) have a health below 40."
    assert titles[0] == (
        "Silver partners' open deals are the healthiest (mean health 63), gold partners' the least (47)"
    )
    assert titles[1] == (
        "The 3 riskiest big deals (each at least $100.0k) hold $600.0k of pipeline at a mean "
        "health of 11; most need: cam joint call"
    )
    assert titles[2] == (
        "The health model's AUC of 0.80 beats the best baseline (Stage x tier win rate, 0.75) "
        "on the time-split test"
    )


def test_titles_follow_the_data() -> None:
    _, titles = _page(rpt_model_performance=report_frames.model_performance(model_auc=0.6))
    assert titles[2].startswith("The health model's AUC of 0.60 trails the best baseline")
    summary, titles = _page(
        rpt_pipeline_health_distribution=report_frames.pipeline_health_distribution().iloc[:0]
    )
    assert (
        summary
        == "No open partner deal has a health score yet: none is open, or there is too little closed history to train on."
    )


def test_deals_scored_by_the_crm_stage_probability_are_named() -> None:
    """A first export with no closed history: the scores are the CRM's stage probabilities."""
    dist = report_frames.pipeline_health_distribution()
    dist.loc[dist["partner_tier"] == "gold", "model_scored_deal_count"] = 0
    summary, _ = _page(rpt_pipeline_health_distribution=dist)
    assert summary == (
        "60 open partner deals worth $600.0k scored; 20 (33%) have a health below 40. 30 of them "
        "scored by the CRM stage probability only: there is too little closed history to train on."
    )
