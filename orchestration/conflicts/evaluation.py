"""Labelled evaluation of the matcher on the simulated world: precision and recall per case type.

The world generator types every registration as a variant of a true company (exact, legal suffix,
case/punctuation, acronym, subsidiary, typo, domain, subdomain) or of none (``new_account``: a
company the CRM does not know yet; ``startup``: a made-up name). To test precision we add hard
negatives: names that share words with real accounts but are other companies (``Eagle Insurance
Collective`` next to ``Eagle Payments Collective``), with a made-up domain half the time.

A registration is *named* when the engine returns an account with a score of at least the grey-zone
lower bound that is not ambiguous. Named and in the true company's family (the company, its parent
or a sibling: conflicts are decided per family) = true positive; named otherwise = false positive;
a true company not named = false negative. ``python -m orchestration.conflicts.evaluation``.
"""

from __future__ import annotations

import argparse
from datetime import date

import numpy as np
import pandas as pd

from orchestration.conflicts.matcher import MatchIndex
from orchestration.conflicts.normalize import MatchingSeeds, load_seeds, name_key
from pipelines.world import names
from pipelines.world.core import start_of
from pipelines.world.params import DEFAULT_AS_OF, HORIZON_YEARS, SCALES
from pipelines.world.sim import NEVER, VARIANT_KINDS, simulate

TARGET_PRECISION, TARGET_RECALL = 0.97, 0.93


def _epoch(d: date) -> int:
    return int(np.datetime64(d.isoformat(), "s").astype(np.int64))


def _hard_negatives(rng: np.random.Generator, co: dict, n: int) -> list[tuple[str, str | None]]:
    """Names sharing two words with a real account but naming no account (+ a made-up domain)."""
    seeds = load_seeds()
    taken = {name_key(str(b), seeds) for b in (*co["base"], *co["name"])}
    out: list[tuple[str, str | None]] = []
    parents = np.flatnonzero(~co["is_sub"] & ~co["is_new"])
    while len(out) < n:
        words = str(co["base"][parents[int(rng.integers(len(parents)))]]).split()
        if len(words) < 2:
            continue
        slot = int(rng.integers(2))  # swap the first or the second word
        pool = (names.FIRST, names.SECOND)[slot]
        words[slot] = pool[int(rng.integers(len(pool)))]
        base = " ".join(words)
        if name_key(base, seeds) in taken:
            continue
        taken.add(name_key(base, seeds))
        suffix = names.LEGAL_SUFFIXES[int(rng.integers(len(names.LEGAL_SUFFIXES)))]
        domain = base.replace(" ", "").lower() + ".com" if rng.random() < 0.5 else None
        out.append((f"{base} {suffix}", domain))
    return out


def labelled_set(
    scale: str = "small", seed: int = 42, hard_negative_share: float = 0.15
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(accounts, direct opportunities, registrations with ``case_type`` and ``true_family_id``)."""
    start = start_of(DEFAULT_AS_OF)
    w = simulate(seed, SCALES[scale], _epoch(start), _epoch(date(start.year + HORIZON_YEARS, 1, 1)))
    co, r, d = w.tables["companies"], w.tables["registrations"], w.tables["deals"]
    known = np.flatnonzero(~co["is_new"])  # accounts created from a registration are not known yet
    root = np.arange(len(co["name"]))
    has_parent = co["parent"] >= 0
    root[has_parent] = co["parent"][has_parent]
    accounts = pd.DataFrame(
        {
            "account_id": [str(i) for i in known],
            "account_name": co["name"][known],
            "account_domain": co["domain"][known],
            "parent_account_id": [str(p) if p >= 0 else None for p in co["parent"][known]],
        }
    )
    direct = np.flatnonzero(d["source"] == "direct")
    opportunities = pd.DataFrame(
        {
            "opportunity_id": [f"OPP-{i}" for i in direct],
            "account_id": [str(c) for c in d["company"][direct]],
            "owner_name": d["owner"][direct],
            "created_at": pd.to_datetime(d["created"][direct], unit="s", utc=True),
            "closed_at": pd.to_datetime(d["entry"][direct, 5], unit="s", utc=True),
        }
    )
    kinds = np.asarray(VARIANT_KINDS, dtype=object)[r["kind"]]
    comp = r["company"]
    is_known = (comp >= 0) & ~co["is_new"][np.maximum(comp, 0)]
    case = np.where(comp < 0, "startup", kinds)
    truth = np.where(is_known, root[np.maximum(comp, 0)], -1)
    ended = np.where(r["approved"], r["end_at"], r["decided"])
    regs = pd.DataFrame(
        {
            "registration_id": [f"REG-{i}" for i in range(len(comp))],
            "partner_id": [f"P-{p}" for p in r["partner"]],
            "registered_company_name": r["typed_name"],
            "registered_domain": r["typed_domain"],
            "submitted_at": pd.to_datetime(r["created"], unit="s", utc=True),
            "ended_at": pd.to_datetime(np.where(ended >= NEVER, 0, ended), unit="s", utc=True),
            "case_type": case,
            "true_family_id": [str(t) if t >= 0 else None for t in truth],
        }
    )
    regs.loc[ended >= NEVER, "ended_at"] = pd.NaT
    rng = np.random.default_rng(seed + 1)
    hard = _hard_negatives(rng, co, int(len(regs) * hard_negative_share))
    t = rng.choice(r["created"], len(hard))
    negs = pd.DataFrame(
        {
            "registration_id": [f"NEG-{i}" for i in range(len(hard))],
            "partner_id": [
                f"P-{int(p)}"
                for p in rng.integers(0, len(w.tables["partners"]["created"]), len(hard))
            ],
            "registered_company_name": [h[0] for h in hard],
            "registered_domain": [h[1] for h in hard],
            "submitted_at": pd.to_datetime(t, unit="s", utc=True),
            "ended_at": pd.NaT,
            "case_type": "hard_negative",
            "true_family_id": None,
        }
    )
    return accounts, opportunities, pd.concat([regs, negs], ignore_index=True)


def score_table(regs: pd.DataFrame, idx: MatchIndex) -> pd.DataFrame:
    """Per case type: registrations, true positives, false positives, false negatives, P and R."""
    lower = idx.s.review_lower_bound
    named_family = []
    for name, dom in zip(
        regs["registered_company_name"].tolist(), regs["registered_domain"].tolist(), strict=True
    ):
        m = idx.resolve(name or "", dom if isinstance(dom, str) else "")
        ok = m.accounts and not m.ambiguous and m.score >= lower
        named_family.append(idx.ids[idx.root[m.accounts[0]]] if ok else None)
    out = regs.assign(named=named_family)
    has_truth = out["true_family_id"].notna()
    named = out["named"].notna()
    correct = named & has_truth & (out["named"] == out["true_family_id"])
    out = out.assign(tp=correct, fp=named & ~correct, fn=has_truth & ~correct)
    rows = []
    for case, g in [*out.groupby("case_type", sort=True), ("overall", out)]:
        tp, fp, fn = int(g["tp"].sum()), int(g["fp"].sum()), int(g["fn"].sum())
        rows.append(
            {
                "case_type": case,
                "registrations": len(g),
                "with_true_account": int(g["true_family_id"].notna().sum()),
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": tp / (tp + fp) if tp + fp else float("nan"),
                "recall": tp / (tp + fn) if tp + fn else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def evaluate(
    scale: str = "small", seed: int = 42, seeds: MatchingSeeds | None = None
) -> pd.DataFrame:
    """The per-case-type precision/recall table on the labelled set of one world."""
    accounts, _, regs = labelled_set(scale, seed)
    idx = MatchIndex.build(accounts, seeds=seeds or load_seeds())
    return score_table(regs, idx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    table = evaluate(args.scale, args.seed)
    print(f"== conflict matching evaluation: scale={args.scale} seed={args.seed} ==")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    overall = table.set_index("case_type").loc["overall"]
    print(
        f"target precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL}: "
        f"{'met' if overall.precision >= TARGET_PRECISION and overall.recall >= TARGET_RECALL else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
