from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration.assets.transform import DbtBuildConfig, dbt_build_args, dbt_group
from orchestration.jobs import daily_schedule, expiry_schedule, tiering_schedule
from pipelines.contracts import ENTITIES, SYSTEMS

SNAPSHOT = Path(__file__).with_name("asset_graph.json")


def _graph(defs) -> dict[dg.AssetKey, set[dg.AssetKey]]:
    graph = defs.resolve_asset_graph()
    return {key: set(graph.get(key).parent_keys) for key in graph.get_all_asset_keys()}


def test_every_contract_table_is_an_asset_keyed_like_its_dbt_source(defs) -> None:
    graph = defs.resolve_asset_graph()
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    for e in ENTITIES:
        assert dg.AssetKey([e.system, e.name]) in materializable, e.name
    for system in SYSTEMS:
        assert dg.AssetKey([system, "quarantined_records"]) in materializable
    # nothing the dbt project reads is left as an unmaterialisable (external) source
    external = {k for k in graph.get_all_asset_keys() if not graph.get(k).is_materializable}
    assert external == set()


def test_lineage_is_one_piece_from_feeds_to_the_pages(defs) -> None:
    parents = _graph(defs)
    neighbours: dict[dg.AssetKey, set[dg.AssetKey]] = {k: set() for k in parents}
    for child, ps in parents.items():
        for p in ps:
            neighbours[child].add(p)
            neighbours.setdefault(p, set()).add(child)
    start = dg.AssetKey("leadership_pages")
    seen, todo = {start}, [start]
    while todo:
        for n in neighbours[todo.pop()]:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    assert seen == set(neighbours), sorted(k.to_user_string() for k in set(neighbours) - seen)


def test_staging_models_read_the_ingested_tables(defs) -> None:
    parents = _graph(defs)
    for e in ENTITIES:
        model = dg.AssetKey(["staging", f"stg_{e.system}__{e.name}"])
        assert parents.get(model) == {dg.AssetKey([e.system, e.name])}, model


def test_asset_graph_matches_the_snapshot(defs) -> None:
    """A change to keys, deps, groups, jobs or schedules shows up here; refresh the snapshot with
    UPDATE_SNAPSHOTS=1 when it is intended."""
    graph = defs.resolve_asset_graph()
    current = {
        "assets": {
            k.to_user_string(): {
                "group": graph.get(k).group_name,
                "deps": sorted(p.to_user_string() for p in graph.get(k).parent_keys),
            }
            for k in sorted(graph.get_all_asset_keys())
        },
        "jobs": sorted(j.name for j in defs.jobs if not j.name.startswith("__")),
        "schedules": sorted(s.name for s in defs.schedules),
    }
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    assert json.loads(SNAPSHOT.read_text()) == current


def test_dagster_definitions_validate(defs, tmp_path: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-m",
            "orchestration.definitions",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_daily_schedule_keys_runs_by_day() -> None:
    when = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
    request = daily_schedule(dg.build_schedule_context(scheduled_execution_time=when))
    again = daily_schedule(dg.build_schedule_context(scheduled_execution_time=when))
    assert request.run_key == again.run_key == "daily-2026-11-22"


@pytest.mark.parametrize(
    ("schedule", "key"),
    [(tiering_schedule, "tiering-2026-11-22"), (expiry_schedule, "expiry-2026-11-22")],
)
def test_automation_schedules_key_runs_by_job_and_day(schedule, key) -> None:
    when = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
    runs = [schedule(dg.build_schedule_context(scheduled_execution_time=when)) for _ in range(2)]
    assert [r.run_key for r in runs] == [key, key]


def test_the_write_back_sits_behind_the_blocking_check(defs) -> None:
    graph = defs.resolve_asset_graph()
    writeback = dg.AssetKey("crm_partner_writeback")
    assert dg.AssetKey("tier_decisions") in graph.get(writeback).parent_keys
    check = dg.AssetCheckKey(dg.AssetKey("tier_decisions"), "tier_decisions_are_sound")
    assert graph.get_check_spec(check).blocking
    assert (
        dg.AssetKey(["marts", "fct_partner_tier_criteria"])
        in graph.get(dg.AssetKey("tier_decisions")).parent_keys
    )


@pytest.mark.parametrize(
    ("path", "kind", "group"),
    [
        ("dbt_project/models/staging/crm/stg_crm__deals.sql", "model", "staging"),
        ("dbt_project/models/reports/rpt_partner_pipeline.sql", "model", "reports"),
        ("seeds/deal_stages.csv", "seed", "seeds"),
    ],
)
def test_dbt_groups_come_from_the_folder(path: str, kind: str, group: str) -> None:
    assert dbt_group({"resource_type": kind, "original_file_path": path}) == group


def test_full_refresh_is_passed_to_dbt_only_when_asked() -> None:
    args = dbt_build_args(DbtBuildConfig())
    assert args[:3] == ["build", "--exclude-resource-type", "unit_test"]
    assert "--full-refresh" not in args
    assert dbt_build_args(DbtBuildConfig(full_refresh=True))[-1] == "--full-refresh"
