"""Paging over the HubSpot-shaped CRM API and turning pages into Arrow tables for validation.

The HTTP session is dlt's (``dlt.sources.helpers.requests``: retries with backoff on connection
errors, 429 and 5xx), wrapped by dlt's ``RESTClient``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from pipelines.contracts import Entity
from pipelines.crm import settings as crm_settings

ENVELOPE = {
    "id": "id",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
    "archived": "archived",
}

ENVELOPE_STRUCT = pa.struct(
    [("id", pa.string()), ("createdAt", pa.string()), ("updatedAt", pa.string()),
     ("archived", pa.bool_())]
)  # fmt: skip
PAGE_SIZE = 1000
"""Records per page asked for (the sandbox serves up to 1000; HubSpot clamps lists to 100)."""

Record = dict[str, Any]


def iso_ms(value: datetime) -> str:
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class CrmClient:
    """Reads one HubSpot-v3-shaped CRM: full lists and incremental searches."""

    def __init__(self, base_url: str, token: str, page_size: int = PAGE_SIZE) -> None:
        self.client = RESTClient(
            base_url=base_url.rstrip("/") + crm_settings.API_PREFIX,
            auth=BearerTokenAuth(token),
        )
        self.page_size = page_size
        self.id_walks = 0  # full pages at one timestamp, paged by id instead (tests, logs)

    def list_pages(
        self, object_type: str, properties: Sequence[str] = (), *, archived: bool = False
    ) -> Iterator[list[Record]]:
        """Every record of a type, page by page (keyset paging on ``after``). HubSpot returns only
        a few default properties unless ``properties`` names them."""
        params: dict[str, Any] = {"limit": self.page_size, "archived": str(archived).lower()}
        if properties:
            params["properties"] = ",".join(properties)
        yield from self.client.paginate(
            f"/{object_type}",
            params=params,
            paginator=JSONResponseCursorPaginator(
                cursor_path="paging.next.after", cursor_param="after"
            ),
            data_selector="results",
        )

    def search_pages(
        self,
        object_type: str,
        search_property: str,
        since: str,
        properties: Sequence[str] = (),
    ) -> Iterator[list[Record]]:
        """Records whose ``search_property`` >= ``since``, ascending, each returned once.

        Every page is a fresh search from the last timestamp seen (``GTE``, dropping the records
        already returned at that timestamp) instead of HubSpot's offset ``after``: offsets skip a
        record whenever an earlier one is modified mid-run (it moves to the end and every later
        offset shifts), and they stop at 10,000 results. A full page sharing one timestamp is paged
        by ``hs_object_id`` within that timestamp, then the search goes on after it.
        """
        key = ENVELOPE[crm_settings.SEARCH_PROPERTIES[search_property]]
        start, operator, seen = since, "GTE", set()
        while True:
            results = self._search(
                object_type, [(search_property, operator, start)], search_property, properties
            )
            fresh = [r for r in results if not (r[key] == start and r["id"] in seen)]
            if fresh:
                yield fresh
            if len(results) < self.page_size:
                return
            last = results[-1][key]
            if last == start:
                seen.update(r["id"] for r in results)
                yield from self._walk_timestamp(
                    object_type, search_property, start, seen, properties
                )
                operator, seen = "GT", set()
            else:
                start, operator = last, "GTE"
                seen = {r["id"] for r in results if r[key] == last}

    def _walk_timestamp(
        self,
        object_type: str,
        search_property: str,
        at: str,
        seen: set[str],
        properties: Sequence[str],
    ) -> Iterator[list[Record]]:
        """Every record whose ``search_property`` equals ``at``, paged by id."""
        self.id_walks += 1
        after_id: str | None = None
        while True:
            filters = [(search_property, "EQ", at)]
            if after_id is not None:
                filters.append((crm_settings.OBJECT_ID_PROPERTY, "GT", after_id))
            results = self._search(
                object_type, filters, crm_settings.OBJECT_ID_PROPERTY, properties
            )
            fresh = [r for r in results if r["id"] not in seen]
            if fresh:
                yield fresh
            if len(results) < self.page_size:
                return
            after_id = results[-1]["id"]

    def _search(
        self,
        object_type: str,
        filters: list[tuple[str, str, str]],
        sort: str,
        properties: Sequence[str],
    ) -> list[Record]:
        body: dict[str, Any] = {
            "filterGroups": [
                {"filters": [{"propertyName": p, "operator": o, "value": v} for p, o, v in filters]}
            ],
            "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
            "limit": self.page_size,
        }
        if properties:
            body["properties"] = list(properties)
        response = self.client.post(f"/{object_type}/search", json=body)
        response.raise_for_status()
        return response.json().get("results") or []


def records_table(entity: Entity, records: list[Record]) -> pa.Table:
    """Envelope and contract properties of CRM records as an Arrow table (properties as strings).

    Arrow converts the record dicts to struct arrays in C++ (extra properties are ignored, absent
    ones are null); a property value that is not a string (not HubSpot-like, but possible from
    another CRM) falls back to a conversion in Python.
    """
    names = [c for c in entity.column_names if c not in ENVELOPE]
    props = [r.get("properties") or {} for r in records]
    try:
        envelope = pa.array(records, ENVELOPE_STRUCT)
        properties = pa.array(props, pa.struct([(c, pa.string()) for c in names]))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        envelope = pa.array(
            [{k: r.get(k) for k in ENVELOPE.values()} for r in records], ENVELOPE_STRUCT
        )
        properties = pa.array(
            [{c: _text(p.get(c)) for c in names} for p in props],
            pa.struct([(c, pa.string()) for c in names]),
        )
    return pa.table(
        {
            c: envelope.field(ENVELOPE[c]) if c in ENVELOPE else properties.field(c)
            for c in entity.column_names
        }
    )


def _text(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else str(value)


class CursorTracker:
    """The resource's cursor: skips records already read, remembers the largest value seen."""

    def __init__(self, state: dict[str, Any], key: str) -> None:
        self.state = state
        self.key = key
        self.start: str | None = state.get("last_value")
        self.start_ids = set(state.get("boundary_ids") or [])
        self.max = self.start
        self.max_ids = set(self.start_ids)

    def is_new(self, record: Record) -> bool:
        return self.is_new_value(record[self.key], record["id"])

    def is_new_value(self, value: str | None, record_id: str) -> bool:
        """False for a record read before (older than the cursor, or a boundary record seen)."""
        if value is None:
            return True  # no cursor to compare: read it (validation rejects it)
        if self.start is not None and (
            value < self.start or (value == self.start and record_id in self.start_ids)
        ):
            return False
        if self.max is None or value > self.max:
            self.max, self.max_ids = value, {record_id}
        elif value == self.max:
            if record_id in self.max_ids:
                return False
            self.max_ids.add(record_id)
        return True

    def save(self) -> None:
        self.state["last_value"] = self.max
        self.state["boundary_ids"] = sorted(self.max_ids)
