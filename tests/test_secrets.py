"""Secrets stay out of everything a run writes: output, dlt and dbt logs, Dagster's event log, pages.

A real path with secret values set: `prm run --feed crm` (Dagster job load_crm: the sandbox CRM
behind the bearer token, dlt into the warehouse, the run recorded under DAGSTER_HOME), then dbt
builds the contacts staging model, which hashes e-mails and phones with the PII key.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import settings
from pipelines.crm.settings import TOKEN_ENV
from pipelines.crm.store import crm_db_path
from tests.crm.world import build_crm_db

PRM = str(Path(sys.executable).parent / "prm")
DBT = str(Path(sys.executable).parent / "dbt")
CRM_TOKEN = "crm-token-7f3a9c1e5b"
PII_KEY = "pii-key-0d4b8e2a6c"


def leaks(roots: list[Path], texts: list[str], secrets: list[str]) -> list[str]:
    """Where any of ``secrets`` appears: in ``texts`` (captured output) or in any file under
    ``roots`` (read as bytes: logs, SQLite event logs, DuckDB files, load packages, pages)."""
    found = [f"output {i}: {s}" for i, text in enumerate(texts) for s in secrets if s in text]
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                found += [f"{path}: {s}" for s in secrets if s.encode() in data]
    return found


def test_leaks_finds_a_secret_in_a_file_or_the_output(tmp_path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "dbt.log").write_text(f"set variable k = '{PII_KEY}'")
    assert leaks([tmp_path], ["clean"], [PII_KEY, CRM_TOKEN]) == [
        f"{tmp_path / 'logs' / 'dbt.log'}: {PII_KEY}"
    ]
    assert leaks([], [f"Authorization: Bearer {CRM_TOKEN}"], [CRM_TOKEN]) == [
        f"output 0: {CRM_TOKEN}"
    ]


@pytest.mark.slow
@pytest.mark.xdist_group("secrets")
def test_no_secret_reaches_output_logs_event_log_warehouse_or_pages(tmp_path) -> None:
    data = tmp_path / "data"
    build_crm_db(crm_db_path(data / "world"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PRM_", "SOURCES__CRM__"))},
        "PRM_DATA_DIR": str(data),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "DBT_TARGET_PATH": str(tmp_path / "dbt_target"),
        "DBT_LOG_PATH": str(tmp_path / "dbt_logs"),
        TOKEN_ENV: CRM_TOKEN,  # the sandbox accepts only this bearer token
        settings.PII_KEY_ENV: PII_KEY,
    }

    def run(*args: str) -> str:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout + done.stderr

    outputs = [run(PRM, "run", "--feed", "crm")]
    # dbt as make/Dagster start it, on the warehouse the load wrote (debug SQL in the log file)
    env["PRM_WAREHOUSE"] = str(data / "warehouse.duckdb")
    dbt = [DBT, "build", "--select", "stg_crm__contacts", "--indirect-selection", "cautious"]
    dbt += ["--log-level-file", "debug", "--project-dir", str(settings.PROJECT_ROOT)]
    outputs.append(run(*dbt, "--profiles-dir", str(settings.PROJECT_ROOT / "dbt_project")))
    assert "stg_crm__contacts" in outputs[1]
    assert (tmp_path / "dbt_logs" / "dbt.log").is_file()
    assert any((data / "dagster_home").rglob("*.db")), "the run was recorded"

    # everything the run wrote: warehouse (view definitions included), dlt state and load
    # packages, Dagster's event log, dbt's target and logs, pages
    roots = [data, tmp_path / "dbt_target", tmp_path / "dbt_logs"]
    assert leaks(roots, outputs, [CRM_TOKEN, PII_KEY]) == []
