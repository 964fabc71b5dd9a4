"""Scan a data folder for e-mail addresses and phone numbers in clear outside the restricted area.

The restricted area is the ``raw_*`` schemas of the warehouse (the feeds as delivered, and dlt's
``raw_*_staging`` merge tables). Everything else is scanned: every text-like column of every table
and view of every other schema (staging, intermediate, marts, reports, automation, reverse_etl,
snapshots, test_failures, ...), and every HTML page under the data folder (the leadership pages,
the dbt docs site). The patterns are pipelines/pii.py's, which staging's masking uses too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.pii import EMAIL_PATTERN, PHONE_PATTERN

RESTRICTED_SCHEMA_PREFIX = "raw_"
PATTERNS = {"email": EMAIL_PATTERN, "phone": PHONE_PATTERN}
# column types that can carry text: VARCHAR, JSON, and nested types (cast to text for the scan)
TEXT_TYPES = ("VARCHAR", "JSON")
NESTED_MARKERS = ("[]", "STRUCT", "MAP", "UNION")


@dataclass(frozen=True)
class Finding:
    """Where personal data was found in clear, with a masked example."""

    where: str
    kind: str
    count: int
    example: str

    def __str__(self) -> str:
        return f"{self.kind} in clear: {self.where} ({self.count}x, e.g. {self.example})"


def _mask(value: str) -> str:
    return value[:2] + "***" + value[-2:] if len(value) > 4 else "***"


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _text_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> its text-like columns, outside the restricted schemas."""
    rows = con.execute(
        """select table_schema, table_name, column_name, data_type
           from information_schema.columns
           where table_catalog = current_database() and not starts_with(table_schema, ?)
           order by table_schema, table_name, ordinal_position""",
        [RESTRICTED_SCHEMA_PREFIX],
    ).fetchall()
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, data_type in rows:
        if data_type in TEXT_TYPES or any(m in data_type for m in NESTED_MARKERS):
            tables.setdefault((schema, table), []).append(column)
    return tables


def scan_warehouse(path: Path) -> list[Finding]:
    """Every match of the patterns in text columns outside the ``raw_*`` schemas.

    One pass per table (a view is evaluated once); identifiers come from the catalog and are quoted,
    the patterns are bound parameters.
    """
    findings: list[Finding] = []
    con = duckdb.connect(str(path), read_only=True)
    try:
        for (schema, table), columns in _text_columns(con).items():
            checks = [(c, kind) for c in columns for kind in PATTERNS]
            items = ", ".join(
                f"any_value(regexp_extract({text}, ${kind})) filter (where {match}), "
                f"count(*) filter (where {match})"
                for c, kind in checks
                for text in [f"cast({_q(c)} as varchar)"]
                for match in [f"regexp_matches({text}, ${kind})"]
            )
            found = con.execute(
                f"select {items} from {_q(schema)}.{_q(table)}", PATTERNS
            ).fetchone()
            for i, (column, kind) in enumerate(checks):
                example, count = found[2 * i], found[2 * i + 1]
                if count:
                    where = f"{schema}.{table}.{column}"
                    findings.append(Finding(where, kind, count, _mask(example or "")))
    finally:
        con.close()
    return findings


def scan_pages(folder: Path) -> list[Finding]:
    """Every match of the patterns in the HTML pages under ``folder``."""
    findings: list[Finding] = []
    for page in sorted(folder.rglob("*.html")):
        text = page.read_text(errors="replace")
        for kind, pattern in PATTERNS.items():
            matches = [m.group(0) for m in re.finditer(pattern, text)]
            if matches:
                findings.append(Finding(str(page), kind, len(matches), _mask(matches[0])))
    return findings


def scan_data_dir(data: Path) -> list[Finding]:
    """The warehouse and the pages of one data folder (``$PRM_DATA_DIR``)."""
    return scan_warehouse(data / "warehouse.duckdb") + scan_pages(data)
