"""``prm sources check``: what a load would do with sample files, before anything is written.

Reads every file a configured feed would load (CRM exports through their mapping, file drops of
the other feeds) with the same code the dlt resources use, and reports per file: rows that would
load, records that would be quarantined and why, values that would be nulled and why, unknown and
missing columns, type changes, the encoding read, or why the whole file would be quarantined. It
opens no warehouse and writes nothing; the cursors of earlier loads are not applied (every row of
every file is judged).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import settings
from pipelines.common.drops import drop_files
from pipelines.common.formats import FeedFormat, FileFault
from pipelines.common.validation import FileRead, read_drop
from pipelines.contracts import Entity, entities
from pipelines.sources import crm_mode, feed_format, load_sources

TOP = 5
VALUE_IN_REASON = re.compile(r", got [^;(]*?(?= \(|$)|(?<=number in )(\w+): '[^']*'")


def reason_kinds(reasons: list[str]) -> Counter[str]:
    """Reasons counted by kind (the offending value left out): every part of a joined reason."""
    return Counter(
        VALUE_IN_REASON.sub(lambda m: m.group(1) or "", part).strip()
        for reason in reasons
        for part in reason.split("; ")
    )


@dataclass
class FileCheck:
    """What a load would do with one file."""

    feed: str
    entity: str
    source: str
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    values_nulled: int = 0
    encoding: str | None = None
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    nulled_reasons: Counter[str] = field(default_factory=Counter)
    unknown: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    type_changes: tuple[str, ...] = ()
    file_fault: str | None = None
    note: str | None = None

    @classmethod
    def of(cls, feed: str, entity: Entity, source: str, read: FileRead) -> FileCheck:
        result = read.result
        return cls(
            feed=feed,
            entity=entity.name,
            source=source,
            rows_in=read.rows_in,
            rows_loaded=result.rows.num_rows,
            rows_quarantined=result.rejected.num_rows,
            values_nulled=result.issues.num_rows,
            encoding=read.encoding,
            quarantine_reasons=reason_kinds(result.rejected.column("reason").to_pylist()),
            nulled_reasons=reason_kinds(result.issues.column("reason").to_pylist()),
            unknown=read.drift.unknown,
            missing=read.drift.missing,
            type_changes=read.drift.type_changes,
        )

    def lines(self) -> list[str]:
        head = f"{self.feed}.{self.entity}  {self.source}"
        if self.note:
            return [f"{self.feed}.{self.entity}  {self.note}"]
        if self.file_fault:
            return [f"{head}\n  the whole file would be quarantined: {self.file_fault}"]
        out = [
            f"{head}  ({self.encoding or 'typed file'})",
            f"  {self.rows_loaded:,} of {self.rows_in:,} rows would load; "
            f"{self.rows_quarantined:,} quarantined; {self.values_nulled:,} values nulled",
        ]
        out += [f"  quarantined, {n}x: {r}" for r, n in self.quarantine_reasons.most_common(TOP)]
        out += [f"  nulled, {n}x: {r}" for r, n in self.nulled_reasons.most_common(TOP)]
        if self.unknown:
            out.append(f"  unknown columns (not loaded): {', '.join(self.unknown)}")
        if self.missing:
            out.append(f"  missing optional columns (loaded as null): {', '.join(self.missing)}")
        out += [f"  type change: {t}" for t in self.type_changes]
        return out


def _read(feed: str, entity: Entity, source: str, reader: Callable[[], FileRead]) -> FileCheck:
    try:
        return FileCheck.of(feed, entity, source, reader())
    except FileFault as fault:
        return FileCheck(feed, entity.name, source, file_fault=fault.reason)


def check_crm_export(
    folder: Path, mapping_name: str | Path, fmt_config: dict
) -> Iterator[FileCheck]:
    """Every export file the mapping would read under ``folder``."""
    from pipelines.crm.mapping import export_files, load_mapping, prepare_export, validate_export

    mapping = load_mapping(mapping_name)
    for name, em in mapping.entities.items():
        fmt = mapping.feed_format(fmt_config, name)
        for path in export_files(folder, em):
            source = path.relative_to(folder).as_posix()

            def read(em=em, path=path, source=source, fmt=fmt) -> FileRead:
                return validate_export(em, prepare_export(em, path, source, fmt), source)

            yield _read("crm", em.entity, source, read)
        if not export_files(folder, em):
            yield FileCheck(
                "crm", name, "", note=f"no file matches {', '.join(em.files)} under {folder}"
            )


def check_drops(feed: str, landing: Path, fmt: FeedFormat) -> Iterator[FileCheck]:
    """Every landed drop of one file feed."""
    for e in entities(feed):
        for path in drop_files(landing, e):
            source = path.relative_to(landing).as_posix()
            yield _read(
                feed,
                e,
                source,
                lambda e=e, path=path, source=source: read_drop(e, path, source, fmt),
            )


def check_sources(
    sources: Path | None = None,
    *,
    mapping: str | None = None,
    folder: Path | None = None,
) -> list[FileCheck]:
    """Check every configured feed's files (``mapping``/``folder`` stand in for the crm entry)."""
    path = sources or settings.sources_file()
    config = load_sources(path)
    checks: list[FileCheck] = []
    feeds = list(config) or (["crm"] if mapping or folder else [])
    for feed in feeds:
        entry = config.get(feed, {})
        if feed == "crm":
            if mapping or folder or crm_mode(path) == "export":
                from pipelines.crm.export import DEFAULT_MAPPING, default_folder

                root = Path(folder or entry.get("folder") or default_folder()).expanduser()
                checks += check_crm_export(
                    root, mapping or entry.get("mapping") or DEFAULT_MAPPING, entry
                )
            continue
        checks += check_drops(feed, settings.landing_dir(), feed_format(feed, path))
    return checks
