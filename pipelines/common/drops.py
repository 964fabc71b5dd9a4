"""A dlt source over dated file drops: ``<landing>/<system>/<entity>/<entity>__<YYYY-MM-DD>.<ext>``.

The file is the incremental cursor: each resource remembers, in dlt state, the content hash of every
file it has loaded, and reads only new or changed files. The state is
committed with the load, so a failed load re-reads its files next time. Row-level cursors are not
used for files on purpose: a late-arriving event older than the last cursor value would be filtered
out silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa

from pipelines.common.ledger import Ledger
from pipelines.common.loading import (
    latest_per_key,
    newer_than_loaded,
    quarantine_item,
    resource_hints,
)
from pipelines.common.validation import read_drop
from pipelines.contracts import Entity


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


def drop_resource(entity: Entity, landing: Path) -> Any:
    """A dlt resource loading every new drop of ``entity`` (rows) and its rejects (quarantine)."""

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
            result = read_drop(entity, path, ref)
            ledger.read(ref, result.rows.num_rows + result.rejected.num_rows)
            if result.rejected.num_rows:
                yield quarantine_item(ledger.quarantine(result.rejected))
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
