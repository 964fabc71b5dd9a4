"""Resources shared by every asset: the dbt project and CLI, the dlt runner. Set once, here."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dlt import DagsterDltResource

from pipelines import settings

DBT_PROFILES_DIR = settings.PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(
    project_dir=settings.PROJECT_ROOT,
    profiles_dir=DBT_PROFILES_DIR,
    target_path=Path("dbt_project") / "target",
)


def dbt_executable() -> str:
    """The dbt of this virtualenv (dagster-dbt would otherwise look for `dbt` on PATH).

    ``sys.prefix`` is the venv root even in processes Dagster starts with another interpreter path.
    """
    for candidate in (Path(sys.prefix) / "bin" / "dbt", Path(sys.executable).parent / "dbt"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("dbt") or "dbt"


DBT_TARGET_PATH = DBT_PROFILES_DIR / "target"
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
