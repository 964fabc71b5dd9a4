"""Blocking great-expectations checks on the marts the CRM write-back reads (orchestration/quality.py).

A failing suite stops every asset downstream of its mart in the run: tier decisions and the
partner write-back behind ``fct_partner_tier_criteria`` and ``dim_partners``, the expiry engine
and the registration write-back behind ``fct_deal_registrations``.
"""

import dagster as dg
import duckdb

from orchestration.quality import SUITES, Suite, validate
from pipelines import settings


def allowed_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Reference values the suites check against (the tiers of the tier rules)."""
    tiers = [
        r[0]
        for r in con.execute("select distinct partner_tier from reference.tier_rules").fetchall()
    ]
    return {"tiers": tiers}


def gx_check(suite: Suite) -> dg.AssetChecksDefinition:
    schema, table = suite.table.split(".")

    @dg.asset_check(
        asset=dg.AssetKey([schema, table]),
        name=f"gx_{table}",
        blocking=True,
        description=f"great-expectations suite, blocking: {suite.description}",
    )
    def _check() -> dg.AssetCheckResult:
        with duckdb.connect(str(settings.warehouse_path())) as con:
            frame = con.execute(f"select * from {suite.table}").df()
            failures = validate(frame, suite, allowed_values(con))
        return dg.AssetCheckResult(
            passed=not failures,
            description="; ".join(failures) or f"{len(frame):,} rows pass",
            metadata={"rows": len(frame), "failed_expectations": len(failures)},
        )

    return _check


def quality_checks() -> list[dg.AssetChecksDefinition]:
    return [gx_check(s) for s in SUITES]
