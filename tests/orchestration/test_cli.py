from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from orchestration.cli import app

runner = CliRunner()


def test_help_lists_the_commands_users_need() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("world", "run", "dashboards", "docs", "paths"):
        assert command in result.output
    world = runner.invoke(app, ["world", "--help"])
    for command in ("generate", "advance", "status"):
        assert command in world.output


def test_an_unknown_feed_is_a_clear_error_before_anything_runs(data_dir) -> None:
    result = runner.invoke(app, ["run", "--feed", "erp"])
    assert result.exit_code != 0
    assert "unknown feed 'erp'" in result.output
    assert not (data_dir / "warehouse.duckdb").exists()


def test_a_feed_that_is_not_configured_is_a_clear_error_before_anything_runs(
    data_dir, monkeypatch
) -> None:
    monkeypatch.setenv("PRM_FEEDS", "crm")
    result = runner.invoke(app, ["run", "--feed", "lms"])
    assert result.exit_code != 0
    assert "feed 'lms' is not configured; the configured feeds are crm" in result.output
    assert not (data_dir / "warehouse.duckdb").exists()


def test_paths_follow_the_data_dir_setting(data_dir) -> None:
    result = runner.invoke(app, ["paths"])
    assert f"warehouse:  {data_dir / 'warehouse.duckdb'}" in result.output
    assert f"dashboards: {data_dir / 'dashboards' / 'index.html'}" in result.output
    assert f"dbt docs:   {data_dir / 'docs' / 'index.html'}" in result.output


@pytest.mark.slow
def test_docs_writes_one_offline_page_documenting_the_marts(data_dir, tmp_path) -> None:
    # a subprocess: dbt-duckdb keeps its connection in-process; its own target dir, so it cannot
    # disturb the manifest other tests read
    env = {"DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "docs"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    page = (data_dir / "docs" / "index.html").read_text()
    for documented in (
        "fct_partner_attribution",
        "dim_partner_tier_history",
        "primary-credit rule",
    ):
        assert documented in page
