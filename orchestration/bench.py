"""`make bench SCALE=...`: one measured run of the whole product on a fresh data folder.

Two parts (``--part pipeline|conflicts|all``, default all). The conflict-matching part is
:mod:`orchestration.conflicts.bench` in a process of its own (1M accounts, 100k registrations,
single-call latency, a plain Jaro-Winkler baseline and the string-library comparison; see
docs/conflicts.md). The pipeline part prints, for one run: world generation time; rows and rows/s
per feed (the Dagster ingest step of that feed); dlt ingest time against DuckDB's own read of the
same landed files (the ratio); dbt build time; dashboards; end-to-end time of the full job; peak
memory. Figures from one run on a noisy machine: compare ratios, not absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.contracts import SYSTEMS, entities


def _duckdb_read_seconds(landing: Path, system: str) -> tuple[int, float]:
    """Rows and seconds for DuckDB to read every landed file of a file feed into memory."""
    readers = {"jsonl": "read_json_auto", "csv": "read_csv_auto", "parquet": "read_parquet"}
    con = duckdb.connect()
    rows, start = 0, time.perf_counter()
    for e in entities(system):
        files = sorted((landing / system / e.name).glob(f"*.{e.file_format}"))
        if not files:
            continue
        options = ", ignore_errors = true" if e.file_format != "parquet" else ""
        rows += con.execute(
            f"select count(*) from {readers[e.file_format]}($files{options})",
            {"files": [str(f) for f in files]},
        ).fetchone()[0]
    return rows, time.perf_counter() - start


def _sqlite_read_seconds(world: Path) -> tuple[int, float]:
    """Rows and seconds to read the sandbox CRM's records straight from its database file."""
    start = time.perf_counter()
    con = sqlite3.connect(world / "crm.sqlite")
    rows = sum(1 for _ in con.execute("select id, properties, created_at, updated_at from objects"))
    con.close()
    return rows, time.perf_counter() - start


def _step_seconds(instance, run_id: str) -> dict[str, float]:
    """Wall seconds of each step of a finished run, from Dagster's own step statistics."""
    return {
        stat.step_key: stat.end_time - stat.start_time
        for stat in instance.get_run_step_stats(run_id)
        if stat.start_time and stat.end_time
    }


def _model_seconds(instance, run_id: str) -> dict[str, float]:
    """Seconds each dbt model took, from the ``Execution Duration`` dagster-dbt attaches to the
    model's materialization (dbt's run_results timing), keyed by the model's name."""
    import dagster as dg

    seconds: dict[str, float] = {}
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        duration = materialization.metadata.get("Execution Duration") if materialization else None
        if duration is not None:
            seconds[materialization.asset_key.path[-1]] = float(duration.value)
    return seconds


# the revenue-intelligence models (issue 15): training and scoring time is reported on its own
INTELLIGENCE_MODELS = (
    "int_opportunity_features",
    "int_opportunity_health_scores",
    "int_opportunity_stall_scores",
    "int_opportunity_next_best_actions",
    "int_channel_forecast",
    "int_channel_forecast_backtest",
    "int_partner_lifetime_value",
    "int_partner_lifetime_value_holdout",
    "int_model_metrics__health",
    "int_model_metrics__stall",
)


def _incremental_day(defs, instance, console, log: Path, args: argparse.Namespace) -> dict:
    """An incremental day after the full job: the world's clock moves one day (only that day's
    new and changed records are written), then the daily job (incremental loads, dbt build with
    tests, automation, pages) runs; its seconds against the full job's."""
    from orchestration.console import execute, table_progress, world_line
    from pipelines.world import advance

    t0 = time.perf_counter()
    with table_progress(console, "world advance by 1 day") as progress:
        summary = advance(days=1, progress=progress)
    advance_s = time.perf_counter() - t0
    console.print(world_line(summary, advance_s, "advanced"), markup=False)
    outcome = execute(defs, "prm_daily", instance, console, log, progress=not args.verbose)
    if not outcome.success:
        raise SystemExit(f"the daily job failed; full log in {log}")
    steps = _step_seconds(instance, outcome.run_id)
    return {
        "advance_s": round(advance_s, 1),
        "new_rows": sum(summary.rows.values()),
        "daily_job_s": round(outcome.seconds, 1),
        "ingest_s": round(sum(s for k, s in steps.items() if k.startswith("ingest_")), 1),
        "dbt_s": round(steps.get("prm_dbt_models", float("nan")), 1),
    }


def _raw_rows(warehouse: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    counts = {}
    for system in SYSTEMS:
        loaded = sum(
            con.execute(f"select count(*) from raw_{system}.{e.name}").fetchone()[0]
            for e in entities(system)
        )
        quarantined = con.execute(
            f"select count(*) from raw_{system}.quarantined_records"
        ).fetchone()[0]
        counts[system] = (loaded, quarantined)
    con.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's data folder")
    parser.add_argument("--part", default="all", choices=("all", "pipeline", "conflicts"))
    parser.add_argument(
        "--no-day",
        dest="day",
        action="store_false",
        help="skip the incremental day (world advance --days 1 + the daily job) after the full job",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show the run's full log (it is kept in a file)"
    )
    args = parser.parse_args()
    if args.part in ("all", "pipeline"):
        _pipeline(args)
    if args.part in ("all", "conflicts"):
        # its own process, so its peak memory is its own
        cmd = [sys.executable, "-m", "orchestration.conflicts.bench", "--seed", str(args.seed)]
        subprocess.run(cmd, check=True)


def _pipeline(args: argparse.Namespace) -> None:
    """The measured end-to-end run of the full job on a fresh data folder."""
    root = Path(tempfile.mkdtemp(prefix=f"prm-bench-{args.scale}-"))
    os.environ["PRM_DATA_DIR"] = str(root)
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home")
    (root / "dagster_home").mkdir()
    for var in ("PRM_WAREHOUSE", "PRM_LANDING", "PRM_WORLD", "PRM_DASHBOARDS_OUT"):
        os.environ.pop(var, None)

    from orchestration.console import (
        execute,
        full_log_to,
        log_path,
        person_console,
        table_progress,
        world_line,
    )
    from pipelines import settings
    from pipelines.world import generate

    # the run's full log is kept beside the figures (the data folder is removed afterwards)
    out = settings.PROJECT_ROOT / "data" / "bench"
    log = log_path(f"bench-{args.scale}", out / "logs")

    print(f"== prm bench: scale={args.scale} seed={args.seed}; full log in {log} ==")
    with full_log_to(log, args.verbose) as stream:
        console = person_console(stream)
        t0 = time.perf_counter()
        with table_progress(console, "world generation") as progress:
            summary = generate(scale=args.scale, seed=args.seed, progress=progress)
        generation = time.perf_counter() - t0
        console.print(world_line(summary, generation, "generated"), markup=False)

        from orchestration.cli import prepare_dbt

        prepare_dbt()
        import dagster as dg

        from orchestration.definitions import defs

        with dg.DagsterInstance.get() as instance:
            outcome = execute(defs, "prm_full", instance, console, log, progress=not args.verbose)
            end_to_end = outcome.seconds
            if not outcome.success:
                raise SystemExit(f"the full job failed; full log in {log}")
            steps = _step_seconds(instance, outcome.run_id)
            models = _model_seconds(instance, outcome.run_id)
            rows = _raw_rows(settings.warehouse_path())  # the full job's, before the day's
            day = _incremental_day(defs, instance, console, log, args) if args.day else None

    report: dict[str, object] = {
        "scale": args.scale,
        "seed": args.seed,
        "world_generation_s": round(generation, 1),
    }
    print(f"\n== prm bench: scale={args.scale} seed={args.seed}: figures ==")
    print(f"world generation            {generation:8.1f} s")
    print(
        f"{'feed':10} {'rows':>11} {'quarantined':>11} {'dlt s':>8} {'rows/s':>9} {'direct s':>9} {'dlt/direct':>10}"
    )
    feeds = {}
    for system in SYSTEMS:
        loaded, quarantined = rows[system]
        dlt_s = steps.get(f"ingest_{system}", float("nan"))
        if system == "crm":
            _, direct_s = _sqlite_read_seconds(settings.world_dir())
        else:
            _, direct_s = _duckdb_read_seconds(settings.landing_dir(), system)
        rate = (loaded + quarantined) / dlt_s if dlt_s else float("nan")
        print(
            f"{system:10} {loaded:11,} {quarantined:11,} {dlt_s:8.1f} {rate:9,.0f} {direct_s:9.2f} {dlt_s / direct_s:10.1f}"
        )
        feeds[system] = {
            "rows": loaded,
            "quarantined": quarantined,
            "dlt_s": round(dlt_s, 2),
            "rows_per_s": round(rate),
            "direct_read_s": round(direct_s, 3),
            "ratio": round(dlt_s / direct_s, 1),
        }
    dbt_s = steps.get("prm_dbt_models", float("nan"))
    pages_s = steps.get("leadership_pages", float("nan"))
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"dbt build                   {dbt_s:8.1f} s")
    slowest = sorted(models.items(), key=lambda item: -item[1])[:8]
    print(
        "slowest dbt models          " + ", ".join(f"{name} {sec:.1f} s" for name, sec in slowest)
    )
    intelligence = {name: round(models[name], 2) for name in INTELLIGENCE_MODELS if name in models}
    print(
        f"intelligence models         {sum(intelligence.values()):8.1f} s "
        "(features, training and scoring; fit the daily job)"
    )
    for name, seconds in intelligence.items():
        print(f"  {name:34} {seconds:8.1f} s")
    print(f"dashboards                  {pages_s:8.1f} s")
    print(f"end to end (full job)       {end_to_end:8.1f} s")
    if day is not None:
        print(
            f"incremental day             {day['daily_job_s']:8.1f} s: world advance "
            f"{day['advance_s']:.1f} s ({day['new_rows']:,} new or changed rows), daily job "
            f"{day['daily_job_s']:.1f} s = {day['daily_job_s'] / end_to_end:.0%} of the full job "
            f"(ingest {day['ingest_s']:.1f} s, dbt {day['dbt_s']:.1f} s)"
        )
    print(
        f"peak memory                 {peak_self:8.0f} MiB (this process), {peak_children:.0f} MiB (largest child: dbt, sandbox CRM)"
    )
    report.update(
        feeds=feeds,
        dbt_build_s=round(dbt_s, 1),
        slowest_models_s={name: round(seconds, 2) for name, seconds in slowest},
        intelligence_models_s=intelligence,
        dashboards_s=round(pages_s, 1),
        end_to_end_s=round(end_to_end, 1),
        incremental_day=day,
        peak_rss_mib=round(peak_self),
        peak_child_rss_mib=round(peak_children),
    )
    (out / f"bench_{args.scale}.json").write_text(json.dumps(report, indent=2))
    print(f"figures saved to {out / f'bench_{args.scale}.json'}")
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"data kept in {root}")


if __name__ == "__main__":
    main()
