"""Blocking great-expectations checks (orchestration/quality.py) on the marts the CRM write-back
reads and on the raw tables those marts depend on most.

A failing mart suite stops every asset downstream of its mart in the run: tier decisions and the
partner write-back behind ``fct_partner_tier_criteria`` and ``dim_partners``, the expiry engine and
the registration write-back behind ``fct_deal_registrations``. A raw table that fails a critical
expectation stops its dbt staging model and so everything built from it; its warnings (timestamps
after the load, an event delivered twice) are reported and block nothing.
"""

from collections.abc import Callable

import dagster as dg
import duckdb

from orchestration.quality import RAW_SUITES, SUITES, Suite, evaluate
from pipelines import settings


def allowed_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Reference values the suites check against (the tiers of the tier rules)."""
    tiers = [
        r[0]
        for r in con.execute("select distinct partner_tier from reference.tier_rules").fetchall()
    ]
    return {"tiers": tiers}


def _no_reference(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    return {}  # raw suites check the contract's values: the seeds may not be loaded yet


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _suite_check(
    suite: Suite,
    name: str,
    allowed: Callable[[duckdb.DuckDBPyConnection], dict[str, list[str]]],
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key)),
        name=name,
        blocking=True,
        description=f"great-expectations suite, blocking: {suite.description}",
    )
    def _check() -> dg.AssetCheckResult:
        with duckdb.connect(str(settings.warehouse_path())) as con:
            if not _exists(con, suite.table):
                return dg.AssetCheckResult(
                    passed=True, description=f"{suite.table} has no rows loaded yet"
                )
            frame = con.execute(suite.sql).df()
            outcome = evaluate(frame, suite, allowed(con))
        return dg.AssetCheckResult(
            passed=not (outcome.failures or outcome.warnings),
            # only an ERROR blocks what is downstream; warnings are shown and block nothing
            severity=dg.AssetCheckSeverity.WARN
            if outcome.warnings and not outcome.failures
            else dg.AssetCheckSeverity.ERROR,
            description="; ".join(outcome.failures + outcome.warnings)
            or f"{len(frame):,} rows pass",
            metadata={
                "rows": len(frame),
                "failed_expectations": len(outcome.failures),
                "warnings": len(outcome.warnings),
            },
        )

    return _check


def gx_check(suite: Suite) -> dg.AssetChecksDefinition:
    """The blocking check of a mart suite."""
    return _suite_check(suite, f"gx_{suite.asset_key[-1]}", allowed_values)


def raw_gx_check(suite: Suite) -> dg.AssetChecksDefinition:
    """The blocking check of a raw-table suite, on the ingest asset ``[system, table]``."""
    return _suite_check(suite, f"gx_raw_{suite.asset_key[-1]}", _no_reference)


def quality_checks() -> list[dg.AssetChecksDefinition]:
    """The mart suites, and the raw suites of the configured feeds (an absent feed has no table)."""
    feeds = settings.configured_feeds()
    raw = [s for s in RAW_SUITES if s.asset_key[0] in feeds]
    return [*(gx_check(s) for s in SUITES), *(raw_gx_check(s) for s in raw)]
