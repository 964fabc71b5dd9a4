"""Write the world: CRM upserts into SQLite, file drops (CSV, JSONL, Parquet) and truth rows."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.contracts import Entity
from pipelines.world import bad
from pipelines.world.crm_store import crm_db_path, ensure_schema, upsert
from pipelines.world.params import DAY
from pipelines.world.views import CRM_ID_BASE

ENVELOPE = ("id", "created_at", "updated_at", "archived")
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"


def stringify(table: pa.Table) -> pa.Table:
    """Every column as a string: timestamps ISO-8601 with ms and Z, dates YYYY-MM-DD."""
    cols = []
    for name in table.column_names:
        arr = table.column(name)
        if pa.types.is_timestamp(arr.type):
            arr = pc.strftime(arr, format=TS_FORMAT)
        elif not pa.types.is_string(arr.type):
            arr = arr.cast(pa.string())
        cols.append(arr)
    return pa.table(cols, names=table.column_names)


def _fmt_ts(t: np.ndarray) -> pa.Array:
    return pc.strftime(pa.array(t, pa.timestamp("s", tz="UTC")), format=TS_FORMAT)


def write_crm(world_dir: Path, ent: Entity, table: pa.Table) -> tuple[int, list[dict]]:
    """Upsert a CRM snapshot (typed, with ``__version``); bad values go inside ``properties``."""
    if not table.num_rows:
        return 0, []
    t = stringify(table.drop_columns(["__version"]))
    idx = np.asarray(pc.cast(t.column("id"), pa.int64())) - CRM_ID_BASE[ent.name] * 100_000_000
    rows, kinds = bad.crm_picks(ent, idx)
    t = bad.apply_values(ent, t, rows, kinds, crm=True)
    props = [c for c in t.column_names if c not in ENVELOPE]
    con = duckdb.connect()
    con.register("t", t)
    obj = ", ".join(f"'{c}', \"{c}\"" for c in props)
    out = con.sql(
        f"SELECT id, json_object({obj})::VARCHAR AS p, created_at, updated_at FROM t"
    ).fetchall()
    con.close()
    db = sqlite3.connect(crm_db_path(world_dir))
    try:
        ensure_schema(db)
        upsert(db, ((ent.name, i, p, c, u, 0) for i, p, c, u in out))
        db.commit()
    finally:
        db.close()
    ids = t.column("id").to_pylist()
    truth = [
        {
            "system": "crm",
            "entity": ent.name,
            "file": None,
            "record_ref": ids[r],
            "key": ids[r],
            "kind": str(k),
            "rejected": True,
        }
        for r, k in zip(rows.tolist(), kinds.tolist(), strict=True)
    ]
    return t.num_rows, truth


def _jsonl_lines(ent: Entity, t: pa.Table) -> list[str]:
    con = duckdb.connect()
    con.register("t", t)
    parts = []
    for c in ent.columns:
        q = f'"{c.name}"'
        if c.type in ("integer", "double", "decimal"):
            expr = f"CASE WHEN try_cast({q} AS DOUBLE) IS NOT NULL THEN {q}::JSON ELSE to_json({q}) END"
        elif c.type == "boolean":
            expr = f"CASE WHEN {q} IN ('true', 'false') THEN {q}::JSON ELSE to_json({q}) END"
        else:
            expr = f"to_json({q})"
        parts.append(f"'{c.name}', {expr}")
    lines = con.sql(f"SELECT json_object({', '.join(parts)})::VARCHAR FROM t").fetchnumpy()
    con.close()
    return list(next(iter(lines.values())))


def write_drop(
    landing: Path, ent: Entity, table: pa.Table, seed: int, drop_day: int, rate: float
) -> tuple[int, list[dict]]:
    """Write one drop of ``ent`` (typed snapshot with ``__version``) with its bad records."""
    n = table.num_rows
    if n == 0:
        return 0, []
    folder = landing / ent.system / ent.name
    folder.mkdir(parents=True, exist_ok=True)
    day = np.datetime64(drop_day, "D")
    path = folder / f"{ent.name}__{day}.{ent.file_format}"
    rel = path.relative_to(landing).as_posix()
    rows, kinds = bad.file_picks(ent, n, seed, drop_day, rate)
    version = np.asarray(table.column("__version"))
    typed = table.drop_columns(["__version"])
    late = rows[kinds == "late_update"]
    base = typed if ent.file_format == "parquet" else stringify(typed)
    base = bad.apply_values(ent, base, rows, kinds)
    if len(late):
        extra = (typed if ent.file_format == "parquet" else stringify(typed)).take(pa.array(late))
        older = version[late] - 3 * DAY
        col = (
            pa.array(older, pa.timestamp("s", tz="UTC"))
            if ent.file_format == "parquet"
            else _fmt_ts(older)
        )
        extra = extra.set_column(extra.schema.get_field_index("updated_at"), "updated_at", col)
        base = pa.concat_tables([base, extra])
    malformed = set(rows[kinds == "malformed"].tolist())
    keys = typed.column(ent.primary_key).to_pylist()
    if ent.file_format == "parquet":
        schema = pa.schema(
            [
                pa.field(
                    f.name,
                    pa.timestamp("us", tz="UTC") if pa.types.is_timestamp(f.type) else f.type,
                )
                for f in base.schema
            ]
        )
        pq.write_table(base.cast(schema), path, compression="zstd")
    elif ent.file_format == "jsonl":
        lines = _jsonl_lines(ent, base)
        for r in malformed:
            lines[r] = lines[r][: len(lines[r]) // 2]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        buf = io.BytesIO()
        pacsv.write_csv(base, buf, pacsv.WriteOptions(quoting_style="needed"))
        data = buf.getvalue()
        if malformed:
            lines = data.split(b"\n")
            for r in malformed:
                lines[r + 1] = lines[r + 1] + b',"extra"'
            data = b"\n".join(lines)
        path.write_bytes(data)
    truth = []
    mal_sorted = sorted(malformed)
    for r, k in zip(rows.tolist(), kinds.tolist(), strict=True):
        if k == "late_update":
            continue
        if k == "malformed":
            ref = (
                f"line {r + 1}"
                if ent.file_format == "jsonl"
                else f"malformed {mal_sorted.index(r) + 1}"
            )
        elif ent.file_format == "jsonl":
            ref = f"line {r + 1}"
        else:
            ref = f"record {r + 1 - sum(1 for m in mal_sorted if m < r)}"
        truth.append(
            {
                "system": ent.system,
                "entity": ent.name,
                "file": rel,
                "record_ref": ref,
                "key": keys[r],
                "kind": k,
                "rejected": True,
            }
        )
    for j, r in enumerate(late.tolist()):
        truth.append(
            {
                "system": ent.system,
                "entity": ent.name,
                "file": rel,
                "record_ref": f"late {n + j + 1}",
                "key": keys[r],
                "kind": "late_update",
                "rejected": False,
            }
        )
    return base.num_rows, truth
