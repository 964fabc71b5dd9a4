"""Hostile records for every feed: nothing is lost, nothing valid is quarantined.

Hypothesis writes batches of records for an entity of each feed, straight from the contract:
unicode text (quotes, commas, emoji, right-to-left marks), nulls and blanks in required columns,
extreme and malformed amounts (1e30, negative money, NaN, "12k"), unknown enum values, duplicate
keys, timestamps in any order, and, for the text formats, broken lines (invalid JSON, CSV rows with
the wrong number of fields). Each generated value knows whether the contract accepts it, so the test
knows which records are valid. For every batch:

    records in = valid rows + quarantined rows

the valid rows are exactly the records expected valid, each quarantined row carries a reason, its
source and its payload, and its record reference points at a record expected to be rejected.

Readers are tested directly (fast, many examples); one batch per feed also goes through a real dlt
load into a temporary warehouse, where the identity is checked against the loaded tables.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import settings as prm_settings
from pipelines.common.ledger import Ledger
from pipelines.common.loading import pipeline
from pipelines.common.validation import QUARANTINE_TABLE, Validated, read_drop
from pipelines.contracts import Column, Entity, entities
from pipelines.crm import validated_items
from pipelines.crm.helpers import ENVELOPE
from pipelines.finance import finance_source
from pipelines.lms import lms_source
from pipelines.tcma import tcma_source

# one entity per file format and feed, each with money, enums, timestamps and required columns
FILE_ENTITIES = {
    "lms": "enrolments",  # jsonl
    "tcma": "leads",  # csv, personal data
    "finance": "mdf_requests",  # parquet, money
}
FINANCE_CSV = "mdf_payments"
CRM_ENTITY = "deals"
SOURCES = {"lms": lms_source, "tcma": tcma_source, "finance": finance_source}
EXAMPLES = 20

# -- values -------------------------------------------------------------------------------------

# text with the characters that break naive CSV/JSON handling, and beyond the BMP
HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(list("aZ09 ,;\"'\\\t|{}[]:é漢ضאـ‏\u200b🙂ß∑")),
    min_size=1,
    max_size=12,
).map(lambda t: f"x{t}x")  # never blank (the null case below), nothing to trim

BLANK = st.sampled_from([None, "", "   "])


@dataclass(frozen=True)
class Value:
    text: str | None
    valid: bool


def _valid(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[Value]:
    return strategy.map(lambda t: Value(t, True))


def _invalid(*texts: str) -> st.SearchStrategy[Value]:
    return st.sampled_from(texts).map(lambda t: Value(t, False))


def _timestamps() -> st.SearchStrategy[str]:
    # any order across six years, with and without fractions, Z or an offset
    return st.builds(
        lambda y, mo, d, h, mi, frac, tz: f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:00{frac}{tz}",
        st.integers(2020, 2026),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 23),
        st.integers(0, 59),
        st.sampled_from(["", ".5", ".123"]),
        st.sampled_from(["Z", "+02:00", "-05:30"]),
    )


def column_values(col: Column, keys: list[str], broken: bool) -> st.SearchStrategy[Value]:
    """A value for ``col`` the contract accepts, or (``broken``) one it rejects."""
    if col.enum:
        good = _valid(st.sampled_from(col.enum))
        bad = _invalid("unknown_value", col.enum[0].upper() + "é", "🙂")
    elif col.type == "string":
        good = _valid(st.sampled_from(keys) if keys else HOSTILE_TEXT)
        bad = st.nothing()
    elif col.type == "integer":
        good = _valid(st.integers(0 if col.nonnegative else -(10**6), 10**12).map(str))
        bad = _invalid("12k", "9" * 30, "NaN", *(["-3"] if col.nonnegative else []))
    elif col.type == "decimal":
        cents = st.integers(0 if col.nonnegative else -(10**17), 10**17 - 1)
        good = _valid(cents.map(lambda c: f"{c / 100:.2f}"))
        bad = _invalid("1e30", "NaN", "12k", "-", *(["-0.01", "-1e6"] if col.nonnegative else []))
    elif col.type == "double":
        good = _valid(st.sampled_from(["1e30", "0", "2.5", "NaN", "1e-300"]))
        bad = _invalid("ten", *(["-1e30"] if col.nonnegative else []))
    elif col.type == "boolean":
        good = _valid(st.sampled_from(["true", "false"]))
        bad = _invalid("maybe", "yes please")
    elif col.type == "date":
        good = _valid(st.dates().map(lambda d: d.isoformat()).filter(lambda d: d[0] != "0"))
        bad = _invalid("2026-02-30", "31/01/2026", "tomorrow")
    else:  # timestamp
        good = _valid(_timestamps())
        bad = _invalid("yesterday", "2026-13-01T00:00:00Z")
    if broken:
        if col.required:
            return st.one_of(bad, BLANK.map(lambda t: Value(t, False)))
        # an unusable optional value is nulled and the record still loads (logged as an issue)
        return bad.map(lambda v: Value(v.text, True))
    return st.one_of(good, good, BLANK.map(lambda t: Value(t, True))) if not col.required else good


def breakable(col: Column) -> bool:
    """Whether the contract can reject a value of ``col`` (free optional text it cannot)."""
    return col.required or col.type != "string" or bool(col.enum)


@st.composite
def records(draw: st.DrawFn, entity: Entity) -> list[dict[str, Value]]:
    """A batch of records, about one in three hostile (mostly one column broken, so each rule is
    seen alone; sometimes up to three); keys come from a small pool, so duplicates are common."""
    keys = draw(st.lists(HOSTILE_TEXT, min_size=1, max_size=4, unique=True))
    targets = [c.name for c in entity.columns if breakable(c)]
    batch = []
    for _ in range(draw(st.integers(0, 12))):
        hostile = draw(st.integers(0, 2)) == 0
        width = draw(st.sampled_from([1, 1, 1, 3])) if hostile else 0
        broken = set(draw(st.lists(st.sampled_from(targets), min_size=width, max_size=width)))
        batch.append(
            {
                c.name: draw(
                    column_values(c, keys if c.name == entity.primary_key else [], c.name in broken)
                )
                for c in entity.columns
            }
        )
    return batch


def _is_valid(record: dict[str, Value]) -> bool:
    return all(v.valid for v in record.values())


# -- files --------------------------------------------------------------------------------------


@dataclass
class Batch:
    """A written file: its records (None for a broken line) and the reference each will get."""

    path: Path
    records: list[dict[str, Value] | None]
    refs: list[str]

    @property
    def valid(self) -> int:
        return sum(1 for r in self.records if r is not None and _is_valid(r))

    @property
    def invalid_refs(self) -> set[str]:
        return {
            ref
            for r, ref in zip(self.records, self.refs, strict=True)
            if r is None or not _is_valid(r)
        }


def write_jsonl(entity: Entity, path: Path, batch: list[dict[str, Value] | None]) -> Batch:
    lines, refs = [], []
    for i, record in enumerate(batch, 1):
        if record is None:
            lines.append(['{"broken": ', "not json at all", "[1, 2, 3]", '"a string"'][i % 4])
        else:
            lines.append(
                json.dumps({k: v.text for k, v in record.items()}, ensure_ascii=i % 2 == 0)
            )
        refs.append(f"line {i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Batch(path, batch, refs)


def write_csv(entity: Entity, path: Path, batch: list[dict[str, Value] | None]) -> Batch:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # an extra column whose name needs quoting in SQL: ignored, but kept in payloads
    names = [*entity.column_names, "note \"x\", 'y'"]
    writer.writerow(names)
    refs, parsed = [], 0
    for i, record in enumerate(batch, 1):
        if record is None:  # wrong number of fields
            out.write(",".join(["x"] * (len(names) + 1 + i % 2)) + "\n")
            refs.append("malformed")
            continue
        writer.writerow([record[c].text for c in entity.column_names] + ['é, "quoted"'])
        parsed += 1
        refs.append(f"record {parsed}")
    path.write_text(out.getvalue(), encoding="utf-8")
    return Batch(path, batch, refs)


def write_parquet(entity: Entity, path: Path, batch: list[dict[str, Value] | None]) -> Batch:
    rows = [r for r in batch if r is not None]  # a Parquet file has no broken lines
    table = pa.table(
        {c: pa.array([r[c].text for r in rows], pa.string()) for c in entity.column_names}
    )
    pq.write_table(table, path)
    return Batch(path, rows, [f"record {i}" for i in range(1, len(rows) + 1)])


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


@st.composite
def file_batches(draw: st.DrawFn, entity: Entity) -> list[dict[str, Value] | None]:
    batch: list[dict[str, Value] | None] = list(draw(records(entity)))
    for _ in range(draw(st.integers(0, 3))):  # broken lines anywhere
        batch.insert(draw(st.integers(0, len(batch))), None)
    return batch


def check_identity(result: Validated, batch: Batch, source: str) -> None:
    """records in = rows + quarantined; exactly the valid records loaded; rejects explained."""
    rows_in = len(batch.records)
    assert result.rows.num_rows + result.rejected.num_rows == rows_in
    assert result.rows.num_rows == batch.valid
    rejected = result.rejected.to_pylist()
    for row in rejected:
        assert row["reason"] and row["source"] == source and row["payload"], row
    refs = [r["record_ref"] for r in rejected]
    numbered = {ref for ref in batch.invalid_refs if ref != "malformed"}
    assert {r for r in refs if not r.startswith("malformed")} == numbered, "nothing valid rejected"
    assert set(result.rows.column("_source").to_pylist()) <= {source}


def entity_of(system: str, name: str) -> Entity:
    return next(e for e in entities(system) if e.name == name)


FILE_CASES = [entity_of(s, n) for s, n in FILE_ENTITIES.items()] + [
    entity_of("finance", FINANCE_CSV)
]


@pytest.mark.parametrize("entity", FILE_CASES, ids=lambda e: f"{e.system}.{e.name}.{e.file_format}")
def test_a_file_drop_of_hostile_records_loses_nothing_and_rejects_only_the_invalid(
    entity: Entity, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp(entity.name)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(batch=file_batches(entity))
    def run(batch: list[dict[str, Value] | None]) -> None:
        path = folder / f"{entity.name}__2026-01-01.{entity.file_format}"
        written = WRITERS[entity.file_format](entity, path, batch)
        source = f"{entity.system}/{entity.name}/{path.name}"
        check_identity(read_drop(entity, path, source), written, source)

    run()


def test_an_unterminated_quote_keeps_the_rest_of_the_file_as_one_quarantined_record(
    tmp_path: Path,
) -> None:
    entity = entity_of("tcma", "leads")
    path = tmp_path / "leads__2026-01-01.csv"
    header = write_csv(entity, path, []).path.read_text()
    line = ",".join('"oops' if c == "lead_email" else "x" for c in entity.column_names)
    path.write_text(header + line + "\nnext,line\nand,another\n")
    result = read_drop(entity, path, "tcma/leads/x.csv")
    assert result.counts == (0, 1)
    (payload,) = result.rejected.column("payload").to_pylist()
    assert "next,line" in payload and "and,another" in payload, "the swallowed lines are kept"


# -- the CRM ------------------------------------------------------------------------------------


@st.composite
def crm_batches(draw: st.DrawFn, entity: Entity) -> list[dict]:
    """API records (envelope + string properties) as HubSpot returns them; archived is a boolean
    in the envelope, so it is drawn as one."""
    batch = draw(records(entity))
    out = []
    for record in batch:
        envelope = {ENVELOPE[c]: record[c].text for c in ENVELOPE if c != "archived"}
        envelope["archived"] = draw(st.booleans())
        record["archived"] = Value("true", True)
        props = {c: v.text for c, v in record.items() if c not in ENVELOPE}
        out.append({**envelope, "properties": props, "_expected_valid": _is_valid(record)})
    return out


def test_a_crm_page_of_hostile_records_loses_nothing_and_rejects_only_the_invalid() -> None:
    entity = entity_of("crm", CRM_ENTITY)
    source = f"crm/v3/objects/{entity.name}"

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(batch=crm_batches(entity))
    def run(batch: list[dict]) -> None:
        expected_valid = sum(r.pop("_expected_valid") for r in batch)
        ledger = Ledger(entity)
        ledger.read(source, len(batch))
        items = list(validated_items(entity, batch, source, ledger))
        tables = [getattr(i, "data", i) for i in items]
        rows = sum(t.num_rows for t in tables if "_source" in t.column_names)
        quarantined = [
            r for t in tables if "quarantine_id" in t.column_names for r in t.to_pylist()
        ]
        nulled = [r for t in tables if "issue_id" in t.column_names for r in t.to_pylist()]
        assert all(r["reason"] and r["action"] == "nulled" for r in nulled)
        (tally,) = ledger.tallies.values() if batch else (None,)
        superseded = tally.superseded if tally else 0
        # merge entities keep the latest version of a key within a batch: the rest is superseded
        assert rows + superseded + len(quarantined) == len(batch)
        assert rows + superseded == expected_valid
        assert all(r["reason"] and r["source"] == source and r["payload"] for r in quarantined)

    run()


# -- one real load per feed ---------------------------------------------------------------------


def _fixed_batch(entity: Entity) -> list[dict[str, Value] | None]:
    """One deterministic hostile batch (hypothesis' ``example`` is not for use inside tests)."""
    strategy = file_batches(entity)
    found: list = []

    @settings(max_examples=1, deadline=None, derandomize=True, database=None)
    @given(batch=strategy.filter(lambda b: len(b) >= 4))
    def grab(batch: list) -> None:
        found.append(batch)

    grab()
    return found[0]


@pytest.mark.slow
@pytest.mark.parametrize("entity", FILE_CASES[:3], ids=lambda e: e.system)
def test_a_real_load_of_a_hostile_drop_accounts_for_every_record(entity: Entity, data_dir) -> None:
    landing = prm_settings.landing_dir()
    folder = landing / entity.system / entity.name
    folder.mkdir(parents=True)
    path = folder / f"{entity.name}__2026-01-01.{entity.file_format}"
    written = WRITERS[entity.file_format](entity, path, _fixed_batch(entity))
    p = pipeline(entity.system)
    p.run(
        SOURCES[entity.system](str(landing)).with_resources(entity.name),
        loader_file_format="parquet",
    )
    (load_id,) = p.last_trace.last_normalize_info.loads_ids
    con = duckdb.connect(str(prm_settings.warehouse_path()), read_only=True)
    try:
        loaded = con.execute(
            f"select count(*) from raw_{entity.system}.{entity.name} where _dlt_load_id = ?",
            [load_id],
        ).fetchone()[0]
        quarantined = (
            con.execute(
                f"select count(*) from raw_{entity.system}.{QUARANTINE_TABLE} where _dlt_load_id = ?",
                [load_id],
            ).fetchone()[0]
            if written.invalid_refs
            else 0
        )
    finally:
        con.close()
    valid = [r for r in written.records if r is not None and _is_valid(r)]
    distinct_keys = len({r[entity.primary_key].text for r in valid})
    superseded = len(valid) - distinct_keys if entity.write_disposition == "merge" else 0
    assert loaded + superseded + quarantined == len(written.records)
