"""Pages of a warehouse without every feed say which feed is missing instead of drawing zeros."""

from __future__ import annotations

from dashboards.build import PAGES, absent_feed_notice

FEEDS = {
    "crm": (True, "CRM", "partners, accounts, deals"),
    "lms": (False, "LMS", "courses, enrolments, certifications and learning points"),
    "tcma": (True, "TCMA", "campaigns, content assets, asset usage and leads"),
    "finance": (False, "finance", "MDF budgets and payments"),
}
PAGE = {p.slug: p for p in PAGES}


def test_a_page_that_needs_an_absent_feed_says_so_and_draws_nothing() -> None:
    summary, body = absent_feed_notice(PAGE["enablement"], FEEDS)
    assert summary == "No LMS feed configured: this page has nothing to show."
    assert "courses, enrolments, certifications" in body and "PRM_FEEDS" in body
    assert absent_feed_notice(PAGE["mdf_roi"], FEEDS)[0].startswith("No finance feed configured")


def test_a_page_that_partly_needs_one_names_what_is_not_shown() -> None:
    summary, body = absent_feed_notice(PAGE["partner_scorecards"], FEEDS)
    assert summary == (
        "No LMS feed configured: certified people and the enablement score (EES) are n/a."
    )
    assert body == ""


def test_the_data_health_page_names_the_feeds_not_configured() -> None:
    summary, _ = absent_feed_notice(PAGE["data_health"], FEEDS)
    assert summary == "Not configured (not loaded, so not zero): LMS, finance."


def test_with_every_feed_or_no_feed_status_nothing_is_said() -> None:
    every = {name: (True, *rest) for name, (_, *rest) in FEEDS.items()}
    for page in PAGES:
        assert absent_feed_notice(page, every) == ("", "")
        assert absent_feed_notice(page, {}) == ("", "")  # a warehouse built before rpt_feed_status
