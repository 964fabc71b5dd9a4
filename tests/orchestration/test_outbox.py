"""Each notice lands in the outbox exactly once, however often it is issued."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from orchestration.expiry import Registration, registration_notices
from orchestration.outbox import TABLE, issue

APPROVED = date(2026, 1, 1)


def test_reissuing_on_reruns_and_later_days_adds_nothing(tmp_path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    regs = [Registration(f"r{i}", "p1", APPROVED, 90) for i in range(3)]
    day_30 = APPROVED + timedelta(days=30)
    assert issue(con, registration_notices(regs, day_30), day_30, "run-1") == 3
    assert issue(con, registration_notices(regs, day_30), day_30, "run-2") == 0  # same day again
    day_31 = day_30 + timedelta(days=1)
    assert (
        issue(con, registration_notices(regs, day_31), day_31, "run-3") == 0
    )  # still due, already sent
    day_60 = APPROVED + timedelta(days=60)
    assert issue(con, registration_notices(regs, day_60), day_60, "run-4") == 3
    rows = con.execute(
        f"select subject_id, threshold_days, run_id, delivery_status from {TABLE} order by 2, 1"
    ).fetchall()
    assert rows == [
        ("r0", 30, "run-1", "pending"),
        ("r1", 30, "run-1", "pending"),
        ("r2", 30, "run-1", "pending"),
        ("r0", 60, "run-4", "pending"),
        ("r1", 60, "run-4", "pending"),
        ("r2", 60, "run-4", "pending"),
    ]
    assert issue(con, [], day_60, "run-5") == 0
