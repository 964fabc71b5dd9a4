"""Shared fixtures: every test gets its own data folder, so nothing touches ./data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.settings import PII_KEY_ENV


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, before collection, so modules that build the Dagster dbt assets
    import on a fresh clone. Only the controller parses; xdist workers reuse its manifest."""
    # a fixed PII key for every test (and the xdist workers, which inherit the env): without it,
    # pipelines.settings.pii_key would generate one under ./data
    os.environ.setdefault(PII_KEY_ENV, "test-pii-key")
    if hasattr(config, "workerinput"):
        return
    from orchestration.cli import prepare_dbt

    prepare_dbt()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PRM_DATA_DIR (warehouse, landing, world, dlt state) for one test."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("PRM_DATA_DIR", str(root))
    for var in ("PRM_WAREHOUSE", "PRM_LANDING", "PRM_WORLD", "PRM_DASHBOARDS_OUT"):
        monkeypatch.delenv(var, raising=False)
    return root
