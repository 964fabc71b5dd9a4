"""Kill ingestion for real at several points, rerun it as production does: lose and double nothing.

A tiny simulated world is loaded as of one day (the *base*), then advanced twice by a week: two new
drops per file entity, and the CRM records created or changed in the fortnight. Each case starts
from a copy of the base warehouse and runs the incremental load of a feed through the Dagster ingest
asset in a child process (forked, so it costs no imports), which SIGKILLs itself at one point:

- ``extract``: after the second file (LMS) or API page (CRM) of the run was read;
- ``normalised``: normalisation finished, the package is pending, nothing is loaded;
- ``mid_load``: after three load jobs completed (rows are in the warehouse, the load is not);
- ``before_commit``: every job of the package is loaded, the load id is not yet in ``_dlt_loads``.

The parent then reruns the feed through the ingest asset, as the next scheduled run would, and
compares with a *reference*: the base warehouse plus one clean run of the same input. Every raw
table must hold the same rows (dlt's columns and load timestamps aside), no key twice, the same
quarantine, only load ids committed in ``_dlt_loads``, and a ledger that balances.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from dagster_dlt import DagsterDltResource
from typer.testing import CliRunner

from orchestration.assets.ingest import feed_assets, open_source
from orchestration.cli import app
from pipelines.common.ledger import LEDGER_TABLE
from pipelines.common.loading import pipeline
from pipelines.common.validation import QUARANTINE_TABLE
from pipelines.contracts import entities
from pipelines.world import advance, generate

pytestmark = pytest.mark.slow

FEEDS = ("lms", "crm")
KILL_POINTS = ("extract", "normalised", "mid_load", "before_commit")
JOBS_BEFORE_MID_LOAD_KILL = 3
# columns that record when a row was written, not what it says
LOAD_TIME_COLUMNS = {"ledger_id", "recorded_at", "quarantined_at"}
SEED, DAY0, WEEK = 11, date(2026, 9, 30), 7


# ------------------------------------------------------------------------------- the child process


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _arm(point: str) -> None:
    """Make this process SIGKILL itself at ``point`` of the coming load."""
    if point == "extract":
        from pipelines.common import drops
        from pipelines.crm.helpers import CrmClient

        read = {"files": 0, "pages": 0}
        read_drop = drops.read_drop

        def read_then_die(*args: Any, **kwargs: Any) -> Any:
            result = read_drop(*args, **kwargs)
            read["files"] += 1
            if read["files"] == 2:
                _die()
            return result

        drops.read_drop = read_then_die

        def count_pages(method: Callable[..., Iterator[list]]) -> Callable[..., Iterator[list]]:
            def paged(*args: Any, **kwargs: Any) -> Iterator[list]:
                for page in method(*args, **kwargs):
                    read["pages"] += bool(page)
                    if read["pages"] == 2:
                        _die()
                    yield page

            return paged

        CrmClient.list_pages = count_pages(CrmClient.list_pages)
        CrmClient.search_pages = count_pages(CrmClient.search_pages)
    elif point == "normalised":
        import dlt

        dlt.Pipeline.load = lambda *args, **kwargs: _die()
    elif point == "mid_load":
        from dlt.common.destination.client import RunnableLoadJob

        run_managed = RunnableLoadJob.run_managed
        completed = {"jobs": 0}
        lock = threading.Lock()

        def run_then_die(self: RunnableLoadJob, *args: Any) -> None:
            run_managed(self, *args)
            with lock:
                completed["jobs"] += self.state() == "completed"
                if completed["jobs"] == JOBS_BEFORE_MID_LOAD_KILL:
                    _die()

        RunnableLoadJob.run_managed = run_then_die
    elif point == "before_commit":
        from dlt.load.load import Load

        complete_package = Load.complete_package

        def die_before_commit(self: Load, load_id: str, schema: Any, aborted: bool = False) -> None:
            if not aborted:
                _die()
            complete_package(self, load_id, schema, aborted)

        Load.complete_package = die_before_commit
    else:
        raise ValueError(point)


def _killed_ingest(system: str, point: str) -> None:
    """The child: the production ingest asset, killed at ``point``."""
    _arm(point)
    _materialize(system)
    os._exit(0)  # the kill point was never reached: the parent sees exit code 0


def _killed_hand_run(system: str, point: str) -> None:
    """The child: a plain dlt run of the feed, as run by hand, killed at ``point``."""
    _arm(point)
    with open_source(system) as source:
        pipeline(system).run(source, loader_file_format="parquet")
    os._exit(0)


def _kill(target: Callable[[str, str], None], system: str, point: str) -> None:
    child = multiprocessing.get_context("fork").Process(target=target, args=(system, point))
    child.start()
    child.join(timeout=180)
    assert child.exitcode == -signal.SIGKILL, f"the {point} kill point was not reached"


def _materialize(system: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [feed_assets(system)], resources={"dlt": DagsterDltResource()}, raise_on_error=False
    )


# ----------------------------------------------------------------------------------- observations


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(warehouse), read_only=True)


def _data_tables(con: duckdb.DuckDBPyConnection, dataset: str) -> list[str]:
    return [
        t
        for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and not starts_with(table_name, '_dlt') order by 1",
            [dataset],
        ).fetchall()
    ]


def contents(warehouse: Path, system: str) -> dict[str, list[tuple]]:
    """Every raw table of ``system``: its rows, sorted, without dlt's or load-time columns."""
    dataset = f"raw_{system}"
    con = _connect(warehouse)
    try:
        out = {}
        for table in _data_tables(con, dataset):
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? "
                    "and table_name = ? order by ordinal_position",
                    [dataset, table],
                ).fetchall()
                if not c.startswith("_dlt") and c not in LOAD_TIME_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(
                f"select {select} from {dataset}.{table} order by all"
            ).fetchall()
        return out
    finally:
        con.close()


def uncommitted_rows(warehouse: Path, system: str) -> dict[str, int]:
    """Rows per table whose ``_dlt_load_id`` is no committed load (status 0 in ``_dlt_loads``)."""
    dataset = f"raw_{system}"
    con = _connect(warehouse)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.columns where table_schema = ? "
                "and column_name = '_dlt_load_id'",
                [dataset],
            ).fetchall()
        ]
        out = {}
        for table in tables:
            (n,) = con.execute(
                f"""select count(*) from {dataset}."{table}" where _dlt_load_id not in
                    (select load_id from {dataset}._dlt_loads where status = 0)"""
            ).fetchone()
            if n:
                out[table] = n
        return out
    finally:
        con.close()


def duplicate_keys(warehouse: Path, system: str) -> dict[str, int]:
    con = _connect(warehouse)
    try:
        present = set(_data_tables(con, f"raw_{system}"))
        keys = {e.name: e.primary_key for e in entities(system) if e.name in present}
        keys |= {QUARANTINE_TABLE: "quarantine_id", LEDGER_TABLE: "ledger_id"}
        out = {}
        for table, key in keys.items():
            if table not in present:
                continue
            (n,) = con.execute(
                f'select count(*) - count(distinct "{key}") from raw_{system}.{table}'
            ).fetchone()
            if n:
                out[table] = n
        return out
    finally:
        con.close()


def unbalanced_ledger(warehouse: Path, system: str) -> list[tuple]:
    con = _connect(warehouse)
    try:
        return con.execute(
            f"""select entity, source, rows_in from raw_{system}.{LEDGER_TABLE}
                where rows_in <> rows_loaded + rows_quarantined + rows_superseded
                                 + rows_already_loaded"""
        ).fetchall()
    finally:
        con.close()


# --------------------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class Feed:
    """The base warehouse (day 0 loaded) of one feed and the reference contents after two weeks."""

    system: str
    base: Path
    reference: dict[str, list[tuple]]


@dataclass(frozen=True)
class Worlds:
    day0: Path
    later: Path


def _point_at(monkeypatch: pytest.MonkeyPatch, data: Path, world: Path) -> None:
    """Settings for a run over ``data`` (warehouse, dlt state) reading ``world``'s drops and CRM."""
    data.mkdir(parents=True, exist_ok=True)
    shutil.copytree(world / "world", data / "world", dirs_exist_ok=True)  # the sandbox adds indexes
    monkeypatch.setenv("PRM_DATA_DIR", str(data))
    monkeypatch.setenv("PRM_LANDING", str(world / "landing"))
    for var in ("PRM_WAREHOUSE", "PRM_WORLD"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")  # built once per worker, even when other modules interleave
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Worlds:
    root = tmp_path_factory.mktemp("kill_worlds")
    day0, later = root / "day0", root / "later"
    generate("tiny", seed=SEED, as_of=DAY0, world_dir=day0 / "world", landing_dir=day0 / "landing")
    shutil.copytree(day0, later)
    for _ in range(2):  # two weekly drops per file entity
        advance(WEEK, world_dir=later / "world", landing_dir=later / "landing")
    return Worlds(day0, later)


@pytest.fixture(scope="session")  # built once per worker, even when other modules interleave
def feeds(worlds: Worlds, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Feed]:
    """The base and the reference of a feed, built on first use."""
    built: dict[str, Feed] = {}

    def get(system: str) -> Feed:
        if system not in built:
            root = tmp_path_factory.mktemp(f"kill_{system}")
            with pytest.MonkeyPatch.context() as mp:
                _point_at(mp, root / "base", worlds.day0)
                assert _materialize(system).success
            reference = root / "reference"
            with pytest.MonkeyPatch.context() as mp:
                _point_at(mp, reference, worlds.later)
                shutil.copy(root / "base" / "warehouse.duckdb", reference / "warehouse.duckdb")
                assert _materialize(system).success
            warehouse = reference / "warehouse.duckdb"
            assert contents(warehouse, system) != contents(
                root / "base" / "warehouse.duckdb", system
            )
            assert uncommitted_rows(warehouse, system) == {}
            assert duplicate_keys(warehouse, system) == {}
            assert unbalanced_ledger(warehouse, system) == []
            built[system] = Feed(
                system, root / "base" / "warehouse.duckdb", contents(warehouse, system)
            )
        return built[system]

    return get


# ------------------------------------------------------------------------------------------ tests


@pytest.mark.parametrize("point", KILL_POINTS)
@pytest.mark.parametrize("system", FEEDS)
def test_a_killed_load_rerun_by_dagster_loses_nothing_and_loads_nothing_twice(
    system: str,
    point: str,
    feeds: Callable[[str], Feed],
    worlds: Worlds,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = feeds(system)
    data = tmp_path / "data"
    _point_at(monkeypatch, data, worlds.later)
    warehouse = data / "warehouse.duckdb"
    shutil.copy(feed.base, warehouse)
    before = contents(warehouse, system)

    _kill(_killed_ingest, system, point)

    # what the crash left behind: nothing committed, and mid-load rows under an uncommitted load id
    left = uncommitted_rows(warehouse, system)
    if point in ("extract", "normalised"):
        assert contents(warehouse, system) == before and left == {}
    else:
        assert left, "the kill came before any load job wrote to the warehouse"

    result = _materialize(system)
    assert result.success
    assert contents(warehouse, system) == feed.reference
    assert uncommitted_rows(warehouse, system) == {}
    assert duplicate_keys(warehouse, system) == {}
    assert unbalanced_ledger(warehouse, system) == []


def test_a_hand_run_killed_before_commit_is_recovered_by_prm_recover(
    feeds: Callable[[str], Feed],
    worlds: Worlds,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Outside Dagster: ``prm recover`` aborts the package and deletes what it had loaded, and the
    next run by hand reads the same files again."""
    feed = feeds("lms")
    data = tmp_path / "data"
    _point_at(monkeypatch, data, worlds.later)
    warehouse = data / "warehouse.duckdb"
    shutil.copy(feed.base, warehouse)
    _kill(_killed_hand_run, "lms", "before_commit")
    assert uncommitted_rows(warehouse, "lms")

    result = CliRunner().invoke(app, ["recover", "--feed", "lms"])
    assert result.exit_code == 0, result.output
    assert "lms: aborted 1 pending package(s)" in result.output
    assert "lms: deleted the rows of uncommitted loads" in result.output
    assert uncommitted_rows(warehouse, "lms") == {}
    with open_source("lms") as source:
        pipeline("lms").run(source, loader_file_format="parquet")
    assert contents(warehouse, "lms") == feed.reference
    assert uncommitted_rows(warehouse, "lms") == {}
    assert duplicate_keys(warehouse, "lms") == {}
