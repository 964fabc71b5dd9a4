"""Files a real vendor could send, each loaded through the real dlt source of its feed: a Latin-1
CSV, a JSON-lines file with a bad byte, a truncated Parquet file, a renamed optional column and an
extra one, European numbers and US dates declared in the sources file. The bad file is quarantined
as a file and the feed's next files still load; everything else is accounted for in the ledger."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.assets.drift import DriftFindings, drift_findings
from pipelines import settings
from pipelines.common.ledger import check_load
from pipelines.common.loading import last_load, pipeline
from pipelines.common.validation import arrow_schema
from pipelines.contracts import entity
from pipelines.finance import finance_source
from pipelines.lms import lms_source
from pipelines.tcma import tcma_source
from tests.common.test_drops import COURSE as SOME_COURSE
from tests.warehouse import query

COURSE = {**SOME_COURSE, "product_line": "security", "validity_days": None}  # every key present

SOURCES = {"lms": lms_source, "tcma": tcma_source, "finance": finance_source}


def _write(name: str, system: str, day: str, ext: str, data: bytes) -> Path:
    path = settings.landing_dir() / system / name / f"{name}__{day}.{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _load(system: str) -> Any:
    p = pipeline(system)
    p.run(SOURCES[system](), loader_file_format="parquet")
    load_ids, normalized = last_load(p)
    con = duckdb.connect(str(settings.warehouse_path()), read_only=True)
    try:
        return check_load(con, system, load_ids, normalized) if load_ids else None
    finally:
        con.close()


def _drift(system: str) -> DriftFindings:
    con = duckdb.connect(str(settings.warehouse_path()), read_only=True)
    try:
        return drift_findings(con, system)
    finally:
        con.close()


def _sources(data_dir: Path, text: str) -> None:
    (data_dir / "sources.yml").write_text(text)


CAMPAIGNS_HEADER = (
    "campaign_id,campaign_name,campaign_type,product_line,budget,start_date,end_date,updated_at"
)


def test_a_latin1_csv_loads_and_a_renamed_column_is_reported(data_dir: Path) -> None:
    # a Windows-1252 export with US dates, declared for the feed; the day after, the vendor renames
    # budget to budget_usd and adds a column
    _sources(data_dir, "feeds:\n  crm: {}\n  tcma:\n    date_format: '%m/%d/%Y'\n")
    _write(
        "campaigns",
        "tcma",
        "2026-03-01",
        "csv",
        (
            f"{CAMPAIGNS_HEADER}\r\n"
            "CMP-1,Campaña Primavera Ñandú,email,security,12500.00,03/04/2026,04/30/2026,2026-03-01T08:00:00Z\r\n"
            "CMP-2,Événement partenaires Zürich,event,platform,8000.00,03/15/2026,,2026-03-01T08:00:00Z\r\n"
        ).encode("cp1252"),
    )
    _write(
        "campaigns",
        "tcma",
        "2026-03-02",
        "csv",
        (
            b"campaign_id,campaign_name,campaign_type,product_line,budget_usd,start_date,end_date,"
            b"updated_at,owner_team\n"
            b"CMP-3,Spring webinar,webinar,analytics,4000.00,03/20/2026,03/20/2026,"
            b"2026-03-02T08:00:00Z,EMEA field\n"
        ),
    )
    report = _load("tcma")
    assert report.rows_in == 3 and report.rows_loaded == 3 and not report.quarantined_files
    assert query(
        "select campaign_id, campaign_name, budget, start_date from raw_tcma.campaigns order by 1"
    ) == [
        ("CMP-1", "Campaña Primavera Ñandú", Decimal("12500.00"), date(2026, 3, 4)),
        ("CMP-2", "Événement partenaires Zürich", Decimal("8000.00"), date(2026, 3, 15)),
        ("CMP-3", "Spring webinar", None, date(2026, 3, 20)),
    ]
    assert query(
        "select source, encoding, unknown_columns, missing_columns from raw_tcma.load_ledger order by 1"
    ) == [
        ("tcma/campaigns/campaigns__2026-03-01.csv", "cp1252", None, None),
        ("tcma/campaigns/campaigns__2026-03-02.csv", "utf-8", "budget_usd, owner_team", "budget"),
    ]
    drift = _drift("tcma")  # the asset check warns: optional drift
    assert drift.errors == [] and drift.warnings == [
        "tcma/campaigns/campaigns__2026-03-02.csv: unknown columns budget_usd, owner_team",
        "tcma/campaigns/campaigns__2026-03-02.csv: missing optional columns budget (loaded as null)",
    ]


def test_a_jsonl_with_a_bad_byte_is_quarantined_as_a_file_and_the_next_file_loads(
    data_dir: Path,
) -> None:
    good = json.dumps({**COURSE, "title": "Sécurité réseau"}, ensure_ascii=False).encode()
    bad = _write(
        "courses",
        "lms",
        "2026-03-01",
        "jsonl",
        good + b"\n" + json.dumps({**COURSE, "course_id": "C2"}).encode()[:-2] + b'\xff"}\n',
    )
    _write(
        "courses",
        "lms",
        "2026-03-02",
        "jsonl",
        json.dumps({**COURSE, "course_id": "C3"}).encode() + b"\n",
    )
    report = _load("lms")
    assert query("select course_id from raw_lms.courses") == [("C3",)]
    [(source, size, digest, reason, position)] = query(
        "select source, size_bytes, content_hash, reason, position from raw_lms.quarantined_files"
    )
    assert source == "lms/courses/courses__2026-03-01.jsonl" and size == bad.stat().st_size
    assert position.startswith("byte 0xff at offset ") and position.endswith("(line 2)")
    assert reason.startswith("corrupt UTF-8") and len(digest) == 32
    assert report.quarantined_files == ((source, reason),)
    assert _drift("lms").errors == [f"{source}: file quarantined: {reason}"]  # the check fails
    assert query(
        "select file_status, rows_in from raw_lms.load_ledger where source = ?".replace(
            "?", f"'{source}'"
        )
    ) == [("quarantined", 0)]
    # not retried on the next run; retried once the file changes
    assert _load("lms") is None
    bad.write_bytes(good + b"\n")
    _load("lms")
    assert sorted(query("select course_id from raw_lms.courses")) == [("C1",), ("C3",)]
    assert _drift("lms") == DriftFindings()  # the fixed file's load has no drift


def test_a_truncated_parquet_is_quarantined_and_european_numbers_load_as_declared(
    data_dir: Path,
) -> None:
    _sources(
        data_dir, "feeds:\n  crm: {}\n  finance:\n    decimal: ','\n    date_format: '%d.%m.%Y'\n"
    )
    requests = entity("finance", "mdf_requests")
    row = {
        "request_id": "R1",
        "allocation_id": "A1",
        "partner_id": "P-000001",
        "activity_type": "webinar",
        "requested_amount": Decimal("5000.00"),
        "currency": "EUR",
        "status": "submitted",
        "submitted_at": pa.scalar(0, pa.timestamp("us", tz="UTC")).as_py(),
        "updated_at": pa.scalar(0, pa.timestamp("us", tz="UTC")).as_py(),
    }
    schema = pa.schema([f for f in arrow_schema(requests) if f.name != "_source"])
    for day, rid in (("2026-03-01", "R1"), ("2026-03-02", "R2")):
        path = settings.landing_dir() / "finance" / "mdf_requests" / f"mdf_requests__{day}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist([{**row, "request_id": rid}], schema=schema), path)
    first = path.with_name("mdf_requests__2026-03-01.parquet")
    first.write_bytes(first.read_bytes()[: first.stat().st_size // 2])  # an upload cut short
    _write(
        "mdf_budgets",
        "finance",
        "2026-03-01",
        "csv",
        (
            b"budget_id,fiscal_quarter,region,tier,amount,currency,updated_at\n"
            b'B1,2026-Q1,EMEA,gold,"12.500,00",EUR,2026-03-01T00:00:00Z\n'
            b'B2,2026-Q1,EMEA,silver,"1.234,56",EUR,2026-03-01T00:00:00Z\n'
            b"B3,2026-Q1,EMEA,platinum,750,EUR,2026-03-01T00:00:00Z\n"
        ),
    )
    report = _load("finance")
    assert query("select request_id from raw_finance.mdf_requests") == [("R2",)]
    [(source, reason)] = report.quarantined_files
    assert source.endswith("mdf_requests__2026-03-01.parquet") and "unreadable Parquet" in reason
    assert query("select budget_id, amount from raw_finance.mdf_budgets order by 1") == [
        ("B1", Decimal("12500.00")),
        ("B2", Decimal("1234.56")),
        ("B3", Decimal("750.00")),
    ]


@pytest.mark.parametrize(
    ("value", "loads"),
    [("12.500,00", False), ("1.234", False), ("1,234", False), ("1234.50", True)],
)
def test_undeclared_european_numbers_are_refused_not_read_1000x_too_small(
    data_dir: Path, value: str, loads: bool
) -> None:
    _write(
        "mdf_budgets",
        "finance",
        "2026-03-01",
        "csv",
        (
            "budget_id,fiscal_quarter,region,tier,amount,currency,updated_at\n"
            f'B1,2026-Q1,EMEA,gold,"{value}",EUR,2026-03-01T00:00:00Z\n'
        ).encode(),
    )
    from pipelines.common.validation import read_drop

    path = settings.landing_dir() / "finance" / "mdf_budgets" / "mdf_budgets__2026-03-01.csv"
    read = read_drop(entity("finance", "mdf_budgets"), path, "x")
    assert read.counts == ((1, 0) if loads else (0, 1))
    if not loads:  # amount is required: the record is quarantined with the way out
        assert "declare decimal: ',' or '.'" in read.rejected["reason"][0].as_py()


def test_prm_sources_check_names_a_file_that_would_be_quarantined_whole(data_dir: Path) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    _sources(data_dir, "feeds:\n  crm: {}\n  lms: {}\n")
    data = '{"title": "Sécurité", "course_id": "C'.encode() + b'\xff1"}\n'
    _write("courses", "lms", "2026-03-01", "jsonl", data)
    result = CliRunner().invoke(app, ["sources", "check"])
    assert result.exit_code == 1, result.output
    assert "lms.courses  lms/courses/courses__2026-03-01.jsonl" in result.output
    offset = data.index(b"\xff")
    assert (
        f"the whole file would be quarantined: corrupt UTF-8: valid UTF-8 text with an invalid byte 0xff at offset {offset} (line 1)"
        in result.output
    )
    assert "1 file(s) quarantined whole (nothing written)" in result.output
    assert not settings.warehouse_path().exists()
