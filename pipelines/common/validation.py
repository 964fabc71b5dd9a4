"""Validate raw records against the feed contract: typed rows out, rejected rows kept with a reason.

Every reader here returns a :class:`Validated` pair. Nothing is dropped: a record that cannot be
parsed or breaks the contract (missing key, wrong type, unknown enum value, negative money) becomes a
row of the quarantine table with its source, a record reference, the reason and the raw payload.

Validation runs as one SQL statement in an in-memory DuckDB over an Arrow table (TRY_CAST per
column), so it costs little more than reading the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.contracts import Column, Entity

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DECIMAL(18,2)",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
}

ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.decimal128(18, 2),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}

QUARANTINE_TABLE = "quarantined_records"
QUARANTINE_SCHEMA = pa.schema(
    [
        ("quarantine_id", pa.string()),
        ("entity", pa.string()),
        ("source", pa.string()),
        ("record_ref", pa.string()),
        ("reason", pa.string()),
        ("payload", pa.string()),
        ("quarantined_at", pa.timestamp("us", tz="UTC")),
    ]
)
SOURCE_COLUMN = "_source"


@dataclass
class Validated:
    """Rows that meet the contract (typed, plus ``_source``) and rows rejected with a reason."""

    rows: pa.Table
    rejected: pa.Table

    @property
    def counts(self) -> tuple[int, int]:
        return self.rows.num_rows, self.rejected.num_rows

    def extend(self, other: Validated) -> Validated:
        return Validated(
            pa.concat_tables([self.rows, other.rows]),
            pa.concat_tables([self.rejected, other.rejected]),
        )


def arrow_schema(entity: Entity) -> pa.Schema:
    """The typed Arrow schema of an entity as it is loaded (contract columns plus ``_source``)."""
    fields = [pa.field(c.name, ARROW_TYPES[c.type]) for c in entity.columns]
    return pa.schema([*fields, pa.field(SOURCE_COLUMN, pa.string())])


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


# The validation SQL is built from identifiers and literals of our own contract (column names, enum
# values) and from the column names of the delivered file (a CSV header), which no parameter can
# stand in for: each is quoted and escaped here. Values of the records never enter SQL text: they
# are read from the registered Arrow table; the source name is a bound parameter.
def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _clean(col: Column, raw_types: dict[str, pa.DataType]) -> str:
    """The raw value with blank strings read as null (CSV writes null as an empty field)."""
    if col.name not in raw_types:
        return "NULL"
    ref = _q(col.name)
    if pa.types.is_string(raw_types[col.name]) or pa.types.is_large_string(raw_types[col.name]):
        return f"nullif(trim({ref}), '')"
    return ref


def _checks(col: Column, value: str) -> list[str]:
    target = DUCKDB_TYPES[col.type]
    typed = f"try_cast({value} AS {target})"
    checks = []
    if col.required:
        checks.append(f"CASE WHEN {value} IS NULL THEN 'missing required {col.name}' END")
    if col.type != "string":
        checks.append(
            f"CASE WHEN {value} IS NOT NULL AND {typed} IS NULL THEN "
            f"'wrong type {col.name}: expected {col.type}, got ' || left(CAST({value} AS VARCHAR), 40) END"
        )
    if col.enum:
        allowed = ", ".join(_lit(v) for v in col.enum)
        checks.append(
            f"CASE WHEN {value} IS NOT NULL AND CAST({value} AS VARCHAR) NOT IN ({allowed}) THEN "
            f"'unknown {col.name} value ' || left(CAST({value} AS VARCHAR), 40) END"
        )
    if col.pattern:
        checks.append(
            f"CASE WHEN {value} IS NOT NULL AND NOT regexp_full_match(CAST({value} AS VARCHAR), "
            f"{_lit(col.pattern)}) THEN 'malformed {col.name}: ' || left(CAST({value} AS VARCHAR), 40) END"
        )
    if col.nonnegative and col.type in ("integer", "decimal", "double"):
        checks.append(f"CASE WHEN {typed} < 0 THEN 'negative {col.name}' END")
    return checks


def validate(
    entity: Entity,
    raw: pa.Table,
    source: str,
    *,
    record_refs: pa.Array | None = None,
    payloads: pa.Array | None = None,
) -> Validated:
    """Check ``raw`` (any column types; missing columns read as null) against ``entity``'s contract.

    ``record_refs`` name each record for the quarantine (line numbers, CRM ids); row positions are
    used when absent. ``payloads`` are the raw texts to keep for rejected records; a JSON rendering
    of the raw columns is used when absent.
    """
    n = raw.num_rows
    refs = record_refs if record_refs is not None else pa.array([str(i + 1) for i in range(n)])
    extras = {"__ref": refs.cast(pa.string())}
    if payloads is not None:
        extras["__payload"] = payloads.cast(pa.string())
    raw_in = raw
    for name, arr in extras.items():
        raw_in = raw_in.append_column(name, arr)
    raw_types = {f.name: f.type for f in raw.schema}

    cleaned = {c.name: _clean(c, raw_types) for c in entity.columns}
    checks = [chk for c in entity.columns for chk in _checks(c, cleaned[c.name])]
    reason = f"concat_ws('; ', {', '.join(checks)})" if checks else "''"
    payload = (
        "__payload"
        if payloads is not None
        else "CAST(json_object("
        + ", ".join(f"{_lit(f)}, {_q(f)}" for f in raw_types)
        + ") AS VARCHAR)"
    )
    typed_cols = ", ".join(
        f"try_cast({cleaned[c.name]} AS {DUCKDB_TYPES[c.type]}) AS {_q(c.name)}"
        for c in entity.columns
    )
    con = _connect()
    try:
        con.register("raw_in", raw_in)
        con.execute(f"CREATE TEMP TABLE checked AS SELECT *, {reason} AS __reason FROM raw_in")
        rows = con.sql(
            f"SELECT {typed_cols}, $source AS {SOURCE_COLUMN} FROM checked WHERE __reason = ''",
            params={"source": source},
        ).to_arrow_table()
        rejected = con.sql(
            f"SELECT __ref AS record_ref, __reason AS reason, {payload} AS payload "
            "FROM checked WHERE __reason <> ''"
        ).to_arrow_table()
    finally:
        con.close()
    rows = rows.cast(arrow_schema(entity))
    return Validated(rows, quarantine_rows(entity, source, rejected))


def quarantine_rows(entity: Entity, source: str, rejected: pa.Table) -> pa.Table:
    """Shape rejected records (record_ref, reason, payload) as quarantine rows.

    The quarantine id is a hash of entity, source, record and payload, so re-reading the same bad
    record does not add a second row.
    """
    refs = rejected.column("record_ref").to_pylist() if rejected.num_rows else []
    reasons = rejected.column("reason").to_pylist() if rejected.num_rows else []
    payloads = rejected.column("payload").to_pylist() if rejected.num_rows else []
    ids = [
        hashlib.sha256(
            "\x1f".join([entity.system, entity.name, source, str(r), p or ""]).encode()
        ).hexdigest()[:32]
        for r, p in zip(refs, payloads, strict=True)
    ]
    now = datetime.now(UTC)
    return pa.table(
        {
            "quarantine_id": pa.array(ids, pa.string()),
            "entity": pa.array([entity.name] * len(ids), pa.string()),
            "source": pa.array([source] * len(ids), pa.string()),
            "record_ref": pa.array([str(r) for r in refs], pa.string()),
            "reason": pa.array(reasons, pa.string()),
            "payload": pa.array(payloads, pa.string()),
            "quarantined_at": pa.array([now] * len(ids), pa.timestamp("us", tz="UTC")),
        },
        schema=QUARANTINE_SCHEMA,
    )


def empty_quarantine() -> pa.Table:
    return QUARANTINE_SCHEMA.empty_table()


def read_jsonl(entity: Entity, path: Path, source: str) -> Validated:
    """Read a JSON-lines drop. A line that is not a JSON object is quarantined as malformed."""
    con = _connect()
    try:
        fields = ", ".join(
            f"CASE WHEN __ok THEN json_extract_string(__line, {_lit('$.' + c.name)}) END AS {_q(c.name)}"
            for c in entity.columns
        )
        # chr(30) (record separator) cannot appear raw in valid JSON, so each line is one value.
        table = con.sql(
            f"""
            WITH lines AS (
                SELECT line AS __line, row_number() OVER () AS __line_no
                FROM read_csv(?, columns = {{'line': 'VARCHAR'}}, header = false, delim = chr(30),
                              quote = '', escape = '', auto_detect = false, strict_mode = false,
                              null_padding = true)
            ),
            parsed AS (
                SELECT __line, __line_no,
                       CASE WHEN json_valid(__line) THEN json_type(__line) = 'OBJECT' ELSE false END AS __ok
                FROM lines
                WHERE __line IS NOT NULL AND trim(__line) <> ''
            )
            SELECT __line, __line_no, __ok, {fields} FROM parsed
            """,
            params=[str(path)],
        ).to_arrow_table()
    finally:
        con.close()
    ok = table.column("__ok").to_pylist()
    malformed = [i for i, good in enumerate(ok) if not good]
    good_idx = pa.array([i for i, good in enumerate(ok) if good], pa.int64())
    parsed = table.take(good_idx)
    result = validate(
        entity,
        parsed.select(list(entity.column_names)),
        source,
        record_refs=pa.array([f"line {n}" for n in parsed.column("__line_no").to_pylist()]),
        payloads=parsed.column("__line"),
    )
    if malformed:
        bad = table.take(pa.array(malformed, pa.int64()))
        rejected = pa.table(
            {
                "record_ref": [f"line {n}" for n in bad.column("__line_no").to_pylist()],
                "reason": ["malformed JSON line"] * bad.num_rows,
                "payload": bad.column("__line"),
            }
        )
        result = Validated(
            result.rows,
            pa.concat_tables([result.rejected, quarantine_rows(entity, source, rejected)]),
        )
    return result


def read_csv(entity: Entity, path: Path, source: str) -> Validated:
    """Read a CSV drop (header row, RFC-4180 quoting). Rows with the wrong field count are kept
    whole in the quarantine; an unterminated quote swallows the rest of the file into one such row,
    which is kept too."""
    malformed: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        malformed.append(row.text)
        return "skip"

    with path.open("rb") as fh:
        header = fh.readline().decode("utf-8-sig").strip()
    if not header:
        return Validated(arrow_schema(entity).empty_table(), empty_quarantine())
    names = pacsv.read_csv(pa.py_buffer((header + "\n").encode())).column_names
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=True),
        # Only an empty field is null: pyarrow's default null markers include "NA", a region code.
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=True,
            null_values=[""],
        ),
    )
    result = validate(entity, table, source, record_refs=_row_refs(table.num_rows))
    if malformed:
        rejected = pa.table(
            {
                "record_ref": [f"malformed {i + 1}" for i in range(len(malformed))],
                "reason": ["malformed CSV row (wrong number of fields or broken quoting)"]
                * len(malformed),
                "payload": malformed,
            }
        )
        result = Validated(
            result.rows,
            pa.concat_tables([result.rejected, quarantine_rows(entity, source, rejected)]),
        )
    return result


def read_parquet(entity: Entity, path: Path, source: str) -> Validated:
    """Read a Parquet drop; typed columns are re-checked against the contract all the same."""
    table = pq.read_table(path)
    return validate(entity, table, source, record_refs=_row_refs(table.num_rows))


def _row_refs(n: int) -> pa.Array:
    return pa.array([f"record {i + 1}" for i in range(n)], pa.string())


READERS: dict[str, Callable[[Entity, Path, str], Validated]] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "parquet": read_parquet,
}


def read_drop(entity: Entity, path: Path, source: str) -> Validated:
    """Read one landed file of ``entity`` with the reader of its file format."""
    if entity.file_format not in READERS:
        raise ValueError(f"{entity.system}.{entity.name} is not a file feed")
    return READERS[entity.file_format](entity, path, source)
