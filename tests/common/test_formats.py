"""Declared and detected formats: encodings, decimal separators, dates (pipelines.common.formats)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pipelines.common.formats import FeedFormat, FileFault, decode, normalise
from pipelines.contracts import Column, Entity

CYRILLIC = "\u0418\u0432\u0430\u043d,\u041c\u043e\u0441\u043a\u0432\u0430\n" * 3
LATIN1 = "Id,Name\n1,São Paulo Logística\n2,Müller GmbH\n3,Société Générale\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (LATIN1.encode(), "utf-8"),
        (b"\xef\xbb\xbf" + LATIN1.encode(), "utf-8-sig"),
        (LATIN1.encode("latin-1"), "cp1252"),  # no valid UTF-8 sequence: a Western code page
        (LATIN1.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_detected_and_the_text_is_right(data: bytes, encoding: str) -> None:
    assert decode(data, FeedFormat()) == (LATIN1, encoding)


def test_a_corrupt_utf8_file_is_a_file_fault_naming_the_first_bad_byte() -> None:
    data = "Id,Name\n1,Müller\n".encode() + b"2,M\xfcller\n"
    with pytest.raises(FileFault) as e:
        decode(data, FeedFormat())
    assert e.value.position == "byte 0xfc at offset 21 (line 3)"
    assert "corrupt UTF-8" in e.value.reason


def test_a_declared_encoding_is_used_and_enforced() -> None:
    assert decode("Zürich".encode("cp1252"), FeedFormat(encoding="cp1252"))[0] == "Zürich"
    with pytest.raises(FileFault, match="not valid utf-8 \\(the declared encoding\\)"):
        decode("Zürich".encode("cp1252"), FeedFormat(encoding="utf-8"))


def test_a_non_western_file_is_not_guessed() -> None:
    with pytest.raises(FileFault, match="declare encoding:"):
        decode(CYRILLIC.encode("cp1251"), FeedFormat())


THING = Entity(
    "finance",
    "things",
    "id",
    (
        Column("id", "string", required=True),
        Column("amount", "decimal"),
        Column("day", "date"),
        Column("at", "timestamp"),
    ),
    "merge",
    file_format="csv",
)


def _normalise(fmt: FeedFormat, **values: str) -> tuple[dict, dict]:
    table = pa.table({"id": ["1"], **{k: [v] for k, v in values.items()}})
    out, issues = normalise(THING, table, fmt)
    return (
        {k: out.column(k)[0].as_py() for k in values},
        {k: v[0].as_py() for k, v in issues.items()},
    )


@pytest.mark.parametrize(
    ("config", "value", "expected"),
    [
        ({"decimal": ","}, "1.234,56", "1234.56"),
        ({"decimal": ","}, "12,5", "12.5"),
        ({"decimal": ",", "thousands": " "}, "1\u00a0234,56", "1234.56"),
        ({"decimal": "."}, "1,234.56", "1234.56"),
        ({"decimal": ".", "thousands": ""}, "1234.56", "1234.56"),
        ({}, "1234.56", "1234.56"),
    ],
)
def test_declared_number_formats(config: dict, value: str, expected: str) -> None:
    values, issues = _normalise(FeedFormat.from_config(config), amount=value)
    assert values == {"amount": expected} and issues == {}


@pytest.mark.parametrize(
    ("config", "value"), [({}, "1.234"), ({}, "1,5"), ({"decimal": ","}, "1.5")]
)
def test_numbers_that_read_two_ways_or_break_the_declared_format_are_issues(
    config: dict, value: str
) -> None:
    values, issues = _normalise(FeedFormat.from_config(config), amount=value)
    assert values == {"amount": value}  # kept as it came, for the contract check to act on
    assert "number in amount" in issues["amount"]


def test_us_dates_need_a_declaration_and_load_with_one() -> None:
    _, issues = _normalise(FeedFormat(), day="03/04/2026")
    assert "declare date_format: '%m/%d/%Y' (US)" in issues["day"]
    us = FeedFormat.from_config({"date_format": "%m/%d/%Y", "timestamp_format": "%m/%d/%Y %H:%M"})
    values, issues = _normalise(us, day="03/04/2026", at="03/04/2026 17:30")
    assert values == {"day": "2026-03-04", "at": "2026-03-04T17:30:00+00:00"} and issues == {}
    values, _ = _normalise(us, day="2026-03-04")  # ISO is always read
    assert values == {"day": "2026-03-04"}


def test_a_bad_declaration_is_refused() -> None:
    with pytest.raises(ValueError, match="decimal must be one of"):
        FeedFormat.from_config({"decimal": ";"})
    with pytest.raises(ValueError, match="unknown encoding"):
        FeedFormat.from_config({"encoding": "klingon"})
    with pytest.raises(ValueError, match="not a strptime format"):
        FeedFormat.from_config({"date_format": "MM/DD/YYYY"})
