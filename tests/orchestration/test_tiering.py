"""Tier decisions: promotion at once, demotion only after the grace period, a reason every time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestration.tiering import Evaluation, GracePolicy, decide

TIERS = ("registered", "silver", "gold", "platinum")
START = date(2026, 1, 31)


def evals(
    *eligible: str, every_days: int = 30, missed: str = "win rate 0.12 < 0.20"
) -> list[Evaluation]:
    return [
        Evaluation("p1", START + timedelta(days=every_days * i), tier, {t: missed for t in TIERS})
        for i, tier in enumerate(eligible)
    ]


def kinds(decisions) -> list[tuple[str, str]]:
    return [(d.decision, d.tier_after) for d in decisions]


def test_promotion_is_immediate_and_can_skip_tiers() -> None:
    out = decide(evals("platinum"), "silver", TIERS, GracePolicy())
    assert kinds(out) == [("promote", "platinum")]
    assert out[0].reason == "promoted silver -> platinum: meets every platinum criterion"


def test_demotion_waits_for_n_consecutive_failing_evaluations() -> None:
    policy = GracePolicy(grace_evaluations=3, grace_days=None)
    out = decide(evals("gold", "silver", "silver", "silver", "silver"), "gold", TIERS, policy)
    assert kinds(out) == [
        ("hold", "gold"),
        ("grace", "gold"),
        ("grace", "gold"),
        ("demote", "silver"),
        ("hold", "silver"),
    ]
    demotion = out[3]
    assert demotion.failing_evaluations == 3 and demotion.failing_since == START + timedelta(
        days=30
    )
    assert (
        "after failing gold for 3 evaluations since 2026-03-02: win rate 0.12 < 0.20"
        in demotion.reason
    )


def test_recovering_inside_the_grace_period_resets_it() -> None:
    policy = GracePolicy(grace_evaluations=2, grace_days=None)
    out = decide(evals("silver", "gold", "silver", "silver"), "gold", TIERS, policy)
    assert kinds(out) == [
        ("grace", "gold"),
        ("hold", "gold"),
        ("grace", "gold"),
        ("demote", "silver"),
    ]
    assert out[1].reason.endswith("again (grace period cleared)")


@pytest.mark.parametrize(
    ("days_failing", "demoted"),
    [(59, False), (60, True), (61, True)],
)
def test_demotion_after_d_days_boundary(days_failing: int, demoted: bool) -> None:
    policy = GracePolicy(grace_evaluations=None, grace_days=60)
    first = Evaluation("p1", START, "silver", {"gold": "no DPA signed"})
    later = Evaluation(
        "p1", START + timedelta(days=days_failing), "silver", {"gold": "no DPA signed"}
    )
    out = decide([first, later], "gold", TIERS, policy)
    assert out[-1].decision == ("demote" if demoted else "grace")


def test_whichever_grace_rule_comes_first_demotes() -> None:
    # weekly evaluations: 3 evaluations come before 60 days
    out = decide(
        evals("silver", "silver", "silver", every_days=7), "gold", TIERS, GracePolicy(3, 60)
    )
    assert kinds(out)[-1] == ("demote", "silver")
    # quarterly evaluations: 60 days come before 3 evaluations
    out = decide(evals("silver", "silver", every_days=90), "gold", TIERS, GracePolicy(3, 60))
    assert kinds(out) == [("grace", "gold"), ("demote", "silver")]


def test_demotion_goes_to_the_tier_eligible_when_grace_runs_out() -> None:
    out = decide(evals("gold", "registered"), "platinum", TIERS, GracePolicy(2, None))
    assert kinds(out) == [("grace", "platinum"), ("demote", "registered")]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown tier"):
        decide(evals("gold"), "diamond", TIERS, GracePolicy())
    with pytest.raises(ValueError, match="same date"):
        decide(evals("gold") + evals("gold"), "gold", TIERS, GracePolicy())
    with pytest.raises(ValueError, match="needs grace"):
        GracePolicy(None, None)


def test_evaluations_are_taken_in_date_order() -> None:
    ordered = evals("gold", "platinum", "platinum")
    assert decide(list(reversed(ordered)), "silver", TIERS, GracePolicy()) == decide(
        ordered, "silver", TIERS, GracePolicy()
    )


@given(
    eligible=st.lists(st.sampled_from(TIERS), min_size=1, max_size=30),
    start=st.sampled_from(TIERS),
    grace=st.integers(min_value=1, max_value=5),
)
def test_no_partner_is_ever_demoted_before_its_grace_period(eligible, start, grace) -> None:
    out = decide(
        evals(*eligible), start, TIERS, GracePolicy(grace_evaluations=grace, grace_days=None)
    )
    rank = {t: i for i, t in enumerate(TIERS)}
    for d in out:
        assert d.reason
        if d.decision == "demote":
            assert d.failing_evaluations == grace
            assert rank[d.tier_after] < rank[d.tier_before]
        if rank[d.eligible_tier] > rank[d.tier_before]:
            assert d.decision == "promote" and d.tier_after == d.eligible_tier
        if d.decision in ("hold", "grace"):
            assert d.tier_after == d.tier_before
