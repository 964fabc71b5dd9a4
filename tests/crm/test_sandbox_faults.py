"""The sandbox CRM's injected faults behave like a misbehaving real CRM, and only when asked."""

from __future__ import annotations

import contextlib
import sqlite3
import time

import httpx
import pytest

from pipelines.crm.sandbox import Faults
from tests.crm.conftest import Open
from tests.crm.test_sandbox import OBJECTS

UPDATE = f"{OBJECTS}/partners/batch/update"


def _update(client, *ids: str, tier: str = "gold") -> httpx.Response:
    return client.post(
        UPDATE, json={"inputs": [{"id": i, "properties": {"tier": tier}} for i in ids]}
    )


def _tiers(client) -> dict[str, str | None]:
    """Tier of every partner as stored in the sandbox's database."""
    with contextlib.closing(sqlite3.connect(client.db_path)) as con:
        rows = con.execute(
            "SELECT id, json_extract(properties, '$.tier') FROM objects WHERE object_type = 'partners'"
        ).fetchall()
    return dict(rows)


def _first_ids(client, n: int) -> list[str]:
    body = client.get(f"{OBJECTS}/partners", params={"limit": n}).raise_for_status().json()
    return [r["id"] for r in body["results"]]


def test_no_fault_is_injected_unless_asked(open_sandbox: Open) -> None:
    client = open_sandbox()
    (rid,) = _first_ids(client, 1)
    assert _update(client, rid).status_code == 200


def test_429_carries_retry_after_and_writes_nothing(open_sandbox: Open) -> None:
    faults = Faults(rate_limit_next=1, retry_after_seconds=2)
    client = open_sandbox(faults=faults)
    (rid,) = _first_ids(client, 1)
    before = _tiers(client)
    answer = _update(client, rid)
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "2"
    assert answer.json()["category"] == "RATE_LIMITS"
    assert _tiers(client) == before
    assert _update(client, rid).status_code == 200  # only the next one
    assert [status for _, status in faults.seen] == [429, 200]


def test_server_errors_then_recovery(open_sandbox: Open) -> None:
    faults = Faults(server_error_next=2)
    client = open_sandbox(faults=faults)
    (rid,) = _first_ids(client, 1)
    assert [_update(client, rid).status_code for _ in range(3)] == [503, 503, 200]


def test_a_dropped_connection_is_a_transport_error(open_sandbox: Open) -> None:
    client = open_sandbox(faults=Faults(drop_next=1))
    (rid,) = _first_ids(client, 1)
    before = _tiers(client)
    with pytest.raises(httpx.TransportError):
        _update(client, rid, tier="platinum")
    assert _tiers(client) == before


def test_a_drop_after_the_write_landed_hides_the_success(open_sandbox: Open) -> None:
    client = open_sandbox(faults=Faults(drop_after_write_next=1))
    (rid,) = _first_ids(client, 1)
    with pytest.raises(httpx.TransportError):
        _update(client, rid, tier="platinum")
    assert _tiers(client)[rid] == "platinum"


def test_per_record_rejections_are_207_and_the_rest_lands(open_sandbox: Open) -> None:
    client = open_sandbox()
    good, bad = _first_ids(client, 2)
    answer = client.put("/sandbox/faults", json={"failing_ids": [bad]})
    assert answer.status_code == 200
    before = _tiers(client)
    answer = _update(client, good, bad, tier="platinum")
    assert answer.status_code == 207
    body = answer.json()
    assert [r["id"] for r in body["results"]] == [good]
    assert body["errors"][0]["context"]["ids"] == [bad]
    after = _tiers(client)
    assert after[good] == "platinum" and after[bad] == before[bad]


def test_slow_answers_are_slow(open_sandbox: Open) -> None:
    client = open_sandbox(faults=Faults(slow_seconds=0.3))
    (rid,) = _first_ids(client, 1)
    started = time.monotonic()
    assert _update(client, rid).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_unknown_faults_are_refused(open_sandbox: Open) -> None:
    client = open_sandbox()
    assert client.put("/sandbox/faults", json={"explode": 1}).status_code == 400
