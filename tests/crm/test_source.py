"""The CRM API source end to end: fixture CRM database -> sandbox -> dlt -> temporary DuckDB."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pipelines.contracts import entities, entity
from pipelines.crm import crm_endpoint, crm_source
from pipelines.crm.helpers import CrmClient
from pipelines.crm.sandbox import SandboxConfig, running_sandbox, sandbox_token
from tests.crm.conftest import loaded_rows, query
from tests.crm.world import BAD, BASE_TIME, build_crm_db, touch

CRM = list(entities("crm"))


def source_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        return dict(con.execute("SELECT object_type, count(*) FROM objects GROUP BY 1").fetchall())


def warehouse_counts() -> dict[str, int]:
    return {e.name: query(f"select count(*) from raw_crm.{e.name}")[0][0] for e in CRM}


def quarantine_counts() -> dict[str, int]:
    return dict(query("select entity, count(*) from raw_crm.quarantined_records group by 1"))


def test_crm_source_builds_without_network() -> None:
    source = crm_source(base_url="http://127.0.0.1:0", token="unused")
    assert sorted(source.resources) == sorted(e.name for e in CRM)
    for e in CRM:
        hints = source.resources[e.name].compute_table_schema()
        assert hints["columns"]["id"]["primary_key"]
        assert hints["write_disposition"] == e.write_disposition


def test_full_load_keeps_every_record(crm_db: Path, load_crm: Callable[..., Any]) -> None:
    load_crm()
    loaded, quarantined = warehouse_counts(), quarantine_counts()
    for e in CRM:
        assert loaded[e.name] + quarantined.get(e.name, 0) == source_counts(crm_db)[e.name], e.name
        dupes = query(f"select id from raw_crm.{e.name} group by id having count(*) > 1")
        assert dupes == [], e.name
    reasons = {
        (entity, ref): reason
        for entity, ref, reason in query(
            "select entity, record_ref, reason from raw_crm.quarantined_records"
        )
    }
    # a bad required value quarantines the record; a bad optional one (deal 4's amount) is
    # nulled, the deal loads, and the value is kept in value_issues with its reason
    required = {
        key: bad
        for key, bad in BAD.items()
        if any(entity("crm", key[0]).column(c).required for c in bad[0])
    }
    assert set(reasons) == set(required)
    for key, (_, expected) in required.items():
        assert expected in reasons[key]
    nulled = query("select entity, record_id, column_name, value, reason from raw_crm.value_issues")
    assert nulled == [
        (key[0], key[1], column, value, f"{expected}: expected decimal, got {value}")
        for key, (overrides, expected) in BAD.items()
        if key not in required
        for column, value in overrides.items()
    ]
    assert query("select amount from raw_crm.deals where id = '4'") == [(None,)]


def test_types_and_envelope(load_crm: Callable[..., Any]) -> None:
    load_crm()
    types = dict(
        query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_crm' and table_name = 'deals'"
        )
    )
    assert types["amount"] == "DECIMAL(18,2)"
    assert types["createdate"] == "TIMESTAMP WITH TIME ZONE"
    assert types["closedate"] == "DATE"
    assert types["archived"] == "BOOLEAN"
    row = query("select amount, _source, archived from raw_crm.deals where id = '2'")
    assert row == [(pytest.approx(2000.5), "crm/v3/objects/deals", False)]
    archived = query("select archived from raw_crm.companies where id = '5'")
    assert archived == [(True,)]  # archived records are listed too


def test_incremental_pulls_only_changes(crm_db: Path, load_crm: Callable[..., Any]) -> None:
    load_crm()
    later = BASE_TIME + timedelta(days=1)
    touch(crm_db, "deals", "1", later, amount="99.00")
    touch(crm_db, "deals", "7", later)
    touch(crm_db, "touches", "7", later)
    touch(crm_db, "deals", "4", later, amount="12000")  # the quarantined record, fixed
    p = load_crm()
    assert loaded_rows(p) == {"deals": 3, "touches": 1}
    assert query("select amount from raw_crm.deals where id = '1'") == [(pytest.approx(99),)]
    loaded, quarantined = warehouse_counts(), quarantine_counts()
    assert loaded["deals"] == 6  # 1..7 minus the still-bad deal 3
    assert loaded["touches"] + quarantined["touches"] == source_counts(crm_db)["touches"]
    assert query("select count(*) from raw_crm.touches group by id having count(*) > 1") == []


def test_rerun_without_change_adds_nothing(load_crm: Callable[..., Any]) -> None:
    load_crm()
    before = warehouse_counts(), quarantine_counts()
    p = load_crm()
    assert loaded_rows(p) == {}
    assert (warehouse_counts(), quarantine_counts()) == before


def test_small_pages_and_search_cap_lose_nothing(
    crm_db: Path, load_crm: Callable[..., Any]
) -> None:
    load_crm()
    later = BASE_TIME + timedelta(days=1)
    # 7 changed deals, timestamps shared in pairs, so the capped searches (4 results, pages of 2)
    # end on a timestamp that the next records share.
    for n in range(1, 8):
        touch(crm_db, "deals", str(n), later + timedelta(seconds=n // 2), dealname=f"v2-{n}")
    p = load_crm(SandboxConfig(search_result_cap=4), page_size=2)
    # deal 4 is read again with its bad optional amount: its value issue is logged again
    assert set(loaded_rows(p)) <= {"deals", "quarantined_records", "value_issues"}
    names = dict(query("select id, dealname from raw_crm.deals"))
    # deal 3 (unknown stage) stays quarantined; deal 4 (bad optional amount) loads, amount nulled
    assert names == {str(n): f"v2-{n}" for n in (1, 2, 4, 5, 6, 7)}
    assert quarantine_counts()["deals"] == 2  # deal 3, once before and once after


@pytest.mark.parametrize("same_timestamp", [False, True])
def test_search_returns_each_record_once(tmp_path: Path, same_timestamp: bool) -> None:
    db = build_crm_db(tmp_path / "crm.sqlite", per_type=9, same_timestamp=same_timestamp)
    with running_sandbox(db, SandboxConfig(search_result_cap=4)) as url:
        client = CrmClient(url, sandbox_token(), page_size=2)
        pages = client.search_pages("products", "hs_lastmodifieddate", "2025-01-01T00:00:00.000Z")
        ids = [r["id"] for page in pages for r in page]
    assert sorted(ids, key=int) == [str(n) for n in range(1, 10)]
    assert client.id_walks >= 1  # pages of 2 fill up within one timestamp


def test_search_never_skips_a_record_modified_mid_run(crm_db: Path) -> None:
    """Offset paging would skip deal 3 here: deal 1 moves to the end after the first page."""
    since = "2025-01-01T00:00:00.000Z"
    with running_sandbox(crm_db) as url:
        pages = CrmClient(url, sandbox_token(), page_size=2).search_pages(
            "deals", "hs_lastmodifieddate", since
        )
        ids = [r["id"] for r in next(pages)]
        touch(crm_db, "deals", "1", BASE_TIME + timedelta(days=1), dealname="moved")
        ids += [r["id"] for page in pages for r in page]
    assert sorted(set(ids), key=int) == [str(n) for n in range(1, 7)]
    assert ids.count("1") == 2  # before and after the change


def test_crm_endpoint_needs_a_world_or_config(data_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `prm world generate`"), crm_endpoint():
        pass


def test_crm_endpoint_prefers_config(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.setenv("SOURCES__CRM__BASE_URL", "https://api.example.test")
    monkeypatch.setenv("SOURCES__CRM__TOKEN", "t0k")
    with crm_endpoint() as endpoint:
        assert endpoint == ("https://api.example.test", "t0k")


def test_crm_endpoint_serves_the_world(crm_db: Path) -> None:
    with crm_endpoint() as (url, token):
        client = CrmClient(url, token)
        assert sum(len(p) for p in client.list_pages("deals")) == 6
