"""A dlt source over dated file drops: ``<landing>/<system>/<entity>/<entity>__<YYYY-MM-DD>.<ext>``.

The file is the incremental cursor: each resource remembers, in dlt state, the content hash of every
file it has loaded, and reads only new or changed files. The state is
committed with the load, so a failed load re-reads its files next time. Row-level cursors are not
used for files on purpose: a late-arriving event older than the last cursor value would be filtered
out silently.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa

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
from pipelines.common.validation import read_drop
from pipelines.contracts import Entity

log = logging.getLogger(__name__)


def drop_files(landing: Path, entity: Entity) -> list[Path]:
    """The landed files of an entity, oldest drop first (names carry the drop date)."""
    folder = landing / entity.system / entity.name
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{entity.name}__*.{entity.file_format}"))


def fingerprint(path: Path) -> str:
    """Content hash of a landed file: a re-delivered identical file is not loaded twice."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "blake2b").hexdigest()[:32]


def file_fault_message(source: str, fault: FileFault) -> str:
    """The one line a run prints for a file it could not read."""
    return (
        f"quarantined file {source}: {fault.reason}. The feed's other files loaded; fix or "
        "replace this file (a changed file is read again), see raw_<system>.quarantined_files"
    )


def drop_resource(entity: Entity, landing: Path, fmt: FeedFormat | None = None) -> Any:
    """A dlt resource loading every new drop of ``entity`` (rows), its rejects (quarantine), the
    optional values it nulled (value issues) and the files it could not read (quarantined files),
    reading text files in the feed's declared formats."""

    @dlt.resource(**resource_hints(entity))
    def read_new_drops() -> Iterator[Any]:
        loaded: dict[str, str] = dlt.current.resource_state().setdefault("loaded_files", {})
        ledger = Ledger(entity)
        batches: list[pa.Table] = []
        for path in drop_files(landing, entity):
            ref = path.relative_to(landing).as_posix()
            digest = fingerprint(path)
            if loaded.get(ref) == digest:
                continue
            try:
                read = read_drop(entity, path, ref, fmt)
            except FileFault as fault:
                # recorded with its hash: not read again until it changes
                log.warning(file_fault_message(ref, fault))
                yield files_item(ledger.file_fault(ref, path, digest, fault))
                loaded[ref] = digest
                continue
            result = read.result
            ledger.read(ref, read.rows_in, encoding=read.encoding, drift=read.drift)
            if result.rejected.num_rows:
                yield quarantine_item(ledger.quarantine(result.rejected))
            if result.issues.num_rows:
                yield issues_item(ledger.nulled(result.issues))
            if entity.write_disposition == "merge":
                batches.append(result.rows)
            elif result.rows.num_rows:
                yield ledger.load(result.rows)
            loaded[ref] = digest
        if batches:
            rows = pa.concat_tables(batches)
            latest = newer_than_loaded(entity, latest_per_key(entity, rows))
            kept = ledger.supersede(rows, latest)
            if kept.num_rows:
                yield ledger.load(kept)
        if ledger.tallies:
            yield ledger.item()

    return read_new_drops
