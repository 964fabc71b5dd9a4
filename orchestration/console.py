"""What a person sees of a run: one line per step with its duration and counts, a progress bar on
the long steps, warnings and failures in full, and where the full log is.

Everything the run itself prints (Dagster's event stream, dbt's and dlt's output, the sandbox CRM's
server log, from this process and its children) goes to a log file, ``$PRM_DATA_DIR/logs/
<kind>-<UTC timestamp>.log``; ``--verbose`` shows it on the terminal as well. The step lines come
from Dagster's own events (an event listener on the instance, the same records the UI shows), not
from parsing text: the counts are the materialization metadata each asset reports.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipelines import settings

# Dagster's step event types, by name (DagsterEventType is a str enum of these values)
STEP_START, STEP_SUCCESS, STEP_FAILURE, STEP_SKIPPED = (
    "STEP_START",
    "STEP_SUCCESS",
    "STEP_FAILURE",
    "STEP_SKIPPED",
)
MATERIALIZATION, CHECK, OBSERVATION, RUN_FAILURE = (
    "ASSET_MATERIALIZATION",
    "ASSET_CHECK_EVALUATION",
    "ASSET_OBSERVATION",
    "RUN_FAILURE",
)


def log_path(kind: str = "run", folder: Path | None = None) -> Path:
    """A new log file in ``folder`` (default ``$PRM_DATA_DIR/logs``), named by kind and the UTC
    time to the second."""
    folder = folder or settings.data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{kind}-{stamp}.log"
    n = 1
    while path.exists():  # two runs in one second
        n += 1
        path = folder / f"{kind}-{stamp}-{n}.log"
    return path


def _fileno(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


def _pump(source: int, sinks: list[TextIO]) -> None:
    """Copy what arrives on ``source`` to every sink until the write end closes."""
    with os.fdopen(source, "rb", buffering=0) as pipe:
        while chunk := pipe.read(65536):
            text = chunk.decode(errors="replace")
            for sink in sinks:
                sink.write(text)
                sink.flush()


@contextlib.contextmanager
def full_log_to(path: Path, verbose: bool = False) -> Iterator[TextIO]:
    """Send everything written to stdout and stderr, by this process and the processes it starts,
    to ``path`` (and, with ``verbose``, to the terminal too). Yields the stream for the person.

    At the file-descriptor level when stdout is a real file (a terminal, a pipe), so child
    processes are covered; otherwise (a test runner's captured stream) at the ``sys`` level."""
    sys.stdout.flush()
    sys.stderr.flush()
    log = path.open("a", encoding="utf-8")
    out_fd, err_fd = _fileno(sys.stdout), _fileno(sys.stderr)
    if out_fd is None or err_fd is None:
        sinks: list[TextIO] = [log, sys.stdout] if verbose else [log]
        tee = _Tee(sinks)
        person = sys.stdout
        try:
            with contextlib.redirect_stdout(tee), contextlib.redirect_stderr(tee):
                yield person
        finally:
            log.close()
        return
    saved_out, saved_err = os.dup(out_fd), os.dup(err_fd)
    person = os.fdopen(os.dup(saved_out), "w", buffering=1, encoding="utf-8")
    pump: threading.Thread | None = None
    if verbose:
        read_end, write_end = os.pipe()
        terminal = os.fdopen(os.dup(saved_out), "w", encoding="utf-8")
        pump = threading.Thread(target=_pump, args=(read_end, [log, terminal]), daemon=True)
        pump.start()
        target = write_end
    else:
        target = log.fileno()
    os.dup2(target, out_fd)
    os.dup2(target, err_fd)
    try:
        yield person
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, out_fd)
        os.dup2(saved_err, err_fd)
        os.close(saved_out)
        os.close(saved_err)
        if pump is not None:
            os.close(target)
            # children that inherited the pipe (a sandbox CRM still shutting down) may hold it open
            pump.join(timeout=5)
            terminal.close()
        log.close()
        person.flush()


class _Tee(io.TextIOBase):
    """A text stream writing to several others (the ``sys``-level path of :func:`full_log_to`)."""

    def __init__(self, sinks: list[TextIO]) -> None:
        self._sinks = sinks

    def write(self, text: str) -> int:
        for sink in self._sinks:
            sink.write(text)
        return len(text)

    def flush(self) -> None:
        for sink in self._sinks:
            sink.flush()


# -- what a step did, from its events ----------------------------------------------------------


@dataclass
class StepRecord:
    """The events of one step that the person's line is made of."""

    key: str
    started: float | None = None
    ended: float | None = None
    status: str = "running"
    metadata: list[dict[str, Any]] = field(default_factory=list)
    materialized: int = 0
    checks_passed: int = 0
    checks_warned: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    observed_tests: dict[str, str] = field(default_factory=dict)  # dbt unique_id -> status
    # template -> [warnings like it not printed, the first line of the one printed]
    similar_warnings: dict[str, list] = field(default_factory=dict)
    error: str = ""

    @property
    def seconds(self) -> float | None:
        if self.started is None or self.ended is None:
            return None
        return self.ended - self.started


def _values(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in metadata.items()}


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def describe(step: StepRecord) -> str:
    """The counts of a finished step in words, from the metadata its assets reported."""
    merged: dict[str, Any] = {}
    for md in step.metadata:
        merged.update(md)
    parts: list[str] = []
    if "records_loaded" in merged:  # an ingest step: the ledger's figures (pipelines/common/ledger)
        parts.append(
            f"{_n(merged['records_loaded'])} rows loaded into "
            f"{step.materialized - INGEST_BOOKS} tables, "
            f"{_n(merged['records_quarantined'])} quarantined"
        )
        if merged.get("records_quarantined") and merged.get("top_reasons") not in (None, "none"):
            parts[-1] += f" ({merged['top_reasons']})"
    elif step.key.startswith("ingest_"):
        parts.append(f"{step.materialized - INGEST_BOOKS} tables, nothing new to load")
    elif "promotions_today" in merged:
        parts.append(
            f"{_n(merged['partners'])} partners decided: {_n(merged['promotions_today'])} "
            f"promotions, {_n(merged['demotions_today'])} demotions, {_n(merged['in_grace'])} in "
            f"grace, {_n(merged['tier_changes_for_crm'])} tier changes for the CRM"
        )
    elif "skipped" in merged:  # an asset with nothing to do here (a write-back without a CRM API)
        parts.append(str(merged["skipped"]))
    elif "sent" in merged and "acknowledged" in merged:
        parts.append(
            f"{_n(merged['sent'])} CRM changes pushed ({_n(merged['acknowledged'])} acknowledged, "
            f"{_n(merged['rejected'])} rejected, {_n(merged.get('unchanged', 0))} unchanged)"
        )
    elif "new" in merged and "due" in merged:
        parts.append(
            f"{_n(merged['new'])} new notices ({_n(merged['due'])} due), "
            f"{_n(merged.get('extensions_approved', 0))} extensions approved, "
            f"{_n(merged.get('extensions_for_review', 0))} for review"
        )
    elif "pages" in merged:
        parts.append(f"{len(merged['pages'])} pages written")
    elif step.materialized > 1 or step.observed_tests:
        # a dbt build: models, seeds and snapshots materialise; tests report as checks, or as
        # observations when dagster-dbt cannot tie them to one asset (source and singular tests)
        parts.append(f"{step.materialized:,} models, seeds and snapshots built")
    elif step.materialized == 1 and merged:
        numbers = [f"{k} {_n(v)}" for k, v in merged.items() if isinstance(v, int | float)][:4]
        parts.append(", ".join(numbers))
    observed = list(step.observed_tests.values())
    passed = step.checks_passed + observed.count("pass")
    warned = len(step.checks_warned) + observed.count("warn")
    failed = len(step.checks_failed) + sum(s not in ("pass", "warn") for s in observed)
    tests = passed + warned + failed
    if tests == 1 and not step.materialized:  # an asset check's own step
        parts.append("check " + ("passed" if passed else "warned" if warned else "failed"))
    elif tests:
        text = f"{passed:,} of {tests:,} tests passed"
        if warned:
            text += f", {warned} warned"
        if failed:
            text += f", {failed} failed"
        parts.append(text)
    return "; ".join(p for p in parts if p)


# an ingest step materialises its contract tables plus two books: the quarantine and the load ledger
INGEST_BOOKS = 2

# dagster-dbt, on every dbt test it cannot tie to one asset check (source and singular tests)
DBT_OBSERVATION_NOTE = "Logging an `AssetObservation` instead of an `AssetCheckResult`"


def warning_template(message: str) -> str:
    """A warning with its quoted names blanked: warnings alike up to the names share one."""
    return re.sub(r"`[^`]*`|'[^']*'", "`…`", message)


def _error_text(error: Any) -> str:
    """The message of a step's error and of every error it was caused by, in full."""
    lines = []
    while error is not None:
        lines.append(error.message.strip())
        error = error.cause or getattr(error, "context", None)
    return "\n".join(lines)


def step_totals(defs: dg.Definitions) -> dict[str, int]:
    """How many assets and checks each step reports (for the progress bar of the long ones)."""
    totals = {}
    for assets in defs.assets or []:
        if isinstance(assets, dg.AssetsDefinition) and assets.is_executable:
            totals[assets.node_def.name] = len(assets.keys) + len(assets.check_keys)
    return totals


class RunReporter:
    """Prints one line per step as the run's events arrive (a Dagster event listener)."""

    def __init__(
        self, console: Console, totals: Mapping[str, int], log: Path | None, progress: bool
    ) -> None:
        self.console = console
        self.totals = totals
        self.log = log
        self.steps: dict[str, StepRecord] = {}
        self.warnings: list[str] = []
        self.run_error = ""
        self._progress = (
            Progress(
                TextColumn("  {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            if progress and console.is_terminal
            else None
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> RunReporter:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _step(self, key: str) -> StepRecord:
        return self.steps.setdefault(key, StepRecord(key))

    def __call__(self, entry: Any) -> None:
        """One stored event of the run (``EventLogEntry``)."""
        event = entry.dagster_event
        if event is None:
            if entry.level >= logging.WARNING and entry.user_message:
                self._warn(entry.step_key, entry.user_message)
            return
        kind = event.event_type_value
        key = entry.step_key
        if kind == RUN_FAILURE:
            self.run_error = event.message or ""
            return
        if key is None:
            return
        step = self._step(key)
        if kind == STEP_START:
            step.started = entry.timestamp
            if self._progress is not None:
                self._tasks[key] = self._progress.add_task(key, total=self.totals.get(key))
        elif kind == MATERIALIZATION:
            step.materialized += 1
            step.metadata.append(_values(entry.asset_materialization.metadata))
            self._advance(key)
        elif kind == OBSERVATION:
            metadata = _values(entry.asset_observation.metadata)
            if "unique_id" in metadata and "status" in metadata:  # a dbt test, once per parent
                if metadata["unique_id"] not in step.observed_tests:
                    self._advance(key)
                step.observed_tests[metadata["unique_id"]] = str(metadata["status"])
                if metadata["status"] not in ("pass", "warn"):
                    self._say(f"  [red]✗[/] {key}: dbt test {metadata['unique_id']} failed")
        elif kind == CHECK:
            check = event.asset_check_evaluation_data
            name = f"{check.asset_key.to_user_string()}:{check.check_name}"
            if check.passed:
                step.checks_passed += 1
            elif check.severity == dg.AssetCheckSeverity.WARN:
                step.checks_warned.append(name)
                # one line per kind of check (dbt's test name up to the first '_': relationships,
                # not_null...): the first in full, the others counted at the step end
                kind_key = "check " + check.check_name.split("_", 1)[0]
                if kind_key in step.similar_warnings:
                    step.similar_warnings[kind_key][0] += 1
                else:
                    step.similar_warnings[kind_key] = [0, f"check {name} warned"]
                    self._say(f"  [yellow]![/] {key}: check {name} warned{_check_detail(check)}")
            else:
                step.checks_failed.append(name)
                self._say(f"  [red]✗[/] {key}: check {name} failed{_check_detail(check)}")
            self._advance(key)
        elif kind in (STEP_SUCCESS, STEP_FAILURE, STEP_SKIPPED):
            step.ended = entry.timestamp
            step.status = {STEP_SUCCESS: "ok", STEP_FAILURE: "failed", STEP_SKIPPED: "skipped"}[
                kind
            ]
            if kind == STEP_FAILURE:
                step.error = _error_text(event.step_failure_data.error)
            self._finish(step)

    def _warn(self, key: str | None, message: str) -> None:
        """A warning in full; one like an earlier one of the step (same text up to the quoted
        names) is counted and summed up at the step end. dagster-dbt's note that it logs a source
        or singular test as an observation is not for the operator (the test's result is counted
        in the step line either way): it stays in the full log only."""
        if message.startswith(DBT_OBSERVATION_NOTE):
            return
        if key is not None:
            step = self._step(key)
            template = warning_template(message)
            if template in step.similar_warnings:
                step.similar_warnings[template][0] += 1
                return
            step.similar_warnings[template] = [0, message.strip().splitlines()[0]]
        where = f"{key}: " if key else ""
        self._say(f"  [yellow]![/] {_escape(where + message)}")

    def _advance(self, key: str) -> None:
        if self._progress is not None and key in self._tasks:
            self._progress.advance(self._tasks[key])

    def _say(self, text: str, markup_text: bool = True) -> None:
        self.console.print(text, markup=markup_text, highlight=False, soft_wrap=True)

    def _finish(self, step: StepRecord) -> None:
        if self._progress is not None and step.key in self._tasks:
            self._progress.remove_task(self._tasks.pop(step.key))
        seconds = f"{step.seconds:6.1f} s" if step.seconds is not None else "       "
        mark = {"ok": "[green]✓[/]", "failed": "[red]✗[/]", "skipped": "[dim]-[/]"}[step.status]
        name = step.key.replace("[", r"\[")
        if step.status == "skipped":
            self._say(f"  {mark} {name:<40} {'':>8}  skipped: an upstream step failed")
            return
        for count, first in step.similar_warnings.values():
            if count:
                self._say(
                    f"  [yellow]![/] {name}: {count} more warnings like "
                    f"{_escape(first[:60])}... (other names; all in the log)"
                )
        what = describe(step)
        line = f"  {mark} {name:<40} {seconds}"
        if what:
            line += f"  {_escape(what)}"
        self._say(line)
        if step.status == "failed":
            self.console.print(_indent(step.error), markup=False, highlight=False, soft_wrap=True)
            if self.log is not None:
                self._say(f"    (traceback in {self.log})", markup_text=False)


def _check_detail(check: Any) -> str:
    text = (check.description or "").strip()
    return f": {_escape(text)}" if text else ""


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


@dataclass
class RunOutcome:
    """What :func:`execute` returns: the Dagster result and the steps as the person saw them."""

    success: bool
    run_id: str
    steps: dict[str, StepRecord]
    seconds: float
    log: Path | None


def execute(
    defs: dg.Definitions,
    job_name: str,
    instance: dg.DagsterInstance,
    console: Console,
    log: Path | None = None,
    progress: bool = True,
) -> RunOutcome:
    """Run a job of ``defs`` in this process, printing one line per step to ``console``."""
    run_id = str(uuid.uuid4())
    reporter = RunReporter(console, step_totals(defs), log, progress)
    instance.add_event_listener(run_id, reporter)
    start = time.perf_counter()
    with reporter:
        result = defs.get_job_def(job_name).execute_in_process(
            instance=instance, raise_on_error=False, run_id=run_id
        )
    seconds = time.perf_counter() - start
    if (
        not result.success
        and reporter.run_error
        and not any(s.status == "failed" for s in reporter.steps.values())
    ):
        console.print(reporter.run_error, markup=False, highlight=False, soft_wrap=True)
    return RunOutcome(result.success, run_id, reporter.steps, seconds, log)


def person_console(stream: TextIO) -> Console:
    """A rich console on the person's stream; colours and live bars only on a terminal."""
    return Console(file=stream, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def table_progress(console: Console, what: str) -> Iterator[Any]:
    """A transient bar over the tables a world generation writes; yields the callback to give
    :func:`pipelines.world.generate` (nothing is drawn when the stream is not a terminal)."""
    if not console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("  {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=None)

        def advance(system: str, table: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{what}: {system}.{table}")

        yield advance


def world_line(summary: Any, seconds: float, verb: str) -> str:
    """One line for a generate/advance: scale, clock, tables, rows and injected bad records."""
    rows = sum(summary.rows.values())
    bad = sum(summary.bad.values())
    return (
        f"world {verb} in {seconds:.1f} s: scale {summary.scale}, seed {summary.seed}, "
        f"as of {summary.as_of}; {len(summary.rows)} tables, {rows:,} rows "
        f"({bad:,} bad records injected)"
    )
