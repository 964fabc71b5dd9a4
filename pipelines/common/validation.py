"""Validate raw records against the feed contract: typed rows out, rejected rows kept with a reason.

Every reader here returns a :class:`Validated` triple. Nothing is dropped, and the severity follows
the column:

- a **required** value that is missing or unusable (wrong type, unknown enum value, malformed,
  negative money) rejects the record: it becomes a row of the quarantine table with its source, a
  record reference, every reason and the raw payload; so does a line that cannot be parsed at all;
- an unusable **optional** value is nulled and the record loads; the value, its column and the
  reason become a row of the value-issue table (``raw_<system>.value_issues``).

Validation runs as one SQL statement in an in-memory DuckDB over an Arrow table (TRY_CAST per
column), so it costs little more than reading the file.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.common.formats import FeedFormat, FileFault, decode, normalise
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
VALUE_ISSUES_TABLE = "value_issues"
VALUE_ISSUES_SCHEMA = pa.schema(
    [
        ("issue_id", pa.string()),
        ("entity", pa.string()),
        ("source", pa.string()),
        ("record_ref", pa.string()),
        ("record_id", pa.string()),
        ("column_name", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
        ("action", pa.string()),
        ("recorded_at", pa.timestamp("us", tz="UTC")),
    ]
)
ISSUE_PREFIX = "__issue__"


@dataclass
class Validated:
    """Rows that meet the contract (typed, plus ``_source``), records rejected with a reason, and
    the optional values nulled in the loaded rows (one row each, with the reason)."""

    rows: pa.Table
    rejected: pa.Table
    issues: pa.Table = field(default_factory=lambda: VALUE_ISSUES_SCHEMA.empty_table())

    @property
    def counts(self) -> tuple[int, int]:
        return self.rows.num_rows, self.rejected.num_rows

    def extend(self, other: Validated) -> Validated:
        return Validated(
            pa.concat_tables([self.rows, other.rows]),
            pa.concat_tables([self.rejected, other.rejected]),
            pa.concat_tables([self.issues, other.issues]),
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


def _checks(col: Column, value: str, issue: str | None = None) -> str:
    """The SQL of one column's reasons (``''`` when the value is usable). ``issue`` names a column
    holding the reason a reader already found the value unusable (a format it could not read)."""
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
    reasons = f"concat_ws('; ', {', '.join(checks)})" if checks else "''"
    if issue is None:
        return reasons
    return f"coalesce({_q(issue)}, {reasons})"


def validate(
    entity: Entity,
    raw: pa.Table,
    source: str,
    *,
    record_refs: pa.Array | None = None,
    payloads: pa.Array | None = None,
    issues: dict[str, pa.Array] | None = None,
) -> Validated:
    """Check ``raw`` (any column types; missing columns read as null) against ``entity``'s contract.

    A record is rejected when a required column's value is missing or unusable; an unusable
    optional value is nulled and logged in ``Validated.issues``. ``record_refs`` name each record
    (line numbers, CRM ids); row positions are used when absent. ``payloads`` are the raw texts to
    keep for rejected records; a JSON rendering of the raw columns is used when absent. ``issues``
    maps a column to the reason (or null) a reader found each value unusable
    (:func:`pipelines.common.formats.normalise`).
    """
    n = raw.num_rows
    refs = record_refs if record_refs is not None else pa.array([str(i + 1) for i in range(n)])
    extras = {"__ref": refs.cast(pa.string())}
    if payloads is not None:
        extras["__payload"] = payloads.cast(pa.string())
    raw_in = raw
    for name, arr in extras.items():
        raw_in = raw_in.append_column(name, arr)
    issue_columns = {}
    for name, reasons in (issues or {}).items():
        issue_columns[name] = f"{ISSUE_PREFIX}{name}"
        raw_in = raw_in.append_column(issue_columns[name], reasons.cast(pa.string()))
    raw_types = {f.name: f.type for f in raw.schema}

    cleaned = {c.name: _clean(c, raw_types) for c in entity.columns}
    columns = list(entity.columns)
    per_column = ", ".join(
        f"{_checks(c, cleaned[c.name], issue_columns.get(c.name))} AS __r{i}"
        for i, c in enumerate(columns)
    )
    every = ", ".join(f"nullif(__r{i}, '')" for i in range(len(columns)))
    required = " OR ".join(f"__r{i} <> ''" for i, c in enumerate(columns) if c.required)
    payload = (
        "__payload"
        if payloads is not None
        else "CAST(json_object("
        + ", ".join(f"{_lit(f)}, {_q(f)}" for f in raw_types)
        + ") AS VARCHAR)"
    )
    typed_cols = ", ".join(
        f"CASE WHEN __r{i} = '' THEN try_cast({cleaned[c.name]} AS {DUCKDB_TYPES[c.type]}) END "
        f"AS {_q(c.name)}"
        for i, c in enumerate(columns)
    )
    key = cleaned[entity.primary_key]
    nulled = " UNION ALL ".join(
        f"SELECT __ref AS record_ref, CAST({key} AS VARCHAR) AS record_id, {_lit(c.name)} AS "
        f"column_name, CAST({_q(c.name)} AS VARCHAR) AS value, __r{i} AS reason "
        f"FROM checked WHERE NOT __rejected AND __r{i} <> ''"
        for i, c in enumerate(columns)
        if not c.required and c.name in raw_types
    )
    con = _connect()
    try:
        con.register("raw_in", raw_in)
        con.execute(
            f"CREATE TEMP TABLE checked AS SELECT *, concat_ws('; ', {every}) AS __reason, "
            f"coalesce({required or 'false'}, false) AS __rejected "
            f"FROM (SELECT *, {per_column} FROM raw_in)"
        )
        rows = con.sql(
            f"SELECT {typed_cols}, $source AS {SOURCE_COLUMN} FROM checked WHERE NOT __rejected",
            params={"source": source},
        ).to_arrow_table()
        rejected = con.sql(
            f"SELECT __ref AS record_ref, __reason AS reason, {payload} AS payload "
            "FROM checked WHERE __rejected"
        ).to_arrow_table()
        issues_found = (
            con.sql(nulled).to_arrow_table()
            if nulled
            else pa.table({c: pa.array([], pa.string()) for c in _ISSUE_FIELDS})
        )
    finally:
        con.close()
    rows = rows.cast(arrow_schema(entity))
    return Validated(
        rows, quarantine_rows(entity, source, rejected), issue_rows(entity, source, issues_found)
    )


_ISSUE_FIELDS = ("record_ref", "record_id", "column_name", "value", "reason")


def issue_rows(entity: Entity, source: str, found: pa.Table) -> pa.Table:
    """Shape nulled optional values (record_ref, record_id, column_name, value, reason) as rows of
    the value-issue table; the id is a hash of entity, source, record and column, so re-reading the
    same file keeps one row per value."""
    cols = {c: found.column(c).to_pylist() if found.num_rows else [] for c in _ISSUE_FIELDS}
    ids = [
        hashlib.sha256(
            "\x1f".join([entity.system, entity.name, source, str(r), c]).encode()
        ).hexdigest()[:32]
        for r, c in zip(cols["record_ref"], cols["column_name"], strict=True)
    ]
    now = datetime.now(UTC)
    return pa.table(
        {
            "issue_id": pa.array(ids, pa.string()),
            "entity": pa.array([entity.name] * len(ids), pa.string()),
            "source": pa.array([source] * len(ids), pa.string()),
            **{
                c: pa.array([str(v) if v is not None else None for v in cols[c]], pa.string())
                for c in _ISSUE_FIELDS
            },
            "action": pa.array(["nulled"] * len(ids), pa.string()),
            "recorded_at": pa.array([now] * len(ids), pa.timestamp("us", tz="UTC")),
        },
        schema=VALUE_ISSUES_SCHEMA,
    )


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


@dataclass(frozen=True)
class Drift:
    """How a file's columns differ from what was expected (the contract, or the mapping)."""

    unknown: tuple[str, ...] = ()  # columns nobody maps (ignored, kept in quarantine payloads)
    missing: tuple[str, ...] = ()  # optional columns expected but absent (loaded as null)
    type_changes: tuple[str, ...] = ()  # columns whose every value is of another type

    def __bool__(self) -> bool:
        return bool(self.unknown or self.missing or self.type_changes)


@dataclass
class FileRead:
    """One file, read and checked: its records, the encoding it was read with, its drift."""

    result: Validated
    rows_in: int
    encoding: str | None = None
    drift: Drift = field(default_factory=Drift)

    @property
    def rows(self) -> pa.Table:
        return self.result.rows

    @property
    def rejected(self) -> pa.Table:
        return self.result.rejected

    @property
    def issues(self) -> pa.Table:
        return self.result.issues

    @property
    def counts(self) -> tuple[int, int]:
        return self.result.counts


def header_drift(entity: Entity, headers: list[str], source: str) -> Drift:
    """Unknown and missing columns of a file with contract column names; a missing required
    column makes the file unusable (:class:`FileFault`)."""
    missing_required = [c.name for c in entity.columns if c.required and c.name not in headers]
    if missing_required:
        raise FileFault(
            f"required column(s) {', '.join(missing_required)} missing from the header of "
            f"{source} (has: {', '.join(headers[:12])}{' ...' if len(headers) > 12 else ''})",
            "line 1",
        )
    return Drift(
        unknown=tuple(h for h in headers if h not in entity.column_names),
        missing=tuple(c.name for c in entity.columns if not c.required and c.name not in headers),
    )


def type_changes(entity: Entity, table: pa.Table, result: Validated) -> tuple[str, ...]:
    """Typed columns none of whose non-empty values could be used: the sender changed the type."""
    if result.rows.num_rows + result.rejected.num_rows == 0:
        return ()
    nulled = (
        Counter(result.issues.column("column_name").to_pylist())
        if result.issues.num_rows
        else Counter()
    )
    reasons = result.rejected.column("reason").to_pylist() if result.rejected.num_rows else []
    changes = []
    for col in entity.columns:
        if col.type == "string" or col.name not in table.column_names:
            continue
        values = table.column(col.name)
        present = len(values) - values.null_count
        if pa.types.is_string(values.type):
            present -= pc.sum(pc.equal(pc.utf8_trim_whitespace(values), "")).as_py() or 0
        if present == 0:
            continue
        bad = nulled[col.name] + sum(
            1 for r in reasons if f"wrong type {col.name}:" in r or f"number in {col.name}:" in r
        )
        if bad >= present:
            sample = next((v for v in values.to_pylist() if v not in (None, "")), "")
            changes.append(
                f"{col.name}: expected {col.type}, every value is like {str(sample)[:30]!r}"
            )
    return tuple(changes)


def parse_csv(text: str, source: str) -> tuple[pa.Table, list[str]]:
    """A CSV text (header row, RFC-4180 quoting) as a table of strings, and its malformed rows
    (wrong field count, broken quoting: an unterminated quote swallows the rest of the file into
    one such row). Only an empty field is null: "NA" is a region code."""
    header = text.split("\n", 1)[0].strip()
    if not header:
        return pa.table({}), []
    data = text.encode("utf-8")
    malformed: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        malformed.append(row.text)
        return "skip"

    try:
        names = pacsv.read_csv(pa.py_buffer((header + "\n").encode())).column_names
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(use_threads=False),
            parse_options=pacsv.ParseOptions(
                invalid_row_handler=on_invalid, newlines_in_values=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid as e:
        raise FileFault(f"unparseable CSV: {str(e).splitlines()[0][:200]}") from None
    return table, malformed


def malformed_rows(entity: Entity, source: str, malformed: list[str]) -> pa.Table:
    rejected = pa.table(
        {
            "record_ref": [f"malformed {i + 1}" for i in range(len(malformed))],
            "reason": ["malformed CSV row (wrong number of fields or broken quoting)"]
            * len(malformed),
            "payload": malformed,
        }
    )
    return quarantine_rows(entity, source, rejected)


def read_jsonl(entity: Entity, path: Path, source: str, fmt: FeedFormat | None = None) -> FileRead:
    """Read a JSON-lines drop. A line that is not a JSON object is quarantined as malformed; a file
    that cannot be decoded is a :class:`FileFault`."""
    text, encoding = decode(path.read_bytes(), fmt or FeedFormat())
    numbered = [(i + 1, line.rstrip("\r")) for i, line in enumerate(text.split("\n"))]
    numbered = [(n, line) for n, line in numbered if line.strip()]
    lines = pa.table(
        {
            "__line": pa.array([line for _, line in numbered], pa.string()),
            "__line_no": pa.array([n for n, _ in numbered], pa.int64()),
        }
    )
    con = _connect()
    try:
        fields = ", ".join(
            f"CASE WHEN __ok THEN json_extract_string(__line, {_lit('$.' + c.name)}) END AS {_q(c.name)}"
            for c in entity.columns
        )
        con.register("lines", lines)
        table = con.sql(
            f"""
            WITH parsed AS (
                SELECT __line, __line_no,
                       CASE WHEN json_valid(__line) THEN json_type(__line) = 'OBJECT' ELSE false END AS __ok
                FROM lines
            )
            SELECT __line, __line_no, __ok, {fields} FROM parsed ORDER BY __line_no
            """
        ).to_arrow_table()
        keys = (
            con.sql(
                "SELECT DISTINCT unnest(json_keys(__line)) FROM lines "
                "WHERE json_valid(__line) AND json_type(__line) = 'OBJECT'"
            ).fetchall()
            if numbered
            else []
        )
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
            result.issues,
        )
    present = {k for (k,) in keys}
    drift = Drift(
        unknown=tuple(sorted(present - set(entity.column_names))),
        missing=tuple(
            c.name for c in entity.columns if not c.required and present and c.name not in present
        ),
        type_changes=type_changes(entity, parsed, result),
    )
    return FileRead(result, table.num_rows, encoding, drift)


def read_csv(entity: Entity, path: Path, source: str, fmt: FeedFormat | None = None) -> FileRead:
    """Read a CSV drop (header row, RFC-4180 quoting) in the feed's declared formats. Rows with the
    wrong field count are kept whole in the quarantine; an unreadable file, or one lacking a
    required column, is a :class:`FileFault`."""
    fmt = fmt or FeedFormat()
    text, encoding = decode(path.read_bytes(), fmt)
    table, malformed = parse_csv(text, source)
    if not table.column_names:
        return FileRead(
            Validated(arrow_schema(entity).empty_table(), empty_quarantine()), 0, encoding
        )
    drift = header_drift(entity, table.column_names, source)
    known = [c for c in table.column_names if c in entity.column_names]
    normalised, issues = normalise(entity, table.select(known), fmt)
    for name in table.column_names:  # unknown columns stay in the payloads
        if name not in known:
            normalised = normalised.append_column(name, table.column(name))
    result = validate(
        entity, normalised, source, record_refs=_row_refs(table.num_rows), issues=issues
    )
    if malformed:
        result = Validated(
            result.rows,
            pa.concat_tables([result.rejected, malformed_rows(entity, source, malformed)]),
            result.issues,
        )
    drift = Drift(drift.unknown, drift.missing, type_changes(entity, table, result))
    return FileRead(result, table.num_rows + len(malformed), encoding, drift)


PARQUET_FAMILIES: dict[str, Callable[[pa.DataType], bool]] = {
    "string": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
    "integer": pa.types.is_integer,
    "decimal": lambda t: (
        pa.types.is_decimal(t) or pa.types.is_floating(t) or pa.types.is_integer(t)
    ),
    "double": lambda t: pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_decimal(t),
    "boolean": pa.types.is_boolean,
    "date": lambda t: pa.types.is_date(t) or pa.types.is_timestamp(t),
    "timestamp": pa.types.is_timestamp,
}


def read_parquet(
    entity: Entity, path: Path, source: str, fmt: FeedFormat | None = None
) -> FileRead:
    """Read a Parquet drop; typed columns are re-checked against the contract all the same. A
    truncated or corrupt file is a :class:`FileFault`."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as e:
        raise FileFault(f"unreadable Parquet (truncated or corrupt): {str(e)[:200]}") from None
    source_types = {f.name: f.type for f in table.schema}
    drift = header_drift(entity, list(source_types), source)
    changed = tuple(
        f"{c.name}: expected {c.type}, the file has {source_types[c.name]}"
        for c in entity.columns
        if c.name in source_types
        and not pa.types.is_null(source_types[c.name])
        and not PARQUET_FAMILIES[c.type](source_types[c.name])
    )
    result = validate(entity, table, source, record_refs=_row_refs(table.num_rows))
    return FileRead(result, table.num_rows, None, Drift(drift.unknown, drift.missing, changed))


def _row_refs(n: int) -> pa.Array:
    return pa.array([f"record {i + 1}" for i in range(n)], pa.string())


READERS: dict[str, Callable[..., FileRead]] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "parquet": read_parquet,
}


def read_drop(entity: Entity, path: Path, source: str, fmt: FeedFormat | None = None) -> FileRead:
    """Read one landed file of ``entity`` with the reader of its file format (raises
    :class:`FileFault` for a file that cannot be read at all)."""
    if entity.file_format not in READERS:
        raise ValueError(f"{entity.system}.{entity.name} is not a file feed")
    return READERS[entity.file_format](entity, path, source, fmt)
