"""Reference seeds against the feed contract."""

from __future__ import annotations

import csv

import yaml

from pipelines import settings
from pipelines.contracts import DEAL_STAGES

SEEDS = settings.PROJECT_ROOT / "seeds"


def test_deal_stages_seed_lists_the_contract_stages_in_funnel_order() -> None:
    with (SEEDS / "deal_stages.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["deal_stage"] for r in rows] == list(DEAL_STAGES)
    assert [int(r["stage_order"]) for r in rows] == list(range(1, len(DEAL_STAGES) + 1))
    closed = {r["deal_stage"] for r in rows if r["is_closed"] == "true"}
    won = {r["deal_stage"] for r in rows if r["is_won"] == "true"}
    assert (closed, won) == ({"closedwon", "closedlost"}, {"closedwon"})
    assert all(0 <= float(r["default_probability"]) <= 1 for r in rows)


def test_every_seed_is_described_with_typed_columns() -> None:
    described = {
        s["name"]: s
        for path in sorted(SEEDS.glob("_*.yml"))
        for s in yaml.safe_load(path.read_text())["seeds"]
    }
    for path in SEEDS.glob("*.csv"):
        seed = described[path.stem]
        with path.open(newline="") as f:
            header = next(csv.reader(f))
        assert [c["name"] for c in seed["columns"]] == header, path.name
        assert set(seed["config"]["column_types"]) == set(header), path.name
        assert seed["description"] and all(c.get("description") for c in seed["columns"])
