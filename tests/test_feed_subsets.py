"""A company without every feed: CRM only, then CRM + finance, through the real `prm` command.

One tiny world is simulated (it drops files for all four feeds); the warehouse is told which feeds
it has with ``PRM_FEEDS``, so the other feeds' files are simply not ours. The CRM-only run is the
first onboarding step; adding finance is the second, on the same warehouse.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from pipelines import settings
from tests.test_end_to_end import DBT, PRM

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("feeds")]


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    return con.execute(sql).fetchone()


@pytest.fixture(scope="module")
def subset_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("feeds") / "data"
    _prm(data, "world", "generate", "--scale", "tiny")
    return data


def _prm(data: Path, *args: str, **env: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PRM_", "SOURCES__"))},
        "PRM_DATA_DIR": str(data),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "PRM_PII_KEY": os.environ.get("PRM_PII_KEY", "test-pii-key"),
        **env,
    }
    done = subprocess.run([PRM, *args], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _run(data: Path, feeds: str) -> str:
    # its own dbt target: the manifest of a feed subset must not replace the suite's shared one
    return _prm(data, "run", PRM_FEEDS=feeds, DBT_TARGET_PATH=str(data / "dbt_target"))


def _schemas(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()
    }


def _page(data: Path, slug: str) -> str:
    return (data / "dashboards" / f"{slug}.html").read_text()


def test_a_crm_only_warehouse_runs_the_full_job_and_says_what_it_lacks(subset_world) -> None:
    data = subset_world
    _run(data, "crm")
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        schemas = _schemas(con)
        assert "raw_crm" in schemas
        assert not {"raw_lms", "raw_tcma", "raw_finance"} & schemas, "no empty raw tables"
        assert con.execute(
            "select feed_name from marts.dim_feeds where is_configured"
        ).fetchall() == [("crm",)]
        assert {
            r[0] for r in con.execute("select feed_name from reports.rpt_feed_health").fetchall()
        } == {"crm"}
        # the CRM's figures are there; the figures of absent feeds are null, not zero
        revenue, certified, mdf = _one(
            con,
            "select sum(partner_revenue_amount), count(certified_people_count), "
            "count(mdf_paid_amount) from marts.fct_partner_monthly_kpis",
        )
        assert revenue > 0 and certified == 0 and mdf == 0
        assert (
            _one(con, "select count(ees_score), count(*) from marts.dim_partner_productivity")[0]
            == 0
        )
        assert _one(
            con, "select count(*) from marts.fct_segment_kpis where segment_type = 'certification'"
        ) == (0,)
        assert _one(con, "select count(certified_people_count) from marts.dim_partners") == (0,)
        # the automation runs on what exists: every active partner decided and written back
        active = _one(con, "select count(*) from marts.dim_partners where is_active")[0]
        decided, explained = _one(
            con,
            "select count(*), count(*) filter (where figures like "
            "'%certifications not evaluated (no LMS feed configured)%') "
            "from automation.tier_evaluations where is_latest",
        )
        assert decided == explained == active > 0
        acknowledged = _one(
            con,
            "select count(*) from reverse_etl.crm_sync_state where object_type = 'partners' "
            "and acknowledged_at is not null",
        )[0]
        assert acknowledged == active
        assert _one(con, "select count(*) from marts.fct_registration_conflict_checks")[0] > 0
    finally:
        con.close()
    assert "No LMS feed configured" in _page(data, "enablement")
    assert "No finance feed configured" in _page(data, "mdf_roi")
    assert "No LMS feed configured: certified people" in _page(data, "partner_scorecards")
    assert "partners bring" in _page(data, "partner_pipeline")


def test_the_unit_tests_hold_in_a_crm_only_build(subset_world) -> None:
    """The job does not run dbt's unit tests; an analyst's `dbt build` does. Those whose given rows
    include other feeds' rows say in their overrides that every feed is configured."""
    data = subset_world
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PRM_", "SOURCES__"))},
        "PRM_DATA_DIR": str(data),
        "PRM_WAREHOUSE": str(data / "warehouse.duckdb"),
        "PRM_PII_KEY": os.environ.get("PRM_PII_KEY", "test-pii-key"),
    }
    args = [DBT, "test", "--select", "test_type:unit", "--vars", "{feeds: [crm]}"]
    args += ["--project-dir", str(settings.PROJECT_ROOT), "--profiles-dir"]
    args += [str(settings.PROJECT_ROOT / "dbt_project"), "--target-path", str(data / "dbt_target")]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_adding_the_finance_feed_brings_its_figures_and_keeps_the_rest_absent(subset_world) -> None:
    data = subset_world
    _run(data, "crm,finance")
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        schemas = _schemas(con)
        assert {"raw_crm", "raw_finance"} <= schemas
        assert not {"raw_lms", "raw_tcma"} & schemas
        mdf, certified = _one(
            con,
            "select sum(mdf_paid_amount), count(certified_people_count) "
            "from marts.fct_partner_monthly_kpis",
        )
        assert mdf > 0 and certified == 0
        assert _one(con, "select count(*) from marts.fct_mdf_budgets")[0] > 0
    finally:
        con.close()
    assert "No finance feed configured" not in _page(data, "mdf_roi")
    assert "No LMS feed configured" in _page(data, "enablement")


def test_a_salesforce_export_onboards_crm_only_from_zero_to_pages(tmp_path_factory) -> None:
    """The first run of a real team: a Salesforce report export (hand-written fixture, US dates),
    no simulated world, no CRM API, no other feed. Everything builds; what cannot be done says so."""
    from tests.crm.test_mappings import FIXTURES

    data = tmp_path_factory.mktemp("salesforce") / "data"
    data.mkdir()
    (data / "sources.yml").write_text(
        "feeds:\n  crm:\n    mode: export\n    mapping: salesforce\n"
        f"    folder: {FIXTURES / 'salesforce'}\n    date_format: '%m/%d/%Y'\n"
        "    timestamp_format: '%m/%d/%Y %I:%M %p'\n"
    )
    _prm(data, "sources", "check", str(data / "sources.yml"))
    out = _prm(data, "run", DBT_TARGET_PATH=str(data / "dbt_target"))
    assert "feeds: crm (not configured: lms, tcma, finance)" in out
    assert out.count("nothing written back: the CRM is read from CSV exports") == 3
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        assert _one(con, "select count(*) from marts.fct_opportunities") == (7,)
        # partner accounts carry no application date and no DPA: kept, step 0, fail closed
        assert _one(
            con,
            "select count(*), count(cohort_quarter), max(funnel_step_number) "
            "from marts.fct_partner_onboarding_funnel",
        ) == (3, 0, 0)
        assert _one(con, "select count(*) from marts.dim_partners where has_signed_dpa") == (0,)
        assert _one(
            con, "select drift_kind, unknown_columns from reports.rpt_feed_schema_drift"
        ) == (
            "unknown columns",
            "Region__c",
        )
        # open partner deals with no OpportunityHistory rows: scored from their current stage by
        # the CRM stage probability (no closed history to train on), days in stage unknown
        scored = con.execute(
            "select count(*), count(distinct stage_source), min(stage_source), "
            "min(scored_by), max(scored_by), count(days_in_stage) from marts.fct_opportunity_health"
        ).fetchone()
        assert scored[0] >= 1 and scored[1:] == (
            1,
            "current_stage",
            "crm_stage_probability",
            "crm_stage_probability",
            0,
        ), scored
    finally:
        con.close()
    assert "Region__c" in _page(data, "data_health")
    assert "too little closed history to train on" in _page(data, "pipeline_health")
