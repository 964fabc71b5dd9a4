"""Fixtures of the CRM tests: a tiny CRM database in the test's world folder, and loads of it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from pipelines import settings
from pipelines.common.ledger import LEDGER_TABLE
from pipelines.common.loading import pipeline
from pipelines.crm import crm_source
from pipelines.crm.sandbox import SandboxConfig, running_sandbox, sandbox_token
from pipelines.crm.store import crm_db_path
from tests.crm.world import build_crm_db

TOKEN = "test-token"


class SandboxClient(httpx.Client):
    """An authorised client of one running sandbox, knowing the database behind it."""

    def __init__(self, base_url: str, db_path: Path) -> None:
        super().__init__(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"})
        self.db_path = db_path


Open = Callable[..., SandboxClient]


@pytest.fixture
def open_sandbox(tmp_path: Path) -> Iterator[Open]:
    """Start a sandbox over a fresh test CRM (``per_type`` records of each object type)."""
    with contextlib.ExitStack() as stack:

        def start(per_type: int = 6, **config: Any) -> SandboxClient:
            db = build_crm_db(tmp_path / "crm.sqlite", per_type)
            url = stack.enter_context(running_sandbox(db, SandboxConfig(token=TOKEN, **config)))
            return stack.enter_context(SandboxClient(url, db))

        yield start


@pytest.fixture
def crm_db(data_dir: Path) -> Path:
    return build_crm_db(crm_db_path(settings.world_dir()))


@pytest.fixture
def load_crm(crm_db: Path) -> Callable[..., Any]:
    """Run the API source over the sandbox once; returns the dlt pipeline."""

    def run(config: SandboxConfig | None = None, page_size: int = 1000) -> Any:
        p = pipeline("crm")
        with running_sandbox(crm_db, config) as url:
            p.run(
                crm_source(base_url=url, token=sandbox_token(), page_size=page_size),
                loader_file_format="parquet",
            )
        return p

    return run


def query(sql: str, warehouse: Path | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse or settings.warehouse_path()), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def loaded_rows(p: Any) -> dict[str, int]:
    """Rows normalised per table in the pipeline's last run (dlt tables excluded)."""
    counts = p.last_trace.last_normalize_info.row_counts
    return {t: n for t, n in counts.items() if not t.startswith("_dlt") and t != LEDGER_TABLE and n}
