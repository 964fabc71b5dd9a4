from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines import settings
from pipelines.contracts import ENTITIES, SYSTEMS
from tests.dbt.fake_raw import build

STAGING = settings.PROJECT_ROOT / "dbt_project" / "models" / "staging"


def _yml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("system", SYSTEMS)
def test_sources_yml_lists_every_contract_table_and_column(system: str) -> None:
    source = _yml(STAGING / system / f"_{system}__sources.yml")["sources"][0]
    assert source["name"] == system and source["schema"] == f"raw_{system}"
    tables = {t["name"]: [c["name"] for c in t["columns"]] for t in source["tables"]}
    for e in (e for e in ENTITIES if e.system == system):
        assert tables[e.name][: len(e.columns)] == list(e.column_names), e.name
    assert "quarantined_records" in tables


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: f"{e.system}.{e.name}")
def test_each_raw_table_has_one_described_staging_model_with_a_tested_key(entity) -> None:
    folder = STAGING / entity.system
    name = f"stg_{entity.system}__{entity.name}"
    assert (folder / f"{name}.sql").exists()
    models = {m["name"]: m for m in _yml(folder / f"_{entity.system}__models.yml")["models"]}
    model = models[name]
    assert model["description"]
    assert all(c.get("description") for c in model["columns"])
    keyed = [
        c
        for c in model["columns"]
        if {"not_null", "unique"} <= set(map(str, c.get("data_tests", [])))
    ]
    assert len(keyed) == 1, f"{name} needs exactly one not_null+unique primary key"
    assert len(model["columns"]) == len(entity.columns) + 2  # + source_ref, loaded_at


def _dbt(args: list[str], warehouse: Path) -> tuple[int, dict[str, str]]:
    """Run dbt in a subprocess (dbt-duckdb keeps its connection open in-process); returns the
    exit code and each node's status from run_results.json."""
    from orchestration.resources import DBT_PROFILES_DIR, dbt_executable

    target = warehouse.parent / "target"
    env = {
        **os.environ,
        "PRM_WAREHOUSE": str(warehouse),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(warehouse.parent / "logs"),
    }
    root = str(settings.PROJECT_ROOT)
    done = subprocess.run(
        [dbt_executable(), *args, "--project-dir", root, "--profiles-dir", str(DBT_PROFILES_DIR)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    return done.returncode, {r["unique_id"].split(".")[2]: r["status"] for r in results}


@pytest.mark.slow
@pytest.mark.xdist_group("dbt")
def test_the_whole_project_builds_on_a_contract_shaped_raw_warehouse(tmp_path) -> None:
    warehouse = build(tmp_path / "w.duckdb")
    code, statuses = _dbt(["build"], warehouse)
    assert code == 0, {k: v for k, v in statuses.items() if v not in ("success", "pass")}
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from staging.stg_crm__deals").fetchone() == (3,)
    assert con.execute("select count(*) from reports.rpt_partner_pipeline").fetchone()[0] > 0


@pytest.mark.slow
@pytest.mark.xdist_group("dbt")
def test_a_duplicate_primary_key_fails_the_build(tmp_path) -> None:
    warehouse = build(tmp_path / "w.duckdb")
    con = duckdb.connect(str(warehouse))
    con.execute("insert into raw_crm.partners select * from raw_crm.partners limit 1")
    con.close()
    code, statuses = _dbt(["build", "--select", "stg_crm__partners"], warehouse)
    assert code != 0
    assert statuses["unique_stg_crm__partners_partner_id"] == "fail"
