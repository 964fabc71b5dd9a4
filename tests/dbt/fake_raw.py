"""A small raw warehouse made straight from the feed contract, for dbt tests without a world.

Every ``raw_<system>`` schema gets one table per contract entity, with the contract's columns typed
as dlt lands them (``pipelines.common.validation.DUCKDB_TYPES``) plus dlt's ``_source``,
``_dlt_load_id`` and ``_dlt_id``, a ``quarantined_records`` table with one rejected record, and a
``load_ledger`` with one row per entity.
Nothing is copied by hand: a change to the contract changes this warehouse.

Values are deterministic and line up across feeds: row ``i`` of every table has key ``'i'``, every
id column points at row ``i`` of the table it names, and partners carry external id ``P-00000i``,
which is what the LMS, TCMA and finance feeds use as ``partner_id``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.common.ledger import LEDGER_SCHEMA
from pipelines.common.validation import DUCKDB_TYPES, QUARANTINE_SCHEMA
from pipelines.contracts import SYSTEMS, Column, Entity, entities

ROWS = 3
LOAD_ID = "1795338301.468728"  # dlt load ids are the load's unix epoch seconds, as text
DLT_COLUMNS = {"_source": "VARCHAR", "_dlt_load_id": "VARCHAR", "_dlt_id": "VARCHAR"}


def external_id(i: int) -> str:
    """The partner external id of fake partner ``i``."""
    return f"P-{i:06d}"


def _literal(entity: Entity, col: Column, i: int) -> str:
    """A SQL literal of the column's contract type for row ``i``."""
    if col.name == "external_id" or (col.name == "partner_id" and entity.system != "crm"):
        return f"'{external_id(i)}'"
    if col.name == "id" or col.name.endswith("_id"):
        return f"'{i}'"
    if col.name in ("currency", "deal_currency_code"):
        return "'USD'"
    if col.name == "fiscal_quarter":
        return f"'2026-Q{i % 4 + 1}'"
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


def table_ddl(entity: Entity) -> str:
    """``create table`` for a contract entity, typed as dlt lands it."""
    columns = [f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in entity.columns]
    columns += [f"{name} {type_}" for name, type_ in DLT_COLUMNS.items()]
    return f"create or replace table {entity.dataset}.{entity.name} ({', '.join(columns)})"


def row_insert(
    entity: Entity, i: int, load_id: str = LOAD_ID, overrides: dict[str, str] | None = None
) -> str:
    """``insert`` of fake row ``i`` of a contract entity, loaded by ``load_id``; ``overrides`` maps
    a column to the SQL literal it gets instead (``{"company_id": "null"}``)."""
    overrides = overrides or {}
    values = [overrides.get(c.name, _literal(entity, c, i)) for c in entity.columns]
    values += [f"'fake/{entity.system}/{entity.name}'", f"'{load_id}'", f"'{entity.name}-{i}'"]
    return f"insert into {entity.dataset}.{entity.name} values ({', '.join(values)})"


def quarantine_ddl(system: str) -> str:
    """``create table`` for a feed's quarantine table (the shape pipelines.common.loading writes)."""
    columns = [
        f"{f.name} {'TIMESTAMPTZ' if f.name == 'quarantined_at' else 'VARCHAR'}"
        for f in QUARANTINE_SCHEMA
    ]
    columns += ["_dlt_load_id VARCHAR", "_dlt_id VARCHAR"]
    return f"create or replace table raw_{system}.quarantined_records ({', '.join(columns)})"


def _quarantine_insert(system: str, load_id: str) -> str:
    first = next(entities(system))
    values = {
        "quarantine_id": f"'q-{system}-1'",
        "entity": f"'{first.name}'",
        "source": f"'fake/{system}/{first.name}'",
        "record_ref": "'line 1'",
        "reason": f"'missing required {first.primary_key}'",
        "payload": "'{}'",
        "quarantined_at": "TIMESTAMPTZ '2026-01-01 10:00:00+00'",
    }
    literals = [values[f.name] for f in QUARANTINE_SCHEMA] + [f"'{load_id}'", f"'q-{system}-1'"]
    return f"insert into raw_{system}.quarantined_records values ({', '.join(literals)})"


def ledger_ddl(system: str) -> str:
    """``create table`` for a feed's load ledger (the shape pipelines.common.ledger writes)."""
    kinds = {"string": "VARCHAR", "int64": "BIGINT"}
    columns = [f"{f.name} {kinds.get(str(f.type), 'TIMESTAMPTZ')}" for f in LEDGER_SCHEMA] + [
        "_dlt_load_id VARCHAR",
        "_dlt_id VARCHAR",
    ]
    return f"create or replace table raw_{system}.load_ledger ({', '.join(columns)})"


def _ledger_insert(system: str, rows: int, load_id: str) -> str:
    """One ledger row per contract entity: its fake source read, every row loaded, one entity's
    record quarantined (the one in quarantined_records); no drift."""
    values = []
    for n, e in enumerate(entities(system)):
        quarantined = 1 if n == 0 else 0
        values.append(
            f"('l-{system}-{e.name}', '{e.name}', 'fake/{system}/{e.name}', {rows + quarantined}, "
            f"{rows}, {quarantined}, 0, 0, 0, 'utf-8', null, null, null, 'loaded', null, "
            f"TIMESTAMPTZ '2026-01-01 10:00:00+00', '{load_id}', 'l-{system}-{e.name}')"
        )
    return f"insert into raw_{system}.load_ledger values {', '.join(values)}"


def build(
    path: Path, rows: int = ROWS, load_id: str = LOAD_ID, systems: tuple[str, ...] = SYSTEMS
) -> Path:
    """Create (or replace) the raw schemas of ``systems`` (default: every feed) in the DuckDB file
    ``path``, ``rows`` rows per contract table and one quarantined record per feed; returns ``path``."""
    con = duckdb.connect(str(path))
    try:
        for system in systems:
            con.execute(f"create schema if not exists raw_{system}")
            for e in entities(system):
                con.execute(table_ddl(e))
                for i in range(1, rows + 1):
                    con.execute(row_insert(e, i, load_id))
            con.execute(quarantine_ddl(system))
            con.execute(_quarantine_insert(system, load_id))
            con.execute(ledger_ddl(system))
            con.execute(_ledger_insert(system, rows, load_id))
    finally:
        con.close()
    return path
