"""generate / advance / load_world_state: the world's public entry points."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import settings
from pipelines.contracts import entity
from pipelines.world.output import write_crm, write_drop
from pipelines.world.params import DAY, DEFAULT_AS_OF, EFFECTS, HISTORY_YEARS, HORIZON_YEARS, SCALES
from pipelines.world.sim import VARIANT_KINDS, World, simulate
from pipelines.world.views import SYSTEM_OF, crm_id, snapshot

STATE_FILE = "world.json"
FILE_SYSTEMS = ("lms", "tcma", "finance")
TRUTH_BAD = "bad_records.parquet"
TRUTH_MATCH = "registration_matching.parquet"

# called after each table is written with (system, table, tables written, tables in all)
Progress = Callable[[str, str, int, int], None]


@dataclass
class WorldSummary:
    """What one generate/advance wrote."""

    as_of: date
    scale: str
    seed: int
    rows: dict[tuple[str, str], int] = field(default_factory=dict)
    bad: dict[tuple[str, str], int] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"world as_of={self.as_of} scale={self.scale} seed={self.seed}",
            f"{'system':<8} {'entity':<22} {'rows':>10} {'bad':>6}",
        ]
        for (sys, ent), n in sorted(self.rows.items()):
            lines.append(f"{sys:<8} {ent:<22} {n:>10,} {self.bad.get((sys, ent), 0):>6}")
        return "\n".join(lines)


def _epoch(d: date) -> int:
    return int(np.datetime64(d.isoformat(), "s").astype(np.int64))


def _clock(d: date) -> int:
    """The world clock at the end of day ``d`` (UTC)."""
    return _epoch(d) + DAY - 1


def start_of(as_of: date) -> date:
    """History starts on 1 January three years before as_of's year (3-4 years of history)."""
    return date(as_of.year - HISTORY_YEARS, 1, 1)


def _world(seed: int, scale: str, start: date) -> World:
    st = _epoch(start)
    return simulate(seed, SCALES[scale], st, _epoch(date(start.year + HORIZON_YEARS, 1, 1)))


def load_world_state(world_dir: Path | None = None) -> dict:
    """The world's state file (seed, scale, start, as_of, parameters)."""
    wd = Path(world_dir) if world_dir else settings.world_dir()
    return json.loads((wd / STATE_FILE).read_text())


def _write_state(wd: Path, seed: int, scale: str, start: date, as_of: date) -> None:
    state = {
        "seed": seed,
        "scale": scale,
        "start": start.isoformat(),
        "as_of": as_of.isoformat(),
        "horizon": date(start.year + HORIZON_YEARS, 1, 1).isoformat(),
        "scale_preset": SCALES[scale].__dict__,
        "effects": EFFECTS.as_dict(),
    }
    (wd / STATE_FILE).write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")


def _emit(
    w: World,
    wd: Path,
    landing: Path,
    seed: int,
    T: int,
    since: int | None,
    drop: date,
    summary: WorldSummary,
    progress: Progress | None = None,
) -> None:
    truth: list[dict] = []
    total = sum(len(names) for names in SYSTEM_OF.values())
    for system, names in SYSTEM_OF.items():
        for name in names:
            ent = entity(system, name)
            table = snapshot(w, system, name, T, since)
            if system == "crm":
                n, t = write_crm(wd, ent, table)
            else:
                n, t = write_drop(
                    landing, ent, table, seed, int((_epoch(drop)) // DAY), EFFECTS.bad_record_rate
                )
            summary.rows[(system, name)] = n
            summary.bad[(system, name)] = len(t)
            truth += t
            if progress is not None:
                progress(system, name, len(summary.rows), total)
    path = wd / "truth" / TRUTH_BAD
    schema = pa.schema(
        [
            ("system", pa.string()),
            ("entity", pa.string()),
            ("file", pa.string()),
            ("record_ref", pa.string()),
            ("key", pa.string()),
            ("kind", pa.string()),
            ("rejected", pa.bool_()),
        ]
    )
    new = pa.Table.from_pylist(truth, schema=schema)
    if path.exists():
        old = pq.read_table(path)
        if (
            since is not None
        ):  # CRM truth is the state of the database: keep the latest listing only
            new = pa.concat_tables([old, new])
    pq.write_table(new, path)


def _matching_truth(w: World, wd: Path) -> None:
    r = w.tables["registrations"]
    n = len(r["created"])
    pq.write_table(
        pa.table(
            {
                "registration_id": crm_id("registrations", np.arange(n)),
                "registered_company_name": pa.array(r["typed_name"], pa.string()),
                "true_company_id": crm_id("companies", r["company"]),
                "variant_kind": pa.array(
                    np.asarray(VARIANT_KINDS, dtype=object)[r["kind"]], pa.string()
                ),
                "submitted_at": pa.array(r["created"], pa.timestamp("s", tz="UTC")),
            }
        ),
        wd / "truth" / TRUTH_MATCH,
    )


def generate(
    scale: str = "small",
    seed: int = 42,
    as_of: date = DEFAULT_AS_OF,
    world_dir: Path | None = None,
    landing_dir: Path | None = None,
    progress: Progress | None = None,
) -> WorldSummary:
    """Build the world from scratch and write its state at ``as_of`` (full-history drops).
    ``progress`` is told after each table is written (the command line's progress bar)."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; one of {sorted(SCALES)}")
    wd = Path(world_dir) if world_dir else settings.world_dir()
    landing = Path(landing_dir) if landing_dir else settings.landing_dir()
    shutil.rmtree(wd, ignore_errors=True)
    (wd / "truth").mkdir(parents=True)
    for system in FILE_SYSTEMS:
        shutil.rmtree(landing / system, ignore_errors=True)
        (landing / system).mkdir(parents=True)
    start = start_of(as_of)
    w = _world(seed, scale, start)
    summary = WorldSummary(as_of, scale, seed)
    _emit(w, wd, landing, seed, _clock(as_of), None, as_of, summary, progress)
    _matching_truth(w, wd)
    _write_state(wd, seed, scale, start, as_of)
    return summary


def advance(
    days: int,
    world_dir: Path | None = None,
    landing_dir: Path | None = None,
    progress: Progress | None = None,
) -> WorldSummary:
    """Move the clock ``days`` forward: upsert changed CRM records, drop the delta files."""
    if days < 1:
        raise ValueError("days must be >= 1")
    wd = Path(world_dir) if world_dir else settings.world_dir()
    landing = Path(landing_dir) if landing_dir else settings.landing_dir()
    state = load_world_state(wd)
    old = date.fromisoformat(state["as_of"])
    new = old + timedelta(days=days)
    start = date.fromisoformat(state["start"])
    if _epoch(new) >= _epoch(date.fromisoformat(state["horizon"])):
        raise ValueError(f"cannot advance past the simulated horizon {state['horizon']}")
    w = _world(state["seed"], state["scale"], start)
    summary = WorldSummary(new, state["scale"], state["seed"])
    _emit(w, wd, landing, state["seed"], _clock(new), _clock(old), new, summary, progress)
    _write_state(wd, state["seed"], state["scale"], start, new)
    return summary
