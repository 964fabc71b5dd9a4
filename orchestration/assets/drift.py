"""Schema drift checks: what each feed's last load found different from the contract or mapping.

One asset check per feed, ``schema_drift``, on the feed's quarantine asset (written by the same
load), read from the load ledger of the feed's latest committed load:

- **fails** (severity ERROR) for required drift: a file quarantined whole (undecodable, truncated,
  unparseable, or missing a required column) or a required column whose values all changed type;
- **warns** for optional drift: unknown columns, missing optional columns, optional type changes.

Neither blocks what is downstream: the valid rows of the other files are loaded and are right; the
check says what the vendor changed and what was not loaded (docs/data_quality.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg
import duckdb

from orchestration.assets.ingest import quarantine_key
from pipelines import settings
from pipelines.common.ledger import LEDGER_TABLE
from pipelines.contracts import SYSTEMS, entity


@dataclass
class DriftFindings:
    """Required (errors) and optional (warnings) drift of one load of one feed."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def drift_findings(con: duckdb.DuckDBPyConnection, system: str) -> DriftFindings:
    """The drift the feed's latest committed load recorded in its ledger."""
    dataset = f"raw_{system}"
    found = DriftFindings()
    has = con.execute(
        "select count(*) from information_schema.columns where table_schema = ? "
        "and table_name = ? and column_name = 'file_status'",
        [dataset, LEDGER_TABLE],
    ).fetchone()[0]
    if not has:
        return found
    rows = con.execute(
        f"""select entity, source, unknown_columns, missing_columns, type_changes, file_status,
                   file_reason
            from {dataset}.{LEDGER_TABLE}
            where _dlt_load_id = (
                select max(load_id) from {dataset}._dlt_loads
                where status = 0 and load_id in (select _dlt_load_id from {dataset}.{LEDGER_TABLE}))
            order by entity, source"""
    ).fetchall()
    for name, source, unknown, missing, changes, status, reason in rows:
        if status == "quarantined":
            found.errors.append(f"{source}: file quarantined: {reason}")
        for change in (changes or "").split("; ") if changes else []:
            column = change.split(":", 1)[0]
            required = entity(system, name).column(column).required
            (found.errors if required else found.warnings).append(f"{source}: type change {change}")
        if unknown:
            found.warnings.append(f"{source}: unknown columns {unknown}")
        if missing:
            found.warnings.append(f"{source}: missing optional columns {missing} (loaded as null)")
    return found


def drift_check(system: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=quarantine_key(system),
        name="schema_drift",
        blocking=False,
        description=(
            f"{system}: files of the last load that differ from the contract or mapping (fails "
            "for a quarantined file or a required type change, warns for optional drift)"
        ),
    )
    def _check() -> dg.AssetCheckResult:
        with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
            found = drift_findings(con, system)
        return dg.AssetCheckResult(
            passed=not (found.errors or found.warnings),
            severity=dg.AssetCheckSeverity.ERROR if found.errors else dg.AssetCheckSeverity.WARN,
            description="; ".join(found.errors + found.warnings) or "no drift in the last load",
            metadata={"required_drift": len(found.errors), "optional_drift": len(found.warnings)},
        )

    return _check


def drift_checks() -> list[dg.AssetChecksDefinition]:
    return [drift_check(system) for system in SYSTEMS]
