"""What a person sees of a run (orchestration/console.py): one line per step with its counts, a
failure in full, the full log in a file and not on the terminal unless asked."""

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest
from rich.console import Console
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.console import (
    DBT_OBSERVATION_NOTE,
    StepRecord,
    describe,
    execute,
    full_log_to,
    log_path,
    warning_template,
)

LONG_ERROR = "the feed file is unreadable:\nline 2 says why\nline 3 says what to do"


def test_an_ingest_step_reads_as_rows_loaded_and_quarantined_with_the_reasons() -> None:
    step = StepRecord("ingest_lms", materialized=4)  # 2 tables, the quarantine and the ledger
    step.metadata = [
        {"dagster/row_count": 10},
        {"dagster/row_count": 5},
        {},
        {
            "records_in": 1_203,
            "records_loaded": 1_200,
            "records_quarantined": 3,
            "top_reasons": "learning_events: malformed JSON line (3)",
        },
    ]
    assert describe(step) == (
        "1,200 rows loaded into 2 tables, 3 quarantined (learning_events: malformed JSON line (3))"
    )


def test_a_dbt_step_counts_models_and_tests_once_each() -> None:
    step = StepRecord("prm_dbt_models", materialized=120, checks_passed=700)
    step.checks_warned = ["a", "b"]
    # a source test is observed once per parent node: one test, not three
    step.observed_tests = {"test.x": "pass", "test.y": "fail", "test.z": "warn"}
    assert describe(step) == (
        "120 models, seeds and snapshots built; 701 of 705 tests passed, 3 warned, 1 failed"
    )


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (
            {"desired": 18, "unchanged": 0, "sent": 18, "acknowledged": 18, "rejected": 0},
            "18 CRM changes pushed (18 acknowledged, 0 rejected, 0 unchanged)",
        ),
        (
            {
                "partners": 18,
                "evaluations": 90,
                "promotions_today": 2,
                "demotions_today": 1,
                "in_grace": 3,
                "tier_changes_for_crm": 3,
            },
            "18 partners decided: 2 promotions, 1 demotions, 3 in grace, 3 tier changes for the CRM",
        ),
        (
            {"due": 5, "new": 4, "extensions_approved": 1, "extensions_for_review": 2},
            "4 new notices (5 due), 1 extensions approved, 2 for review",
        ),
        (  # a write-back with no CRM API to write to (a CRM read from its CSV exports)
            {"skipped": "nothing written back: the CRM is read from CSV exports"},
            "nothing written back: the CRM is read from CSV exports",
        ),
    ],
)
def test_automation_steps_read_as_decisions_and_crm_changes(metadata, expected) -> None:
    assert describe(StepRecord("step", materialized=1, metadata=[metadata])) == expected


def test_warnings_alike_but_for_the_names_share_a_template() -> None:
    a = "Logging an `AssetObservation` for dbt test `source_unique_crm_deals_id`."
    b = "Logging an `AssetObservation` for dbt test `source_unique_lms_courses_id`."
    assert warning_template(a) == warning_template(b)
    assert warning_template(a) != warning_template("3 partner records rejected by the CRM")


# -- a small job through the reporter ------------------------------------------------------------


@dg.asset
def loaded(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    context.log.info("a debug-level chatter line")
    context.log.warning("2 partner records rejected by the CRM: see reverse_etl.crm_dead_letters")
    context.log.warning(f"{DBT_OBSERVATION_NOTE} for dbt test `source_unique_crm_deals_id`.")
    return dg.MaterializeResult(
        metadata={"desired": 5, "unchanged": 1, "sent": 4, "acknowledged": 2, "rejected": 2}
    )


@dg.asset(
    deps=[loaded],
    check_specs=[
        dg.AssetCheckSpec(name, asset="checked")
        for name in ("relationships_a_partner_id", "relationships_b_partner_id", "not_null_a_id")
    ],
)
def checked():
    """Three checks that warn, two of one kind (dbt's relationships tests on a small world)."""
    yield dg.MaterializeResult()
    for name in ("relationships_a_partner_id", "relationships_b_partner_id", "not_null_a_id"):
        yield dg.AssetCheckResult(
            check_name=name, passed=False, severity=dg.AssetCheckSeverity.WARN
        )


@dg.asset(deps=[checked])
def broken() -> None:
    raise RuntimeError(LONG_ERROR)


@dg.asset(deps=[broken])
def downstream() -> None:
    """Never runs: its upstream fails."""


def _run(tmp_path: Path) -> tuple[bool, str]:
    defs = dg.Definitions(
        assets=[loaded, checked, broken, downstream],
        jobs=[dg.define_asset_job("small", selection=dg.AssetSelection.all())],
    )
    out = io.StringIO()
    console = Console(file=out, width=200)
    with dg.instance_for_test() as instance:
        outcome = execute(defs, "small", instance, console, tmp_path / "run.log")
    return outcome.success, out.getvalue()


def test_one_line_per_step_warnings_and_the_failure_in_full(tmp_path: Path) -> None:
    success, text = _run(tmp_path)
    assert not success
    lines = text.splitlines()
    assert any(line.startswith("  ✓ loaded ") and "4 CRM changes pushed" in line for line in lines)
    assert "AssetObservation" not in text, "dagster-dbt's internal note stays in the log"
    assert (
        "  ! loaded: 2 partner records rejected by the CRM: see reverse_etl.crm_dead_letters"
        in lines
    )
    assert any(line.startswith("  ✗ broken ") for line in lines)
    # every line of the message, not just the first
    assert "    RuntimeError: " + LONG_ERROR.replace("\n", "\n    ") in text
    assert f"(traceback in {tmp_path / 'run.log'})" in text
    assert (
        "  ! downstream: Dependencies for step downstream failed: ['broken']. Not executing."
        in lines
    )
    assert "debug-level chatter" not in text and "STEP_START" not in text
    # warned checks: the first of each kind in full, the rest of a kind counted in one line
    assert "  ! checked: check checked:relationships_a_partner_id warned" in lines
    assert "relationships_b_partner_id" not in text
    assert "  ! checked: check checked:not_null_a_id warned" in lines
    assert any(
        line.startswith("  ! checked: 1 more warnings like check checked:relationships_a")
        for line in lines
    ), text
    assert any("0 of 3 tests passed, 3 warned" in line for line in lines), text
    assert len(lines) <= 14, text


# -- the full log --------------------------------------------------------------------------------


def test_the_full_log_goes_to_the_file_and_only_the_person_lines_to_the_stream(
    tmp_path: Path,
) -> None:
    """In a process of its own: stdout and stderr are real descriptors there, as under make.
    A quiet run, then a verbose one."""
    script = textwrap.dedent(
        f"""
        import os, subprocess, sys
        from pathlib import Path
        from orchestration.console import full_log_to
        for mode in ("quiet", "verbose"):
            log = Path({str(tmp_path)!r}) / (mode + ".log")
            with full_log_to(log, mode == "verbose") as person:
                print(f"python stdout line {{mode}}")
                print(f"python stderr line {{mode}}", file=sys.stderr)
                os.write(1, f"raw fd line {{mode}}\\n".encode())
                subprocess.run(["echo", f"child process line {{mode}}"], check=True)
                person.write(f"the person's line {{mode}}\\n")
            print(f"after the run {{mode}}")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shown = done.stdout + done.stderr
    for mode in ("quiet", "verbose"):
        log = (tmp_path / f"{mode}.log").read_text()
        chatter = [
            f"{what} {mode}"
            for what in (
                "python stdout line",
                "python stderr line",
                "raw fd line",
                "child process line",
            )
        ]
        assert all(line in log for line in chatter), log
        assert f"the person's line {mode}" in done.stdout and f"after the run {mode}" in done.stdout
        if mode == "quiet":
            assert not any(line in shown for line in chatter), shown
        else:
            assert all(line in shown for line in chatter), shown


def test_the_full_log_without_real_descriptors_still_goes_to_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """As under a test runner's captured ``sys.stdout`` (no file descriptor behind it)."""
    log = tmp_path / "run.log"
    before = sys.stdout
    with full_log_to(log) as person:
        print("chatter")
        assert sys.stdout is not before
    assert person is before
    assert "chatter" in log.read_text()
    assert "chatter" not in capsys.readouterr().out


def test_log_files_are_named_by_kind_and_time_and_never_overwritten(data_dir: Path) -> None:
    first = log_path("run")
    first.write_text("x")
    second = log_path("run")
    assert first.parent == data_dir / "logs"
    assert first.name.startswith("run-") and first.suffix == ".log"
    assert second != first


# -- the command -----------------------------------------------------------------------------


@pytest.mark.slow  # parses the dbt project and loads the code location, twice
def test_a_failed_run_prints_the_error_in_full_and_the_log_keeps_the_events(
    data_dir, tmp_path, monkeypatch
) -> None:
    """`prm run --job tiering` on an empty warehouse: the decisions step cannot read its rules.
    dbt parses into a target folder of its own: another warehouse path in the shared folder's
    partial-parse state would make the end-to-end runs parse the whole project again."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt_target"))
    result = CliRunner().invoke(app, ["run", "--job", "tiering"])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "✗ tier_decisions" in out
    # DuckDB's own message, every line of it
    assert 'Table with name "reference.tier_rules" does not exist' in out
    assert "LINE 1: select * from reference.tier_rules" in out
    assert "job tiering failed" in out and "in steps: tier_decisions" in out
    assert "STEP_START" not in out
    (log,) = (data_dir / "logs").glob("run-*.log")
    assert "STEP_START" in log.read_text()
    assert f"full log in {log}" in out
    verbose = CliRunner().invoke(app, ["run", "--job", "tiering", "--verbose"])
    assert verbose.exit_code == 1
    assert "STEP_START" in verbose.output and "✗ tier_decisions" in verbose.output
