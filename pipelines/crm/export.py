"""CRM CSV exports, for teams without API access: reading them into ``raw_crm`` and writing them.

Exports are CSV files under one folder (``folder`` of the crm feed in the sources file, default
``<landing>/crm_export``), read through a mapping (``pipelines.crm.mapping``: HubSpot, Salesforce,
Dynamics 365, a generic template, or your own). They load into the same tables as the API, through
the same contract check: a bad required value quarantines the record, a bad optional value is
nulled and logged, a file that cannot be read is quarantined as a file and the next files still
load. New or changed files are found by content hash (as for file drops); within a file, records
older than the resource's cursor are skipped, so a daily full snapshot only loads what changed (and
immutable events are not appended twice).
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa

from pipelines import settings
from pipelines.common.drops import file_fault_message, fingerprint
from pipelines.common.formats import FeedFormat, FileFault
from pipelines.common.ledger import Ledger
from pipelines.common.loading import (
    files_item,
    issues_item,
    latest_per_key,
    newer_than_loaded,
    quarantine_item,
    resource_hints,
)
from pipelines.common.validation import arrow_schema
from pipelines.contracts import Entity, entities
from pipelines.crm.helpers import CursorTracker
from pipelines.crm.mapping import (
    EntityMapping,
    Mapping,
    export_files,
    load_mapping,
    prepare_export,
    validate_export,
)

log = logging.getLogger(__name__)

EXPORT_FOLDER = "crm_export"
DEFAULT_MAPPING = "hubspot"


def export_mapping() -> dict[str, dict[str, str]]:
    """HubSpot export headers: object type -> {header written by ``write_export``: contract column}."""
    mapping = load_mapping(DEFAULT_MAPPING)
    return {
        name: {headers[0]: column for column, headers in em.columns.items()}
        for name, em in mapping.entities.items()
    }


def default_folder() -> Path:
    return settings.landing_dir() / EXPORT_FOLDER


def export_resource(
    mapping: EntityMapping | None, contract: Entity, folder: Path, fmt: FeedFormat
) -> Any:
    """A dlt resource loading new export files of one object type into ``raw_crm``. An object the
    mapping does not cover loads as an empty table (the system has no such records), and so does
    one with no export file yet (with a warning): the warehouse's models need every table."""
    cursor = contract.cursor or "updated_at"

    @dlt.resource(**resource_hints(contract))
    def read_new_exports() -> Iterator[Any]:
        if mapping is None:
            yield arrow_schema(contract).empty_table()
            return
        state = dlt.current.resource_state()
        loaded: dict[str, str] = state.setdefault("loaded_files", {})
        unmapped_state: dict[str, list[str]] = state.setdefault("unmapped_headers", {})
        tracker = CursorTracker(state.setdefault("cursor", {}), cursor)
        ledger = Ledger(contract)
        batches: list[pa.Table] = []
        files = export_files(folder, mapping)
        if not files:
            log.warning(
                "crm.%s: no export file under %s; raw_crm.%s stays empty until one is dropped",
                contract.name,
                folder,
                contract.name,
            )
            yield arrow_schema(contract).empty_table()
            return
        for path in files:
            ref = f"{EXPORT_FOLDER}/{path.relative_to(folder).as_posix()}"
            digest = fingerprint(path)
            if loaded.get(ref) == digest:
                continue
            try:
                prepared = prepare_export(mapping, path, ref, fmt)
            except FileFault as fault:
                log.warning(file_fault_message(ref, fault))
                yield files_item(ledger.file_fault(ref, path, digest, fault))
                loaded[ref] = digest
                continue
            if prepared.drift.unknown:
                log.warning(
                    "%s: ignored headers the mapping does not know: %s",
                    ref,
                    list(prepared.drift.unknown),
                )
                unmapped_state[ref] = list(prepared.drift.unknown)
            table = prepared.table
            ids = table.column("id").to_pylist()
            values = table.column(cursor).to_pylist()
            unusable = prepared.issues.get(cursor)
            if unusable is not None:  # a cursor value that could not be read is no cursor
                values = [
                    None if r is not None else v
                    for v, r in zip(values, unusable.to_pylist(), strict=True)
                ]
            keep = [tracker.is_new_value(v, i) for v, i in zip(values, ids, strict=True)]
            read = validate_export(mapping, prepared, ref, keep=pa.array(keep, pa.bool_()))
            ledger.read(
                ref,
                read.rows_in,
                already_loaded=keep.count(False),
                encoding=read.encoding,
                drift=read.drift,
            )
            result = read.result
            if result.rejected.num_rows:
                yield quarantine_item(ledger.quarantine(result.rejected))
            if result.issues.num_rows:
                yield issues_item(ledger.nulled(result.issues))
            if contract.write_disposition == "merge":
                batches.append(result.rows)
            elif result.rows.num_rows:
                yield ledger.load(result.rows)
            loaded[ref] = digest
        tracker.save()
        if batches:
            rows = pa.concat_tables(batches)
            latest = newer_than_loaded(contract, latest_per_key(contract, rows))
            kept = ledger.supersede(rows, latest)
            if kept.num_rows:
                yield ledger.load(kept)
        if ledger.tallies:
            yield ledger.item()

    return read_new_exports


def export_settings(
    folder: str | Path | None = None, mapping: str | Path | None = None
) -> tuple[Path, Mapping, dict[str, FeedFormat]]:
    """The export folder, mapping and formats per entity: arguments first, then the crm feed's
    entry in the sources file, then the defaults (``<landing>/crm_export``, HubSpot)."""
    from pipelines.sources import feed_config

    config = feed_config("crm")
    root = Path(folder or config.get("folder") or default_folder()).expanduser()
    loaded = load_mapping(mapping or config.get("mapping") or DEFAULT_MAPPING)
    return root, loaded, {name: loaded.feed_format(config, name) for name in loaded.entities}


@dlt.source(name="crm_export", max_table_nesting=0)
def crm_export_source(folder: str | None = None, mapping: str | None = None) -> Any:
    """One resource per crm entity, reading CSV exports from ``folder`` through ``mapping`` (a
    shipped name or a path; defaults from the sources file, else ``<landing>/crm_export`` and
    HubSpot) into the ``raw_crm`` tables."""
    root, loaded, formats = export_settings(folder, mapping)
    return [
        export_resource(loaded.entities.get(e.name), e, root, formats.get(e.name, FeedFormat()))
        for e in entities("crm")
    ]


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
