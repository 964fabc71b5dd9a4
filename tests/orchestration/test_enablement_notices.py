"""Just-in-time enablement: a registration with a gap gets one recommendation in the outbox, once,
naming the module and the battle card; without the LMS feed only win-rate gaps can be told."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from orchestration.assets.automation import (
    ENABLEMENT_NOTICE,
    certification_gaps_known,
    enablement_notices,
)
from orchestration.outbox import TABLE, issue

TODAY = date(2026, 9, 30)
COLUMNS = {
    "registration_id": "varchar",
    "partner_id": "varchar",
    "product_line": "varchar",
    "has_certification_gap": "boolean",
    "has_win_rate_gap": "boolean",
    "has_enablement_gap": "boolean",
    "is_rejected": "boolean",
    "line_win_rate": "double",
    "baseline_win_rate": "double",
    "line_closed_count": "integer",
    "recommended_course_id": "varchar",
    "recommended_course_title": "varchar",
    "battle_card_asset_id": "varchar",
    "battle_card_asset_name": "varchar",
    "recommendation": "varchar",
    "submitted_date": "date",
}


def _gaps(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_registration_enablement_gaps ("
        + ", ".join(f"{c} {t}" for c, t in COLUMNS.items())
        + ")"
    )
    if rows:
        con.executemany(
            f"insert into marts.fct_registration_enablement_gaps values ({', '.join('?' * len(COLUMNS))})",
            rows,
        )
    return con


def _row(rid, cert, win, days_ago, rejected=False, line="security"):
    gap = bool(cert) or bool(win)
    return (
        rid, "p1", line, cert, win, gap, rejected, 0.1, 0.3, 8,
        "CRS-0000003" if cert else "CRS-0000002",
        "Certified Security Sales Professional" if cert else "Security for Sales Teams",
        "AST-0000007", "pdf 8", "Certify a seller on Security",
        TODAY - timedelta(days=days_ago),
    )  # fmt: skip


@pytest.fixture
def con():
    return _gaps(
        [
            _row("r_cert", True, None, 0),
            _row("r_win", False, True, 6),
            _row("r_both", True, True, 3),
            _row("r_old", True, True, 7),  # before the 7-day window
            _row("r_none", False, False, 1),
            _row("r_rejected", True, None, 1, rejected=True),
        ]
    )


def test_recent_registrations_with_a_gap_get_one_specific_recommendation(con) -> None:
    notices = {n.subject_id: n for n in enablement_notices(con, TODAY, 7)}
    assert sorted(notices) == ["r_both", "r_cert", "r_win"]
    assert {n.notice_kind for n in notices.values()} == {ENABLEMENT_NOTICE}
    assert notices["r_cert"].due_on == TODAY and notices["r_cert"].partner_id == "p1"
    cert = notices["r_cert"].message
    assert "valid security certification on the registration day" in cert
    assert "CRS-0000003 Certified Security Sales Professional" in cert and "AST-0000007" in cert
    win = notices["r_win"].message
    assert "win rate is 10% on 8 closed deals, below your own 30%" in win
    assert "certification on the registration day" not in win
    assert "valid security certification" in notices["r_both"].message
    assert "win rate" in notices["r_both"].message


def test_each_registration_is_recommended_on_once(con, tmp_path) -> None:
    outbox = duckdb.connect(str(tmp_path / "w.duckdb"))
    first = enablement_notices(con, TODAY, 7)
    assert issue(outbox, first, TODAY, "run-1") == 3
    assert issue(outbox, enablement_notices(con, TODAY, 7), TODAY, "run-2") == 0
    later = TODAY + timedelta(days=2)  # still in the window of later runs: already sent
    assert issue(outbox, enablement_notices(con, later, 7), later, "run-3") == 0
    rows = outbox.execute(
        f"select subject_id, count(*) from {TABLE} where notice_kind = ? group by 1 order by 1",
        [ENABLEMENT_NOTICE],
    ).fetchall()
    assert rows == [("r_both", 1), ("r_cert", 1), ("r_win", 1)]


def test_without_the_lms_feed_only_win_rate_gaps_are_told() -> None:
    con = _gaps([_row("r_unknown", None, None, 0), _row("r_win", None, True, 0)])
    assert not certification_gaps_known(con)
    assert [n.subject_id for n in enablement_notices(con, TODAY, 7)] == ["r_win"]
    assert certification_gaps_known(_gaps([]))  # nothing registered: nothing unknown
