"""What the expiry engine writes back to the CRM's registration records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from orchestration.assets import automation


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema reference; create schema automation")
    con.execute(
        "create table reference.registration_programs as select 'default' as program, "
        "90 as protection_days, 30 as extension_days"
    )
    con.execute(
        """
        create table marts.fct_deal_registrations as select * from (values
          ('r-open',     'p1', 'o1', 'approved', timestamp '2026-06-01 10:00', null::date, true),
          ('r-expiring', 'p1', 'o2', 'approved', timestamp '2026-07-01 10:00', null::date, true),
          ('r-done',     'p1', 'o3', 'expired',  timestamp '2026-05-01 10:00', null::date, true),
          ('r-won',      'p1', 'o4', 'closed',   timestamp '2026-05-01 10:00', null::date, true),
          ('r-ext',      'p1', 'o5', 'approved', timestamp '2026-07-01 10:00', null::date, true)
        ) t(registration_id, partner_id, opportunity_id, registration_status, decided_at,
            extended_until_date, is_approved)
        """
    )
    con.execute(
        """
        create table marts.fct_opportunities as select * from (values
          ('o1', false, date '2026-12-01'), ('o2', false, date '2026-12-01'),
          ('o3', false, date '2026-12-01'), ('o4', true, date '2026-07-15'),
          ('o5', false, date '2026-12-01')
        ) t(opportunity_id, is_closed, close_date)
        """
    )
    con.execute(
        f"create table {automation.EXTENSIONS} as select 'r-ext' as registration_id, "
        "date '2026-09-25' as requested_on, 'approved' as decision"
    )
    return con


def test_expired_protection_and_approved_extensions_are_written_back(tmp_path: Path) -> None:
    with _warehouse(tmp_path / "w.duckdb") as con:
        desired = automation.desired_registration_states(con, date(2026, 9, 29))
    assert {c.record_key: c.properties for c in desired} == {
        # approved 2026-06-01 + 90 days = 2026-08-30: expired by the 29th of September
        "r-open": {"registration_status": "expired"},
        # approved 2026-07-01 + 90 = 2026-09-29: the first day without protection
        "r-expiring": {"registration_status": "expired"},
        # extension approved: 2026-09-29 + 30 days
        "r-ext": {"extension_status": "approved", "extended_until_date": "2026-10-29"},
        # r-done is expired in the CRM already, r-won closed while protected: nothing to send
    }


def test_the_day_before_expiry_sends_nothing_for_it(tmp_path: Path) -> None:
    with _warehouse(tmp_path / "w.duckdb") as con:
        desired = automation.desired_registration_states(con, date(2026, 9, 28))
    assert "r-expiring" not in {c.record_key for c in desired}
