"""Load hand-made LMS drops into a temporary warehouse through the real dlt source."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.common.ledger import LEDGER_TABLE
from pipelines.common.loading import pipeline
from pipelines.lms import lms_source
from tests.warehouse import query

COURSE = {
    "course_id": "C1",
    "title": "Selling the platform",
    "course_type": "course",
    "role": "sales",
    "level": 1,
    "duration_hours": 2.0,
    "points": 10,
    "updated_at": "2026-01-01T00:00:00Z",
}
EVENT = {
    "event_id": "E1",
    "contact_id": "101",
    "partner_id": "P-000001",
    "event_type": "badge_awarded",
    "badge": "first_steps",
    "points": 5,
    "occurred_at": "2026-01-01T00:00:00Z",
}


def _drop(landing: Path, entity: str, day: str, lines: list[str]) -> Path:
    path = landing / "lms" / entity / f"{entity}__{day}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def _load(landing: Path) -> dict[str, int]:
    p = pipeline("lms")
    p.run(lms_source(str(landing)), loader_file_format="parquet")
    return {
        k: v
        for k, v in p.last_trace.last_normalize_info.row_counts.items()
        if not k.startswith("_dlt") and k != LEDGER_TABLE
    }


def test_rows_in_equal_rows_loaded_plus_quarantined_and_reruns_add_nothing(data_dir: Path) -> None:
    landing = data_dir / "landing"
    lines = [
        json.dumps(COURSE),
        json.dumps({**COURSE, "course_id": "C2", "role": "pilot"}),
        '{"course_id": "C3",',
    ]
    _drop(landing, "courses", "2026-01-01", lines)
    _drop(
        landing,
        "points_ledger",
        "2026-01-01",
        [json.dumps(EVENT), json.dumps({**EVENT, "event_id": "E2"})],
    )

    assert _load(landing) == {"courses": 1, "quarantined_records": 2, "points_ledger": 2}
    assert query("select course_id from raw_lms.courses") == [("C1",)]
    assert sorted(query("select record_ref, reason from raw_lms.quarantined_records")) == [
        ("line 2", "unknown role value pilot"),
        ("line 3", "malformed JSON line"),
    ]
    # nothing new: nothing extracted, nothing added
    assert _load(landing) == {}
    assert query("select count(*) from raw_lms.points_ledger") == [(2,)]


def test_a_redelivered_identical_file_is_not_loaded_twice(data_dir: Path) -> None:
    landing = data_dir / "landing"
    path = _drop(landing, "points_ledger", "2026-01-01", [json.dumps(EVENT)])
    _load(landing)
    path.touch()  # same content, new modification time
    assert _load(landing) == {}
    assert query("select count(*) from raw_lms.points_ledger") == [(1,)]


def test_later_drops_merge_mutable_records_and_append_events(data_dir: Path) -> None:
    landing = data_dir / "landing"
    _drop(landing, "courses", "2026-01-01", [json.dumps(COURSE)])
    _drop(landing, "points_ledger", "2026-01-01", [json.dumps(EVENT)])
    _load(landing)
    newer = {**COURSE, "title": "Selling the platform v2", "updated_at": "2026-02-01T00:00:00Z"}
    older = {**COURSE, "title": "stale copy", "updated_at": "2025-12-01T00:00:00Z"}
    _drop(landing, "courses", "2026-02-01", [json.dumps(older), json.dumps(newer)])
    _drop(landing, "points_ledger", "2026-02-01", [json.dumps({**EVENT, "event_id": "E2"})])
    _load(landing)
    assert query("select course_id, title from raw_lms.courses") == [
        ("C1", "Selling the platform v2")
    ]
    assert query("select event_id from raw_lms.points_ledger order by 1") == [("E1",), ("E2",)]
    assert query("select count(*) from raw_lms.courses where _dlt_load_id is null") == [(0,)]


def test_a_late_file_with_an_older_version_does_not_overwrite_the_newer_one(data_dir: Path) -> None:
    landing = data_dir / "landing"
    newer = {**COURSE, "title": "v2", "updated_at": "2026-02-01T00:00:00Z"}
    _drop(landing, "courses", "2026-02-01", [json.dumps(newer)])
    _load(landing)
    # a file from January arrives late, after February's was loaded
    _drop(landing, "courses", "2026-01-15", [json.dumps(COURSE)])
    assert _load(landing) == {}
    assert query("select title from raw_lms.courses") == [("v2",)]
    assert query(
        "select rows_in, rows_loaded, rows_superseded from raw_lms.load_ledger "
        "where source like '%2026-01-15%'"
    ) == [(1, 0, 1)]
    # a later version still replaces it
    _drop(
        landing,
        "courses",
        "2026-03-01",
        [json.dumps({**newer, "title": "v3", "updated_at": "2026-03-01T00:00:00Z"})],
    )
    _load(landing)
    assert query("select title from raw_lms.courses") == [("v3",)]
