"""A small raw warehouse made straight from the feed contract, for dbt tests without a world."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.common.validation import DUCKDB_TYPES, QUARANTINE_SCHEMA
from pipelines.contracts import SYSTEMS, Column, entities

ROWS = 3


def _value(col: Column, i: int) -> str:
    if col.name == "id" or col.name.endswith("_id") or col.name == "external_id":
        return f"'{i}'"
    if "currency" in col.name:
        return "'USD'"
    if col.enum:
        return f"'{col.enum[i % len(col.enum)]}'"
    return {
        "string": f"'{col.name} {i}'",
        "integer": str(i),
        "decimal": f"{i * 1000}.50",
        "double": f"{i}.5",
        "boolean": "false",
        "date": f"DATE '2026-01-{i:02d}'",
        "timestamp": f"TIMESTAMPTZ '2026-01-{i:02d} 10:00:00+00'",
    }[col.type]


def build(path: Path, rows: int = ROWS) -> Path:
    """Create raw_<system> schemas with every contract table (``rows`` rows each) and an empty
    quarantine table per schema, typed as dlt loads them."""
    con = duckdb.connect(str(path))
    try:
        for system in SYSTEMS:
            con.execute(f"create schema if not exists raw_{system}")
            for e in entities(system):
                cols = [f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in e.columns]
                cols += ["_source VARCHAR", "_dlt_load_id VARCHAR", "_dlt_id VARCHAR"]
                con.execute(f"create or replace table raw_{system}.{e.name} ({', '.join(cols)})")
                for i in range(1, rows + 1):
                    values = [_value(c, i) for c in e.columns] + [
                        "'fake'",
                        "'1795338301.5'",
                        f"'{i}'",
                    ]
                    con.execute(f"insert into raw_{system}.{e.name} values ({', '.join(values)})")
            qcols = ", ".join(
                f"{f.name} {'TIMESTAMPTZ' if f.name == 'quarantined_at' else 'VARCHAR'}"
                for f in QUARANTINE_SCHEMA
            )
            con.execute(
                f"create or replace table raw_{system}.quarantined_records ({qcols}, _dlt_load_id VARCHAR, _dlt_id VARCHAR)"
            )
    finally:
        con.close()
    return path
