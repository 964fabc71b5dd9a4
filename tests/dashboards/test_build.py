from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboards.build import PLOTLY_JS, build_all

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
    con.close()
    return path


def test_pages_open_offline_with_plotly_shipped_once(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    written = build_all(_warehouse(tmp_path / "w.duckdb", ROWS), out)
    assert [p.name for p in written] == ["index.html", "partner_pipeline.html", "data_health.html"]
    assert sorted(p.name for p in out.iterdir()) == [
        "data_health.html",
        "index.html",
        "partner_pipeline.html",
        PLOTLY_JS,
    ]
    page = (out / "partner_pipeline.html").read_text()
    assert f'<script src="{PLOTLY_JS}"></script>' in page
    assert "cdn.plot.ly" not in page and "https://" not in page.split("<body>")[0]
    assert 'href="partner_pipeline.html"' in (out / "index.html").read_text()


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


def test_a_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `prm run` first"):
        build_all(tmp_path / "absent.duckdb", tmp_path / "pages")


def test_the_data_health_page_names_the_worst_feed_entity(tmp_path: Path) -> None:
    build_all(_warehouse(tmp_path / "w.duckdb", ROWS), tmp_path / "pages")
    page = (tmp_path / "pages" / "data_health.html").read_text()
    assert "1,028 rows loaded across 2 feeds; 2 records (0.19%) kept in quarantine" in page
    assert "Highest quarantine rate: crm.deals at 0.20%" in page
