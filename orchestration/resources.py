"""Resources shared by every asset: the dbt project and CLI, the dlt runner. Set once, here."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dlt import DagsterDltResource

from pipelines import settings

DBT_PROFILES_DIR = settings.PROJECT_ROOT / "dbt_project"
# dbt's own DBT_TARGET_PATH moves the manifest too (a warehouse with other feeds parses elsewhere)
DBT_TARGET_PATH = Path(os.environ.get("DBT_TARGET_PATH", DBT_PROFILES_DIR / "target"))

dbt_project = DbtProject(
    project_dir=settings.PROJECT_ROOT,
    profiles_dir=DBT_PROFILES_DIR,
    target_path=DBT_TARGET_PATH,
)


def dbt_vars_args() -> list[str]:
    """``--vars`` of every dbt command: the configured feeds (settings.configured_feeds), which
    decide what the project parses to (absent feeds: no sources referenced, empty staging)."""
    return ["--vars", json.dumps({"feeds": list(settings.configured_feeds())})]


def dbt_executable() -> str:
    """The dbt of this virtualenv (dagster-dbt would otherwise look for `dbt` on PATH).

    ``sys.prefix`` is the venv root even in processes Dagster starts with another interpreter path.
    """
    for candidate in (Path(sys.prefix) / "bin" / "dbt", Path(sys.executable).parent / "dbt"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("dbt") or "dbt"


DBT_LOG_PATH = DBT_PROFILES_DIR / "logs"


def export_warehouse_env() -> None:
    """One setting feeds both dlt and dbt: the dbt profile reads PRM_WAREHOUSE from the env.
    dbt's artifacts and logs stay inside dbt_project/. The PII key (settings.pii_key) goes to dbt
    through the env as well."""
    os.environ["PRM_WAREHOUSE"] = str(settings.warehouse_path())
    settings.export_pii_key()
    os.environ.setdefault("DBT_TARGET_PATH", str(DBT_TARGET_PATH))
    os.environ.setdefault("DBT_LOG_PATH", str(DBT_LOG_PATH))


def resources() -> dict[str, object]:
    return {
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        "dlt": DagsterDltResource(),
    }
