"""The sandbox CRM behaves like the parts of HubSpot's v3 objects API the source relies on."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipelines.crm.sandbox import running_sandbox
from tests.crm.conftest import Open, SandboxClient
from tests.crm.world import BASE_TIME, build_crm_db, iso

OBJECTS = "/crm/v3/objects"


def list_all(client: SandboxClient, object_type: str, **params: Any) -> tuple[list[str], int]:
    """Every id a list returns, following ``paging.next.after``, and the number of pages."""
    ids, pages, after = [], 0, None
    while True:
        query = {**params, **({"after": after} if after else {})}
        body = client.get(f"{OBJECTS}/{object_type}", params=query).raise_for_status().json()
        ids += [r["id"] for r in body["results"]]
        pages += 1
        if "paging" not in body:
            return ids, pages
        after = body["paging"]["next"]["after"]


def search(client: SandboxClient, object_type: str, **body: Any) -> httpx.Response:
    return client.post(f"{OBJECTS}/{object_type}/search", json=body)


def since(ts: datetime | str | int, operator: str = "GTE") -> list[dict[str, Any]]:
    value = iso(ts) if isinstance(ts, datetime) else str(ts)
    return [
        {"filters": [{"propertyName": "hs_lastmodifieddate", "operator": operator, "value": value}]}
    ]


def stored(db: Path, object_type: str) -> list[tuple[str, str]]:
    """(id, updated_at) of the non-archived records, in search order (timestamp, numeric id)."""
    with contextlib.closing(sqlite3.connect(db)) as con:
        rows = con.execute(
            "SELECT id, updated_at FROM objects WHERE object_type = ? AND archived = 0",
            [object_type],
        ).fetchall()
    return sorted(rows, key=lambda r: (r[1], int(r[0])))


# -- listing ----------------------------------------------------------------------------------


def test_list_pages_visit_every_record_once_in_numeric_id_order(open_sandbox: Open) -> None:
    client = open_sandbox(per_type=23)
    ids, pages = list_all(client, "deals", limit=4)
    assert ids == [str(i) for i in range(1, 24)]  # "10" after "9", each once
    assert pages == 6
    # archived records are listed apart, as HubSpot does
    assert list_all(client, "companies", limit=4)[0] == [str(i) for i in range(1, 24) if i != 5]
    assert list_all(client, "companies", archived="true")[0] == ["5"]


def test_a_page_has_the_hubspot_shape(open_sandbox: Open) -> None:
    client = open_sandbox()
    body = client.get(f"{OBJECTS}/deals", params={"limit": 2}).json()
    first = body["results"][0]
    assert set(first) == {"id", "properties", "createdAt", "updatedAt", "archived"}
    assert first["archived"] is False and first["updatedAt"].endswith("Z")
    assert body["paging"]["next"]["after"] == "2"
    assert "after=2" in body["paging"]["next"]["link"]
    last = client.get(f"{OBJECTS}/deals", params={"after": "5"}).json()
    assert [r["id"] for r in last["results"]] == ["6"] and "paging" not in last


def test_limit_defaults_to_100_and_is_capped(open_sandbox: Open) -> None:
    client = open_sandbox(per_type=120, max_page_size=50)
    assert len(client.get(f"{OBJECTS}/touches").json()["results"]) == 50  # default 100, capped
    assert len(client.get(f"{OBJECTS}/touches", params={"limit": 7}).json()["results"]) == 7
    assert len(client.get(f"{OBJECTS}/touches", params={"limit": 5000}).json()["results"]) == 50
    assert client.get(f"{OBJECTS}/touches", params={"limit": 0}).status_code == 400


def test_default_page_size_is_100(open_sandbox: Open) -> None:
    client = open_sandbox(per_type=120)
    assert len(client.get(f"{OBJECTS}/touches").json()["results"]) == 100
    assert len(client.get(f"{OBJECTS}/touches", params={"limit": 1000}).json()["results"]) == 120


def test_properties_limit_what_is_returned(open_sandbox: Open) -> None:
    client = open_sandbox()
    everything = client.get(f"{OBJECTS}/deals", params={"limit": 1}).json()["results"][0]
    assert everything["properties"]["dealname"] == "dealname-1"
    some = client.get(f"{OBJECTS}/deals", params={"limit": 1, "properties": "dealname,amount"})
    assert some.json()["results"][0]["properties"] == {
        "dealname": "dealname-1",
        "amount": "1000.50",
    }
    asked = ",".join(everything["properties"]) + ",no_such_property"
    superset = client.get(f"{OBJECTS}/deals", params={"limit": 1, "properties": asked})
    assert superset.json()["results"][0]["properties"] == everything["properties"]


def test_bad_requests_are_400(open_sandbox: Open) -> None:
    client = open_sandbox()
    unknown = client.get(f"{OBJECTS}/widgets")
    assert unknown.status_code == 400 and unknown.json()["status"] == "error"
    assert client.get(f"{OBJECTS}/deals", params={"after": "abc"}).status_code == 400
    assert search(client, "deals", limit="many").status_code == 400
    bad_op = [{"filters": [{"propertyName": "amount", "operator": "LIKE", "value": "1"}]}]
    assert search(client, "deals", filterGroups=bad_op).status_code == 400
    assert search(client, "deals", filterGroups=since("yesterday")).status_code == 400


def test_requests_without_the_token_are_401(open_sandbox: Open) -> None:
    client = open_sandbox()
    url = f"{client.base_url}{OBJECTS}/deals"
    assert httpx.get(url).status_code == 401
    wrong = httpx.get(url, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["category"] == "INVALID_AUTHENTICATION"
    assert httpx.post(url + "/search", json={}).status_code == 401
    assert client.get(f"{OBJECTS}/deals").status_code == 200


def test_the_token_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRM_CRM_TOKEN", "from-env")
    with running_sandbox(build_crm_db(tmp_path / "crm.sqlite")) as url:
        ok = httpx.get(f"{url}{OBJECTS}/deals", headers={"Authorization": "Bearer from-env"})
        default = httpx.get(
            f"{url}{OBJECTS}/deals", headers={"Authorization": "Bearer sandbox-token"}
        )
    assert (ok.status_code, default.status_code) == (200, 401)


# -- search -----------------------------------------------------------------------------------


def test_search_filters_on_last_modified_ascending_with_id_tie_break(open_sandbox: Open) -> None:
    client = open_sandbox(per_type=12)
    expected = stored(client.db_path, "deals")
    boundary = expected[4][1]
    sort = [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]
    body = search(client, "deals", filterGroups=since(boundary), sorts=sort, limit=100).json()
    assert [r["id"] for r in body["results"]] == [i for i, ts in expected if ts >= boundary]
    assert body["total"] == len(body["results"]) and "paging" not in body
    # epoch milliseconds mean the same instant; GT leaves the boundary out
    epoch_ms = int(datetime.fromisoformat(boundary).timestamp() * 1000)
    same = search(client, "deals", filterGroups=since(epoch_ms), sorts=sort, limit=100).json()
    assert same["results"] == body["results"]
    after = search(client, "deals", filterGroups=since(boundary, "GT"), sorts=sort, limit=100)
    assert [r["id"] for r in after.json()["results"]] == [i for i, ts in expected if ts > boundary]


def test_search_on_create_date_and_record_id(open_sandbox: Open) -> None:
    client = open_sandbox(per_type=12)
    created = [{"propertyName": "hs_createdate", "operator": "LT", "value": iso(BASE_TIME)}]
    assert search(client, "touches", filterGroups=[{"filters": created}]).json()["total"] == 0
    tie = [
        {"propertyName": "hs_lastmodifieddate", "operator": "EQ", "value": iso(BASE_TIME)},
        {"propertyName": "hs_object_id", "operator": "GT", "value": "1"},
    ]
    by_id = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    body = search(client, "touches", filterGroups=[{"filters": tie}], sorts=by_id).json()
    assert [r["id"] for r in body["results"]] == ["2"]  # ids 1 and 2 share the first timestamp
    either = [{"filters": tie}, {"filters": [{**tie[1], "operator": "GTE", "value": "12"}]}]
    assert [r["id"] for r in search(client, "touches", filterGroups=either).json()["results"]] == [
        "2",
        "12",
    ]


def test_search_cannot_page_past_the_result_cap(open_sandbox: Open) -> None:
    client = open_sandbox(per_type=12, search_result_cap=5)
    everything = since(BASE_TIME)
    ids, after = [], None
    for _ in range(3):
        body = search(client, "deals", filterGroups=everything, limit=2, after=after).json()
        ids += [r["id"] for r in body["results"]]
        after = body["paging"]["next"]["after"]
    assert len(ids) == 5 and after == "5" and body["total"] == 12
    capped = search(client, "deals", filterGroups=everything, limit=2, after=after)
    assert capped.status_code == 400 and "limited to 5" in capped.json()["message"]


def test_search_leaves_archived_records_out(open_sandbox: Open) -> None:
    client = open_sandbox()
    ids = [r["id"] for r in search(client, "companies", limit=100).json()["results"]]
    assert ids == ["1", "2", "3", "4", "6"]


# -- writes -----------------------------------------------------------------------------------


def test_batch_update_merges_properties_and_bumps_updated_at(open_sandbox: Open) -> None:
    client = open_sandbox()
    newest = stored(client.db_path, "deals")[-1][1]
    inputs = [{"id": "2", "properties": {"dealstage": "closedwon", "amount": 42}}]
    response = client.post(f"{OBJECTS}/deals/batch/update", json={"inputs": inputs})
    assert response.status_code == 200 and response.json()["status"] == "COMPLETE"
    (result,) = response.json()["results"]
    assert result["properties"]["amount"] == "42"  # HubSpot keeps strings
    assert result["properties"]["dealname"] == "dealname-2"  # untouched properties stay
    assert result["updatedAt"] > newest
    changed = search(client, "deals", filterGroups=since(newest, "GT")).json()["results"]
    assert [(r["id"], r["properties"]["dealstage"]) for r in changed] == [("2", "closedwon")]


def test_writes_never_move_updated_at_backwards(open_sandbox: Open) -> None:
    client = open_sandbox()
    future = "2099-01-01T00:00:00.000Z"
    with contextlib.closing(sqlite3.connect(client.db_path)) as con, con:
        con.execute(
            "UPDATE objects SET updated_at = ? WHERE object_type = 'deals' AND id = '1'", [future]
        )
    inputs = [{"id": "2", "properties": {"dealname": "renamed"}}]
    (result,) = client.post(f"{OBJECTS}/deals/batch/update", json={"inputs": inputs}).json()[
        "results"
    ]
    assert result["updatedAt"] == "2099-01-01T00:00:00.001Z"


def test_batch_update_reports_unknown_ids_with_207(open_sandbox: Open) -> None:
    client = open_sandbox()
    inputs = [{"id": "1", "properties": {"dealname": "x"}}, {"id": "999", "properties": {}}]
    response = client.post(f"{OBJECTS}/deals/batch/update", json={"inputs": inputs})
    assert response.status_code == 207
    body = response.json()
    assert [r["id"] for r in body["results"]] == ["1"]
    assert body["numErrors"] == 1 and body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"]["ids"] == ["999"]


def test_batch_inputs_are_limited_to_100(open_sandbox: Open) -> None:
    client = open_sandbox()
    hundred = [{"id": str(i), "properties": {}} for i in range(1, 101)]
    ok = client.post(f"{OBJECTS}/deals/batch/update", json={"inputs": hundred})
    assert ok.status_code == 207  # ids 7..100 do not exist, but the batch is accepted
    too_many = [*hundred, {"id": "101", "properties": {}}]
    for action in ("update", "upsert"):
        response = client.post(f"{OBJECTS}/deals/batch/{action}", json={"inputs": too_many})
        assert response.status_code == 400 and "limit" in response.json()["message"]
    assert client.post(f"{OBJECTS}/deals/batch/update", json={"inputs": []}).status_code == 400
    twice = [{"id": "1", "properties": {}}, {"id": "1", "properties": {}}]
    assert client.post(f"{OBJECTS}/deals/batch/update", json={"inputs": twice}).status_code == 400


def test_batch_upsert_by_external_id_updates_or_creates(open_sandbox: Open) -> None:
    client = open_sandbox()
    inputs = [
        {"idProperty": "external_id", "id": "external_id-3", "properties": {"tier": "gold"}},
        {"idProperty": "external_id", "id": "P-NEW", "properties": {"partner_name": "New"}},
    ]
    response = client.post(f"{OBJECTS}/partners/batch/upsert", json={"inputs": inputs})
    assert response.status_code == 200, response.text
    updated, created = response.json()["results"]
    assert (updated["id"], updated["new"], updated["properties"]["tier"]) == ("3", False, "gold")
    assert (created["id"], created["new"]) == ("7", True)
    assert created["properties"] == {"partner_name": "New", "external_id": "P-NEW"}
    (listed,) = client.get(f"{OBJECTS}/partners", params={"after": "6"}).json()["results"]
    assert listed == {k: v for k, v in created.items() if k != "new"}


def test_write_timestamps_are_iso_ms_utc(open_sandbox: Open) -> None:
    client = open_sandbox()
    inputs = [{"id": "1", "properties": {"dealname": "x"}}]
    response = client.post(f"{OBJECTS}/deals/batch/update", json={"inputs": inputs})
    stamp = response.json()["results"][0]["updatedAt"]
    parsed = datetime.fromisoformat(stamp)
    assert parsed.tzinfo == UTC and stamp == iso(parsed)
