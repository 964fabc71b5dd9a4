"""The great-expectations suites on the raw tables the marts depend on most: every critical
expectation fires on a negative fixture, warnings block nothing, and a failing raw table keeps what
is downstream of it from running."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.assets.quality import quality_checks, raw_gx_check
from orchestration.quality import (
    CLOCK_SKEW_SECONDS,
    RAW_SUITES,
    RAW_TABLES,
    Outcome,
    Suite,
    evaluate,
)
from pipelines.contracts import Entity, entity

DUCKDB_TYPES = {
    "string": "varchar",
    "integer": "bigint",
    "decimal": "decimal(18, 2)",
    "double": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
}
LOADED_AT = datetime(2026, 2, 1, tzinfo=UTC)
EXPECTATION = {
    "not_null": "expect_column_values_to_not_be_null",
    "unique": "expect_column_values_to_be_unique",
    "in_set": "expect_column_values_to_be_in_set",
    "between": "expect_column_values_to_be_between",
}


def _suite(system: str, name: str) -> Suite:
    return next(s for s in RAW_SUITES if s.asset_key == (system, name))


def _value(e: Entity, column: str, row: int) -> Any:
    c = e.column(column)
    if c.enum:
        return c.enum[row % len(c.enum)]
    return {
        "string": f"{column}-{row}",
        "integer": row + 1,
        "decimal": Decimal("125.50"),
        "double": 1.5,
        "boolean": True,
        "date": date(2026, 1, 1),
        "timestamp": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=row),
    }[c.type]


def raw_table(con: duckdb.DuckDBPyConnection, e: Entity, rows: int = 3) -> None:
    """``raw_<system>.<entity>`` as dlt loads it: contract types, valid rows, a load id."""
    columns = ", ".join(f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in e.columns)
    con.execute(f"create schema if not exists {e.dataset}")
    con.execute(f"create or replace table {e.dataset}.{e.name} ({columns}, _dlt_load_id varchar)")
    marks = ", ".join("?" for _ in range(len(e.columns) + 1))
    load_id = f"{LOADED_AT.timestamp():.6f}"
    for row in range(rows):
        values = [_value(e, c.name, row) for c in e.columns]
        con.execute(f"insert into {e.dataset}.{e.name} values ({marks})", [*values, load_id])


def outcome(e: Entity, change: str = "") -> Any:
    """The suite's outcome on a valid raw table after the SQL ``change`` (an update)."""
    con = duckdb.connect()
    try:
        raw_table(con, e)
        if change:
            con.execute(change.format(table=f"{e.dataset}.{e.name}"))
        suite = _suite(e.system, e.name)
        return evaluate(con.execute(suite.sql).df(), suite, {})
    finally:
        con.close()


def critical_cases() -> list[Any]:
    """Every critical expectation of every raw suite with the change that breaks it (stated from the
    contract here, independently of how the suites are built)."""
    cases = []
    for system, name in RAW_TABLES:
        e = entity(system, name)
        pk = e.primary_key
        cases.append(
            (e, "not_null", pk, f'update {{table}} set "{pk}" = null where "{pk}" = \'{pk}-1\'')
        )
        if e.write_disposition == "merge":
            cases.append((e, "unique", pk, f"update {{table}} set \"{pk}\" = '{pk}-0'"))
        for c in e.columns:
            if c.enum:
                cases.append((e, "in_set", c.name, f"update {{table}} set \"{c.name}\" = 'hacked'"))
            if c.nonnegative:
                cases.append((e, "between", c.name, f'update {{table}} set "{c.name}" = -1'))
    return [pytest.param(*case, id=f"{case[0].name}-{case[1]}-{case[2]}") for case in cases]


@pytest.mark.parametrize(("system", "name"), RAW_TABLES)
def test_a_valid_raw_table_passes(system: str, name: str) -> None:
    assert outcome(entity(system, name)) == Outcome([], [])


@pytest.mark.parametrize(("e", "kind", "column", "change"), critical_cases())
def test_each_critical_expectation_fires(e: Entity, kind: str, column: str, change: str) -> None:
    (failure,) = outcome(e, change).failures
    assert f"{EXPECTATION[kind]} on {column} failed" in failure


def test_a_timestamp_after_its_load_only_warns() -> None:
    later = LOADED_AT + timedelta(seconds=CLOCK_SKEW_SECONDS + 60)
    result = outcome(entity("crm", "deals"), f"update {{table}} set updated_at = '{later}'")
    assert result.failures == []
    (warning,) = result.warnings
    assert "_load_time_limit >= updated_at" in warning
    # within the allowed clock skew it is not even a warning
    near = LOADED_AT + timedelta(seconds=CLOCK_SKEW_SECONDS - 60)
    assert outcome(entity("crm", "deals"), f"update {{table}} set updated_at = '{near}'") == (
        outcome(entity("crm", "deals"))
    )


def test_a_payment_delivered_twice_only_warns() -> None:
    """Append tables keep every delivery; staging keeps the latest one."""
    result = outcome(
        entity("finance", "mdf_payments"), "update {table} set payment_id = 'payment_id-0'"
    )
    assert result.failures == []
    (warning,) = result.warnings
    assert "expect_column_values_to_be_unique on payment_id" in warning


def _bad_raw_deals(warehouse: Path, change: str) -> dg.AssetsDefinition:
    e = entity("crm", "deals")

    @dg.asset(key=["crm", "deals"])
    def raw_deals() -> None:
        with duckdb.connect(str(warehouse)) as con:
            raw_table(con, e)
            con.execute(change.format(table="raw_crm.deals"))

    return raw_deals


@dg.asset(key=["staging", "stg_crm__deals"], deps=[dg.AssetKey(["crm", "deals"])])
def stg_crm__deals() -> None:
    """Stands in for the dbt staging model (and so everything built on raw deals)."""


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str):
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("PRM_WAREHOUSE", str(warehouse))
    raw = _bad_raw_deals(warehouse, change)
    return dg.materialize(
        [raw, raw_gx_check(_suite("crm", "deals")), stg_crm__deals],
        selection=dg.AssetSelection.assets(raw, stg_crm__deals),
        raise_on_error=False,
    )


def test_a_failing_raw_table_blocks_its_staging_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(
        tmp_path, monkeypatch, "update {table} set dealstage = 'hacked' where id = 'id-1'"
    )
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert "dealstage" in check.description
    materialized = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    assert materialized == {("crm", "deals")}
    assert [e.step_key for e in result.get_step_failure_events()] == ["crm__deals_gx_raw_deals"]


def test_a_raw_warning_blocks_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(tmp_path, monkeypatch, "update {table} set updated_at = '2027-01-01'")
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert result.success
    materialized = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    assert materialized == {("crm", "deals"), ("staging", "stg_crm__deals")}


def test_every_raw_suite_is_a_blocking_check_on_its_ingest_asset(defs) -> None:
    graph = defs.resolve_asset_graph()
    raw = {
        spec.asset_key: spec
        for c in quality_checks()
        for spec in c.check_specs
        if spec.name.startswith("gx_raw_")
    }
    assert set(raw) == {dg.AssetKey(list(t)) for t in RAW_TABLES}
    for key, spec in raw.items():
        assert graph.get_check_spec(spec.key).blocking
        assert graph.get(key).group_name == "ingest"
