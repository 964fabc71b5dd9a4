"""A tiny CRM database for tests: a few valid records per object type plus known-bad ones."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipelines.contracts import Column, entities
from pipelines.crm.store import ensure_schema

BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)

# (object type, id) -> property overrides that break the contract, and the reason expected.
BAD = {
    ("deals", "3"): ({"dealstage": "unknown_stage"}, "unknown dealstage value"),
    ("deals", "4"): ({"amount": "12k"}, "wrong type amount"),
    ("partners", "2"): ({"partner_name": None}, "missing required partner_name"),
    ("touches", "5"): ({"touch_type": "telepathy"}, "unknown touch_type value"),
}
ARCHIVED = {("companies", "5")}


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def valid_value(column: Column, n: int) -> str:
    if column.enum:
        return column.enum[n % len(column.enum)]
    return {
        "integer": str(10 * n),
        "decimal": f"{1000 * n}.50",
        "double": f"{n}.25",
        "boolean": "true",
        "date": (BASE_TIME + timedelta(days=n)).date().isoformat(),
        "timestamp": iso(BASE_TIME + timedelta(hours=n)),
    }.get(column.type, f"{column.name}-{n}")


def properties(object_type: str, n: int) -> dict[str, str | None]:
    entity = next(e for e in entities("crm") if e.name == object_type)
    envelope = {"id", "created_at", "updated_at", "archived"}
    props = {c.name: valid_value(c, n) for c in entity.columns if c.name not in envelope}
    props["hs_object_id"] = str(n)  # HubSpot-style extra property, not in the contract
    return props


def build_crm_db(path: Path, per_type: int = 6, same_timestamp: bool = False) -> Path:
    """Write ``per_type`` records of every CRM object type (ids 1..n); every third record shares
    its updated_at with the next one, or all share one when ``same_timestamp``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        ensure_schema(con)
        for entity in entities("crm"):
            for n in range(1, per_type + 1):
                props = properties(entity.name, n)
                overrides, _ = BAD.get((entity.name, str(n)), ({}, ""))
                props.update(overrides)
                ts = BASE_TIME if same_timestamp else BASE_TIME + timedelta(minutes=n - n % 3)
                con.execute(
                    "INSERT INTO objects VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        entity.name,
                        str(n),
                        json.dumps(props),
                        iso(ts),
                        iso(ts),
                        int((entity.name, str(n)) in ARCHIVED),
                    ],
                )
    return path


def touch(path: Path, object_type: str, record_id: str, at: datetime, **props: str | None) -> None:
    """Change (or add) a record and bump its updated_at to ``at``."""
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        row = con.execute(
            "SELECT properties FROM objects WHERE object_type = ? AND id = ?",
            [object_type, record_id],
        ).fetchone()
        if row is None:
            merged = {**properties(object_type, int(record_id)), **props}
            con.execute(
                "INSERT INTO objects VALUES (?, ?, ?, ?, ?, 0)",
                [object_type, record_id, json.dumps(merged), iso(at), iso(at)],
            )
        else:
            merged = {**json.loads(row[0]), **props}
            con.execute(
                "UPDATE objects SET properties = ?, updated_at = ? "
                "WHERE object_type = ? AND id = ?",
                [json.dumps(merged), iso(at), object_type, record_id],
            )
