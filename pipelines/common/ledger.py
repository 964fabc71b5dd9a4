"""The load ledger: for every source (file or endpoint) read in a load, where each record went.

Every resource keeps a :class:`Ledger` and yields it as rows of ``raw_<system>.load_ledger`` in the
same load as the data, so the audit trail commits (or fails) with the rows it describes. For each
entity and source::

    rows_in = rows_loaded + rows_quarantined + rows_superseded + rows_already_loaded

- ``rows_quarantined``: rejected by the contract, kept in ``quarantined_records`` with a reason;
- ``rows_superseded``: an older version of a mutable record that arrived in the same load as a newer
  one, or older than the version already loaded (``latest_per_key``, ``newer_than_loaded``);
- ``rows_already_loaded``: records a cursor had already seen (CRM search boundaries, CSV exports).

The ledger raises if the identity does not hold inside a resource; after the load the ingestion asset
also checks the ledger against what dlt actually normalised (:func:`check_load`) and applies the
quarantine-rate gate.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dlt
import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.common.validation import QUARANTINE_TABLE, SOURCE_COLUMN
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
        ("recorded_at", pa.timestamp("us", tz="UTC")),
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

    def read(self, source: str, rows_in: int, *, already_loaded: int = 0) -> None:
        """``rows_in`` records were read from ``source``; ``already_loaded`` of them were skipped
        because a cursor had seen them. Reading nothing leaves no trace."""
        if rows_in == 0:
            return
        tally = self._tally(source)
        tally.rows_in += rows_in
        tally.already_loaded += already_loaded

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

    @property
    def quarantine_rate(self) -> float:
        return self.rows_quarantined / self.rows_in if self.rows_in else 0.0

    def describe_reasons(self) -> str:
        return "; ".join(f"{e}: {r} ({n})" for e, r, n in self.top_reasons)


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
        f"""select entity, sum(rows_in), sum(rows_loaded), sum(rows_quarantined)
            from {dataset}.{LEDGER_TABLE} where _dlt_load_id in (select unnest(?))
            group by entity""",
        [ids],
    ).fetchall()
    mismatches = []
    for entity, _, loaded, _ in ledger:
        normalised = normalized_rows.get(entity, 0)
        if normalised != loaded:
            mismatches.append(f"{entity}: ledger says {loaded} rows loaded, dlt wrote {normalised}")
    quarantined = sum(int(q) for *_, q in ledger)
    if normalized_rows.get(QUARANTINE_TABLE, 0) != quarantined:
        mismatches.append(
            f"{QUARANTINE_TABLE}: ledger says {quarantined}, "
            f"dlt wrote {normalized_rows.get(QUARANTINE_TABLE, 0)}"
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
        rows_in=sum(int(r) for _, r, _, _ in ledger),
        rows_loaded=sum(int(r) for _, _, r, _ in ledger),
        rows_quarantined=quarantined,
        top_reasons=tuple((e, r, int(n)) for e, r, n in reasons),
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
