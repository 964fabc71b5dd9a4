"""Dynamic tiering decisions: immediate promotion, demotion only after a grace period.

Pure functions, no I/O. The warehouse computes, for each partner and evaluation date, the highest
tier whose criteria all hold (its *eligible* tier, with the figures behind it); :func:`decide` walks
a partner's evaluations in date order and turns them into decisions:

* **promote** as soon as the eligible tier ranks above the current one;
* **hold** while eligible for the current tier (or a higher one is not reached);
* **grace** while eligible only for a lower tier, until the grace period runs out;
* **demote** to the then-eligible tier once the partner has failed its current tier for
  ``grace_evaluations`` consecutive evaluations or for ``grace_days`` days, whichever comes first
  (either may be switched off with ``None``).

Every decision carries a reason a channel manager can read, built from the criteria figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

DecisionKind = Literal["promote", "demote", "hold", "grace"]


@dataclass(frozen=True)
class GracePolicy:
    """How long a partner may fail its tier before being demoted."""

    grace_evaluations: int | None = 2
    grace_days: int | None = 60

    def __post_init__(self) -> None:
        if self.grace_evaluations is None and self.grace_days is None:
            raise ValueError("a grace policy needs grace_evaluations, grace_days or both")
        if self.grace_evaluations is not None and self.grace_evaluations < 1:
            raise ValueError("grace_evaluations must be at least 1")
        if self.grace_days is not None and self.grace_days < 0:
            raise ValueError("grace_days must not be negative")

    def expired(self, failing_evaluations: int, failing_since: date, today: date) -> bool:
        by_count = (
            self.grace_evaluations is not None and failing_evaluations >= self.grace_evaluations
        )
        by_days = self.grace_days is not None and (today - failing_since).days >= self.grace_days
        return by_count or by_days


@dataclass(frozen=True)
class Evaluation:
    """One partner on one evaluation date: the tier its figures qualify for, and why."""

    partner_id: str
    evaluated_on: date
    eligible_tier: str
    failed_criteria: Mapping[str, str] = field(default_factory=dict)
    """For each tier above ``eligible_tier`` (by name), the criteria it missed, readable."""


@dataclass(frozen=True)
class Decision:
    """What the tiering job decided for one partner on one evaluation date."""

    partner_id: str
    evaluated_on: date
    tier_before: str
    eligible_tier: str
    decision: DecisionKind
    tier_after: str
    failing_evaluations: int
    failing_since: date | None
    reason: str

    @property
    def changes_tier(self) -> bool:
        return self.tier_after != self.tier_before


def decide(
    evaluations: Iterable[Evaluation],
    starting_tier: str,
    tier_order: Sequence[str],
    policy: GracePolicy,
) -> list[Decision]:
    """Decisions for one partner's evaluations (any order in; date order out)."""
    rank = {tier: i for i, tier in enumerate(tier_order)}
    if starting_tier not in rank:
        raise ValueError(f"unknown tier {starting_tier!r}; tiers are {list(tier_order)}")
    ordered = sorted(evaluations, key=lambda e: e.evaluated_on)
    if len({e.partner_id for e in ordered}) > 1:
        raise ValueError("decide() takes the evaluations of one partner")
    if len({e.evaluated_on for e in ordered}) < len(ordered):
        raise ValueError("two evaluations of one partner on the same date")

    current, failing_since, failing_count = starting_tier, None, 0
    decisions = []
    for ev in ordered:
        if ev.eligible_tier not in rank:
            raise ValueError(f"unknown eligible tier {ev.eligible_tier!r} on {ev.evaluated_on}")
        before = current
        missed = ev.failed_criteria.get(current, "")
        if rank[ev.eligible_tier] > rank[current]:
            kind: DecisionKind = "promote"
            current, failing_since, failing_count = ev.eligible_tier, None, 0
            reason = f"promoted {before} -> {current}: meets every {current} criterion"
        elif rank[ev.eligible_tier] == rank[current]:
            kind = "hold"
            recovered = failing_count > 0
            failing_since, failing_count = None, 0
            reason = f"holds {current}: meets every {current} criterion" + (
                " again (grace period cleared)" if recovered else ""
            )
        else:
            failing_since = failing_since or ev.evaluated_on
            failing_count += 1
            if policy.expired(failing_count, failing_since, ev.evaluated_on):
                kind = "demote"
                current = ev.eligible_tier
                reason = (
                    f"demoted {before} -> {current} after failing {before} for {failing_count} "
                    f"evaluations since {failing_since.isoformat()}: {missed}"
                ).rstrip(": ")
                failing_since_out, failing_count_out = failing_since, failing_count
                failing_since, failing_count = None, 0
                decisions.append(
                    Decision(
                        ev.partner_id,
                        ev.evaluated_on,
                        before,
                        ev.eligible_tier,
                        kind,
                        current,
                        failing_count_out,
                        failing_since_out,
                        reason,
                    )
                )
                continue
            kind = "grace"
            reason = (
                f"keeps {current} in its grace period ({failing_count} failing evaluation"
                f"{'s' if failing_count > 1 else ''} since {failing_since.isoformat()}; "
                f"{_grace_rule(policy)}): {missed}"
            ).rstrip(": ")
        decisions.append(
            Decision(
                ev.partner_id,
                ev.evaluated_on,
                before,
                ev.eligible_tier,
                kind,
                current,
                failing_count,
                failing_since,
                reason,
            )
        )
    return decisions


def _grace_rule(policy: GracePolicy) -> str:
    rules = []
    if policy.grace_evaluations is not None:
        rules.append(f"{policy.grace_evaluations} failing evaluations")
    if policy.grace_days is not None:
        rules.append(f"{policy.grace_days} days")
    return "demoted at " + " or ".join(rules)
