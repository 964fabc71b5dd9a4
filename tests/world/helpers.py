"""Read a generated world back: CRM objects as tables, drops through the contract validator."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.common.drops import drop_files
from pipelines.common.validation import Validated, read_drop, validate
from pipelines.contracts import entities, entity
from pipelines.world.crm_store import crm_db_path


def crm_rows(world_dir: Path) -> list[tuple]:
    db = sqlite3.connect(crm_db_path(world_dir))
    try:
        return db.execute("SELECT * FROM objects ORDER BY object_type, id").fetchall()
    finally:
        db.close()


def crm_table(world_dir: Path, name: str) -> pa.Table:
    """The CRM objects of one type as strings (properties plus envelope)."""
    ent = entity("crm", name)
    db = sqlite3.connect(crm_db_path(world_dir))
    try:
        rows = db.execute(
            "SELECT id, properties, created_at, updated_at, archived FROM objects WHERE object_type = ? ORDER BY id",
            (name,),
        ).fetchall()
    finally:
        db.close()
    recs = []
    for i, props, c, u, a in rows:
        rec = json.loads(props)
        rec.update(id=i, created_at=c, updated_at=u, archived="true" if a else "false")
        recs.append(rec)
    return pa.Table.from_pylist(
        recs, schema=pa.schema([(n, pa.string()) for n in ent.column_names])
    )


def crm_validated(world_dir: Path, name: str) -> Validated:
    t = crm_table(world_dir, name)
    return validate(entity("crm", name), t, "crm", record_refs=t.column("id"))


def truth_bad(world_dir: Path) -> pa.Table:
    return pq.read_table(world_dir / "truth" / "bad_records.parquet")


def file_entities():
    return [e for e in entities() if e.file_format]


def all_drops(landing: Path):
    for ent in file_entities():
        for path in drop_files(landing, ent):
            yield ent, path, read_drop(ent, path, path.relative_to(landing).as_posix())
