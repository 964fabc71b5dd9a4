"""The dbt sources and staging layer against the feed contract.

Fast tests read the yml and SQL and catch drift between pipelines/contracts.py and dbt; slow tests
build a contract-shaped raw warehouse (tests/dbt/fake_raw.py) and run dbt on it in-process.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml
from dbt.cli.main import dbtRunner, dbtRunnerResult

from pipelines import settings
from pipelines.common.ledger import LEDGER_SCHEMA
from pipelines.common.validation import DUCKDB_TYPES, QUARANTINE_SCHEMA
from pipelines.contracts import ENTITIES, SYSTEMS, Column, Entity, entities
from tests.dbt.fake_raw import DLT_COLUMNS, build

DBT_DIR = settings.PROJECT_ROOT / "dbt_project"
STAGING = DBT_DIR / "models" / "staging"
QUARANTINE_MACRO = DBT_DIR / "macros" / "stage_quarantined_records.sql"
LEDGER_MACRO = DBT_DIR / "macros" / "stage_load_ledger.sql"


def _yml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _source(system: str) -> dict:
    (source,) = _yml(STAGING / system / f"_{system}__sources.yml")["sources"]
    return source


def _models(system: str) -> dict[str, dict]:
    return {m["name"]: m for m in _yml(STAGING / system / f"_{system}__models.yml")["models"]}


def _select_list(sql: str) -> list[tuple[str, str]]:
    """(expression, alias) of each column the ``final`` CTE selects."""
    body = sql.split("final as (", 1)[1].split("select", 1)[1]
    items = body.split("\n\n    from ", 1)[0].strip().splitlines()
    pairs = []
    for item in (i.strip().rstrip(",") for i in items):
        expr, _, alias = item.rpartition(" as ")
        pairs.append((expr or alias, alias))
    return pairs


def _referenced(pairs: list[tuple[str, str]], candidates: set[str]) -> set[str]:
    """Which of ``candidates`` (raw column names) the select expressions read."""
    words = {w for expr, _ in pairs for w in re.findall(r"[a-z_][a-z0-9_]*", expr)}
    return words & candidates


def _staged_as(column: Column) -> tuple[str, str]:
    """The select item a contract column must have in staging. Personal data (``pii`` in the
    contract) leaves the restricted raw schema only as its keyed hash, ``<column>_hash``."""
    if column.pii:
        return f"{{{{ pii_hash('{column.name}') }}}}", f"{column.name}_hash"
    return column.name, ""


def _test_names(column: dict) -> set[str]:
    return {t if isinstance(t, str) else next(iter(t)) for t in column.get("data_tests", [])}


def _test_args(column: dict, name: str) -> dict:
    (test,) = [t[name] for t in column.get("data_tests", []) if isinstance(t, dict) and name in t]
    return test["arguments"]


# --- contract <-> dbt drift (fast) -------------------------------------------------------------


@pytest.mark.parametrize("system", SYSTEMS)
def test_sources_yml_mirrors_the_contract(system: str) -> None:
    source = _source(system)
    assert source["schema"] == f"raw_{system}"
    assert "_dlt_load_id" in source["loaded_at_field"]  # freshness is about load time
    assert source["config"]["freshness"] == {
        "warn_after": {"count": 2, "period": "day"},
        "error_after": {"count": 7, "period": "day"},
    }
    tables = {t["name"]: t for t in source["tables"]}
    assert set(tables) == {e.name for e in entities(system)} | {
        "quarantined_records",
        "load_ledger",
    }
    ledger = [c["name"] for c in tables["load_ledger"]["columns"]]
    assert ledger == [f.name for f in LEDGER_SCHEMA] + ["_dlt_load_id", "_dlt_id"], "as written"
    for e in entities(system):
        columns = tables[e.name]["columns"]
        expected = [(c.name, DUCKDB_TYPES[c.type]) for c in e.columns] + list(DLT_COLUMNS.items())
        assert [(c["name"], c["data_type"].upper()) for c in columns] == [
            (n, t.replace("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE")) for n, t in expected
        ], e.name
        assert all(c.get("description") for c in columns), e.name
        key = next(c for c in columns if c["name"] == e.primary_key)
        # an append table may hold a re-delivered event: its key is unique only after staging
        wanted = {"not_null", "unique"} if e.write_disposition == "merge" else {"not_null"}
        assert _test_names(key) == wanted, e.name


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: f"{e.system}.{e.name}")
def test_staging_model_reads_every_contract_column_and_documents_what_it_selects(
    entity: Entity,
) -> None:
    name = f"stg_{entity.system}__{entity.name}"
    sql = (STAGING / entity.system / f"{name}.sql").read_text()
    assert f"source('{entity.system}', '{entity.name}')" in sql
    pairs = _select_list(sql)
    raw = set(entity.column_names) | set(DLT_COLUMNS)
    assert _referenced(pairs, raw) == raw - {"_dlt_id"}, "every contract column, no _dlt_id"
    if entity.write_disposition == "append":
        assert f"latest_delivery('source', '{entity.primary_key}')" in sql

    model = _models(entity.system)[name]
    assert model["description"]
    columns = model["columns"]
    assert [c["name"] for c in columns] == [alias for _, alias in pairs], (
        "yml lists the SQL's columns"
    )
    assert all(c.get("description") for c in columns)
    assert {"not_null", "unique"} <= _test_names(columns[0]), "the first column is the key"
    staged = {expr: (alias, c) for (expr, alias), c in zip(pairs, columns, strict=True)}
    for col in entity.columns:
        expr, hashed_alias = _staged_as(col)
        assert expr in staged, f"{col.name} is staged as {expr}"
        alias, column = staged[expr]
        if col.pii:
            assert alias == hashed_alias, col.name
            assert not any(col.name == e for e, _ in pairs), f"{col.name} in clear"
        tests = _test_names(column)
        if col.required:
            assert "not_null" in tests, col.name
        if col.nonnegative:
            assert "not_negative" in tests, col.name
        if col.enum:
            assert _test_args(column, "accepted_values")["values"] == list(col.enum)


@pytest.mark.parametrize("system", SYSTEMS)
def test_each_feed_stages_its_quarantine_with_the_shared_macro(system: str) -> None:
    name = f"stg_{system}__quarantined_records"
    sql = (STAGING / system / f"{name}.sql").read_text()
    assert sql.strip() == f"{{{{ stage_quarantined_records('{system}') }}}}"
    pairs = _select_list(QUARANTINE_MACRO.read_text())
    raw = {f.name for f in QUARANTINE_SCHEMA} | {"_dlt_load_id"}
    assert _referenced(pairs, raw | {"_dlt_id"}) == raw
    # the raw payload may hold e-mails and phone numbers: staged masked
    assert ("{{ pii_redact('payload') }}", "payload") in pairs
    columns = _models(system)[name]["columns"]
    assert [c["name"] for c in columns] == [alias for _, alias in pairs]
    assert all(c.get("description") for c in columns)


@pytest.mark.parametrize("system", SYSTEMS)
def test_each_feed_stages_its_load_ledger_with_the_shared_macro(system: str) -> None:
    name = f"stg_{system}__load_ledger"
    sql = (STAGING / system / f"{name}.sql").read_text()
    assert sql.strip() == f"{{{{ stage_load_ledger('{system}') }}}}"
    pairs = _select_list(LEDGER_MACRO.read_text())
    raw = {f.name for f in LEDGER_SCHEMA} | {"_dlt_load_id"}
    # the read's own time stays out: reports on the files must not move on a rerun
    assert _referenced(pairs, raw | {"_dlt_id"}) == raw - {"recorded_at"}
    columns = _models(system)[name]["columns"]
    assert [c["name"] for c in columns] == [alias for _, alias in pairs]
    assert all(c.get("description") for c in columns)


def test_staging_has_one_model_per_raw_table_and_nothing_else() -> None:
    expected = {f"stg_{e.system}__{e.name}" for e in ENTITIES}
    expected |= {f"stg_{s}__quarantined_records" for s in SYSTEMS}
    expected |= {f"stg_{s}__load_ledger" for s in SYSTEMS}
    assert {p.stem for p in STAGING.glob("*/stg_*.sql")} == expected
    assert set().union(*(_models(s) for s in SYSTEMS)) == expected


# --- dbt on a contract-shaped raw warehouse (slow) ---------------------------------------------


# the fake partner whose CRM record the whole-project build leaves out (as if quarantined)
MISSING_PARTNER = "2"
# a one-model build leaves out the relationships tests whose other side is not built
ONLY_THESE = ["--indirect-selection", "cautious"]


def _dbt(args: list[str], tmp: Path, monkeypatch: pytest.MonkeyPatch) -> dbtRunnerResult:
    """Run dbt in-process on the warehouse ``tmp/w.duckdb``; artifacts and logs stay in ``tmp``."""
    monkeypatch.setenv("PRM_WAREHOUSE", str(tmp / "w.duckdb"))
    monkeypatch.setenv(settings.PII_KEY_ENV, settings.pii_key())
    return dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(settings.PROJECT_ROOT),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ]
    )


def _statuses(result: dbtRunnerResult) -> dict[str, str]:
    return {r.node.name: str(r.status) for r in result.result.results}


def _failed(result: dbtRunnerResult) -> dict[str, str]:
    return {k: v for k, v in _statuses(result).items() if v not in ("success", "pass")}


@pytest.mark.slow
@pytest.mark.xdist_group("dbt")
def test_dbt_parse_raises_no_deprecation_warnings(tmp_path, monkeypatch) -> None:
    warnings: list[str] = []

    def collect(event) -> None:
        if event.info.level in ("warn", "error"):
            warnings.append(event.info.name)

    monkeypatch.setenv("PRM_WAREHOUSE", str(tmp_path / "w.duckdb"))
    result = dbtRunner(callbacks=[collect]).invoke(
        [
            "parse",
            "--no-partial-parse",
            "--show-all-deprecations",
            "--project-dir",
            str(settings.PROJECT_ROOT),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ]
    )
    assert result.success, result.exception
    # an empty layer folder (intermediate/ before its first model) is the one tolerated warning
    assert set(warnings) <= {"UnusedResourceConfigPath"}, warnings


@pytest.mark.slow
@pytest.mark.xdist_group("dbt")
def test_a_duplicate_primary_key_fails_the_build(tmp_path, monkeypatch) -> None:
    warehouse = build(tmp_path / "w.duckdb")
    con = duckdb.connect(str(warehouse))
    con.execute("insert into raw_crm.partners select * from raw_crm.partners limit 1")
    con.close()
    # the source test fires first and keeps the duplicate out of staging
    result = _dbt(
        ["build", "--select", "source:crm.partners", "stg_crm__partners", *ONLY_THESE],
        tmp_path,
        monkeypatch,
    )
    assert not result.success
    statuses = _statuses(result)
    assert statuses["source_unique_crm_partners_id"] == "fail"
    assert statuses["stg_crm__partners"] == "skipped"
    # without it, the staging key test fires on its own
    result = _dbt(["build", "--select", "stg_crm__partners", *ONLY_THESE], tmp_path, monkeypatch)
    assert not result.success
    assert _statuses(result)["unique_stg_crm__partners_partner_id"] == "fail"


@pytest.mark.slow
@pytest.mark.xdist_group("dbt")
def test_a_redelivered_event_is_staged_once_from_its_latest_load(tmp_path, monkeypatch) -> None:
    warehouse = build(tmp_path / "w.duckdb")
    con = duckdb.connect(str(warehouse))
    con.execute(
        "insert into raw_lms.learning_events"
        " select * replace ('1895338301.5' as _dlt_load_id, 'again' as _dlt_id, 99 as duration_seconds)"
        " from raw_lms.learning_events where event_id = '1'"
    )
    con.close()
    result = _dbt(
        [
            "build",
            "--select",
            "source:lms.learning_events",
            "stg_lms__learning_events",
            *ONLY_THESE,
        ],
        tmp_path,
        monkeypatch,
    )
    assert result.success, _failed(result)
    con = duckdb.connect(str(warehouse))
    try:
        staged = con.execute(
            "select learning_event_id, duration_seconds from staging.stg_lms__learning_events"
            " where learning_event_id = '1'"
        ).fetchall()
    finally:
        con.close()
    assert staged == [("1", 99)]


@pytest.mark.slow
@pytest.mark.xdist_group("dbt")
def test_the_whole_project_builds_on_a_contract_shaped_raw_warehouse(tmp_path, monkeypatch) -> None:
    """One build of everything (seeds, models, snapshots, data and unit tests) on hand-made raw
    rows, then the staging layer checked against its documentation.

    One partner's CRM record is missing, as when the CRM feed quarantines it (the large world's
    CRM corrupts one record in 500), while its people, its won deal and its rebate payment are
    there: the build must still succeed, with warnings, not fail on every fact that names it."""
    warehouse = build(tmp_path / "w.duckdb")
    con = duckdb.connect(str(warehouse))
    con.execute(f"delete from raw_crm.partners where id = '{MISSING_PARTNER}'")
    con.execute(
        f"update raw_crm.deals set dealstage = 'closedwon' where partner_id = '{MISSING_PARTNER}'"
    )
    con.close()
    result = _dbt(["build"], tmp_path, monkeypatch)
    assert result.success, _failed(result)
    statuses = _statuses(result)
    # the facts that name the missing partner warn; none is skipped
    warned = {name for name, status in statuses.items() if status == "warn"}
    for fact in (
        "fct_learning_path_completion",
        "fct_incentive_accrual_lines",
        "fct_incentive_accruals",
    ):
        assert f"relationships_{fact}_partner_id__partner_id__ref_dim_partners_" in warned, fact
    assert "skipped" not in statuses.values()
    assert "source_unique_crm_partners_id" in statuses  # source tests ran too
    # every entity, and each feed's quarantine and load ledger
    assert sum(name.startswith("stg_") for name in statuses) == len(ENTITIES) + 2 * len(SYSTEMS)

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        for system in SYSTEMS:
            for name, model in _models(system).items():
                actual = con.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_schema = 'staging' and table_name = ? order by ordinal_position",
                    [name],
                ).fetchall()
                documented = [(c["name"], c["data_type"].upper()) for c in model["columns"]]
                assert actual == documented, name
        rows = con.execute("select count(*) from staging.stg_crm__deals").fetchone()
        assert rows == (3,)
        # the LMS/TCMA/finance partner key is the CRM's external id, not its record id
        joined = con.execute(
            "select count(*) from staging.stg_finance__mdf_allocations as allocations"
            " inner join staging.stg_crm__partners as partners"
            " on allocations.partner_external_id = partners.partner_external_id"
        ).fetchone()
        assert joined == (2,)  # all but the missing partner's
    finally:
        con.close()

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        assert con.execute("select count(*) from reports.rpt_partner_pipeline").fetchone()[0] > 0
        quarantined = con.execute(
            "select sum(quarantined_row_count) from reports.rpt_feed_health"
        ).fetchone()
        assert quarantined == (len(SYSTEMS),)
    finally:
        con.close()


def test_every_unit_test_says_every_feed_is_configured() -> None:
    """A unit test's given rows are the whole world of its model: it must not depend on which feeds
    the warehouse running it has (an analyst's CRM-only `dbt build` runs them too)."""
    missing = [
        (path.name, test["name"])
        for path in sorted((DBT_DIR / "models").rglob("*.yml"))
        for test in (_yml(path) or {}).get("unit_tests") or []
        if ((test.get("overrides") or {}).get("vars") or {}).get("feeds") != list(SYSTEMS)
    ]
    assert missing == []
