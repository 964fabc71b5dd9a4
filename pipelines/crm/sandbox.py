"""A sandbox CRM speaking a subset of HubSpot's CRM v3 objects API over a ``crm.sqlite`` database.

Endpoints (all under ``/crm/v3/objects/{object_type}``, bearer-token auth, JSON):

``GET ``                 list: ``limit`` (default 100; up to 1000 here, HubSpot allows 100), ``after``,
                         ``properties`` (comma-separated), ``archived``; keyset paging by numeric id
``POST /search``         HubSpot search: filterGroups (OR) of filters (AND), one sort, properties,
                         limit, after (an offset; HubSpot answers 400 from 10,000 on)
``POST /batch/update``   ``{"inputs": [{"id", "properties"}]}`` (at most 100); 207 lists unknown ids
``POST /batch/upsert``   ``{"inputs": [{"idProperty", "id", "properties"}]}``: update the record whose
                         ``idProperty`` equals ``id``, or create it

Reads use a read-only SQLite connection per worker thread and build each page's JSON inside SQLite:
the stored ``properties`` text is spliced into the response as it is whenever the record has no
property beyond those asked for, so a page costs one indexed range scan and no JSON parsing in
Python. Writes bump ``updated_at`` past every earlier change of the object type, so incremental
readers always see them.

Everything tunable lives in :class:`SandboxConfig` (kept on ``app.state.sandbox``). Its
:class:`Faults` make the write endpoints misbehave on demand, the way real CRMs do: ``429`` with
``Retry-After``, ``5xx``, slow answers, dropped connections (before or after the write landed) and
per-record rejections in a ``207``. Tests flip them on the live object; a sandbox running in another
process takes ``PUT /sandbox/faults`` with the same fields.

Run it alone: ``python -m pipelines.crm.sandbox path/to/crm.sqlite --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import secrets
import socket
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from pipelines.contracts import CRM
from pipelines.crm import settings
from pipelines.crm.settings import sandbox_token
from pipelines.crm.store import SANDBOX_INDEXES

HOST = "127.0.0.1"
log = logging.getLogger(__name__)
OBJECT_TYPES = frozenset(e.name for e in CRM)


@dataclass
class Faults:
    """Faults injected into requests whose path contains ``path_contains`` (the batch writes by
    default). Counters are "the next n matching requests"; change them at any time."""

    rate_limit_next: int = 0
    """Answer the next n requests ``429`` with ``Retry-After: retry_after_seconds``."""
    retry_after_seconds: float = 1.0
    server_error_next: int = 0
    """Answer the next n requests ``503``."""
    drop_next: int = 0
    """Drop the connection of the next n requests before anything is written."""
    drop_after_write_next: int = 0
    """Apply the next n writes, then drop the connection: the client cannot know they landed."""
    slow_seconds: float = 0.0
    """Delay every matching request this long."""
    failing_ids: frozenset[str] = frozenset()
    """Batch inputs with these ids are rejected one by one (``207``); the rest of the batch lands."""
    path_contains: str = "/batch/"
    seen: list[tuple[str, int]] = field(default_factory=list)
    """(path, status) of every matching request, in order: what the client really did."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, counter: str) -> bool:
        """Use up one of ``counter``'s next-n faults; False when there is none left."""
        with self._lock:
            left = getattr(self, counter)
            if left <= 0:
                return False
            setattr(self, counter, left - 1)
            return True

    def update(self, **changes: Any) -> None:
        """Set several fields at once (unknown names are an error)."""
        with self._lock:
            for name, value in changes.items():
                if name.startswith("_") or name == "seen" or not hasattr(self, name):
                    raise ValueError(f"unknown fault {name!r}")
                setattr(self, name, frozenset(value) if name == "failing_ids" else value)


class _DroppedConnection(Exception):
    """Raised inside the ASGI app after the response started: the server closes the socket."""


class FaultMiddleware:
    """Pure ASGI middleware applying :class:`Faults` to matching requests."""

    def __init__(self, app: Any, faults: Faults) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        faults = self.faults
        if scope["type"] != "http" or faults.path_contains not in scope["path"]:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if faults.slow_seconds:
            await asyncio.sleep(faults.slow_seconds)
        if faults.take("rate_limit_next"):
            faults.seen.append((path, 429))
            headers = {"Retry-After": f"{faults.retry_after_seconds:g}"}
            err = CrmError(429, "RATE_LIMITS", "You have reached your secondly limit.")
            await JSONResponse(err.body(), status_code=429, headers=headers)(scope, receive, send)
            return
        if faults.take("server_error_next"):
            faults.seen.append((path, 503))
            err = CrmError(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.")
            await JSONResponse(err.body(), status_code=503)(scope, receive, send)
            return
        if faults.take("drop_next"):
            faults.seen.append((path, 0))
            await _start_then_drop(send)
        if faults.take("drop_after_write_next"):
            faults.seen.append((path, 0))

            async def swallow(message: dict) -> None:
                return None

            await self.app(scope, receive, swallow)
            await _start_then_drop(send)
        statuses: list[int] = []

        async def record(message: dict) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])
            await send(message)

        await self.app(scope, receive, record)
        faults.seen.append((path, statuses[0] if statuses else 0))


async def _start_then_drop(send: Any) -> None:
    """Promise a body, send none, and fail: uvicorn closes the connection mid-response."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]}
    )
    raise _DroppedConnection("sandbox fault: connection dropped")


@dataclass(frozen=True)
class SandboxConfig:
    """What the sandbox enforces. Tests shrink the limits to exercise the client's handling."""

    token: str = field(default_factory=sandbox_token)
    default_page_size: int = settings.DEFAULT_PAGE_SIZE
    max_page_size: int = settings.SANDBOX_MAX_PAGE_SIZE
    search_result_cap: int = settings.SEARCH_RESULT_CAP
    batch_max_inputs: int = settings.BATCH_MAX_INPUTS
    faults: Faults = field(default_factory=Faults)


class CrmError(Exception):
    """An error answered HubSpot-style: ``{"status": "error", "category", "message", ...}``."""

    def __init__(self, status: int, category: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.category, self.message, self.extra = status, category, message, extra

    def body(self) -> dict[str, Any]:
        return {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
            "category": self.category,
            **self.extra,
        }


# --------------------------------------------------------------------------------------------
# time


def iso_ms(moment: datetime) -> str:
    """``2026-01-31T09:30:00.123Z``: the one timestamp format of the database and the API."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def parse_time_value(value: Any) -> str:
    """A search filter value for a datetime property (epoch ms, ISO-8601 or a date) as stored text."""
    text = str(value).strip()
    try:
        if re.fullmatch(r"-?\d+", text):
            return iso_ms(datetime.fromtimestamp(int(text) / 1000, UTC))
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError) as exc:
        raise CrmError(400, "VALIDATION_ERROR", f"{text!r} is not a valid datetime value") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso_ms(moment)


# --------------------------------------------------------------------------------------------
# SQL


def _record_sql(properties: Sequence[str] | None, params: list[Any]) -> str:
    """SQL building one record's JSON text. ``properties`` limits the properties returned: the stored
    text is spliced in when it holds nothing else (one json_remove), otherwise rebuilt.

    Property names come from the request: they are bound parameters, appended to ``params`` in the
    order of their placeholders (the SQL text is made of our own identifiers only)."""
    stored = "properties"
    if properties:
        paths = ", ".join("?" for _ in properties)
        params.extend(_json_path(p) for p in properties)
        subset = ", ".join("?, json_extract(properties, ?)" for _ in properties)
        params.extend(v for p in properties for v in (p, _json_path(p)))
        stored = (
            f"CASE WHEN json_remove(properties, {paths}) = '{{}}' THEN properties "
            f"ELSE json_object({subset}) END"
        )
    return (
        """'{"id":' || json_quote(id) || ',"properties":' || """
        + stored
        + """ || ',"createdAt":' || json_quote(created_at) || ',"updatedAt":' || json_quote(updated_at)"""
        + """ || ',"archived":' || CASE archived WHEN 0 THEN 'false' ELSE 'true' END || '}'"""
    )


def _json_path(prop: str) -> str:
    return '$."' + prop.replace('"', "") + '"'


NUMERIC_ID = "CAST(id AS INTEGER)"
TIME_COLUMNS = settings.SEARCH_PROPERTIES
COMPARISONS = {"EQ": "=", "NEQ": "!=", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}


def _column(prop: str, params: list[Any]) -> tuple[str, str]:
    """SQL expression and kind (time | id | text) of a searchable property; a property name from
    the request is bound (its JSON path appended to ``params``)."""
    if prop in TIME_COLUMNS:
        return TIME_COLUMNS[prop], "time"
    if prop == settings.ID_PROPERTY:
        return NUMERIC_ID, "id"
    params.append(_json_path(prop))
    return "json_extract(properties, ?)", "text"


def _value(kind: str, value: Any) -> Any:
    if value is None:
        raise CrmError(400, "VALIDATION_ERROR", "filter value is missing")
    if kind == "time":
        return parse_time_value(value)
    if kind == "id":
        try:
            return int(str(value))
        except ValueError as exc:
            raise CrmError(400, "VALIDATION_ERROR", f"{value!r} is not a record id") from exc
    return str(value).lower() if isinstance(value, bool) else str(value)


class Filter(BaseModel):
    propertyName: str
    operator: str
    value: Any = None
    highValue: Any = None
    values: list[Any] | None = None


class FilterGroup(BaseModel):
    filters: list[Filter] = Field(default_factory=list)


class Sort(BaseModel):
    propertyName: str
    direction: Literal["ASCENDING", "DESCENDING"] = "ASCENDING"


class SearchRequest(BaseModel):
    filterGroups: list[FilterGroup] = Field(default_factory=list)
    sorts: list[Sort | str] = Field(default_factory=list)
    properties: list[str] = Field(default_factory=list)
    limit: int = 10
    after: str | int | None = None


class BatchInput(BaseModel):
    id: str
    properties: dict[str, Any] = Field(default_factory=dict)
    idProperty: str | None = None


class BatchRequest(BaseModel):
    inputs: list[BatchInput]


def _filter_sql(f: Filter, params: list[Any]) -> str:
    expr, kind = _column(f.propertyName, params)
    op = f.operator.upper()
    if op in COMPARISONS:
        params.append(_value(kind, f.value))
        return f"{expr} {COMPARISONS[op]} ?"
    if op == "BETWEEN":
        params.extend([_value(kind, f.value), _value(kind, f.highValue)])
        return f"{expr} BETWEEN ? AND ?"
    if op in ("IN", "NOT_IN"):
        values = [_value(kind, v) for v in f.values or []]
        params.extend(values)
        marks = ", ".join("?" for _ in values) or "NULL"
        return f"{expr} {'NOT IN' if op == 'NOT_IN' else 'IN'} ({marks})"
    if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        return f"{expr} IS {'NOT ' if op == 'HAS_PROPERTY' else ''}NULL"
    raise CrmError(400, "VALIDATION_ERROR", f"unsupported filter operator {f.operator!r}")


def _where(search: SearchRequest, params: list[Any]) -> str:
    if len(search.filterGroups) > settings.SEARCH_MAX_FILTER_GROUPS:
        raise CrmError(400, "VALIDATION_ERROR", "too many filterGroups")
    groups = []
    for group in search.filterGroups:
        if len(group.filters) > settings.SEARCH_MAX_FILTERS_PER_GROUP:
            raise CrmError(400, "VALIDATION_ERROR", "too many filters in a filterGroup")
        if group.filters:
            groups.append("(" + " AND ".join(_filter_sql(f, params) for f in group.filters) + ")")
    return "(" + " OR ".join(groups) + ")" if groups else "1"


def _order(search: SearchRequest, params: list[Any]) -> str:
    if len(search.sorts) > 1:
        raise CrmError(400, "VALIDATION_ERROR", "only one sort is supported")
    if not search.sorts:
        return NUMERIC_ID
    sort = search.sorts[0]
    prop, direction = (
        (sort.lstrip("-"), "DESC" if sort.startswith("-") else "ASC")
        if isinstance(sort, str)
        else (sort.propertyName, "DESC" if sort.direction == "DESCENDING" else "ASC")
    )
    expr, _ = _column(prop, params)
    return f"{expr} {direction}" + ("" if expr == NUMERIC_ID else f", {NUMERIC_ID} {direction}")


# --------------------------------------------------------------------------------------------
# the database


class Store:
    """Read-only connections per thread for reads; a short write connection per batch request."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    def prepare(self) -> None:
        """Add the sandbox's paging indexes (idempotent; a no-op once they exist). A read-only
        database is served without them, slowly."""
        try:
            with contextlib.closing(sqlite3.connect(self.db_path, timeout=60)) as con:
                con.executescript(SANDBOX_INDEXES)
                con.commit()
        except sqlite3.OperationalError as exc:
            log.warning("sandbox CRM: cannot add paging indexes to %s (%s)", self.db_path, exc)

    def reader(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            uri = self.db_path.resolve().as_uri() + "?mode=ro"
            con = sqlite3.connect(uri, uri=True, timeout=60, check_same_thread=False)
            self._local.con = con
            with self._readers_lock:
                self._readers.append(con)
        return con

    def close(self) -> None:
        """Close every reader (called once the server has stopped)."""
        with self._readers_lock:
            for con in self._readers:
                con.close()
            self._readers.clear()

    @contextlib.contextmanager
    def writer(self) -> Iterator[sqlite3.Connection]:
        with (
            self._write_lock,
            contextlib.closing(
                sqlite3.connect(self.db_path, timeout=60, isolation_level=None)
            ) as con,
        ):
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")


def _json_page(
    records: list[str], extra: str = "", next_after: str | None = None, link: str = ""
) -> bytes:
    body = "{" + extra + '"results":[' + ",".join(records) + "]"
    if next_after is not None:
        body += (
            ',"paging":{"next":{"after":'
            + json.dumps(next_after)
            + ',"link":'
            + json.dumps(link)
            + "}}"
        )
    return (body + "}").encode()


def _write_time(con: sqlite3.Connection, object_type: str) -> str:
    """Now, or 1 ms past the newest change of the object type when the world's clock runs ahead."""
    newest = con.execute(
        "SELECT max(updated_at) FROM objects WHERE object_type = ?", (object_type,)
    ).fetchone()[0]
    now = datetime.now(UTC)
    if newest:
        now = max(now, datetime.fromisoformat(newest) + timedelta(milliseconds=1))
    return iso_ms(now)


def _as_property(value: Any) -> str | None:
    """HubSpot stores every property value as a string."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _record(row: tuple[str, str, str, str, int], **extra: Any) -> dict[str, Any]:
    rid, props, created, updated, archived = row
    return {
        "id": rid,
        "properties": json.loads(props),
        "createdAt": created,
        "updatedAt": updated,
        "archived": bool(archived),
        **extra,
    }


# --------------------------------------------------------------------------------------------
# the app


def create_app(db_path: Path | str, config: SandboxConfig | None = None) -> FastAPI:
    """The sandbox CRM as an ASGI app over ``db_path`` (which must exist)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"no CRM database at {db_path}")
    config = config or SandboxConfig()
    store = Store(db_path)
    store.prepare()

    def authorised(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip(), config.token):
            raise CrmError(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found or invalid: send 'Authorization: Bearer <token>'.",
            )

    app = FastAPI(title="PRM sandbox CRM (HubSpot v3 subset)", dependencies=[Depends(authorised)])
    app.state.sandbox = config
    app.state.store = store
    app.add_middleware(FaultMiddleware, faults=config.faults)

    @app.put("/sandbox/faults")
    def set_faults(changes: dict[str, Any]) -> dict[str, Any]:
        try:
            config.faults.update(**changes)
        except (ValueError, TypeError) as exc:
            raise CrmError(400, "VALIDATION_ERROR", str(exc)) from None
        return {"status": "ok", "faults": sorted(changes)}

    @app.exception_handler(CrmError)
    def crm_error(_: Request, exc: CrmError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = CrmError(400, "VALIDATION_ERROR", f"invalid request: {exc.errors()!r:.500}")
        return JSONResponse(err.body(), status_code=400)

    def object_type_of(object_type: str) -> str:
        if object_type not in OBJECT_TYPES:
            raise CrmError(
                400, "VALIDATION_ERROR", f"Unable to infer object type from: {object_type}"
            )
        return object_type

    def page_size(limit: int | None) -> int:
        if limit is None:
            return min(config.default_page_size, config.max_page_size)
        if limit < 1:
            raise CrmError(400, "VALIDATION_ERROR", "limit must be a positive number")
        return min(limit, config.max_page_size)

    @app.get(settings.OBJECTS_PATH + "/{object_type}")
    def list_objects(
        request: Request,
        object_type: str,
        limit: int | None = None,
        after: str | None = None,
        properties: str | None = None,
        archived: bool = False,
    ) -> Response:
        object_type = object_type_of(object_type)
        size = page_size(limit)
        try:
            after_id = int(after) if after else -1
        except ValueError as exc:
            raise CrmError(400, "VALIDATION_ERROR", f"invalid paging cursor {after!r}") from exc
        props = [p for p in (properties or "").split(",") if p.strip()]
        params: list[Any] = []
        record = _record_sql(props, params)
        rows = (
            store.reader()
            .execute(
                f"SELECT id, {record} FROM objects "
                f"WHERE object_type = ? AND archived = ? AND {NUMERIC_ID} > ? "
                f"ORDER BY {NUMERIC_ID} LIMIT ?",
                (*params, object_type, int(archived), after_id, size + 1),
            )
            .fetchall()
        )
        next_after = link = None
        if len(rows) > size:
            rows = rows[:size]
            next_after = rows[-1][0]
            link = str(request.url.include_query_params(after=next_after))
        body = _json_page([r[1] for r in rows], next_after=next_after, link=link or "")
        return Response(body, media_type="application/json")

    @app.post(settings.OBJECTS_PATH + "/{object_type}/search")
    def search_objects(object_type: str, search: SearchRequest) -> Response:
        object_type = object_type_of(object_type)
        size = page_size(search.limit)
        try:
            offset = int(search.after) if search.after not in (None, "") else 0
        except ValueError as exc:
            raise CrmError(
                400, "VALIDATION_ERROR", f"invalid paging cursor {search.after!r}"
            ) from exc
        cap = config.search_result_cap
        if offset >= cap:
            raise CrmError(
                400,
                "VALIDATION_ERROR",
                f"Search results are limited to {cap} records: cannot page to after={offset}. "
                "Narrow the search (e.g. by hs_lastmodifieddate) and start again.",
            )
        params: list[Any] = [object_type]
        where = _where(search, params)
        con = store.reader()
        base = f"FROM objects WHERE object_type = ? AND archived = 0 AND {where}"
        total = con.execute(f"SELECT count(*) {base}", params).fetchone()[0]
        take = min(size, cap - offset)
        record_params: list[Any] = []
        record = _record_sql(search.properties, record_params)
        order_params: list[Any] = []
        order = _order(search, order_params)
        rows = con.execute(
            f"SELECT {record} {base} ORDER BY {order} LIMIT ? OFFSET ?",
            [*record_params, *params, *order_params, take, offset],
        ).fetchall()
        more = offset + len(rows) < total
        next_after = str(offset + len(rows)) if more else None
        body = _json_page([r[0] for r in rows], f'"total":{total},', next_after, "")
        return Response(body, media_type="application/json")

    def check_batch(batch: BatchRequest) -> None:
        if not batch.inputs:
            raise CrmError(400, "VALIDATION_ERROR", "inputs must not be empty")
        if len(batch.inputs) > config.batch_max_inputs:
            raise CrmError(
                400,
                "VALIDATION_ERROR",
                f"Batch input limit exceeded: {len(batch.inputs)} inputs, at most "
                f"{config.batch_max_inputs}.",
            )

    def batch_response(started: str, results: list[dict], errors: list[dict]) -> JSONResponse:
        body: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso_ms(datetime.now(UTC)),
        }
        if errors:
            body |= {"numErrors": len(errors), "errors": errors}
        return JSONResponse(body, status_code=207 if errors else 200)

    @app.post(settings.OBJECTS_PATH + "/{object_type}/batch/update")
    def batch_update(object_type: str, batch: BatchRequest) -> JSONResponse:
        object_type = object_type_of(object_type)
        check_batch(batch)
        started = iso_ms(datetime.now(UTC))
        ids = [i.id for i in batch.inputs]
        if len(set(ids)) < len(ids):
            raise CrmError(400, "VALIDATION_ERROR", "Duplicate IDs found in batch input")
        rejected = [i for i in ids if i in config.faults.failing_ids]
        with store.writer() as con:
            found = _fetch(con, object_type, "id", ids)
            stamp = _write_time(con, object_type)
            results = [
                _update(con, object_type, found[i.id], i.properties, stamp)
                for i in batch.inputs
                if i.id in found and i.id not in rejected
            ]
        missing = [i for i in ids if i not in found and i not in rejected]
        errors = _rejections(rejected) + (
            [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {object_type} objects, they may be deleted or "
                    "not exist.",
                    "context": {"ids": missing},
                }
            ]
            if missing
            else []
        )
        return batch_response(started, results, errors)

    @app.post(settings.OBJECTS_PATH + "/{object_type}/batch/upsert")
    def batch_upsert(object_type: str, batch: BatchRequest) -> JSONResponse:
        object_type = object_type_of(object_type)
        check_batch(batch)
        started = iso_ms(datetime.now(UTC))
        id_props = {i.idProperty or settings.ID_PROPERTY for i in batch.inputs}
        if len(id_props) > 1:
            raise CrmError(400, "VALIDATION_ERROR", "all inputs must use the same idProperty")
        id_prop = id_props.pop()
        keys = [i.id for i in batch.inputs]
        if len(set(keys)) < len(keys):
            raise CrmError(400, "VALIDATION_ERROR", "Duplicate IDs found in batch input")
        rejected = [k for k in keys if k in config.faults.failing_ids]
        with store.writer() as con:
            found = _fetch(con, object_type, id_prop, keys)
            stamp = _write_time(con, object_type)
            results = []
            for item in batch.inputs:
                if item.id in rejected:
                    continue
                if item.id in found:
                    results.append(
                        _update(con, object_type, found[item.id], item.properties, stamp, new=False)
                    )
                elif id_prop == settings.ID_PROPERTY:
                    raise CrmError(
                        400,
                        "VALIDATION_ERROR",
                        f"cannot create {object_type} by record id {item.id}",
                    )
                else:
                    props = {**item.properties, id_prop: item.id}
                    results.append(_create(con, object_type, props, stamp))
        return batch_response(started, results, _rejections(rejected))

    return app


def _rejections(ids: list[str]) -> list[dict[str, Any]]:
    """HubSpot-style per-record errors of a 207 batch answer (one per rejected input)."""
    return [
        {
            "status": "error",
            "category": "VALIDATION_ERROR",
            "message": f"Property values were not valid for record {rid} (sandbox fault)",
            "context": {"ids": [rid]},
        }
        for rid in ids
    ]


def _fetch(
    con: sqlite3.Connection, object_type: str, key: str, values: list[str]
) -> dict[str, tuple[str, str, str, str, int]]:
    """Records of ``object_type`` by id (``key`` id or hs_object_id) or by a unique property."""
    marks = ", ".join("?" for _ in values)
    by_id = key in ("id", settings.ID_PROPERTY)
    expr = "id" if by_id else "json_extract(properties, ?)"  # the property name is bound
    path = [] if by_id else [_json_path(key)]
    rows = con.execute(
        f"SELECT {expr}, id, properties, created_at, updated_at, archived FROM objects "
        f"WHERE object_type = ? AND {expr} IN ({marks})",
        [*path, object_type, *path, *values],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def _update(
    con: sqlite3.Connection,
    object_type: str,
    row: tuple[str, str, str, str, int],
    changes: dict[str, Any],
    stamp: str,
    **extra: Any,
) -> dict[str, Any]:
    rid, props, created, _, archived = row
    merged = json.loads(props) | {k: _as_property(v) for k, v in changes.items()}
    text = json.dumps(merged, separators=(",", ":"))
    con.execute(
        "UPDATE objects SET properties = ?, updated_at = ? WHERE object_type = ? AND id = ?",
        (text, stamp, object_type, rid),
    )
    return _record((rid, text, created, stamp, archived), **extra)


def _create(
    con: sqlite3.Connection, object_type: str, props: dict[str, Any], stamp: str
) -> dict[str, Any]:
    top = con.execute(
        f"SELECT max({NUMERIC_ID}) FROM objects WHERE object_type = ?", (object_type,)
    ).fetchone()[0]
    rid = str((top or 0) + 1)
    text = json.dumps({k: _as_property(v) for k, v in props.items()}, separators=(",", ":"))
    con.execute(
        "INSERT INTO objects (object_type, id, properties, created_at, updated_at, archived) "
        "VALUES (?, ?, ?, ?, ?, 0)",
        (object_type, rid, text, stamp, stamp),
    )
    return _record((rid, text, stamp, stamp, 0), new=True)


# --------------------------------------------------------------------------------------------
# running it


def _server(app: FastAPI, port: int = 0) -> tuple[uvicorn.Server, socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=HOST, port=sock.getsockname()[1], log_level="warning", access_log=False
        )
    )
    return server, sock


def serve(db_path: Path | str, port: int = 0, config: SandboxConfig | None = None) -> None:
    """Serve the sandbox on 127.0.0.1 until interrupted (``port=0``: any free port, printed)."""
    server, sock = _server(create_app(db_path, config), port)
    print(f"sandbox CRM on http://{HOST}:{sock.getsockname()[1]} over {db_path}", flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        server.config.app.state.store.close()


@contextlib.contextmanager
def running_sandbox(
    db_path: Path | str, config: SandboxConfig | None = None, *, startup_timeout: float = 30.0
) -> Iterator[str]:
    """Run the sandbox in a background thread on a free 127.0.0.1 port; yield its base URL.

    Returns once the server answers; stops it (and waits for the thread) on exit.
    """
    config = config or SandboxConfig()
    app = create_app(db_path, config)
    server, sock = _server(app)
    base_url = f"http://{HOST}:{sock.getsockname()[1]}"
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_until_up(base_url, config.token, thread, startup_timeout)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.store.close()


def _wait_until_up(base_url: str, token: str, thread: threading.Thread, timeout: float) -> None:
    """Poll until the server answers an authorised list request (any HTTP status will do)."""
    request = urllib.request.Request(
        f"{base_url}{settings.OBJECTS_PATH}/partners?limit=1",
        headers={"Authorization": f"Bearer {token}"},
    )
    deadline = time.monotonic() + timeout
    while True:
        if not thread.is_alive():
            raise RuntimeError(f"the sandbox CRM at {base_url} stopped during start-up")
        try:
            with urllib.request.urlopen(request, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the sandbox CRM at {base_url} did not answer in {timeout:.0f} s"
                ) from None
            time.sleep(0.02)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db_path", type=Path, help="the crm.sqlite to serve")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    serve(args.db_path, args.port)


if __name__ == "__main__":
    main()
