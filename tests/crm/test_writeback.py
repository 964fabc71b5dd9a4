"""Reverse-ETL to the sandbox CRM under every injected fault: nothing lost, nothing doubled."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.crm.sandbox import Faults, SandboxConfig, running_sandbox
from pipelines.crm.writeback import Change, CrmWriter, RetryPolicy, WritebackError
from tests.crm.conftest import TOKEN
from tests.crm.world import build_crm_db

PARTNERS = 250


class Sandbox:
    def __init__(self, url: str, db: Path, faults: Faults) -> None:
        self.url, self.db, self.faults = url, db, faults

    def tiers(self) -> dict[str, str | None]:
        with contextlib.closing(sqlite3.connect(self.db)) as con:
            rows = con.execute(
                "SELECT json_extract(properties, '$.external_id'), json_extract(properties, '$.tier') "
                "FROM objects WHERE object_type = 'partners'"
            ).fetchall()
        return dict(rows)

    def partner_count(self) -> int:
        with contextlib.closing(sqlite3.connect(self.db)) as con:
            return con.execute(
                "SELECT count(*) FROM objects WHERE object_type = 'partners'"
            ).fetchone()[0]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    db = build_crm_db(tmp_path / "crm.sqlite", PARTNERS)
    faults = Faults()
    with running_sandbox(db, SandboxConfig(token=TOKEN, faults=faults)) as url:
        yield Sandbox(url, db, faults)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def desired(tier: str = "gold", n: int = PARTNERS) -> list[Change]:
    return [
        Change(f"external_id-{i}", {"tier": tier, "is_restricted": "false"})
        for i in range(1, n + 1)
    ]


def writer(sandbox: Sandbox, sleeps: list[float] | None = None, **policy) -> CrmWriter:
    record = sleeps if sleeps is not None else []
    return CrmWriter(
        sandbox.url,
        TOKEN,
        policy=RetryPolicy(
            **{"backoff_multiplier_seconds": 0.01, "backoff_max_seconds": 0.05, **policy}
        ),
        sleep=record.append,
    )


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_changes_go_in_batches_of_100_and_an_unchanged_table_sends_nothing(sandbox, con) -> None:
    with writer(sandbox) as w:
        first = w.push(con, desired())
        again = w.push(con, desired())
    assert (first.sent, first.batches, first.acknowledged) == (PARTNERS, 3, PARTNERS)
    assert [
        n
        for (n,) in rows(
            con, "select record_count from reverse_etl.crm_sync_audit order by batch_number"
        )
    ] == [100, 100, 50]
    assert set(sandbox.tiers().values()) == {"gold"}
    assert (again.sent, again.unchanged, again.http_attempts) == (0, PARTNERS, 0)
    assert sandbox.partner_count() == PARTNERS  # upserts by external id updated, never created


def test_only_what_changed_is_sent(sandbox, con) -> None:
    with writer(sandbox) as w:
        w.push(con, desired())
        changed = desired()
        changed[6] = Change("external_id-7", {"tier": "platinum", "is_restricted": "false"})
        report = w.push(con, changed)
    assert (report.sent, report.unchanged) == (1, PARTNERS - 1)
    assert sandbox.tiers()["external_id-7"] == "platinum"


def test_429_waits_for_retry_after(sandbox, con) -> None:
    sandbox.faults.update(rate_limit_next=2, retry_after_seconds=7)
    sleeps: list[float] = []
    with writer(sandbox, sleeps) as w:
        report = w.push(con, desired(n=10))
    assert sleeps == [7.0, 7.0]
    assert report.acknowledged == 10
    outcomes = rows(
        con, "select http_status, outcome from reverse_etl.crm_sync_audit order by sent_at"
    )
    assert outcomes == [(429, "retry"), (429, "retry"), (200, "ok")]


def test_5xx_backs_off_exponentially_with_jitter(sandbox, con) -> None:
    sandbox.faults.update(server_error_next=3)
    sleeps: list[float] = []
    with writer(sandbox, sleeps, backoff_multiplier_seconds=1.0, backoff_max_seconds=60) as w:
        report = w.push(con, desired(n=10))
    assert report.acknowledged == 10 and report.http_attempts == 4
    # full jitter: each wait is random in [0, multiplier * 2^attempt], capped
    assert len(sleeps) == 3
    assert all(0 <= s <= 2 ** (i + 1) for i, s in enumerate(sleeps))
    assert len(set(sleeps)) > 1


@pytest.mark.parametrize("fault", ["drop_next", "drop_after_write_next"])
def test_dropped_connections_are_retried_and_land_once_in_effect(sandbox, con, fault) -> None:
    sandbox.faults.update(**{fault: 1})
    with writer(sandbox) as w:
        report = w.push(con, desired(n=10))
    assert report.acknowledged == 10
    assert {sandbox.tiers()[f"external_id-{i}"] for i in range(1, 11)} == {"gold"}
    assert sandbox.partner_count() == PARTNERS
    statuses = [s for _, s in sandbox.faults.seen]
    assert statuses == [0, 200]  # one dropped attempt, one good one


def test_rejected_records_are_dead_lettered_and_retried_next_run(sandbox, con) -> None:
    sandbox.faults.update(failing_ids=["external_id-3", "external_id-150"])
    with writer(sandbox) as w:
        first = w.push(con, desired())
        assert (first.acknowledged, first.rejected) == (PARTNERS - 2, 2)
        letters = rows(
            con,
            "select record_key, error_category, attempts, resolved_at is null "
            "from reverse_etl.crm_dead_letters order by record_key",
        )
        assert letters == [
            ("external_id-150", "VALIDATION_ERROR", 1, True),
            ("external_id-3", "VALIDATION_ERROR", 1, True),
        ]
        still_failing = w.push(con, desired())
        assert (still_failing.sent, still_failing.rejected) == (2, 2)
        sandbox.faults.update(failing_ids=[])
        fixed = w.push(con, desired())
    assert (fixed.sent, fixed.acknowledged) == (2, 2)
    assert rows(
        con,
        "select record_key, attempts, resolved_at is not null from reverse_etl.crm_dead_letters order by 1",
    ) == [
        ("external_id-150", 2, True),
        ("external_id-3", 2, True),
    ]
    assert set(sandbox.tiers().values()) == {"gold"}


def test_a_push_that_dies_midway_resumes_and_delivers_every_change_exactly_once(
    sandbox, con
) -> None:
    # batch 1 goes through, then the CRM fails every request: the push stops at batch 2 with batch 1
    # acknowledged
    with writer(sandbox, max_attempts=3) as w:
        original_post = w._client.post
        calls = {"n": 0}

        def post(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                sandbox.faults.update(server_error_next=1000)
            return original_post(*args, **kwargs)

        w._client.post = post
        with pytest.raises(WritebackError, match=r"batch 2 .* not delivered after 3 attempts"):
            w.push(con, desired())
    assert rows(con, "select count(*) from reverse_etl.crm_sync_state") == [(100,)]
    sandbox.faults.update(server_error_next=0)
    sandbox.faults.seen.clear()
    with writer(sandbox) as w:
        resumed = w.push(con, desired())
    assert (resumed.unchanged, resumed.sent, resumed.batches) == (100, 150, 2)
    assert set(sandbox.tiers().values()) == {"gold"} and sandbox.partner_count() == PARTNERS
    # every record acknowledged once, by exactly one of the two runs
    assert rows(
        con, "select count(*), count(distinct record_key) from reverse_etl.crm_sync_state"
    ) == [(PARTNERS, PARTNERS)]


def test_a_crash_between_batches_loses_nothing(sandbox, con) -> None:
    class Crash(BaseException):
        pass

    with writer(sandbox) as w:
        original_settle = w._settle
        settled = {"n": 0}

        def settle(*args):
            settled["n"] += 1
            if settled["n"] == 2:
                raise Crash  # the process dies while recording batch 2's answer
            return original_settle(*args)

        w._settle = settle
        with pytest.raises(Crash):
            w.push(con, desired())
    # batch 2 landed in the CRM but was never acknowledged: the rerun sends it again (same values)
    assert rows(con, "select count(*) from reverse_etl.crm_sync_state") == [(100,)]
    with writer(sandbox) as w:
        resumed = w.push(con, desired())
    assert (resumed.sent, resumed.acknowledged) == (150, 150)
    assert set(sandbox.tiers().values()) == {"gold"}


def test_a_refused_batch_is_a_clear_error(sandbox, con) -> None:
    with writer(sandbox) as w:
        w.object_type = "unicorns"
        with pytest.raises(WritebackError, match="refused batch 1 with HTTP 400"):
            w.push(con, desired(n=1))
    assert rows(con, "select outcome from reverse_etl.crm_sync_audit") == [("refused",)]


def test_the_audit_records_what_was_sent_and_the_answer(sandbox, con) -> None:
    with writer(sandbox) as w:
        report = w.push(con, desired(n=3), run_id="run-1")
    ((run_id, keys, status, outcome, excerpt),) = rows(
        con,
        "select run_id, record_keys, http_status, outcome, response_excerpt from reverse_etl.crm_sync_audit",
    )
    assert (run_id, status, outcome) == ("run-1", 200, "ok") and report.run_id == "run-1"
    assert json.loads(keys) == ["external_id-1", "external_id-2", "external_id-3"]
    assert '"status":"COMPLETE"' in excerpt.replace(" ", "")


def test_batch_size_cannot_exceed_the_api_limit(sandbox) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        CrmWriter(sandbox.url, TOKEN, batch_size=101)
