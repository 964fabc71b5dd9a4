"""The great-expectations suites on the marts behind the CRM write-back: each critical expectation
fires on a negative fixture, and a failing suite blocks what is downstream of its mart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.assets import automation
from orchestration.assets.quality import gx_check, quality_checks
from orchestration.quality import RAW_SUITES, SUITES, validate

ALLOWED = {"tiers": ["registered", "silver", "gold", "platinum"]}
CRITERIA = next(s for s in SUITES if s.table == "marts.fct_partner_tier_criteria")
PARTNERS = next(s for s in SUITES if s.table == "marts.dim_partners")


def criteria(**change) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "partner_id": ["p1", "p2"],
            "partner_external_id": ["X-1", "X-2"],
            "tier_held": ["gold", "silver"],
            "evaluation_date": [date(2026, 9, 30)] * 2,
            "t12m_sourced_revenue": [500_000.0, 120_000.0],
            "t12m_sourced_closed_count": [10, 4],
            "t12m_win_rate": [0.5, 0.25],
            "certified_sales_people": [1, 0],
            "certified_technical_people": [1, 0],
        }
    )
    for column, value in change.items():
        frame.loc[1, column] = value
    return frame


def test_good_figures_pass() -> None:
    assert validate(criteria(), CRITERIA, ALLOWED) == []


@pytest.mark.parametrize(
    ("change", "fires"),
    [
        ({"partner_id": "p1"}, "expect_compound_columns_to_be_unique"),
        (
            {"partner_external_id": None},
            "expect_column_values_to_not_be_null on partner_external_id",
        ),
        ({"t12m_win_rate": 1.5}, "expect_column_values_to_be_between on t12m_win_rate"),
        (
            {"t12m_sourced_revenue": -1.0},
            "expect_column_values_to_be_between on t12m_sourced_revenue",
        ),
        ({"tier_held": "diamond"}, "expect_column_values_to_be_in_set on tier_held"),
    ],
)
def test_each_critical_expectation_fires(change, fires) -> None:
    failures = validate(criteria(**change), CRITERIA, ALLOWED)
    assert len(failures) == 1 and fires in failures[0], failures


def test_an_empty_mart_fails() -> None:
    assert (
        "expect_table_row_count_to_be_between"
        in validate(criteria().iloc[:0], CRITERIA, ALLOWED)[0]
    )


def test_a_partner_id_twice_in_the_crm_key_fails() -> None:
    partners = pd.DataFrame(
        {
            "partner_id": ["p1", "p2"],
            "partner_external_id": ["X-1", "X-1"],
            "partner_tier": ["gold", "silver"],
            "has_signed_dpa": [True, False],
        }
    )
    (failure,) = validate(partners, PARTNERS, ALLOWED)
    assert "expect_column_values_to_be_unique on partner_external_id" in failure


def test_a_failing_suite_blocks_tier_decisions(tmp_path: Path, monkeypatch) -> None:
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("PRM_WAREHOUSE", str(warehouse))

    @dg.asset(key=["marts", "fct_partner_tier_criteria"])
    def bad_criteria() -> None:
        with duckdb.connect(str(warehouse)) as con:
            con.execute("create schema if not exists marts; create schema if not exists reference")
            con.execute(
                "create or replace table reference.tier_rules as select 'gold' as partner_tier"
            )
            con.register("frame", criteria(t12m_win_rate=1.5))
            con.execute(
                "create or replace table marts.fct_partner_tier_criteria as select * from frame"
            )

    result = dg.materialize(
        [bad_criteria, gx_check(CRITERIA), automation.tier_decisions],
        selection=dg.AssetSelection.assets(bad_criteria, automation.tier_decisions),
        raise_on_error=False,
    )
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed and "t12m_win_rate" in check.description
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert materialized == {"fct_partner_tier_criteria"}
    assert [e.step_key for e in result.get_step_failure_events()] == [
        "marts__fct_partner_tier_criteria_gx_fct_partner_tier_criteria"
    ]


def test_every_suite_is_a_blocking_check_on_its_table(defs) -> None:
    graph = defs.resolve_asset_graph()
    for check in quality_checks():
        (spec,) = check.check_specs
        assert spec.blocking
        assert graph.get_check_spec(spec.key).blocking
    keys = {spec.asset_key for c in quality_checks() for spec in c.check_specs}
    assert keys == {dg.AssetKey(list(s.asset_key)) for s in (*SUITES, *RAW_SUITES)}
