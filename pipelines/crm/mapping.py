"""Bring your own mapping: how one CRM's CSV exports become the contract's ``raw_crm`` tables.

A mapping file (YAML; shipped ones in ``pipelines/crm/mappings/``, format in docs/ingestion.md)::

    system: Salesforce                       # a label for messages
    sources: [https://developer.salesforce.com/...]   # where the field names come from
    entities:
      deals:                                 # a contract entity of the crm feed
        files: [opportunities/*.csv]         # globs under the export folder, read in name order
        columns:                             # contract column -> the headers that may carry it
          id: [Id, Opportunity ID]           # API name and report label; first non-empty wins
          dealstage: [StageName, Stage]
        values:                              # contract column -> {source value: contract value}
          dealstage: {Prospecting: appointmentscheduled, Closed Won: closedwon}
        defaults: {deal_source: direct}      # when the column is absent or the value blank
        overrides:                           # another column's value that decides this one
          dealstage: {columns: [statecode, Status], values: {Won: closedwon, Lost: closedlost}}
        ignore: [Probability (%)]            # headers known and deliberately not loaded

Headers and source values match case- and space-insensitively. A contract column the mapping does
not list is one the source system does not have (loaded as null, no drift). A listed column whose
headers are all absent from a file is drift: a warning for an optional column, a quarantined file
for a required one. A value the value map does not know is kept as it came, so the contract check
names it (``unknown industry value Helthcare``) instead of it disappearing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from pipelines.common.formats import FORMAT_KEYS, FeedFormat, FileFault, decode, normalise
from pipelines.common.validation import (
    Drift,
    FileRead,
    Validated,
    malformed_rows,
    parse_csv,
    type_changes,
    validate,
)
from pipelines.contracts import Entity, entity

MAPPINGS_DIR = Path(__file__).with_name("mappings")
ENTITY_KEYS = ("files", "columns", "values", "defaults", "overrides", "ignore")


class MappingError(ValueError):
    """A mapping file that cannot be used (unknown entity or column, required column unmapped)."""


def _fold(text: object) -> str:
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


@dataclass(frozen=True)
class Override:
    headers: tuple[str, ...]
    values: dict[str, str]


@dataclass(frozen=True)
class EntityMapping:
    """How one contract entity is read from one system's export files."""

    entity: Entity
    files: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, Override] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()

    def headers_for(self, column: str) -> tuple[str, ...]:
        return self.columns.get(column, ())


@dataclass(frozen=True)
class Mapping:
    """A source system's export mapping: entity mappings and default formats."""

    name: str
    system: str
    path: Path
    entities: dict[str, EntityMapping]
    format: dict[str, Any] = field(default_factory=dict)

    def feed_format(
        self, config: dict[str, Any] | None = None, entity_name: str | None = None
    ) -> FeedFormat:
        """The mapping's formats, overridden by the feed's declarations in the sources file, and
        those by the entity's own (``entities: {deals: {decimal: "."}}``: one object exported
        another way, e.g. through the API while the rest comes from a spreadsheet)."""
        config = config or {}
        own = (config.get("entities") or {}).get(entity_name, {}) if entity_name else {}
        merged = {
            **self.format,
            **{k: v for k, v in config.items() if k in FORMAT_KEYS},
            **{k: v for k, v in own.items() if k in FORMAT_KEYS},
        }
        return FeedFormat.from_config(merged, where=f"crm feed ({self.name} mapping)")


def mapping_path(name_or_path: str | Path) -> Path:
    """A shipped mapping by name (``salesforce``) or a mapping file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yml", ".yaml") or candidate.is_file():
        return candidate.expanduser().resolve()
    shipped = MAPPINGS_DIR / f"{name_or_path}.yml"
    if not shipped.is_file():
        names = ", ".join(sorted(p.stem for p in MAPPINGS_DIR.glob("*.yml")))
        raise MappingError(f"no mapping {name_or_path!r}: shipped mappings are {names}, or a path")
    return shipped


def shipped_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yml"))


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (str(value),) if isinstance(value, str | int | float) else tuple(str(v) for v in value)


def _entity_mapping(where: str, name: str, doc: dict[str, Any]) -> EntityMapping:
    try:
        contract = entity("crm", name)
    except KeyError:
        raise MappingError(f"{where}: {name!r} is not a crm entity of the contract") from None
    unknown_keys = sorted(set(doc) - set(ENTITY_KEYS))
    if unknown_keys:
        raise MappingError(f"{where}.{name}: unknown key(s) {', '.join(unknown_keys)}")
    columns = {str(c): _strings(h) for c, h in (doc.get("columns") or {}).items()}
    values = {
        str(c): {_fold(k): str(v) for k, v in (m or {}).items()}
        for c, m in (doc.get("values") or {}).items()
    }
    defaults = {
        str(c): str(v).lower() if isinstance(v, bool) else str(v)
        for c, v in (doc.get("defaults") or {}).items()
    }
    overrides = {
        str(c): Override(
            _strings(o.get("columns")),
            {_fold(k): str(v) for k, v in (o.get("values") or {}).items()},
        )
        for c, o in (doc.get("overrides") or {}).items()
    }
    for column in {*columns, *values, *defaults, *overrides}:
        if column not in contract.column_names:
            raise MappingError(
                f"{where}.{name}: {column!r} is not a column of crm.{name} "
                f"({', '.join(contract.column_names)})"
            )
    for col in contract.columns:
        if col.required and not columns.get(col.name) and col.name not in defaults:
            raise MappingError(
                f"{where}.{name}: required column {col.name!r} has no header and no default"
            )
    return EntityMapping(
        entity=contract,
        files=_strings(doc.get("files")) or (f"{name}/{name}__*.csv",),
        columns=columns,
        values=values,
        defaults=defaults,
        overrides=overrides,
        ignore=tuple(_fold(h) for h in _strings(doc.get("ignore"))),
    )


@cache
def _load(path: Path, mtime: float) -> Mapping:
    doc = yaml.safe_load(path.read_text()) or {}
    where = str(path)
    entities = {
        str(name): _entity_mapping(where, str(name), body or {})
        for name, body in (doc.get("entities") or {}).items()
    }
    if not entities:
        raise MappingError(f"{where}: no entities: list at least one crm entity under entities:")
    fmt = {k: v for k, v in (doc.get("format") or {}).items()}
    FeedFormat.from_config(fmt, where=where)
    return Mapping(path.stem, str(doc.get("system") or path.stem), path, entities, fmt)


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Read and check a mapping (shipped name or path); raises :class:`MappingError`."""
    path = mapping_path(name_or_path)
    return _load(path, path.stat().st_mtime)


def export_files(folder: Path, mapping: EntityMapping) -> list[Path]:
    """The export files of one entity under ``folder``, in name order (dated names sort by date)."""
    found: dict[Path, None] = {}
    for pattern in mapping.files:
        for path in sorted(folder.glob(pattern)):
            if path.is_file():
                found[path] = None
    return list(found)


@dataclass
class PreparedExport:
    """An export file mapped to contract columns (strings in contract formats), before the
    contract check: what ``prm sources check`` and the dlt resource share."""

    table: pa.Table
    issues: dict[str, pa.Array]
    malformed: list[str]
    encoding: str
    drift: Drift
    raw: pa.Table  # the file's own columns, for payloads and type-change detection


def _blank_to_null(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    arr = arr.cast(pa.string())
    return pc.if_else(pc.equal(pc.utf8_trim_whitespace(arr), ""), pa.scalar(None, pa.string()), arr)


def _mapped(values: pa.Array, value_map: dict[str, str]) -> pa.Array:
    """Values through a value map (case/space-insensitive); unknown values unchanged."""
    if not value_map:
        return values
    distinct = [v for v in pc.unique(values).to_pylist() if v is not None]
    known = {v: value_map[_fold(v)] for v in distinct if _fold(v) in value_map}
    if not known:
        return values
    keys = list(known)
    idx = pc.index_in(values, value_set=pa.array(keys, pa.string()))
    replaced = pa.array([known[k] for k in keys], pa.string()).take(idx)
    return pc.if_else(pc.is_valid(idx), replaced, values)


def prepare_export(
    mapping: EntityMapping, path: Path, source: str, fmt: FeedFormat
) -> PreparedExport:
    """Decode, parse and map one export file; raises :class:`FileFault` for a file that cannot be
    read, or one whose header lacks every header of a required column."""
    contract = mapping.entity
    text, encoding = decode(path.read_bytes(), fmt)
    raw, malformed = parse_csv(text, source)
    headers = raw.column_names
    by_fold: dict[str, str] = {}
    for h in headers:
        by_fold.setdefault(_fold(h), h)
    used: set[str] = set()
    missing, missing_required = [], []
    columns: dict[str, pa.Array] = {}
    n = raw.num_rows
    for col in contract.columns:
        present = [by_fold[_fold(h)] for h in mapping.headers_for(col.name) if _fold(h) in by_fold]
        used.update(present)
        if present:
            arrays = [_blank_to_null(raw.column(h)) for h in present]
            columns[col.name] = pc.coalesce(*arrays) if len(arrays) > 1 else arrays[0]
        elif mapping.headers_for(col.name) and col.name not in mapping.defaults:
            (missing_required if col.required else missing).append(col.name)
    if headers and missing_required:
        expected = "; ".join(
            f"{c}: {' or '.join(repr(h) for h in mapping.headers_for(c))}" for c in missing_required
        )
        raise FileFault(
            f"required column(s) missing from the header ({expected}); the header has "
            f"{', '.join(repr(h) for h in headers[:10])}{' ...' if len(headers) > 10 else ''}. "
            "Add the column to the export, or map the header the file has "
            f"({mapping.entity.name} in the mapping)",
            "line 1",
        )
    for col_name, override in mapping.overrides.items():
        present = [by_fold[_fold(h)] for h in override.headers if _fold(h) in by_fold]
        used.update(present)
        if not present:
            continue
        decided = _mapped(_blank_to_null(raw.column(present[0])), override.values)
        hit = pc.is_in(decided, value_set=pa.array(sorted(set(override.values.values()))))
        base = columns.get(col_name, pa.nulls(n, pa.string()))
        columns[col_name] = pc.if_else(pc.fill_null(hit, False), decided, base)
    table_columns = {}
    for col in contract.columns:
        values = columns.get(col.name, pa.nulls(n, pa.string()))
        if col.name in mapping.defaults:
            values = pc.fill_null(values, mapping.defaults[col.name])
        table_columns[col.name] = _mapped(values, mapping.values.get(col.name, {}))
    table = (
        pa.table(table_columns)
        if headers
        else pa.table({c.name: pa.array([], pa.string()) for c in contract.columns})
    )
    normalised, issues = normalise(contract, table, fmt)
    unknown = tuple(h for h in headers if h not in used and _fold(h) not in mapping.ignore)
    return PreparedExport(
        normalised, issues, malformed, encoding, Drift(unknown, tuple(missing)), raw
    )


def validate_export(
    mapping: EntityMapping,
    prepared: PreparedExport,
    source: str,
    keep: pa.Array | None = None,
) -> FileRead:
    """The contract check of a prepared export; ``keep`` (a boolean mask) leaves out rows a cursor
    has already seen (the caller counts them as already loaded)."""
    contract = mapping.entity
    table = prepared.table
    refs = pa.array([f"row {i + 2}" for i in range(table.num_rows)], pa.string())
    issues = prepared.issues
    if keep is not None:
        table, refs = table.filter(keep), refs.filter(keep)
        issues = {c: a.filter(keep) for c, a in issues.items()}
    result = validate(contract, table, source, record_refs=refs, issues=issues)
    if prepared.malformed:
        result = Validated(
            result.rows,
            pa.concat_tables(
                [result.rejected, malformed_rows(contract, source, prepared.malformed)]
            ),
            result.issues,
        )
    drift = Drift(
        prepared.drift.unknown,
        prepared.drift.missing,
        type_changes(contract, prepared.table, result),
    )
    rows_in = prepared.table.num_rows + len(prepared.malformed)
    return FileRead(result, rows_in, prepared.encoding, drift)
