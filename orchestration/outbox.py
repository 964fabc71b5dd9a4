"""The notifications outbox: every notice the automation jobs issue, each exactly once.

A table in the warehouse (``automation.notification_outbox``) a mailer or the CRM can pick up:
one row per notice, unique on (subject type, subject id, notice kind, threshold), with the rendered
message and a delivery status. Issuing the same notice again, on a rerun or a later day, changes
nothing: the unique key makes the insert a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime

import duckdb

from orchestration.expiry import Notice

SCHEMA = "automation"
TABLE = f"{SCHEMA}.notification_outbox"

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {TABLE} (
    subject_type varchar not null,
    subject_id varchar not null,
    notice_kind varchar not null,
    threshold_days integer not null,
    partner_id varchar not null,
    due_date date not null,
    issued_on date not null,
    issued_at timestamp with time zone not null,
    run_id varchar not null,
    subject varchar not null,
    message varchar not null,
    payload_json varchar not null,
    delivery_status varchar not null default 'pending',
    primary key (subject_type, subject_id, notice_kind, threshold_days)
);
"""

SUBJECTS = {
    "protection_reminder": "Your deal registration protection is running",
    "protection_expired": "Your deal registration protection has expired",
    "expiry_alert": "A certification is about to expire",
    "lapsed": "A certification has lapsed",
    "restricted_no_dpa": "Sign the data-processing agreement to lift the restriction",
}


def issue(
    con: duckdb.DuckDBPyConnection, notices: Iterable[Notice], today: date, run_id: str
) -> int:
    """Put notices in the outbox; returns how many were new (already issued ones are skipped)."""
    con.execute(DDL)
    rows = [
        (
            n.subject_type,
            n.subject_id,
            n.notice_kind,
            n.threshold_days,
            n.partner_id,
            n.due_on,
            today,
            datetime.now(UTC),
            run_id,
            SUBJECTS.get(n.notice_kind, n.notice_kind.replace("_", " ")),
            n.message,
            json.dumps(
                {
                    "subject_type": n.subject_type,
                    "subject_id": n.subject_id,
                    "partner_id": n.partner_id,
                    "notice_kind": n.notice_kind,
                    "threshold_days": n.threshold_days,
                    "due_on": n.due_on.isoformat(),
                }
            ),
        )
        for n in notices
    ]
    if not rows:
        return 0
    before = con.execute(f"select count(*) from {TABLE}").fetchone()[0]
    con.executemany(
        f"insert into {TABLE} (subject_type, subject_id, notice_kind, threshold_days, partner_id, "
        "due_date, issued_on, issued_at, run_id, subject, message, payload_json) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing",
        rows,
    )
    return con.execute(f"select count(*) from {TABLE}").fetchone()[0] - before
