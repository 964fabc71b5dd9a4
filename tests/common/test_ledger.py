"""The load ledger, the quarantine-rate gate and recovery from pending dlt packages."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dlt import DagsterDltResource
from typer.testing import CliRunner

from orchestration.assets.ingest import feed_assets
from orchestration.cli import app
from pipelines import settings
from pipelines.common.ledger import (
    MAX_RATE_ENV,
    MIN_RECORDS_ENV,
    LedgerMismatch,
    QuarantineRateExceeded,
    check_load,
)
from pipelines.common.loading import last_load, pipeline
from pipelines.lms import lms_source
from tests.common.test_drops import COURSE, EVENT, _drop


def _events(n: int, start: int = 0) -> list[str]:
    return [json.dumps({**EVENT, "event_id": f"E{i}"}) for i in range(start, start + n)]


def _bad_events(n: int) -> list[str]:
    return [json.dumps({**EVENT, "event_id": f"B{i}", "event_type": "hacked"}) for i in range(n)]


def _con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.warehouse_path()), read_only=True)


def _run(landing: Path):
    p = pipeline("lms")
    p.run(lms_source(str(landing)), loader_file_format="parquet")
    return p


def _check(p) -> object:
    load_ids, normalized = last_load(p)
    con = _con()
    try:
        return check_load(con, "lms", load_ids, normalized)
    finally:
        con.close()


def test_the_ledger_accounts_for_every_record_of_every_file(data_dir: Path) -> None:
    landing = data_dir / "landing"
    newer = {**COURSE, "title": "v2", "updated_at": "2026-02-01T00:00:00Z"}
    _drop(landing, "courses", "2026-01-01", [json.dumps(COURSE), '{"broken'])
    _drop(landing, "courses", "2026-01-02", [json.dumps(newer)])
    _drop(landing, "points_ledger", "2026-01-01", _events(3) + _bad_events(1))
    report = _check(_run(landing))

    con = _con()
    try:
        ledger = con.execute(
            "select entity, source, rows_in, rows_loaded, rows_quarantined, rows_superseded "
            "from raw_lms.load_ledger order by 1, 2"
        ).fetchall()
    finally:
        con.close()
    assert ledger == [
        ("courses", "lms/courses/courses__2026-01-01.jsonl", 2, 0, 1, 1),
        ("courses", "lms/courses/courses__2026-01-02.jsonl", 1, 1, 0, 0),
        ("points_ledger", "lms/points_ledger/points_ledger__2026-01-01.jsonl", 4, 3, 1, 0),
    ]
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (7, 4, 2)


def test_a_ledger_that_disagrees_with_what_dlt_wrote_fails_the_load(data_dir: Path) -> None:
    _drop(data_dir / "landing", "points_ledger", "2026-01-01", _events(3))
    p = _run(data_dir / "landing")
    load_ids, normalized = last_load(p)
    con = _con()
    try:
        check_load(con, "lms", load_ids, normalized)  # the truth passes
        with pytest.raises(LedgerMismatch, match="points_ledger: ledger says 3 rows loaded, dlt"):
            check_load(con, "lms", load_ids, {**normalized, "points_ledger": 2})
    finally:
        con.close()


def test_a_quarantine_rate_above_the_threshold_fails_naming_the_feed_and_reasons(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _drop(data_dir / "landing", "points_ledger", "2026-01-01", _events(188) + _bad_events(12))
    p = _run(data_dir / "landing")
    with pytest.raises(QuarantineRateExceeded) as failure:
        _check(p)
    message = str(failure.value)
    assert "feed lms: 12 of 200 records (6.00%)" in message
    assert "above the 0.50% threshold" in message
    assert "points_ledger: unknown event_type value hacked (12)" in message

    # the threshold and the floor are settings
    monkeypatch.setenv(MAX_RATE_ENV, "0.1")
    assert _check(p).quarantine_rate == pytest.approx(0.06)
    monkeypatch.setenv(MAX_RATE_ENV, "0.005")
    monkeypatch.setenv(MIN_RECORDS_ENV, "13")
    _check(p)  # 12 quarantined records are under the floor


def test_a_few_bad_records_in_a_small_drop_do_not_fail_it(data_dir: Path) -> None:
    _drop(data_dir / "landing", "points_ledger", "2026-01-01", _events(40) + _bad_events(2))
    assert _check(_run(data_dir / "landing")).rows_quarantined == 2  # 4.8 %, but only 2 records


def _materialize_lms() -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [feed_assets("lms")],
        resources={"dlt": DagsterDltResource()},
        raise_on_error=False,
    )


@pytest.mark.slow
def test_the_gate_fails_the_ingest_step_and_keeps_every_record(data_dir: Path) -> None:
    _drop(data_dir / "landing", "points_ledger", "2026-01-01", _events(88) + _bad_events(12))
    result = _materialize_lms()
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "feed lms: 12 of 100 records" in str(failure.step_failure_data.error)
    con = _con()
    try:
        counts = con.execute(
            "select (select count(*) from raw_lms.points_ledger),"
            " (select count(*) from raw_lms.quarantined_records)"
        ).fetchone()
    finally:
        con.close()
    assert counts == (88, 12)


@pytest.mark.slow
def test_a_run_after_a_crash_between_normalise_and_load_finishes_it_and_loads_new_data(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = data_dir / "landing"
    _drop(landing, "points_ledger", "2026-01-01", _events(5))
    p = pipeline("lms")
    p.extract(lms_source(str(landing)), loader_file_format="parquet")
    p.normalize()  # the process dies here: a normalised package is left pending
    assert pipeline("lms").has_pending_data
    _drop(landing, "points_ledger", "2026-01-02", _events(5, start=5))

    # plain dlt would load the pending package and exit, leaving the new drop for another run
    result = _materialize_lms()
    assert result.success
    con = _con()
    try:
        loaded = con.execute("select count(*), count(distinct event_id) from raw_lms.points_ledger")
        assert loaded.fetchone() == (10, 10)
    finally:
        con.close()
    assert not pipeline("lms").has_pending_data


def _poisoned_package(landing: Path) -> None:
    """Extract a drop, then corrupt the package so that normalising it fails every time."""
    p = pipeline("lms")
    p.extract(lms_source(str(landing)), loader_file_format="parquet")
    jobs = list(Path(p.working_dir).rglob("points_ledger.*.parquet"))
    assert jobs
    for job in jobs:
        job.write_bytes(b"not parquet")
    with pytest.raises(Exception, match="normalize"):
        p.normalize()
    assert pipeline("lms").has_pending_data


@pytest.mark.slow
def test_a_poisoned_pending_package_does_not_block_the_next_run(data_dir: Path) -> None:
    landing = data_dir / "landing"
    _drop(landing, "points_ledger", "2026-01-01", _events(5))
    _poisoned_package(landing)
    assert _materialize_lms().success
    con = _con()
    try:
        assert con.execute("select count(*) from raw_lms.points_ledger").fetchone() == (5,)
    finally:
        con.close()


def test_prm_recover_aborts_pending_packages_and_the_files_are_read_again(data_dir: Path) -> None:
    landing = data_dir / "landing"
    _drop(landing, "points_ledger", "2026-01-01", _events(5))
    _poisoned_package(landing)
    result = CliRunner().invoke(app, ["recover", "--feed", "lms"])
    assert result.exit_code == 0, result.output
    assert "lms: aborted 1 pending package(s)" in result.output
    assert not pipeline("lms").has_pending_data
    _run(landing)
    con = _con()
    try:
        assert con.execute("select count(*) from raw_lms.points_ledger").fetchone() == (5,)
    finally:
        con.close()
