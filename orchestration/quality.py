"""great-expectations suites for the marts the CRM write-back reads, validated as dataframes.

GX 1.x cannot validate DuckDB through its SQL datasource, so a mart is read into pandas and
validated through an ephemeral context's dataframe asset. Each suite is declared once here
(:data:`SUITES`); :func:`validate` returns the failed expectations as readable lines, empty when
the frame passes. The Dagster checks (``orchestration/assets/quality.py``) are blocking, so a mart
that fails its suite stops everything downstream of it, above all the write-back to the CRM.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@dataclass(frozen=True)
class Suite:
    """The expectations of one warehouse table; ``build`` gets the allowed values it needs."""

    table: str
    build: Callable[[dict[str, Sequence[str]]], list[Any]]
    description: str


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


@cache
def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def validate(frame: pd.DataFrame, suite: Suite, allowed: dict[str, Sequence[str]]) -> list[str]:
    """The failed expectations of ``suite`` on ``frame``, one readable line each."""
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
    expectations = gx.ExpectationSuite(name=name, expectations=suite.build(allowed))
    failures = []
    for result in batch.validate(expectations).results:
        if result.success:
            continue
        config = result.expectation_config
        target = config.kwargs.get("column") or config.kwargs.get("column_list") or "table"
        found = result.result or {}
        sample = found.get("partial_unexpected_list") or found.get("observed_value")
        failures.append(
            f"{suite.table}: {config.type} on {target} failed "
            f"({found.get('unexpected_count', '?')} rows, e.g. {sample!r})"
        )
    return failures
