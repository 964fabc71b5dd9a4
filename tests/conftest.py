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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heaviest modules first: ``heavy`` (the end-to-end runs), then those with ``slow`` tests,
    then the rest, each module kept whole. ``make test`` hands whole files to the two xdist
    workers in this order (``--dist loadfile --no-loadscope-reorder``), so one worker starts on
    the end-to-end chain at once while the other takes everything else; xdist's default order
    (most tests first) started it last, and its worker finished alone long after the other."""

    def rank(item: pytest.Item) -> int:
        return (
            0 if item.get_closest_marker("heavy") else 1 if item.get_closest_marker("slow") else 2
        )

    modules: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        modules[module] = min(modules.get(module, 2), rank(item))
    order = {module: i for i, module in enumerate(modules)}
    items.sort(key=lambda item: (modules[m := item.nodeid.split("::", 1)[0]], order[m]))


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PRM_DATA_DIR (warehouse, landing, world, dlt state) for one test."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("PRM_DATA_DIR", str(root))
    for var in ("PRM_WAREHOUSE", "PRM_LANDING", "PRM_WORLD", "PRM_DASHBOARDS_OUT"):
        monkeypatch.delenv(var, raising=False)
    return root
