"""great-expectations suites on the warehouse, validated as dataframes.

GX 1.x cannot validate DuckDB through its SQL datasource, so a table is read into pandas and
validated through an ephemeral context's dataframe asset. Each suite is declared once here:
:data:`SUITES` for the marts the CRM write-back reads, :data:`RAW_SUITES` for the raw tables those
marts depend on most (derived from ``pipelines/contracts.py``). :func:`evaluate` returns the failed
expectations as readable lines, split into blocking failures and warnings. The Dagster checks
(``orchestration/assets/quality.py``) are blocking, so a table that fails a critical expectation
stops everything downstream of it, above all the write-back to the CRM.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from pipelines.contracts import Entity, entity

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

SEVERITY = "prm_severity"  # expectation meta: critical (blocks) or warn


def _no_expectations(allowed: dict[str, Sequence[str]]) -> list[Any]:
    return []


@dataclass(frozen=True)
class Suite:
    """The expectations of one warehouse table; ``build`` gets the allowed values it needs.

    ``build`` gives the critical expectations (a failure blocks what is downstream), ``warn`` the
    ones that only warn. ``key`` is the Dagster asset key of the table (default: its schema and
    name); ``query`` what is read (default: the whole table).
    """

    table: str
    build: Callable[[dict[str, Sequence[str]]], list[Any]]
    description: str
    warn: Callable[[dict[str, Sequence[str]]], list[Any]] = _no_expectations
    key: tuple[str, ...] = ()
    query: str = ""

    @property
    def asset_key(self) -> tuple[str, ...]:
        return self.key or tuple(self.table.split("."))

    @property
    def sql(self) -> str:
        return self.query or f"select * from {self.table}"


@dataclass(frozen=True)
class Outcome:
    """The failed expectations of one validation: ``failures`` block, ``warnings`` do not."""

    failures: list[str]
    warnings: list[str]


def _tier_criteria(allowed: dict[str, Sequence[str]]) -> list[Any]:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectTableRowCountToBeBetween(min_value=1),
        *(
            e.ExpectColumnValuesToNotBeNull(column=c)
            for c in (
                "partner_id",
                "partner_external_id",
                "evaluation_date",
                "t12m_sourced_revenue",
            )
        ),
        e.ExpectCompoundColumnsToBeUnique(column_list=["partner_id", "evaluation_date"]),
        e.ExpectColumnValuesToBeBetween(column="t12m_win_rate", min_value=0, max_value=1),
        *(
            e.ExpectColumnValuesToBeBetween(column=c, min_value=0)
            for c in (
                "t12m_sourced_revenue",
                "t12m_sourced_closed_count",
                "certified_sales_people",
                "certified_technical_people",
            )
        ),
        e.ExpectColumnValuesToBeInSet(column="tier_held", value_set=list(allowed["tiers"])),
    ]


def _partners(allowed: dict[str, Sequence[str]]) -> list[Any]:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectTableRowCountToBeBetween(min_value=1),
        *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("partner_id", "has_signed_dpa")),
        e.ExpectColumnValuesToBeUnique(column="partner_id"),
        e.ExpectColumnValuesToBeUnique(column="partner_external_id"),
        e.ExpectColumnValuesToBeInSet(column="partner_tier", value_set=list(allowed["tiers"])),
    ]


def _registrations(allowed: dict[str, Sequence[str]]) -> list[Any]:
    import great_expectations as gx

    e = gx.expectations
    return [
        *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("registration_id", "partner_id")),
        e.ExpectColumnValuesToBeUnique(column="registration_id"),
        e.ExpectColumnValuesToBeInSet(
            column="registration_status",
            value_set=["submitted", "approved", "rejected", "expired", "closed"],
        ),
        e.ExpectColumnValuesToBeBetween(column="estimated_amount", min_value=0),
    ]


SUITES: tuple[Suite, ...] = (
    Suite(
        "marts.fct_partner_tier_criteria",
        _tier_criteria,
        "figures behind tier decisions: keys present and unique, rates in 0-1, no negative counts "
        "or revenue, known tiers",
    ),
    Suite(
        "marts.dim_partners",
        _partners,
        "partners written back by external id: unique ids, DPA flag present, known tiers",
    ),
    Suite(
        "marts.fct_deal_registrations",
        _registrations,
        "registrations written back by id: unique ids, a partner, a known status, no negative amount",
    ),
)


# The raw tables the marts depend on most: deals, partners and registrations behind revenue,
# attribution, tiers and the write-back; MDF payments behind the MDF marts.
RAW_TABLES: tuple[tuple[str, str], ...] = (
    ("crm", "partners"),
    ("crm", "deals"),
    ("crm", "registrations"),
    ("finance", "mdf_payments"),
)
LOAD_TIME_LIMIT = "_load_time_limit"
CLOCK_SKEW_SECONDS = 3600  # a source clock this far ahead of ours is not yet a future timestamp


def raw_suite(e: Entity) -> Suite:
    """The suite of one raw table, from its contract.

    Blocking: the primary key present and, for merge entities, unique; enum columns within the
    contract's values; money not negative. The contract check quarantines records that break these,
    so a failure means rows reached the table around it. Warnings: timestamps later than the load
    that wrote them (a source clock ahead of ours, or a simulated world advanced past today), and a
    key twice in an append table (a re-delivered event: staging keeps its latest delivery).
    """
    enums = [c for c in e.columns if c.enum]
    money = [c for c in e.columns if c.nonnegative]
    stamps = [c for c in e.columns if c.type == "timestamp"]
    merge = e.write_disposition == "merge"

    def critical(allowed: dict[str, Sequence[str]]) -> list[Any]:
        x = _expectations()
        return [
            x.ExpectColumnValuesToNotBeNull(column=e.primary_key),
            *([x.ExpectColumnValuesToBeUnique(column=e.primary_key)] if merge else []),
            *(x.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(c.enum)) for c in enums),
            *(x.ExpectColumnValuesToBeBetween(column=c.name, min_value=0) for c in money),
        ]

    def warn(allowed: dict[str, Sequence[str]]) -> list[Any]:
        x = _expectations()
        return [
            *([] if merge else [x.ExpectColumnValuesToBeUnique(column=e.primary_key)]),
            *(
                x.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=LOAD_TIME_LIMIT,
                    column_B=c.name,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                )
                for c in stamps
            ),
        ]

    columns = dict.fromkeys([e.primary_key, *(c.name for c in [*enums, *money, *stamps])])
    select = ", ".join(f'"{c}"' for c in columns)
    table = f"{e.dataset}.{e.name}"
    return Suite(
        table,
        critical,
        f"{e.name} as loaded: key present"
        + (" and unique" if merge else "")
        + ", known enum values, no negative money (blocking); "
        + ("" if merge else "a key twice, ")
        + "a timestamp after its load (warns)",
        warn=warn,
        key=(e.system, e.name),
        query=(
            f"select {select}, to_timestamp(cast(_dlt_load_id as double)) "
            f"+ to_seconds({CLOCK_SKEW_SECONDS}) as {LOAD_TIME_LIMIT} from {table}"
        ),
    )


RAW_SUITES: tuple[Suite, ...] = tuple(raw_suite(entity(s, n)) for s, n in RAW_TABLES)


def _expectations() -> Any:
    import great_expectations as gx

    return gx.expectations


@cache
def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def evaluate(frame: pd.DataFrame, suite: Suite, allowed: dict[str, Sequence[str]]) -> Outcome:
    """The failed expectations of ``suite`` on ``frame``, one readable line each: the critical
    ones as ``failures``, the others as ``warnings``."""
    import great_expectations as gx

    context = _context()
    name = suite.table.replace(".", "__")
    # a data source per validation: the ephemeral context lives as long as the process
    source = context.data_sources.add_pandas(f"{name}__{uuid.uuid4().hex[:8]}")
    batch = (
        source.add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    critical = [_tagged(e, "critical") for e in suite.build(allowed)]
    warn = [_tagged(e, "warn") for e in suite.warn(allowed)]
    expectations = gx.ExpectationSuite(name=name, expectations=[*critical, *warn])
    outcome = Outcome([], [])
    for result in batch.validate(expectations).results:
        if result.success:
            continue
        config = result.expectation_config
        target = (
            config.kwargs.get("column")
            or config.kwargs.get("column_list")
            or (
                f"{config.kwargs['column_A']} >= {config.kwargs['column_B']}"
                if "column_A" in config.kwargs
                else "table"
            )
        )
        found = result.result or {}
        sample = found.get("partial_unexpected_list") or found.get("observed_value")
        line = (
            f"{suite.table}: {config.type} on {target} failed "
            f"({found.get('unexpected_count', '?')} rows, e.g. {sample!r})"
        )
        critical_failure = (config.meta or {}).get(SEVERITY) == "critical"
        (outcome.failures if critical_failure else outcome.warnings).append(line)
    return outcome


def _tagged(expectation: Any, severity: str) -> Any:
    expectation.meta = {**(expectation.meta or {}), SEVERITY: severity}
    return expectation


def validate(frame: pd.DataFrame, suite: Suite, allowed: dict[str, Sequence[str]]) -> list[str]:
    """The failed critical expectations of ``suite`` on ``frame``, one readable line each."""
    return evaluate(frame, suite, allowed).failures
