"""Tier rules: versioned reference data (seeds/tier_rules.csv) applied to a partner's figures.

The warehouse computes each partner's figures on each evaluation date
(``marts.fct_partner_tier_criteria``); :func:`evaluate` finds the highest tier whose every criterion
holds (its *eligible* tier) under the rule version in effect that day, and says, for each tier
above it, which criteria missed and by how much. :mod:`orchestration.tiering` turns evaluations
into decisions with the grace period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from orchestration.tiering import Evaluation, GracePolicy, decide


@dataclass(frozen=True)
class TierRule:
    """The criteria of one tier in one rule version (one row of seeds/tier_rules.csv)."""

    rule_version: str
    effective_from: date
    tier: str
    rank: int
    min_revenue: Decimal
    min_win_rate: float
    min_closed_deals: int
    min_certified_sales: int
    min_certified_technical: int
    requires_signed_dpa: bool


@dataclass(frozen=True)
class Figures:
    """A partner's figures on one evaluation date (one row of fct_partner_tier_criteria).

    Certified people are ``None`` when the warehouse has no LMS feed: unknown, not zero. The
    certification criteria are then not evaluated (a CRM-only programme is not demoted for
    certifications nobody can see) and the figures say so."""

    partner_id: str
    evaluated_on: date
    revenue: Decimal
    won_deals: int
    closed_deals: int
    certified_sales: int | None
    certified_technical: int | None
    has_signed_dpa: bool

    @property
    def win_rate(self) -> float | None:
        return self.won_deals / self.closed_deals if self.closed_deals else None


def rules_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[TierRule]:
    """Rules from seed rows (a DataFrame's records or csv.DictReader rows)."""
    rules = [
        TierRule(
            rule_version=str(r["rule_version"]),
            effective_from=_date(r["effective_from_date"]),
            tier=str(r["partner_tier"]),
            rank=int(r["tier_rank"]),
            min_revenue=Decimal(str(r["min_t12m_sourced_revenue"])),
            min_win_rate=float(r["min_win_rate"]),
            min_closed_deals=int(r["min_closed_deals"]),
            min_certified_sales=int(r["min_certified_sales_people"]),
            min_certified_technical=int(r["min_certified_technical_people"]),
            requires_signed_dpa=str(r["requires_signed_dpa"]).strip().lower() in ("true", "1"),
        )
        for r in rows
    ]
    for version in {r.rule_version for r in rules}:
        tiers = [r for r in rules if r.rule_version == version]
        ranks = sorted(r.rank for r in tiers)
        if ranks != list(range(len(tiers))):
            raise ValueError(
                f"tier rules {version}: ranks must be 0..{len(tiers) - 1}, got {ranks}"
            )
        if len({r.effective_from for r in tiers}) != 1:
            raise ValueError(f"tier rules {version}: one effective_from_date per version")
    return rules


def policy_from_rows(rows: Iterable[Mapping[str, Any]], on: date) -> GracePolicy:
    """The grace policy in effect on a date (seeds/tiering_policy.csv)."""
    current = [r for r in rows if _date(r["effective_from_date"]) <= on]
    if not current:
        raise ValueError(f"no tiering policy in effect on {on}")
    row = max(current, key=lambda r: _date(r["effective_from_date"]))
    return GracePolicy(_optional_int(row["grace_evaluations"]), _optional_int(row["grace_days"]))


def rules_in_effect(rules: Sequence[TierRule], on: date) -> list[TierRule]:
    """The tiers of the latest rule version effective on or before ``on``, lowest rank first."""
    effective = [r for r in rules if r.effective_from <= on]
    if not effective:
        raise ValueError(f"no tier rules in effect on {on}")
    latest = max(effective, key=lambda r: (r.effective_from, r.rule_version))
    return sorted(
        (r for r in effective if r.rule_version == latest.rule_version), key=lambda r: r.rank
    )


def tier_order(rules: Sequence[TierRule]) -> list[str]:
    """Tier names lowest first; every rule version must rank the same tiers the same way."""
    orders = {
        v: tuple(
            r.tier for r in sorted((r for r in rules if r.rule_version == v), key=lambda r: r.rank)
        )
        for v in {r.rule_version for r in rules}
    }
    if len(set(orders.values())) != 1:
        raise ValueError(f"rule versions rank tiers differently: {orders}")
    return list(next(iter(orders.values())))


def misses(rule: TierRule, f: Figures) -> list[str]:
    """The criteria of ``rule`` the figures miss, each with the figure and the threshold."""
    missed = []
    if f.revenue < rule.min_revenue:
        missed.append(f"T12M sourced revenue ${f.revenue:,.0f} < ${rule.min_revenue:,.0f}")
    if rule.min_closed_deals and f.closed_deals < rule.min_closed_deals:
        missed.append(
            f"{f.closed_deals} closed deals < {rule.min_closed_deals} to rate the win rate"
        )
    elif rule.min_win_rate and (f.win_rate or 0.0) < rule.min_win_rate:
        missed.append(f"win rate {(f.win_rate or 0.0):.0%} < {rule.min_win_rate:.0%}")
    if f.certified_sales is not None and f.certified_sales < rule.min_certified_sales:
        missed.append(f"{f.certified_sales} certified sales people < {rule.min_certified_sales}")
    if f.certified_technical is not None and f.certified_technical < rule.min_certified_technical:
        missed.append(
            f"{f.certified_technical} certified technical people < {rule.min_certified_technical}"
        )
    if rule.requires_signed_dpa and not f.has_signed_dpa:
        missed.append("no signed DPA")
    return missed


def describe(f: Figures) -> str:
    """The figures in one line, for reasons."""
    rate = "n/a" if f.win_rate is None else f"{f.win_rate:.0%}"
    certified = (
        "certifications not evaluated (no LMS feed configured)"
        if f.certified_sales is None or f.certified_technical is None
        else f"certified sales {f.certified_sales} / technical {f.certified_technical}"
    )
    return (
        f"T12M sourced revenue ${f.revenue:,.0f}, win rate {rate} of {f.closed_deals} closed, "
        f"{certified}, DPA {'signed' if f.has_signed_dpa else 'not signed'}"
    )


def evaluate(f: Figures, rules: Sequence[TierRule]) -> tuple[Evaluation, str]:
    """The partner's eligible tier under the rules in effect that day, and the rule version used."""
    tiers = rules_in_effect(rules, f.evaluated_on)
    eligible = tiers[0].tier
    failed: dict[str, str] = {}
    for rule in tiers:
        missed = misses(rule, f)
        if missed:
            failed[rule.tier] = "; ".join(missed)
        elif not failed:
            eligible = rule.tier
    # tiers above the first failing one count as failed too, even if their own criteria hold
    above = False
    for rule in tiers:
        if rule.tier == eligible:
            above = True
            continue
        if above and rule.tier not in failed:
            failed[rule.tier] = f"needs every lower tier first ({eligible} is the highest met)"
    return Evaluation(f.partner_id, f.evaluated_on, eligible, failed), tiers[0].rule_version


def _date(value: Any) -> date:
    if isinstance(value, datetime):  # pandas Timestamps too
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _optional_int(value: Any) -> int | None:
    if value is None or str(value).strip() in ("", "nan", "None", "<NA>"):
        return None
    return int(float(value))


def figures_from_row(row: Mapping[str, Any]) -> Figures:
    """Figures from a row of marts.fct_partner_tier_criteria."""
    return Figures(
        partner_id=str(row["partner_id"]),
        evaluated_on=_date(row["evaluation_date"]),
        revenue=Decimal(str(row["t12m_sourced_revenue"])),
        won_deals=int(row["t12m_sourced_won_count"]),
        closed_deals=int(row["t12m_sourced_closed_count"]),
        certified_sales=_optional_int(row["certified_sales_people"]),
        certified_technical=_optional_int(row["certified_technical_people"]),
        has_signed_dpa=bool(row["has_signed_dpa"]),
    )


DECISION_COLUMNS = [
    "partner_id",
    "partner_external_id",
    "evaluated_on",
    "rule_version",
    "tier_held",
    "eligible_tier",
    "decision",
    "tier_before",
    "tier_after",
    "failing_evaluations",
    "failing_since",
    "reason",
    "figures",
    "is_latest",
]


def decide_all(
    criteria: Iterable[Mapping[str, Any]],
    rules: Sequence[TierRule],
    policy: GracePolicy,
) -> list[dict[str, Any]]:
    """Every evaluation of every partner, decided: one row per partner and evaluation date.

    A partner's decisions start from the tier it held on its first evaluation date (the lowest
    tier when the CRM has none or an unknown one) and walk its evaluations in date order, so the
    same figures and rules always give the same decisions.
    """
    order = tier_order(rules)
    by_partner: dict[str, list[Mapping[str, Any]]] = {}
    for row in criteria:
        by_partner.setdefault(str(row["partner_id"]), []).append(row)
    out = []
    for partner_id, rows in sorted(by_partner.items()):
        rows = sorted(rows, key=lambda r: _date(r["evaluation_date"]))
        figures = {f.evaluated_on: f for f in map(figures_from_row, rows)}
        evaluated = {d: evaluate(f, rules) for d, f in figures.items()}
        start = rows[0].get("tier_held")
        start = start if start in order else order[0]
        decisions = decide([e for e, _ in evaluated.values()], start, order, policy)
        last = max(figures)
        for row, d in zip(rows, decisions, strict=True):
            f = figures[d.evaluated_on]
            out.append(
                {
                    "partner_id": partner_id,
                    "partner_external_id": row.get("partner_external_id"),
                    "evaluated_on": d.evaluated_on,
                    "rule_version": evaluated[d.evaluated_on][1],
                    "tier_held": row.get("tier_held"),
                    "eligible_tier": d.eligible_tier,
                    "decision": d.decision,
                    "tier_before": d.tier_before,
                    "tier_after": d.tier_after,
                    "failing_evaluations": d.failing_evaluations,
                    "failing_since": d.failing_since,
                    "reason": _with_next_tier(
                        d.reason, d.tier_after, evaluated[d.evaluated_on][0], order
                    ),
                    "figures": describe(f),
                    "is_latest": d.evaluated_on == last,
                }
            )
    return out


def _with_next_tier(reason: str, tier: str, evaluation: Evaluation, order: Sequence[str]) -> str:
    """The decision's reason, plus what the next tier up missed (what the partner needs next)."""
    above = order.index(tier) + 1
    if above >= len(order):
        return reason
    missed = evaluation.failed_criteria.get(order[above])
    return (
        f"{reason}; {order[above]} needs: {missed}" if missed and missed not in reason else reason
    )


def dry_run(
    criteria: Sequence[Mapping[str, Any]],
    current_rules: Sequence[TierRule],
    candidate_rules: Sequence[TierRule],
    policy: GracePolicy,
) -> list[dict[str, Any]]:
    """The promotions and demotions a rule change would cause on the latest evaluation: one row
    per partner whose tier would differ, with the reason under the candidate rules. Writes nothing."""
    order = tier_order([*current_rules, *candidate_rules])
    rank = {t: i for i, t in enumerate(order)}
    now = {
        r["partner_id"]: r for r in decide_all(criteria, current_rules, policy) if r["is_latest"]
    }
    then = {
        r["partner_id"]: r for r in decide_all(criteria, candidate_rules, policy) if r["is_latest"]
    }
    changes = []
    for partner_id, new in sorted(then.items()):
        old = now[partner_id]
        if old["tier_after"] == new["tier_after"]:
            continue
        up = rank[new["tier_after"]] > rank[old["tier_after"]]
        changes.append(
            {
                "partner_id": partner_id,
                "partner_external_id": new["partner_external_id"],
                "change": "promotion" if up else "demotion",
                "tier_with_current_rules": old["tier_after"],
                "tier_with_candidate_rules": new["tier_after"],
                "reason": new["reason"],
                "figures": new["figures"],
            }
        )
    return changes
