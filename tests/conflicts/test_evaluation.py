"""The labelled evaluation on a small simulated world meets the targets, and can fail."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orchestration.conflicts.evaluation import TARGET_PRECISION, TARGET_RECALL, evaluate
from orchestration.conflicts.normalize import load_seeds


@pytest.mark.slow
def test_precision_and_recall_meet_the_targets_on_a_small_world() -> None:
    table = evaluate("small", seed=7).set_index("case_type")
    overall = table.loc["overall"]
    assert overall.precision >= TARGET_PRECISION
    assert overall.recall >= TARGET_RECALL
    assert table.loc["hard_negative", "fp"] <= 0.01 * table.loc["hard_negative", "registrations"]


def test_a_lax_grey_zone_breaks_precision() -> None:
    seeds = load_seeds()
    lax = replace(seeds, settings=replace(seeds.settings, review_lower_bound=0.3))
    table = evaluate("tiny", seed=3, seeds=lax).set_index("case_type")
    assert table.loc["hard_negative", "fp"] > 0
