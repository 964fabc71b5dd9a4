"""Evaluation of the matcher on real organisation names that no rule of ours generated.

The labelled set (``tests/conflicts/data/``, provenance in its PROVENANCE.md) holds organisations
of two public registries as CRM accounts (names and hierarchy only: no domains) and the other names
people and registries use for them (aliases, acronyms, labels, divisions) as registrations, each
labelled with the account it means, or none for an organisation held out of the accounts. Each
pair's *kind* (acronym, subsidiary, typo, ...) was labelled by comparing the two strings.

Per kind: ``top1`` (the best candidate shown, automatically or for review, is the true account's
family), ``auto`` (share decided automatically: score at or above ``auto_match_threshold``, not
ambiguous), ``auto_precision`` (of those, share right), ``review`` and ``none``. For absent
organisations ``false_auto`` is the share matched automatically to some account (every one wrong).
Names in another language (``translation``) and unrelated other names (``other_name``: former
names, names sharing no word) are reported but are not spelling variants: the targets hold on the
other kinds. ``python -m orchestration.conflicts.real_evaluation [--split holdout] [--curve]``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.conflicts.matcher import MatchIndex
from orchestration.conflicts.normalize import SEEDS_DIR, MatchingSeeds, load_seeds
from pipelines.settings import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "tests" / "conflicts" / "data"
SETTINGS_CSV = SEEDS_DIR / "conflict_matching_settings.csv"
OUT_OF_SCOPE = ("translation", "other_name", "acronym_not_initials")  # not spelling variants
TARGET_TOP1, TARGET_AUTO_PRECISION, TARGET_FALSE_AUTO = 0.85, 0.97, 0.02


@lru_cache(maxsize=1)
def load_real_set() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accounts, labelled names) of the real set, as committed."""
    accounts = pd.read_csv(DATA_DIR / "real_accounts.csv", dtype=str, keep_default_na=False)
    names = pd.read_csv(DATA_DIR / "real_name_variants.csv", dtype=str, keep_default_na=False)
    return accounts, names


@dataclass
class Scored:
    """One row per labelled name: what the matcher said (before any threshold)."""

    frame: pd.DataFrame  # + score, ambiguous, family (of the best candidate), correct, method


def score_names(
    seeds: MatchingSeeds | None = None, split: str | None = None, every: int = 1
) -> pd.DataFrame:
    """Every labelled name (or every ``every``-th) resolved against its source's accounts (names
    only)."""
    seeds = seeds or load_seeds()
    accounts, names = load_real_set()
    if split:
        names = names[names["split"] == split]
    names = names.iloc[::every]
    parts = []
    for source, acc in accounts.groupby("source", sort=True):
        idx = MatchIndex.build(
            acc.assign(
                account_domain=None, parent_account_id=acc["parent_account_id"].replace("", None)
            ),
            seeds=seeds,
        )
        q = names[names["source"] == source]
        rows = []
        for text in q["query"].tolist():
            m = idx.resolve(text)
            fam = idx.ids[idx.root[m.accounts[0]]] if m.accounts else ""
            best = idx.ids[m.accounts[0]] if m.accounts else ""
            rows.append((m.score, bool(m.ambiguous), fam, m.method or "", best, len(m.accounts)))
        score, amb, fam, method, best, n_cand = (
            zip(*rows, strict=True) if rows else ((), (), (), (), (), ())
        )
        truth_family = [
            idx.ids[idx.root[r[0]]] if (r := idx._id_rows[t]) else "" for t in q["true_account_id"]
        ]
        parts.append(
            q.assign(
                score=np.asarray(score, float),
                ambiguous=list(amb),
                family=list(fam),
                method=list(method),
                best_account=list(best),
                candidates=list(n_cand),
                true_family=truth_family,
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["present"] = out["true_account_id"] != ""
    out["right"] = out["present"] & (out["family"] == out["true_family"]) & (out["family"] != "")
    return out


def _decided(scored: pd.DataFrame, auto: float, lower: float) -> pd.DataFrame:
    is_auto = (scored["score"] >= auto) & ~scored["ambiguous"]
    shown = scored["score"] >= lower
    return scored.assign(auto=is_auto, review=shown & ~is_auto, shown=shown)


def kind_table(scored: pd.DataFrame, seeds: MatchingSeeds) -> pd.DataFrame:
    """Per kind (then the in-scope and the whole total): n, top1, auto, auto_precision, review,
    none, false_auto (absent organisations)."""
    s = seeds.settings
    d = _decided(scored, s.auto_match_threshold, s.review_lower_bound)
    in_scope = d[~d["kind"].isin(OUT_OF_SCOPE)]
    groups = [(k, g) for k, g in d.groupby("kind", sort=True)]
    groups += [("IN SCOPE", in_scope), ("EVERYTHING", d)]
    rows = []
    for kind, g in groups:
        pres, absn = g[g["present"]], g[~g["present"]]
        auto = g[g["auto"]]
        rows.append(
            {
                "kind": kind,
                "n": len(g),
                "top1": (pres["right"] & pres["shown"]).mean() if len(pres) else np.nan,
                "auto": pres["auto"].mean() if len(pres) else np.nan,
                "auto_precision": auto["right"].mean() if len(auto) else np.nan,
                "review": g["review"].mean(),
                "none": (~g["shown"]).mean(),
                "false_auto": absn["auto"].mean() if len(absn) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def curve(scored: pd.DataFrame, thresholds: np.ndarray | None = None) -> pd.DataFrame:
    """Precision and recall of automatic decisions per threshold (in-scope names), and the share
    of absent organisations matched automatically."""
    thresholds = np.round(np.arange(0.50, 1.001, 0.01), 2) if thresholds is None else thresholds
    d = scored[~scored["kind"].isin(OUT_OF_SCOPE)]
    pres = d["present"].to_numpy()
    right = d["right"].to_numpy()
    score, amb = d["score"].to_numpy(), d["ambiguous"].to_numpy()
    rows = []
    for t in thresholds:
        auto = (score >= t) & ~amb
        shown = score >= t
        n_auto = int(auto.sum())
        rows.append(
            {
                "threshold": float(t),
                "auto_precision": (right & auto).sum() / n_auto if n_auto else np.nan,
                "auto_recall": (right & auto).sum() / max(pres.sum(), 1),
                "shown_precision": (right & shown).sum() / max(int(shown.sum()), 1),
                "top1": (right & shown).sum() / max(pres.sum(), 1),
                "false_auto_absent": (auto & ~pres).sum() / max(int((~pres).sum()), 1),
            }
        )
    return pd.DataFrame(rows)


# the per-method score each lookup method reports (a fixed score: calibrated on the tuning split)
METHOD_SCORES = {
    "normalised_name": "score_normalised_name",
    "compact_name": "score_compact_name",
    "qualifier_dropped": "score_qualifier_dropped",
    "acronym": "score_acronym",
    "acronym_expanded": "score_acronym_expanded",
    "same_words": "score_same_words",
}
MIN_DECISIONS = 30  # a method decided fewer names than this on the tuning split keeps its score


def calibrate(scored: pd.DataFrame, seeds: MatchingSeeds) -> pd.DataFrame:
    """Per method with a fixed score: how often it named the right account on these names (not
    ambiguous, present or absent), and the score it may claim: no more than that precision, and
    no less than the grey zone's ``score_ambiguous`` (a method right most of the time is still a
    suggestion worth reviewing)."""
    rows = []
    d = scored[~scored["ambiguous"] & (scored["score"] > 0)]
    for method, setting in METHOD_SCORES.items():
        g = d[d["method"] == method]
        current = getattr(seeds.settings, setting)
        precision = g["right"].mean() if len(g) else np.nan
        proposed = current
        if len(g) >= MIN_DECISIONS and precision < current:
            proposed = max(float(np.floor(precision * 100) / 100), seeds.settings.score_ambiguous)
        rows.append(
            {
                "method": method,
                "setting": setting,
                "decided": len(g),
                "precision": precision,
                "score": current,
                "calibrated": proposed,
            }
        )
    return pd.DataFrame(rows)


def choose_thresholds(scored: pd.DataFrame, review_in_force: float) -> tuple[float, float]:
    """(auto_match_threshold, review_lower_bound) from the curve of these (tuning) names: the
    lowest threshold at which automatic precision reaches its target and automatic matches of
    absent organisations stay within theirs; and the lowest review bound from which a
    suggestion below the automatic threshold (not ambiguous: those are reviewed as one of
    several anyway) is right at least half of the time. Scores below the review bound in force
    are not reported by the matcher, so the bound can only rise from there."""
    c = curve(scored)
    ok = (c["auto_precision"].fillna(0.0) >= TARGET_AUTO_PRECISION) & (
        c["false_auto_absent"] <= TARGET_FALSE_AUTO
    )
    auto = float(c.loc[ok, "threshold"].min()) if ok.any() else 1.0
    d = scored[~scored["kind"].isin(OUT_OF_SCOPE) & ~scored["ambiguous"]]
    review = auto
    for t in np.round(np.arange(review_in_force, auto, 0.01), 2):
        band = d[(d["score"] >= t) & (d["score"] < auto)]
        if len(band) and band["right"].mean() >= 0.5:
            review = float(t)
            break
    return auto, review


def write_settings(values: dict[str, float], path: Path = SETTINGS_CSV) -> None:
    """Replace the given settings' values in the seed (other rows and descriptions kept)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for name, value in values.items():
        if name in set(frame["setting"]):
            frame.loc[frame["setting"] == name, "value"] = f"{value:.2f}"
        else:
            raise ValueError(f"setting {name!r} is not in {path.name}")
    frame.to_csv(path, index=False)


def _fmt(table: pd.DataFrame) -> str:
    return table.to_string(index=False, float_format=lambda x: f"{x:.3f}", na_rep="-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "holdout"), default=None)
    parser.add_argument("--curve", action="store_true", help="also print the threshold curve")
    parser.add_argument(
        "--choose",
        action="store_true",
        help="calibrate the per-method scores and choose the thresholds on the tuning split, "
        "write them to seeds/conflict_matching_settings.csv, then report",
    )
    args = parser.parse_args()
    if args.choose:
        seeds = load_seeds()
        cal = calibrate(score_names(seeds, "tune"), seeds)
        print("== per-method calibration on the tuning split ==")
        print(_fmt(cal))
        write_settings(dict(zip(cal["setting"], cal["calibrated"], strict=True)))
        seeds = load_seeds()
        tune = score_names(seeds, "tune")
        print("== threshold curve, tuning split (in scope) ==")
        print(_fmt(curve(tune)))
        auto, review = choose_thresholds(tune, seeds.settings.review_lower_bound)
        print(f"chosen: auto_match_threshold {auto:.2f}, review_lower_bound {review:.2f}")
        write_settings({"auto_match_threshold": auto, "review_lower_bound": review})
    seeds = load_seeds()
    scored = score_names(seeds, args.split)
    s = seeds.settings
    print(
        f"== conflict matching on real names: split={args.split or 'all'}, "
        f"auto >= {s.auto_match_threshold}, review >= {s.review_lower_bound} =="
    )
    table = kind_table(scored, seeds)
    print(_fmt(table))
    scope = table.iloc[-2]
    ok = (
        scope.top1 >= TARGET_TOP1
        and scope.auto_precision >= TARGET_AUTO_PRECISION
        and scope.false_auto <= TARGET_FALSE_AUTO
    )
    print(
        f"targets (in scope): top1 >= {TARGET_TOP1}, auto precision >= {TARGET_AUTO_PRECISION}, "
        f"false auto on absent <= {TARGET_FALSE_AUTO}: {'met' if ok else 'NOT met'}"
    )
    if args.curve:
        print(_fmt(curve(scored)))


if __name__ == "__main__":
    main()
