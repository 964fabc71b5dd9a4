"""A learned ranker that orders the candidates of an ambiguous match; the decision stays hand-set.

The hand weights decide (automatic / review / none: score, thresholds, ambiguity); this model
only chooses which of the accounts of an **ambiguous** match is shown first (``AHA``: the
American Heart Association or Animal Health Australia). An ambiguous match is always sent to
review, so the ranker changes no decision: automatic precision, automatic matches of absent
organisations and the simulated world (where an ambiguous match names no account) cannot move;
only top-1 can. Features per candidate (:data:`FEATURES`): the hand order, the family's size and
whether the account is its top, how the typed acronym is the account's (initials of all words,
of the content words, given in parentheses), the candidate's length, and rapidfuzz similarities
of the two keys. A logistic regression (scikit-learn, lbfgs, deterministic) trained on the tuning
split of the real names only; its 15 coefficients are shipped beside the code
(``orchestration/conflicts/ranker_weights.csv``, read by ``load_seeds``; not a dbt seed, the
warehouse never reads them), so the index build trains nothing and a candidate costs a dot product (a few rapidfuzz calls). Without the seed the hand
order stands.

``python -m orchestration.conflicts.learned_ranker`` trains on the tuning split and reports the
held-out split; ``--write`` also writes the seed.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from orchestration.conflicts.normalize import (
    acronym_of,
    basic_key,
    content_words,
    name_key,
)

if TYPE_CHECKING:
    from orchestration.conflicts.matcher import MatchIndex

RANKER_CSV = Path(__file__).with_name("ranker_weights.csv")
MAX_RANKED = 50  # candidates beyond the hand order's first 50 keep their place after them
FEATURES = (
    "hand_first",  # the hand order put it first
    "hand_rank",  # its place in the hand order, 0 (first) .. 1 (last of the ranked)
    "family_size",  # log of the accounts in its family (the CRM's hierarchy)
    "is_top",  # the top of its family (no parent)
    "initials_all",  # the typed acronym is the initials of all its words
    "initials_content",  # ... of its content words (stop words dropped)
    "acronym_in_name",  # the typed acronym is a word of its name in capitals (ACME, (ACME))
    "has_qualifier",  # its name carries a part in parentheses (a country, a city)
    "ascii_name",  # its name is plain ASCII
    "words",  # the number of words of its key (/10, at most 1)
    "ratio",  # Indel ratio of the typed key and its key
    "token_set",  # token-set ratio
    "partial",  # partial ratio
    "jaro_winkler",  # Jaro-Winkler
)
DESCRIPTIONS = {
    "intercept": "constant term of the logistic model",
    "hand_first": "1 when the hand order (largest family first) put the account first",
    "hand_rank": "place in the hand order, 0 first to 1 last",
    "family_size": "log(1 + accounts in the account's family)",
    "is_top": "1 when the account has no parent",
    "initials_all": "1 when the typed acronym is the initials of all the account's words",
    "initials_content": "1 when the typed acronym is the initials of its content words",
    "acronym_in_name": "1 when the typed acronym is a capitalised word of the account's name",
    "has_qualifier": "1 when the account's name has a part in parentheses",
    "ascii_name": "1 when the account's name is plain ASCII",
    "words": "words of the account's key / 10 (at most 1)",
    "ratio": "rapidfuzz Indel ratio of the typed key and the account's key (0-1)",
    "token_set": "rapidfuzz token-set ratio (0-1)",
    "partial": "rapidfuzz partial ratio (0-1)",
    "jaro_winkler": "Jaro-Winkler similarity (0-1)",
}
_CAPS = re.compile(r"[A-Z][A-Z0-9&]+")


def load_weights(path: Path = RANKER_CSV) -> dict[str, float]:
    """The shipped coefficients (feature -> weight); empty when the seed is absent."""
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as f:
        weights = {r["feature"]: float(r["weight"]) for r in csv.DictReader(f)}
    unknown = set(weights) - {"intercept", *FEATURES}
    if unknown:
        raise ValueError(f"unknown ranker feature {sorted(unknown)[0]!r}")
    return weights


def candidate_features(idx: MatchIndex, typed: str, rows: list[int]) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate account row (in the hand order)."""
    seeds = idx.seeds
    qkey = name_key(typed, seeds)
    compact = "".join(qkey.split())
    n = len(rows)
    out = np.zeros((n, len(FEATURES)))
    for j, r in enumerate(rows):
        key = idx.keys[r]
        words = key.split()
        name = idx.names[r]
        out[j] = (
            float(j == 0),
            j / max(n - 1, 1),
            math.log1p(idx._family_size[idx.root[r]]),
            float(idx.root[r] == r),
            float(bool(compact) and acronym_of(key) == compact),
            float(bool(compact) and acronym_of(" ".join(content_words(words, seeds))) == compact),
            float(bool(compact) and any(basic_key(c) == compact for c in _CAPS.findall(name))),
            float("(" in name),
            float(name.isascii()),
            min(len(words), 10) / 10,
            fuzz.ratio(qkey, key) / 100,
            fuzz.token_set_ratio(qkey, key) / 100,
            fuzz.partial_ratio(qkey, key) / 100,
            JaroWinkler.similarity(qkey, key),
        )
    return out


def rank(
    idx: MatchIndex, typed: str, rows: tuple[int, ...], weights: dict[str, float]
) -> tuple[int, ...]:
    """``rows`` (an ambiguous match's accounts, hand order) ordered by the model, best first; the
    hand order breaks ties and keeps its place beyond :data:`MAX_RANKED`."""
    head, tail = list(rows[:MAX_RANKED]), rows[MAX_RANKED:]
    x = candidate_features(idx, typed, head)
    w = np.array([weights.get(f, 0.0) for f in FEATURES])
    z = x @ w + weights.get("intercept", 0.0)
    order = sorted(range(len(head)), key=lambda j: (-round(float(z[j]), 9), j))
    return tuple(head[j] for j in order) + tuple(tail)


# ------------------------------------------------------------------ training and evaluation
def _groups(split: str, weights: dict[str, float] | None = None):
    """Per in-scope present name of ``split`` whose match is ambiguous: (features, labels)."""
    from orchestration.conflicts.matcher import MatchIndex
    from orchestration.conflicts.normalize import load_seeds
    from orchestration.conflicts.real_evaluation import OUT_OF_SCOPE, load_real_set

    seeds = replace(load_seeds(), ranker_weights={})  # the hand order, whatever the seed says
    accounts, names = load_real_set()
    out = []
    for source, acc in accounts.groupby("source", sort=True):
        idx = MatchIndex.build(
            acc.assign(
                account_domain=None, parent_account_id=acc["parent_account_id"].replace("", None)
            ),
            seeds=seeds,
        )
        q = names[(names["source"] == source) & (names["split"] == split)]
        q = q[~q["kind"].isin(OUT_OF_SCOPE) & (q["true_account_id"] != "")]
        for text, tid in zip(q["query"], q["true_account_id"], strict=True):
            m = idx.resolve(text)
            if (
                not m.ambiguous
                or len(m.accounts) < 2
                or m.score < seeds.settings.review_lower_bound
            ):
                continue
            truth = idx.root[idx._id_rows[tid][0]]
            rows = list(m.accounts[:MAX_RANKED])
            y = np.array([idx.root[r] == truth for r in rows])
            out.append((candidate_features(idx, text, rows), y))
    return out


def train(groups) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([g[0] for g in groups])
    y = np.concatenate([g[1] for g in groups])
    model = LogisticRegression(C=1.0, max_iter=5000, random_state=0).fit(x, y)
    weights = {"intercept": float(model.intercept_[0])}
    weights |= {f: float(c) for f, c in zip(FEATURES, model.coef_[0], strict=True)}
    return {k: round(v, 4) for k, v in weights.items()}


def first_right(groups, weights: dict[str, float] | None) -> tuple[int, int, int]:
    """(groups whose first candidate is right, groups holding the right one somewhere, groups)."""
    right = 0
    w = np.array([weights.get(f, 0.0) for f in FEATURES]) if weights else None
    for x, y in groups:
        if w is None:
            j = 0
        else:
            z = x @ w + weights.get("intercept", 0.0)
            j = min(range(len(z)), key=lambda k: (-round(float(z[k]), 9), k))
        right += bool(y[j])
    return right, sum(bool(y.any()) for _, y in groups), len(groups)


def write_weights(weights: dict[str, float], path: Path = RANKER_CSV) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["feature", "weight", "description"])
        for k in ("intercept", *FEATURES):
            w.writerow([k, f"{weights[k]:.4f}", DESCRIPTIONS[k]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write", action="store_true", help="write orchestration/conflicts/ranker_weights.csv"
    )
    args = parser.parse_args()
    tune, hold = _groups("tune"), _groups("holdout")
    weights = train(tune)
    print("== learned ranker of ambiguous matches: trained on the tuning split ==")
    for k, v in weights.items():
        print(f"  {k:18s} {v:+.4f}")
    for split, g in (("tune", tune), ("holdout", hold)):
        h, among, n = first_right(g, None)
        lr, _, _ = first_right(g, weights)
        print(
            f"{split}: {n} ambiguous names, right one among them {among}: first by hand {h}, by ranker {lr}"
        )
    if args.write:
        write_weights(weights)
        print(f"wrote {RANKER_CSV}")


if __name__ == "__main__":
    main()
