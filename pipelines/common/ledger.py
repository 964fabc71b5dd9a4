"""The load ledger: for every source (file or endpoint) read in a load, where each record went.

Every resource keeps a :class:`Ledger` and yields it as rows of ``raw_<system>.load_ledger`` in the
same load as the data, so the audit trail commits (or fails) with the rows it describes. For each
entity and source::

    rows_in = rows_loaded + rows_quarantined + rows_superseded + rows_already_loaded

- ``rows_quarantined``: rejected by the contract (a required value unusable), kept in
  ``quarantined_records`` with a reason;
- ``values_nulled``: optional values that could not be used, nulled in loaded rows, each kept in
  ``value_issues`` with its reason (not a rejected record: the gate does not count them);
- ``rows_superseded``: an older version of a mutable record that arrived in the same load as a newer
  one, or older than the version already loaded (``latest_per_key``, ``newer_than_loaded``);
- ``rows_already_loaded``: records a cursor had already seen (CRM search boundaries, CSV exports).

Each row also says how the source was read: the ``encoding`` of a text file, its schema drift
against the contract or mapping (``unknown_columns``, ``missing_columns``, ``type_changes``), and
``file_status``: ``loaded``, or ``quarantined`` for a file that could not be read at all (its rows
are then unknown: 0 in, kept whole in ``quarantined_files`` with the reason).

The ledger raises if the identity does not hold inside a resource; after the load the ingestion asset
also checks the ledger against what dlt actually normalised (:func:`check_load`) and applies the
quarantine-rate gate.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.common.formats import FileFault
from pipelines.common.validation import QUARANTINE_TABLE, SOURCE_COLUMN, VALUE_ISSUES_TABLE, Drift
from pipelines.contracts import Entity

LEDGER_TABLE = "load_ledger"
LEDGER_SCHEMA = pa.schema(
    [
        ("ledger_id", pa.string()),
        ("entity", pa.string()),
        ("source", pa.string()),
        ("rows_in", pa.int64()),
        ("rows_loaded", pa.int64()),
        ("rows_quarantined", pa.int64()),
        ("rows_superseded", pa.int64()),
        ("rows_already_loaded", pa.int64()),
        ("values_nulled", pa.int64()),
        ("encoding", pa.string()),
        ("unknown_columns", pa.string()),
        ("missing_columns", pa.string()),
        ("type_changes", pa.string()),
        ("file_status", pa.string()),
        ("file_reason", pa.string()),
        ("recorded_at", pa.timestamp("us", tz="UTC")),
    ]
)
QUARANTINED_FILES_TABLE = "quarantined_files"
QUARANTINED_FILES_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("entity", pa.string()),
        ("source", pa.string()),
        ("size_bytes", pa.int64()),
        ("content_hash", pa.string()),
        ("reason", pa.string()),
        ("position", pa.string()),
        ("quarantined_at", pa.timestamp("us", tz="UTC")),
    ]
)
# its own key, or the table variant would inherit the entity's primary key
LEDGER_HINTS: dict[str, Any] = {
    "table_name": LEDGER_TABLE,
    "primary_key": "ledger_id",
    "write_disposition": "append",
}

# The quarantine-rate gate (docs/data_quality.md). A load whose quarantined share of records is above
# MAX_RATE fails the run, unless fewer than MIN_RECORDS records were quarantined (one bad record in a
# 50-row drop is 2 %, and is not a broken feed).
MAX_RATE_ENV = "PRM_QUARANTINE_MAX_RATE"
MIN_RECORDS_ENV = "PRM_QUARANTINE_MIN_RECORDS"
DEFAULT_MAX_RATE = 0.005
DEFAULT_MIN_RECORDS = 10


class LedgerMismatch(RuntimeError):
    """Records went missing between reading a source and loading it."""


class QuarantineRateExceeded(RuntimeError):
    """A feed quarantined more of a load than the configured threshold allows."""


@dataclass
class _Tally:
    rows_in: int = 0
    loaded: int = 0
    quarantined: int = 0
    superseded: int = 0
    already_loaded: int = 0
    nulled: int = 0
    encoding: str | None = None
    drift: Drift = field(default_factory=Drift)
    file_status: str = "loaded"
    file_reason: str | None = None

    @property
    def balanced(self) -> bool:
        accounted = self.loaded + self.quarantined + self.superseded + self.already_loaded
        return self.rows_in == accounted


@dataclass
class Ledger:
    """Where the records of one entity went, per source, within one extract."""

    entity: Entity
    tallies: dict[str, _Tally] = field(default_factory=dict)

    def _tally(self, source: str) -> _Tally:
        return self.tallies.setdefault(source, _Tally())

    def read(
        self,
        source: str,
        rows_in: int,
        *,
        already_loaded: int = 0,
        encoding: str | None = None,
        drift: Drift | None = None,
    ) -> None:
        """``rows_in`` records were read from ``source``; ``already_loaded`` of them were skipped
        because a cursor had seen them. Reading nothing (and finding no drift) leaves no trace."""
        if rows_in == 0 and not drift:
            return
        tally = self._tally(source)
        tally.rows_in += rows_in
        tally.already_loaded += already_loaded
        tally.encoding = encoding or tally.encoding
        if drift:
            tally.drift = drift

    def nulled(self, issues: pa.Table) -> pa.Table:
        """Count the optional values nulled in loaded rows (value-issue rows carry their source)."""
        for source, n in _count_by(issues, "source").items():
            self._tally(source).nulled += n
        return issues

    def file_fault(self, source: str, path: Path, digest: str, fault: FileFault) -> pa.Table:
        """A file that could not be read at all: recorded with status ``quarantined`` and returned
        as a row of ``quarantined_files`` (size, content hash, reason, first bad byte or line)."""
        tally = self._tally(source)
        tally.file_status, tally.file_reason = "quarantined", fault.reason
        ident = "\x1f".join([self.entity.system, self.entity.name, source, digest])
        return pa.Table.from_pylist(
            [
                {
                    "file_id": hashlib.sha256(ident.encode()).hexdigest()[:32],
                    "entity": self.entity.name,
                    "source": source,
                    "size_bytes": path.stat().st_size,
                    "content_hash": digest,
                    "reason": fault.reason,
                    "position": fault.position or None,
                    "quarantined_at": datetime.now(UTC),
                }
            ],
            schema=QUARANTINED_FILES_SCHEMA,
        )

    def quarantine(self, rejected: pa.Table) -> pa.Table:
        """Count rejected rows (quarantine rows carry their source) and pass them through."""
        for source, n in _count_by(rejected, "source").items():
            self._tally(source).quarantined += n
        return rejected

    def load(self, rows: pa.Table) -> pa.Table:
        """Count the typed rows handed to dlt (by their ``_source``) and pass them through."""
        for source, n in _count_by(rows, SOURCE_COLUMN).items():
            self._tally(source).loaded += n
        return rows

    def supersede(self, before: pa.Table, after: pa.Table) -> pa.Table:
        """Count the versions a within-load dedupe dropped (``before`` minus ``after``)."""
        kept = _count_by(after, SOURCE_COLUMN)
        for source, n in _count_by(before, SOURCE_COLUMN).items():
            self._tally(source).superseded += n - kept.get(source, 0)
        return after

    def item(self) -> Any:
        """The ledger rows as a dlt item for ``load_ledger``; raises if a source does not balance."""
        unbalanced = {s: t for s, t in self.tallies.items() if not t.balanced}
        if unbalanced:
            raise LedgerMismatch(
                f"{self.entity.system}.{self.entity.name}: records unaccounted for: {unbalanced}"
            )
        now = datetime.now(UTC)
        rows = [
            {
                "ledger_id": uuid.uuid4().hex,
                "entity": self.entity.name,
                "source": source,
                "rows_in": t.rows_in,
                "rows_loaded": t.loaded,
                "rows_quarantined": t.quarantined,
                "rows_superseded": t.superseded,
                "rows_already_loaded": t.already_loaded,
                "values_nulled": t.nulled,
                "encoding": t.encoding,
                "unknown_columns": ", ".join(t.drift.unknown) or None,
                "missing_columns": ", ".join(t.drift.missing) or None,
                "type_changes": "; ".join(t.drift.type_changes) or None,
                "file_status": t.file_status,
                "file_reason": t.file_reason,
                "recorded_at": now,
            }
            for source, t in sorted(self.tallies.items())
        ]
        return dlt.mark.with_hints(
            pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA),
            dlt.mark.make_hints(**LEDGER_HINTS),
            create_table_variant=True,
        )


def _count_by(table: pa.Table, column: str) -> Counter[str]:
    if table.num_rows == 0:
        return Counter()
    counts = pc.value_counts(table.column(column)).to_pylist()
    return Counter({c["values"]: c["counts"] for c in counts})


@dataclass(frozen=True)
class LoadReport:
    """What one load of a feed did, from the ledger and from dlt's own row counts."""

    system: str
    load_ids: tuple[str, ...]
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    top_reasons: tuple[tuple[str, str, int], ...]  # (entity, reason, records)
    values_nulled: int = 0
    quarantined_files: tuple[tuple[str, str], ...] = ()  # (source, reason)

    @property
    def quarantine_rate(self) -> float:
        return self.rows_quarantined / self.rows_in if self.rows_in else 0.0

    def describe_reasons(self) -> str:
        return "; ".join(f"{e}: {r} ({n})" for e, r, n in self.top_reasons)


def _has_column(con: duckdb.DuckDBPyConnection, dataset: str, column: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.columns where table_schema = ? "
            "and table_name = ? and column_name = ?",
            [dataset, LEDGER_TABLE, column],
        ).fetchone()[0]
    )


def gate_settings() -> tuple[float, int]:
    """``(max_rate, min_records)`` of the quarantine gate, from the environment or the defaults."""
    return (
        float(os.environ.get(MAX_RATE_ENV, DEFAULT_MAX_RATE)),
        int(os.environ.get(MIN_RECORDS_ENV, DEFAULT_MIN_RECORDS)),
    )


def check_load(
    con: duckdb.DuckDBPyConnection,
    system: str,
    load_ids: list[str],
    normalized_rows: dict[str, int],
) -> LoadReport:
    """Check one load of ``system``: its ledger against the rows dlt normalised per table (raises
    :class:`LedgerMismatch`), then the quarantine rate against the gate (raises
    :class:`QuarantineRateExceeded` naming the feed and its top reasons)."""
    dataset = f"raw_{system}"
    ids = list(load_ids)
    ledger = con.execute(
        f"""select entity, sum(rows_in), sum(rows_loaded), sum(rows_quarantined),
                   sum(coalesce(values_nulled, 0))
            from {dataset}.{LEDGER_TABLE} where _dlt_load_id in (select unnest(?))
            group by entity""",
        [ids],
    ).fetchall()
    mismatches = []
    for entity, _, loaded, _, _ in ledger:
        normalised = normalized_rows.get(entity, 0)
        if normalised != loaded:
            mismatches.append(f"{entity}: ledger says {loaded} rows loaded, dlt wrote {normalised}")
    quarantined = sum(int(row[3]) for row in ledger)
    nulled = sum(int(row[4]) for row in ledger)
    for table, counted in ((QUARANTINE_TABLE, quarantined), (VALUE_ISSUES_TABLE, nulled)):
        if normalized_rows.get(table, 0) != counted:
            mismatches.append(
                f"{table}: ledger says {counted}, dlt wrote {normalized_rows.get(table, 0)}"
            )
    files = (
        con.execute(
            f"""select source, file_reason from {dataset}.{LEDGER_TABLE}
            where _dlt_load_id in (select unnest(?)) and file_status = 'quarantined'
            order by source""",
            [ids],
        ).fetchall()
        if _has_column(con, dataset, "file_status")
        else []
    )
    if normalized_rows.get(QUARANTINED_FILES_TABLE, 0) != len(files):
        mismatches.append(
            f"{QUARANTINED_FILES_TABLE}: ledger says {len(files)}, "
            f"dlt wrote {normalized_rows.get(QUARANTINED_FILES_TABLE, 0)}"
        )
    if mismatches:
        raise LedgerMismatch(f"{dataset}, load {', '.join(ids)}: " + "; ".join(mismatches))
    reasons = (
        con.execute(
            f"""select entity, reason, count(*) as records from {dataset}.{QUARANTINE_TABLE}
                where _dlt_load_id in (select unnest(?))
                group by all order by records desc, entity, reason limit 5""",
            [ids],
        ).fetchall()
        if quarantined
        else []
    )
    report = LoadReport(
        system=system,
        load_ids=tuple(ids),
        rows_in=sum(int(row[1]) for row in ledger),
        rows_loaded=sum(int(row[2]) for row in ledger),
        rows_quarantined=quarantined,
        top_reasons=tuple((e, r, int(n)) for e, r, n in reasons),
        values_nulled=nulled,
        quarantined_files=tuple((src, reason) for src, reason in files),
    )
    max_rate, min_records = gate_settings()
    if report.quarantine_rate > max_rate and report.rows_quarantined >= min_records:
        raise QuarantineRateExceeded(
            f"feed {system}: {report.rows_quarantined:,} of {report.rows_in:,} records "
            f"({report.quarantine_rate:.2%}) were quarantined in this load, above the "
            f"{max_rate:.2%} threshold ({MAX_RATE_ENV}). Top reasons: {report.describe_reasons()}. "
            f"The valid rows are loaded and every rejected record is kept in "
            f"{dataset}.{QUARANTINE_TABLE}; nothing downstream ran. Fix the feed and reload it, or "
            "rerun to accept the load: each run judges only the records it read "
            "(docs/data_quality.md)."
        )
    return report
