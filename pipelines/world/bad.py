"""Inject bad records (about 0.2% of rows per entity) and describe them for the truth folder."""

from __future__ import annotations

import zlib
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contracts import Entity

BAD_VALUES = {
    "integer": "12k",
    "double": "n/a",
    "decimal": "12k",
    "boolean": "yes",
    "date": "31/12/2025",
    "timestamp": "31/12/2025 10:00",
}
CRM_EVERY = 500
# the kind an entity's first bad record takes, so that small feeds still show every kind
FIRST_KIND = {
    "mdf_budgets": "wrong_type",
    "mdf_allocations": "negative_money",
    "mdf_requests": "unknown_enum",
    "mdf_claims": "late_update",
    "mdf_payments": "malformed",
    "rebate_payments": "missing_key",
    "campaign_executions": "negative_money",
    "enrolments": "late_update",
}  # the CRM corrupts the record whose creation index is 499 mod 500 (0.2%)


def kinds_for(ent: Entity, crm: bool = False) -> list[str]:
    """Bad-record kinds that apply to an entity (and its file format)."""
    out = ["missing_key"]
    typed_file = ent.file_format == "parquet"
    if not typed_file and any(
        c.type != "string" and c.name not in ("created_at", "updated_at", "archived")
        for c in ent.columns
    ):
        out.append("wrong_type")
    if any(c.enum for c in ent.columns):
        out.append("unknown_enum")
    if any(c.nonnegative for c in ent.columns):
        out.append("negative_money")
    if not crm and not typed_file:
        out.append("malformed")
    if not crm and ent.write_disposition == "merge":
        out.append("late_update")
    return out


def file_picks(
    ent: Entity, n: int, seed: int, drop_day: int, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions and kinds of the bad records of one drop (deterministic)."""
    k = max(int(n * rate), 1 if n >= 250 else 0)
    if k == 0:
        return np.zeros(0, np.int64), np.zeros(0, object)
    rng = np.random.default_rng([seed, zlib.crc32(ent.name.encode()), drop_day])
    rows = np.sort(rng.choice(n, size=k, replace=False))
    kinds = kinds_for(ent)
    first = (
        kinds.index(FIRST_KIND[ent.name])
        if FIRST_KIND.get(ent.name) in kinds
        else zlib.crc32(ent.name.encode())
    )
    return rows, np.asarray(kinds, dtype=object)[(np.arange(k) + first) % len(kinds)]


def crm_picks(ent: Entity, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (positions into ``idx``, the records' creation indices) the CRM stores corrupted."""
    rows = np.flatnonzero(idx % CRM_EVERY == CRM_EVERY - 1)
    kinds = np.asarray(kinds_for(ent, crm=True), dtype=object)
    return rows, kinds[(idx[rows] // CRM_EVERY) % len(kinds)]


def _target(ent: Entity, kind: str, crm: bool) -> tuple[str, object] | None:
    """(column, bad value) for a value-level kind."""
    cols = (
        [c for c in ent.columns if c.name not in ("id", "created_at", "updated_at", "archived")]
        if crm
        else list(ent.columns)
    )
    if kind == "missing_key":
        if crm:
            return next(c.name for c in cols if c.required), None
        return ent.primary_key, None
    if kind == "wrong_type":
        c = next(c for c in cols if c.type != "string")
        return c.name, BAD_VALUES[c.type]
    if kind == "unknown_enum":
        return next(c.name for c in cols if c.enum), "unknown_value"
    if kind == "negative_money":
        c = next(c for c in cols if c.nonnegative)
        return c.name, -125
    return None


def apply_values(
    ent: Entity, table: pa.Table, rows: np.ndarray, kinds: np.ndarray, crm: bool = False
) -> pa.Table:
    """Overwrite one value per bad row (string or typed tables alike)."""
    for kind in ("missing_key", "wrong_type", "unknown_enum", "negative_money"):
        sel = rows[kinds == kind]
        if not len(sel):
            continue
        col, val = _target(ent, kind, crm)
        mask = np.zeros(table.num_rows, bool)
        mask[sel] = True
        arr = table.column(col)
        typ = arr.type
        if val is None:
            rep = pa.nulls(1, typ)[0]
        elif pa.types.is_string(typ):
            rep = pa.scalar("-125" if kind == "negative_money" else str(val))
        elif pa.types.is_decimal(typ):
            rep = pa.scalar(Decimal(str(val)), typ)
        else:
            rep = pa.scalar(val).cast(typ)
        table = table.set_column(
            table.schema.get_field_index(col), col, pc.if_else(pa.array(mask), rep, arr)
        )
    return table
