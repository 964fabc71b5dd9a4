from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboards.build import PAGES, PLOTLY_JS, build_all
from tests.dashboards.report_frames import all_reports

ROWS = [
    # tier, type, stage, label, order, is_won, is_open, deals, amount
    ("platinum", "reseller", "closedwon", "Closed won", 6, True, False, 10, 900_000),
    ("gold", "msp", "closedwon", "Closed won", 6, True, False, 5, 100_000),
    ("gold", "msp", "contractsent", "Contract sent", 5, False, True, 3, 250_000),
    ("silver", "referral", "qualifiedtobuy", "Qualified to buy", 2, False, True, 4, 50_000),
    ("silver", "referral", "closedlost", "Closed lost", 7, False, False, 2, 70_000),
]


def _warehouse(path: Path, rows: list[tuple]) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema reports")
    con.execute(
        """create table reports.rpt_partner_pipeline (partner_tier varchar, partner_type varchar,
        deal_stage varchar, deal_stage_label varchar, stage_order integer, is_won boolean,
        is_open boolean, deal_count bigint, amount_usd decimal(38,2))"""
    )
    if rows:
        con.executemany("insert into reports.rpt_partner_pipeline values (?,?,?,?,?,?,?,?,?)", rows)
    con.execute(
        """create table reports.rpt_feed_health (feed_name varchar, entity_name varchar,
        staged_row_count bigint, quarantined_row_count bigint, quarantine_rate double,
        last_loaded_at timestamptz, last_quarantined_at timestamptz)"""
    )
    if rows:
        con.executemany(
            "insert into reports.rpt_feed_health values (?, ?, ?, ?, ?, now(), now())",
            [("crm", "deals", 998, 2, 0.002), ("lms", "courses", 30, 0, 0.0)],
        )
    for name, frame in all_reports().items():
        con.register("frame", frame if rows else frame.iloc[:0])
        con.execute(f"create table reports.{name} as select * from frame")
        con.unregister("frame")
    con.close()
    return path


def test_pages_open_offline_with_plotly_shipped_once(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    written = build_all(_warehouse(tmp_path / "w.duckdb", ROWS), out)
    pages = [
        "partner_pipeline.html",
        "attribution.html",
        "partner_scorecards.html",
        "active_sellers.html",
        "mdf_roi.html",
        "enablement.html",
        "pipeline_health.html",
        "data_health.html",
    ]
    assert [p.name for p in written] == ["index.html", *pages]
    assert sorted(p.name for p in out.iterdir()) == sorted(["index.html", *pages, PLOTLY_JS])
    page = (out / "partner_pipeline.html").read_text()
    assert f'<script src="{PLOTLY_JS}"></script>' in page
    assert "cdn.plot.ly" not in page and "https://" not in page.split("<body>")[0]
    index = (out / "index.html").read_text()
    for p in PAGES:
        assert f'href="{p.slug}.html">{p.title}</a>' in index


def test_titles_state_the_takeaway_from_the_figures(tmp_path: Path) -> None:
    build_all(_warehouse(tmp_path / "w.duckdb", ROWS), tmp_path / "pages")
    page = (tmp_path / "pages" / "partner_pipeline.html").read_text()
    assert (
        "Closed-won partner revenue $1.0M from 15 deals; open partner pipeline $300.0k in 7 deals."
        in page
    )
    assert "Platinum partners bring 90% of closed-won partner revenue" in page
    assert "Most open partner pipeline sits in 'Contract sent'" in page
    assert "Reseller partners lead on revenue" in page


def test_an_empty_report_gives_a_page_that_says_so(tmp_path: Path) -> None:
    build_all(_warehouse(tmp_path / "w.duckdb", []), tmp_path / "pages")
    page = (tmp_path / "pages" / "partner_pipeline.html").read_text()
    assert "No closed-won partner revenue yet" in page and "No open partner pipeline" in page
    for slug, message in (
        ("attribution", "No opportunities in the warehouse yet."),
        ("partner_scorecards", "No partner scorecards yet."),
        ("active_sellers", "No trailing-12-month partner revenue yet."),
        ("mdf_roi", "No MDF spend yet."),
        ("enablement", "No enablement data yet."),
        (
            "pipeline_health",
            "No open partner deal has a health score yet: none is open, or there is too little closed history to train on.",
        ),
    ):
        assert message in (tmp_path / "pages" / f"{slug}.html").read_text()


def test_a_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `prm run` first"):
        build_all(tmp_path / "absent.duckdb", tmp_path / "pages")


def test_the_data_health_page_names_the_worst_feed_entity(tmp_path: Path) -> None:
    build_all(_warehouse(tmp_path / "w.duckdb", ROWS), tmp_path / "pages")
    page = (tmp_path / "pages" / "data_health.html").read_text()
    assert "1,028 rows loaded across 2 feeds; 2 records (0.19%) kept in quarantine" in page
    assert "Highest quarantine rate: crm.deals at 0.20%" in page
    # the files that changed format, the quarantined one first, each with what to do
    assert "2 files differ from the feed contract or mapping, 1 of them quarantined whole" in page
    figures = page.replace("\\u002f", "/")  # plotly's JSON escapes the slash
    assert (
        "What changed in the files: lms/courses/2026-03-31.csv (file quarantined) first" in figures
    )
    assert "declare encoding: cp1252" in page and "unknown: Region__c" in page
    assert "2 optional values nulled (raw value_issues)" in page


def test_the_data_health_page_says_when_every_file_matched(tmp_path: Path) -> None:
    build_all(_warehouse(tmp_path / "w.duckdb", []), tmp_path / "pages")
    page = (tmp_path / "pages" / "data_health.html").read_text()
    assert "Every file matched its feed contract or mapping." in page
    assert "What changed in the files" not in page


def test_the_leadership_pages_state_their_takeaways(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    build_all(_warehouse(tmp_path / "w.duckdb", ROWS), out)
    assert "Acme gets the most credit under 7 of 8 models" in (out / "attribution.html").read_text()
    assert "Partner 01 leads the league with $1.0M" in (out / "partner_scorecards.html").read_text()
    assert (
        "Top 20% of partners bring 65% of trailing-12-month revenue"
        in (out / "active_sellers.html").read_text()
    )


def test_the_mdf_and_enablement_pages_state_their_takeaways(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    build_all(_warehouse(tmp_path / "w.duckdb", ROWS), out)
    mdf = (out / "mdf_roi.html").read_text()
    assert (
        "Incremental return is 1.6x spend (interval 0.6x to 2.6x); attributed return sees only 0.3x"
        in mdf
    )
    assert "The closed loop is driven by attributed ROI" in mdf
    enablement = (out / "enablement.html").read_text()
    assert "1 of 2 certifications lift win rate beyond comparable partners" in enablement
    assert "20% of 15 applicants reached first won deal" in enablement
