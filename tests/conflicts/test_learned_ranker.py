"""The learned ranker orders an ambiguous match's accounts; it never changes a decision."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orchestration.conflicts.learned_ranker import FEATURES, RANKER_CSV, load_weights, rank
from orchestration.conflicts.matcher import MatchIndex
from orchestration.conflicts.normalize import load_seeds

SEEDS = load_seeds()
ACCOUNTS = [
    # two organisations whose initials are AHA, the larger family first in the hand order
    {"account_id": "1", "account_name": "Amref Health Africa", "parent_account_id": None},
    {"account_id": "2", "account_name": "Amref Health Africa Kenya", "parent_account_id": "1"},
    {"account_id": "3", "account_name": "American Heart Association", "parent_account_id": None},
    {"account_id": "4", "account_name": "Acme Robotics Inc.", "parent_account_id": None},
]


def _index(weights: dict[str, float]) -> MatchIndex:
    seeds = replace(SEEDS, ranker_weights=weights)
    return MatchIndex.build([a | {"account_domain": None} for a in ACCOUNTS], seeds=seeds)


def _reg(name: str) -> dict[str, object]:
    return {
        "registration_id": "R1",
        "partner_id": "P1",
        "registered_company_name": name,
        "registered_domain": None,
        "submitted_at": "2026-01-02T00:00:00Z",
    }


def test_the_shipped_weights_are_every_feature_and_load_with_the_seeds() -> None:
    weights = load_weights()
    assert RANKER_CSV.exists() and set(weights) == {"intercept", *FEATURES}
    assert SEEDS.ranker_weights == weights


def test_an_unknown_feature_is_refused(tmp_path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("feature,weight,description\nintercept,0,x\nshoe_size,1,x\n")
    with pytest.raises(ValueError, match="shoe_size"):
        load_weights(path)


def test_the_ranker_reorders_an_ambiguous_match_and_the_decision_stays() -> None:
    hand, learned = _index({}), _index({"family_size": -5.0})  # smaller families first
    a, b = hand.resolve("AHA"), learned.resolve("AHA")
    assert a.ambiguous and b.ambiguous and a.score == b.score and a.method == b.method
    assert hand.ids[a.accounts[0]] == "1" and learned.ids[b.accounts[0]] == "3"
    assert sorted(a.accounts) == sorted(b.accounts)
    da, db = hand.decide(_reg("AHA")), learned.decide(_reg("AHA"))
    assert da.decision == db.decision == "needs_review" and da.score == db.score
    # the reason names the account shown first, and how it matched
    assert db.matched_account_name == "American Heart Association"
    assert "most likely American Heart Association" in db.reason and "acronym" in db.reason
    assert db.reason.index("American Heart Association") < db.reason.index("Amref Health Africa")


def test_a_match_that_is_not_ambiguous_is_not_reranked() -> None:
    idx = _index({"hand_first": -10.0})
    m = idx.resolve("Acme Robotics")
    assert not m.ambiguous and idx.ids[m.accounts[0]] == "4"
    # and the ranking itself keeps the hand order on a tie
    assert rank(idx, "AHA", (0, 2), {}) == (0, 2)
