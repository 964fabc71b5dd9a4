"""CRM CSV exports, for teams without API access: reading them into ``raw_crm`` and writing them.

Exports are HubSpot-style CSV snapshots, ``<folder>/<object_type>/<object_type>__<YYYY-MM-DD>.csv``
(``folder`` defaults to ``<landing>/crm_export``), with the headers of ``export_mapping.yml``. They
load into the same tables as the API, through the same validation and quarantine. New or changed
files are found by content hash (as for file drops); within a file, records older than the
resource's cursor are skipped, so a daily full snapshot only loads what changed (and immutable
events are not appended twice).
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml

from pipelines import settings
from pipelines.common.drops import fingerprint
from pipelines.common.ledger import Ledger
from pipelines.common.loading import (
    latest_per_key,
    newer_than_loaded,
    quarantine_item,
    resource_hints,
)
from pipelines.common.validation import quarantine_rows, validate
from pipelines.contracts import Entity, entities
from pipelines.crm.helpers import CursorTracker

log = logging.getLogger(__name__)

MAPPING_PATH = Path(__file__).with_name("export_mapping.yml")
EXPORT_FOLDER = "crm_export"


@cache
def export_mapping() -> dict[str, dict[str, str]]:
    """object type -> {export header: contract column}."""
    return yaml.safe_load(MAPPING_PATH.read_text())


def default_folder() -> Path:
    return settings.landing_dir() / EXPORT_FOLDER


def export_files(folder: Path, entity: Entity) -> list[Path]:
    """The export files of an object type, oldest first (names carry the export date)."""
    sub = folder / entity.name
    return sorted(sub.glob(f"{entity.name}__*.csv")) if sub.is_dir() else []


class ExportFileError(ValueError):
    """An export file the mapping cannot read (a required column is missing)."""


def read_export(entity: Entity, path: Path, source: str) -> tuple[pa.Table, list[str], list[str]]:
    """The file's records with contract column names (all strings), its malformed rows, and the
    headers the mapping does not know."""
    mapping = export_mapping()[entity.name]
    with path.open("rb") as fh:
        header_line = fh.readline().decode("utf-8-sig").strip()
    headers = pacsv.read_csv(pa.py_buffer((header_line + "\n").encode())).column_names
    for column in entity.columns:
        mapped = [h for h, c in mapping.items() if c == column.name]
        if column.required and not any(h in headers for h in mapped):
            raise ExportFileError(
                f"{path}: required column {column.name!r} missing (expected header "
                f"{' or '.join(repr(h) for h in mapped) or '(none mapped)'})"
            )
    malformed: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        malformed.append(row.text)
        return "skip"

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in headers},
            strings_can_be_null=True,
            null_values=[""],  # only an empty field is null: region "NA" is North America
        ),
    )
    unmapped = [h for h in headers if h not in mapping]
    present = [h for h in headers if h in mapping]
    renamed = table.select(present).rename_columns([mapping[h] for h in present])
    return renamed, malformed, unmapped


def export_resource(entity: Entity, folder: Path) -> Any:
    """A dlt resource loading new export files of one object type into ``raw_crm``."""
    cursor = entity.cursor or "updated_at"

    @dlt.resource(**resource_hints(entity))
    def read_new_exports() -> Iterator[Any]:
        state = dlt.current.resource_state()
        loaded: dict[str, str] = state.setdefault("loaded_files", {})
        unmapped_state: dict[str, list[str]] = state.setdefault("unmapped_headers", {})
        tracker = CursorTracker(state.setdefault("cursor", {}), cursor)
        ledger = Ledger(entity)
        batches: list[pa.Table] = []
        for path in export_files(folder, entity):
            ref = f"{EXPORT_FOLDER}/{path.relative_to(folder).as_posix()}"
            digest = fingerprint(path)
            if loaded.get(ref) == digest:
                continue
            table, malformed, unmapped = read_export(entity, path, ref)
            if unmapped:
                log.warning("%s: ignored headers not in export_mapping.yml: %s", ref, unmapped)
                unmapped_state[ref] = unmapped
            ids = table.column("id").to_pylist()
            values = table.column(cursor).to_pylist()
            keep = [tracker.is_new_value(v, i) for v, i in zip(values, ids, strict=True)]
            rows = [f"row {n + 2}" for n in range(table.num_rows)]  # line number in the file
            mask = pa.array(keep, pa.bool_())
            ledger.read(ref, table.num_rows + len(malformed), already_loaded=keep.count(False))
            result = validate(
                entity,
                table.filter(mask),
                ref,
                record_refs=pc.filter(pa.array(rows, pa.string()), mask),
            )
            rejected = result.rejected
            if malformed:
                bad = pa.table(
                    {
                        "record_ref": [f"malformed {i + 1}" for i in range(len(malformed))],
                        "reason": ["malformed CSV row (wrong number of fields or broken quoting)"]
                        * len(malformed),
                        "payload": malformed,
                    }
                )
                rejected = pa.concat_tables([rejected, quarantine_rows(entity, ref, bad)])
            if rejected.num_rows:
                yield quarantine_item(ledger.quarantine(rejected))
            if entity.write_disposition == "merge":
                batches.append(result.rows)
            elif result.rows.num_rows:
                yield ledger.load(result.rows)
            loaded[ref] = digest
        tracker.save()
        if batches:
            rows = pa.concat_tables(batches)
            latest = newer_than_loaded(entity, latest_per_key(entity, rows))
            kept = ledger.supersede(rows, latest)
            if kept.num_rows:
                yield ledger.load(kept)
        if ledger.tallies:
            yield ledger.item()

    return read_new_exports


@dlt.source(name="crm_export", max_table_nesting=0)
def crm_export_source(folder: str | None = None) -> Any:
    """One resource per crm entity, reading CSV exports from ``folder`` (default
    ``<landing>/crm_export``) into the ``raw_crm`` tables."""
    root = Path(folder) if folder else default_folder()
    return [export_resource(e, root) for e in entities("crm")]


def write_export(db_path: Path, folder: Path, as_of_date: date | str) -> list[Path]:
    """Write one export snapshot of every object type in a CRM database (all records, archived
    ones included, property values as stored). Returns the files written."""
    day = as_of_date if isinstance(as_of_date, str) else as_of_date.isoformat()
    written = []
    with contextlib.closing(sqlite3.connect(db_path)) as con:
        for entity in entities("crm"):
            mapping = export_mapping()[entity.name]
            path = Path(folder) / entity.name / f"{entity.name}__{day}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            rows = con.execute(
                "SELECT id, properties, created_at, updated_at, archived FROM objects "
                "WHERE object_type = ? ORDER BY CAST(id AS INTEGER), id",
                [entity.name],
            )
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(list(mapping))
                for record_id, props_text, created, updated, archived in rows:
                    props = json.loads(props_text) if props_text else {}
                    envelope = {
                        "id": record_id,
                        "created_at": created,
                        "updated_at": updated,
                        "archived": "true" if archived else "false",
                    }
                    writer.writerow(
                        [envelope[c] if c in envelope else props.get(c) for c in mapping.values()]
                    )
            written.append(path)
    return written
