"""Conflict checks to the CRM: what is pushed, the blocking check, and the sensor's cursor."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets import conflicts
from orchestration.assets.conflicts import (
    conflict_check_problems,
    crm_conflict_writeback,
    desired_conflict_states,
    new_registrations,
    registration_conflict_checks_are_sound,
)
from tests.crm.world import touch

CHECKS = [
    # registration, status, decision, score, reason, matched record
    (
        "r1",
        "submitted",
        "direct_opportunity_conflict",
        1.0,
        "Active direct opportunity o9 ...",
        "o9",
    ),
    ("r2", "submitted", "clean", 0.0, "No customer account or open deal matches 'Foo'.", None),
    ("r3", "closed", "earlier_registration_conflict", 0.97, "Registered first by p2 ...", "r0"),
]


def _warehouse(path: Path, checks=CHECKS, extra_registrations: tuple[str, ...] = ()) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_deal_registrations (registration_id varchar, registration_status varchar)"
    )
    con.executemany(
        "insert into marts.fct_deal_registrations values (?, ?)",
        [(c[0], c[1]) for c in checks] + [(r, "submitted") for r in extra_registrations],
    )
    con.execute(
        """create table marts.fct_registration_conflict_checks (registration_id varchar,
           registration_status varchar, conflict_decision varchar, match_score decimal(5, 4),
           conflict_reason varchar, matched_record_id varchar)"""
    )
    con.executemany(
        "insert into marts.fct_registration_conflict_checks values (?, ?, ?, ?, ?, ?)", checks
    )
    con.close()
    return path


def test_only_pending_registrations_are_pushed_with_their_explained_decision(tmp_path) -> None:
    con = duckdb.connect(str(_warehouse(tmp_path / "w.duckdb")))
    desired = {c.record_key: dict(c.properties) for c in desired_conflict_states(con)}
    assert desired == {
        "r1": {
            "conflict_check_decision": "direct_opportunity_conflict",
            "conflict_check_score": "1.00",
            "conflict_check_reason": "Active direct opportunity o9 ...",
            "conflict_matched_record_id": "o9",
        },
        "r2": {
            "conflict_check_decision": "clean",
            "conflict_check_score": "0.00",
            "conflict_check_reason": "No customer account or open deal matches 'Foo'.",
            "conflict_matched_record_id": None,
        },
    }
    assert conflict_check_problems(con) == []


@pytest.mark.parametrize(
    ("checks", "extra", "problem"),
    [
        (CHECKS, ("r4",), "1 registrations without exactly one conflict check"),
        ([(*CHECKS[0][:2], "maybe", *CHECKS[0][3:])], (), "1 checks with an unknown decision"),
        ([(*CHECKS[0][:4], " ", "o9")], (), "1 checks without a reason"),
        ([(*CHECKS[0][:5], None)], (), "1 conflicts without the record they conflict with"),
    ],
)
def test_the_check_names_what_is_wrong(tmp_path, checks, extra, problem) -> None:
    con = duckdb.connect(str(_warehouse(tmp_path / "w.duckdb", checks, extra)))
    assert conflict_check_problems(con) == [problem]


def test_a_failing_check_keeps_the_decisions_out_of_the_crm(tmp_path, monkeypatch) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb", CHECKS, ("r4",))
    monkeypatch.setenv("PRM_WAREHOUSE", str(warehouse))
    # a CRM nobody listens on: if the write-back ran, it would fail loudly
    monkeypatch.setenv("SOURCES__CRM__BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SOURCES__CRM__TOKEN", "unused")
    key = registration_conflict_checks_are_sound.check_keys
    mart_key = next(iter(key)).asset_key

    @dg.asset(key=mart_key)
    def stand_in_mart() -> None:
        """The dbt mart, already built in the test warehouse."""

    result = dg.materialize(
        [stand_in_mart, registration_conflict_checks_are_sound, crm_conflict_writeback],
        raise_on_error=False,
    )
    checks = result.get_asset_check_evaluations()
    assert [c.passed for c in checks] == [False]
    assert "1 registrations without exactly one conflict check" in checks[0].description
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {mart_key}, "the write-back must not run after a failed check"
    # skipped, not tried: a write-back that ran would have failed on the dead CRM address
    failed = [e.step_key for e in result.get_step_failure_events()]
    assert failed == [f"{mart_key.to_python_identifier()}_registration_conflict_checks_are_sound"]


def test_the_sensor_asks_once_for_each_new_registration(crm_db: Path, monkeypatch) -> None:
    from datetime import datetime, timedelta

    instance = dg.DagsterInstance.ephemeral()
    first = new_registrations(dg.build_sensor_context(instance=instance))
    assert first.skip_reason is not None and not first.run_requests
    since = json.loads(first.cursor)["since"]

    later = datetime.fromisoformat(since.replace("Z", "+00:00")) + timedelta(seconds=1)
    for record_id in ("91", "92"):
        touch(crm_db, "registrations", record_id, later, registered_company_name="Acme")
    tick = new_registrations(dg.build_sensor_context(instance=instance, cursor=first.cursor))
    [request] = tick.run_requests
    config = request.run_config["ops"]["decide_and_write_back"]["config"]
    assert config == {"registration_ids": ["91", "92"], "since": since}

    # the next tick finds nothing new: the registrations at the cursor's instant are remembered
    again = new_registrations(dg.build_sensor_context(instance=instance, cursor=tick.cursor))
    assert isinstance(again, dg.SkipReason)
    assert json.loads(tick.cursor)["ids"] == ["91", "92"]
    assert conflicts.SENSOR_INTERVAL_SECONDS <= 30, (
        "a registration must be answered within a minute"
    )
