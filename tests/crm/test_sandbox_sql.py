"""Request values reach the sandbox's SQL as bound parameters: a property name or value with a quote
(or an injection attempt) is a name like any other, never SQL."""

from __future__ import annotations

from tests.crm.conftest import Open
from tests.crm.test_sandbox import OBJECTS, list_all, search

INJECTION = "dealname') OR 1=1 OR json_extract(properties, '$.x"


def test_a_listed_property_name_with_quotes_is_just_an_unknown_property(open_sandbox: Open) -> None:
    client = open_sandbox()
    asked = f"dealname,o'brien,{INJECTION}"
    response = client.get(f"{OBJECTS}/deals", params={"limit": 1, "properties": asked})
    assert response.status_code == 200, response.text
    properties = response.json()["results"][0]["properties"]
    assert properties.pop("dealname") == "dealname-1"
    assert set(properties) == {"o'brien", *INJECTION.split(",")}  # names, not SQL
    assert set(properties.values()) == {None}


def test_a_search_on_an_injected_property_name_or_value_matches_nothing(open_sandbox: Open) -> None:
    client = open_sandbox()
    for name, value in ((INJECTION, "x"), ("dealname", "x' OR '1'='1")):
        groups = [{"filters": [{"propertyName": name, "operator": "EQ", "value": value}]}]
        response = search(client, "deals", filterGroups=groups, sorts=[INJECTION])
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 0
    everything, _ = list_all(client, "deals")
    assert len(everything) == 6  # nothing was changed either


def test_an_upsert_by_an_injected_id_property_creates_rather_than_matching_all(
    open_sandbox: Open,
) -> None:
    client = open_sandbox()
    inputs = [{"idProperty": INJECTION, "id": "x' OR '1'='1", "properties": {"tier": "gold"}}]
    response = client.post(f"{OBJECTS}/partners/batch/upsert", json={"inputs": inputs})
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    assert result["new"] is True
