"""`prm`: the command line of the warehouse. It never opens anything by itself: it prints paths."""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from orchestration.account_mapping.cli import mapping_app
from pipelines import settings

app = typer.Typer(
    help="Partner revenue warehouse: simulate, load, transform, publish.", no_args_is_help=True
)
world_app = typer.Typer(
    help="The simulated PRM world (sandbox CRM + vendor file drops).", no_args_is_help=True
)
app.add_typer(world_app, name="world")
tiering_app = typer.Typer(help="Dynamic tiering: what the tier rules decide.", no_args_is_help=True)
app.add_typer(tiering_app, name="tiering")
sources_app = typer.Typer(help="The sources file: which feeds, read how.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(mapping_app, name="mapping")  # orchestration/account_mapping/cli.py


def dagster_home() -> str:
    """Runs are recorded under ``$DAGSTER_HOME`` (default ``$PRM_DATA_DIR/dagster_home``)."""
    home = os.environ.setdefault("DAGSTER_HOME", str(settings.data_dir() / "dagster_home"))
    os.makedirs(home, exist_ok=True)
    return home


def _dbt(*args: str) -> None:
    """Run one dbt command in this process against the project and the warehouse setting."""
    from dbt.cli.main import dbtRunner

    from orchestration.resources import DBT_PROFILES_DIR, dbt_vars_args, export_warehouse_env

    export_warehouse_env()
    result = dbtRunner().invoke(
        [
            *args,
            *dbt_vars_args(),
            "--project-dir",
            str(settings.PROJECT_ROOT),
            "--profiles-dir",
            str(DBT_PROFILES_DIR),
        ]
    )
    if not result.success:
        raise typer.Exit(f"dbt {args[0]} failed: {result.exception}")


def prepare_dbt() -> None:
    """Parse the dbt project so the Dagster definitions can read a current manifest."""
    _dbt("parse", "--quiet")


@world_app.command("generate")
def world_generate(
    scale: Annotated[str, typer.Option(help="tiny | small | medium | large")] = "small",
    seed: Annotated[int, typer.Option(help="random seed; same seed, same world")] = 42,
    as_of: Annotated[str | None, typer.Option(help="world clock date, YYYY-MM-DD")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="rows per table")] = False,
) -> None:
    """Create the world from scratch: sandbox CRM database and a full-history file drop."""
    from orchestration.console import person_console, table_progress, world_line
    from pipelines.world import generate

    kwargs = {"as_of": date.fromisoformat(as_of)} if as_of else {}
    console = person_console(sys.stdout)
    start = time.perf_counter()
    with table_progress(console, "world generation") as progress:
        summary = generate(scale=scale, seed=seed, progress=progress, **kwargs)
    typer.echo(
        summary if verbose else world_line(summary, time.perf_counter() - start, "generated")
    )
    typer.echo(f"world:   {settings.world_dir()}\nlanding: {settings.landing_dir()}")


@world_app.command("advance")
def world_advance(
    days: Annotated[int, typer.Option(help="days to move the clock forward")] = 1,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="rows per table")] = False,
) -> None:
    """Move the world clock: only that period's new and changed records are written."""
    from orchestration.console import person_console, table_progress, world_line
    from pipelines.world import advance

    console = person_console(sys.stdout)
    start = time.perf_counter()
    with table_progress(console, f"world advance by {days} days") as progress:
        summary = advance(days=days, progress=progress)
    typer.echo(summary if verbose else world_line(summary, time.perf_counter() - start, "advanced"))


@world_app.command("status")
def world_status() -> None:
    """Print the world's scale, seed and clock."""
    from pipelines.world import load_world_state

    state = load_world_state(settings.world_dir())
    for key in ("scale", "seed", "start", "as_of"):
        typer.echo(f"{key}: {state.get(key)}")


@app.command("run")
def run(
    job: Annotated[
        str, typer.Option(help="prm_full | prm_daily | load_all | tiering | expiry")
    ] = "prm_full",
    feed: Annotated[
        str | None, typer.Option(help="load one feed alone: crm | lms | tcma | finance")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="show the full log (Dagster, dbt, dlt) too")
    ] = False,
) -> None:
    """Run a Dagster job in this process (the full job by default) and print where results are.

    Only the configured feeds load (``PRM_FEEDS``, else the sources file's ``feeds:``). One line
    per step with its duration and counts; the full log goes to $PRM_DATA_DIR/logs/run-<time>.log
    (``--verbose`` shows it as well)."""
    from pipelines.contracts import SYSTEMS

    try:
        feeds = settings.configured_feeds()
    except settings.FeedConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if feed is not None and feed not in SYSTEMS:
        raise typer.BadParameter(f"unknown feed {feed!r}; choose one of {', '.join(SYSTEMS)}")
    if feed is not None and feed not in feeds:
        raise typer.BadParameter(
            f"feed {feed!r} is not configured; the configured feeds are {', '.join(feeds)}"
        )
    from orchestration.console import execute, full_log_to, log_path, person_console

    dagster_home()
    job_name = f"load_{feed}" if feed else job
    absent = [f for f in SYSTEMS if f not in feeds]
    log = log_path("run")
    with full_log_to(log, verbose) as stream:
        console = person_console(stream)
        console.print(f"job {job_name}: full log in {log}", markup=False)
        console.print(
            f"feeds: {', '.join(feeds)}"
            + (f" (not configured: {', '.join(absent)})" if absent else ""),
            markup=False,
        )
        prepare_dbt()
        import dagster as dg

        from orchestration.definitions import defs

        with dg.DagsterInstance.get() as instance:
            outcome = execute(defs, job_name, instance, console, log, progress=not verbose)
        if not outcome.success:
            failed = [s.key for s in outcome.steps.values() if s.status == "failed"]
            console.print(
                f"job {job_name} failed in {outcome.seconds:.0f} s, in steps: "
                f"{', '.join(failed) or '?'} (run {outcome.run_id}; full log {log})",
                markup=False,
            )
            raise typer.Exit(1)
        console.print(
            f"job {job_name} succeeded in {outcome.seconds:.0f} s (run {outcome.run_id})",
            markup=False,
        )
        for line in _paths():
            console.print(line, markup=False)


@app.command("recover")
def recover(
    feed: Annotated[str, typer.Option(help="the feed whose dlt pipeline to clear")],
) -> None:
    """Abort the load packages a crashed or failed load left pending for one feed.

    The pipeline's state rolls back to the last committed load and the rows a half-finished load
    wrote are deleted, so the next run reads the same files and CRM pages again: nothing is lost and
    nothing is loaded twice. Runs through Dagster do this by themselves; this is for a pipeline run
    by hand or stuck in a loop of failing packages.
    """
    from pipelines.common.loading import abort_pending, drop_uncommitted_rows, pipeline
    from pipelines.contracts import SYSTEMS

    if feed not in SYSTEMS:
        raise typer.BadParameter(f"unknown feed {feed!r}; choose one of {', '.join(SYSTEMS)}")
    dlt_pipeline = pipeline(feed)
    dropped = abort_pending(dlt_pipeline)
    typer.echo(f"{feed}: aborted {len(dropped)} pending package(s) {' '.join(dropped)}".rstrip())
    rows = drop_uncommitted_rows(dlt_pipeline)
    if rows:
        listed = ", ".join(f"{table} {n:,}" for table, n in rows.items())
        typer.echo(f"{feed}: deleted the rows of uncommitted loads ({listed})")


@app.command("dashboards")
def dashboards(
    partner: Annotated[
        list[str] | None,
        typer.Option(
            help="only this partner's self-service page (partner id or PRM id; repeatable)"
        ),
    ] = None,
) -> None:
    """Rebuild the leadership pages and every active partner's self-service page from the
    warehouse, or with --partner only that partner's page."""
    from dashboards.build import build_all
    from dashboards.partner_pages import build_partner_pages

    try:  # partner pages first: the leadership index links the vendor's index of them
        built = build_partner_pages(
            settings.warehouse_path(), settings.dashboards_out_dir(), partner
        )
    except KeyError as e:
        raise typer.BadParameter(str(e.args[0]), param_hint="--partner") from None
    if not partner:
        for path in build_all(settings.warehouse_path(), settings.dashboards_out_dir()):
            typer.echo(path)
    if partner:
        for path in built.pages:
            typer.echo(path)
    else:
        typer.echo(
            f"{len(built.pages)} partner pages in {built.pages[0].parent if built.pages else '-'} "
            f"({built.seconds:.1f} s); vendor index {built.index}"
        )


@app.command("docs")
def docs() -> None:
    """Build the dbt documentation site (models, columns, tests, lineage) as one offline page."""
    from orchestration.resources import DBT_TARGET_PATH

    _dbt("docs", "generate", "--static", "--quiet")
    out = settings.docs_out_dir()
    out.mkdir(parents=True, exist_ok=True)
    target = Path(os.environ.get("DBT_TARGET_PATH", DBT_TARGET_PATH))
    shutil.copyfile(target / "static_index.html", out / "index.html")
    typer.echo(out / "index.html")


@tiering_app.command("dry-run")
def tiering_dry_run(
    rules: Annotated[
        Path, typer.Option(help="candidate tier rules, same columns as seeds/tier_rules.csv")
    ],
) -> None:
    """Show the promotions and demotions a rule change would cause on the latest evaluation,
    against the rules in the warehouse. Writes nothing (the warehouse is opened read-only)."""
    import csv

    import duckdb

    from orchestration.assets.automation import load_criteria, reporting_date
    from orchestration.tier_rules import dry_run, policy_from_rows, rules_from_rows

    if not rules.is_file():
        raise typer.BadParameter(f"no such rules file: {rules}")
    with rules.open(newline="") as f:
        try:
            candidate = rules_from_rows(list(csv.DictReader(f)))
        except (KeyError, ValueError) as e:
            raise typer.BadParameter(f"{rules}: {e}", param_hint="--rules") from e
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        current = rules_from_rows(
            con.execute("select * from reference.tier_rules").df().to_dict("records")
        )
        policy = policy_from_rows(
            con.execute("select * from reference.tiering_policy").df().to_dict("records"),
            reporting_date(con),
        )
        try:
            changes = dry_run(load_criteria(con), current, candidate, policy)
        except ValueError as e:
            raise typer.BadParameter(str(e), param_hint="--rules") from e
    promotions = sum(c["change"] == "promotion" for c in changes)
    typer.echo(
        f"{promotions} promotions and {len(changes) - promotions} demotions with {rules.name} "
        "(dry run: nothing written)"
    )
    for c in changes:
        typer.echo(
            f"{c['partner_external_id']}  {c['change']:<9}  {c['tier_with_current_rules']} -> "
            f"{c['tier_with_candidate_rules']}  {c['reason']}  [{c['figures']}]"
        )


@sources_app.command("check")
def sources_check(
    path: Annotated[
        Path | None, typer.Argument(help="the sources file (default $PRM_SOURCES)")
    ] = None,
    mapping: Annotated[
        str | None, typer.Option(help="crm export mapping: a shipped name or a path")
    ] = None,
    folder: Annotated[Path | None, typer.Option(help="crm export folder to check")] = None,
) -> None:
    """Read every file the configured feeds would load and print, per file, the rows that would
    load, be quarantined (and why) or have values nulled, and unknown or missing columns.
    Writes nothing. Exits 1 when a whole file would be quarantined."""
    from pipelines.check import check_sources
    from pipelines.crm.mapping import MappingError
    from pipelines.sources import SourcesFileError

    if path is not None and not path.is_file():
        raise typer.BadParameter(f"no such sources file: {path}")
    try:
        checks = check_sources(path, mapping=mapping, folder=folder)
    except (MappingError, SourcesFileError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    if not checks:
        typer.echo(f"nothing to check: {path or settings.sources_file()} configures no file feed")
    for check in checks:
        typer.echo("\n".join(check.lines()))
    faults = [c for c in checks if c.file_fault]
    rows = sum(c.rows_in for c in checks)
    files = [c for c in checks if not c.note]  # a note is an object with no file to read
    typer.echo(
        f"{len(files)} file(s), {rows:,} rows: {sum(c.rows_loaded for c in checks):,} would "
        f"load, {sum(c.rows_quarantined for c in checks):,} be quarantined, "
        f"{sum(c.values_nulled for c in checks):,} values nulled, {len(faults)} file(s) "
        "quarantined whole (nothing written)"
    )
    if faults:
        raise typer.Exit(1)


def _paths() -> list[str]:
    return [
        f"warehouse:  {settings.warehouse_path()}",
        f"landing:    {settings.landing_dir()}",
        f"world:      {settings.world_dir()}",
        f"dashboards: {settings.dashboards_out_dir() / 'index.html'}",
        f"dbt docs:   {settings.docs_out_dir() / 'index.html'}",
        f"logs:       {settings.data_dir() / 'logs'}",
    ]


@app.command("paths")
def paths() -> None:
    """Print where the warehouse, the landing folder, the world, the pages and the logs are."""
    for line in _paths():
        typer.echo(line)


if __name__ == "__main__":
    app()
