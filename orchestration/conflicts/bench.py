"""Benchmark of the conflict matcher at CRM scale, against a plain Jaro-Winkler baseline.

``python -m orchestration.conflicts.bench`` (and ``make bench``) generates a synthetic CRM of
1,000,000 accounts (company names built from the world's word lists, ~15% subsidiaries with a
parent, domains and subdomains, open direct opportunities on a share of them) and 100,000
registrations typed as variants of known accounts (exact, legal suffix, case/punctuation, acronym,
subsidiary spelled with the parent's name, typo, domain, subdomain) or of companies the CRM does
not hold (new, with a plausible name and domain). It times the index build, the batch decision of
the 100k registrations, single ``decide`` calls (p50/p95) and peak memory, and runs the baseline
(each registration name against all 1M account names by Jaro-Winkler, rapidfuzz's fastest path) on
a sample, extrapolated to the batch. Precision and recall of both are scored against the truth;
then the string-similarity libraries are timed on the same 1M candidate pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import jellyfish
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.utils import default_process

from orchestration.conflicts.matcher import MatchIndex
from orchestration.conflicts.normalize import basic_keys, load_seeds
from pipelines.settings import PROJECT_ROOT
from pipelines.world import names

BATCH_TARGET_S, P95_TARGET_MS = 60.0, 50.0
ACCOUNTS, BATCH, SINGLE_CALLS = 1_000_000, 100_000, 2_000
BASELINE_SAMPLE, SINGLE_BASELINE_CALLS, BASELINE_THRESHOLD = 200, 20, 0.90
SECOND = tuple(dict.fromkeys(names.SECOND))  # the world's list holds "Foods" twice
CITIES = (
    "Boston", "Denver", "Austin", "Dallas", "Seattle", "Chicago", "Atlanta", "Phoenix", "Portland",
    "Toronto", "Vancouver", "Montreal", "London", "Leeds", "Dublin", "Berlin", "Munich", "Hamburg",
    "Paris", "Lyon", "Madrid", "Milan", "Zurich", "Vienna", "Oslo", "Stockholm", "Helsinki",
    "Warsaw", "Prague", "Dubai", "Mumbai", "Delhi", "Singapore", "Sydney", "Melbourne", "Auckland",
    "Tokyo", "Osaka", "Seoul", "Santiago",
)  # fmt: skip
SYLLABLES = (
    "ax", "bel", "bri", "cor", "dex", "dyn", "el", "fin", "gen", "hal", "ion", "jo", "kor", "lux",
    "lum", "max", "mer", "nex", "no", "ome", "pax", "qua", "ra", "rex", "sol", "syn", "ta", "tek",
    "tri", "ul", "va", "ven", "vi", "wex", "xa", "yo", "zen", "zor", "ly", "ko",
)  # fmt: skip
KINDS = (
    "exact", "legal_suffix", "case_punct", "acronym", "subsidiary", "typo", "domain", "subdomain",
    "new_company",
)  # fmt: skip
KIND_P = (0.30, 0.14, 0.12, 0.05, 0.07, 0.12, 0.05, 0.05, 0.10)
SUB_SHARE, OPEN_OPP_SHARE = 0.15, 0.10


@dataclass
class Crm:
    """The synthetic CRM: accounts (+ hierarchy), direct opportunities, and name parts for variants."""

    accounts: pd.DataFrame
    opportunities: pd.DataFrame
    base: np.ndarray  # name without legal suffix
    suffix: np.ndarray  # legal suffix or ''
    domain: np.ndarray
    parent: np.ndarray  # row of the parent account, -1 for a top account
    division: np.ndarray  # subsidiaries: their division word
    root: np.ndarray
    spare: list[str]  # bases of companies the CRM does not hold (for new-company variants)


def _coined(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct made-up brand words (two or three syllables): a large vocabulary, as in real CRMs."""
    out: dict[str, None] = {}
    while len(out) < n:
        k = 2 + int(rng.random() < 0.5)
        w = "".join(SYLLABLES[i] for i in rng.integers(len(SYLLABLES), size=k)).capitalize()
        out.setdefault(w)
    return list(out)


def _bases(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct company base names: 60% the world's pattern (first second third) made unique
    with a family name in front or a city behind, 40% a coined brand word + second + third."""
    third = names.THIRD
    qual = ("", *names.LAST_NAMES, *CITIES)
    nq, nl = len(qual), len(names.LAST_NAMES)
    n_a = int(n * 0.6)
    space_a = len(names.FIRST) * len(SECOND) * len(third) * nq
    coined = _coined(rng, 6000)
    space_b = len(coined) * len(SECOND) * len(third)
    out = []
    for p in rng.choice(space_a, n_a, replace=False).tolist():
        p, q = divmod(p, nq)
        p, c = divmod(p, len(third))
        a, b = divmod(p, len(SECOND))
        core = " ".join(w for w in (names.FIRST[a], SECOND[b], third[c]) if w)
        out.append(core if q == 0 else f"{qual[q]} {core}" if q <= nl else f"{core} {qual[q]}")
    for p in rng.choice(space_b, n - n_a, replace=False).tolist():
        p, c = divmod(p, len(third))
        a, b = divmod(p, len(SECOND))
        out.append(" ".join(w for w in (coined[a], SECOND[b], third[c]) if w))
    return out


def make_crm(n_accounts: int = 1_000_000, seed: int = 42) -> Crm:
    """A synthetic CRM of ``n_accounts`` accounts, deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    n_sub = int(n_accounts * SUB_SHARE)
    n_par = n_accounts - n_sub
    bases = _bases(rng, n_par + n_accounts // 10)
    spare = bases[n_par:]
    base = np.asarray(bases[:n_par], dtype=object)
    tlds = list(names.TLD.values())
    tld = np.asarray(tlds, dtype=object)[rng.integers(len(tlds), size=n_par)]
    domain = np.asarray(
        [
            b.replace(" ", "").lower() + "." + t
            for b, t in zip(base.tolist(), tld.tolist(), strict=True)
        ],
        dtype=object,
    )
    has_suffix = rng.random(n_par) < 0.8
    suffix = np.where(
        has_suffix,
        np.asarray(names.LEGAL_SUFFIXES, dtype=object)[
            rng.integers(len(names.LEGAL_SUFFIXES), size=n_par)
        ],
        "",
    )
    # subsidiaries "<acronym or first word> <Division>" of random parents, domain under the
    # parent's or their own
    par = rng.integers(n_par, size=n_sub)
    div = np.asarray(names.DIVISIONS, dtype=object)[rng.integers(len(names.DIVISIONS), size=n_sub)]
    use_acr = rng.random(n_sub) < 0.6
    own_host = rng.random(n_sub) < 0.5
    s_base, s_dom = [], []
    for pi, d, acr, own in zip(
        par.tolist(), div.tolist(), use_acr.tolist(), own_host.tolist(), strict=True
    ):
        pb = base[pi]
        short = names.acronym(pb) if acr and " " in pb else pb.split()[0]
        s_base.append(f"{short} {d}")
        s_dom.append(f"{short.lower()}{d.lower()}.com" if own else f"{d.lower()}.{domain[pi]}")
    all_base = np.concatenate([base, np.asarray(s_base, dtype=object)])
    all_suffix = np.concatenate([suffix, np.full(n_sub, "", dtype=object)])
    all_domain = np.concatenate([domain, np.asarray(s_dom, dtype=object)])
    parent = np.concatenate([np.full(n_par, -1), par]).astype(np.int64)
    division = np.concatenate([np.full(n_par, "", dtype=object), div])
    root = np.where(parent >= 0, parent, np.arange(n_accounts))
    full = np.asarray(
        [
            f"{b} {s}" if s else b
            for b, s in zip(all_base.tolist(), all_suffix.tolist(), strict=True)
        ],
        dtype=object,
    )
    ids = np.char.add("A", np.arange(n_accounts).astype(str)).astype(object)
    accounts = pd.DataFrame(
        {
            "account_id": ids,
            "account_name": full,
            "account_domain": all_domain,
            "parent_account_id": np.where(parent >= 0, ids[np.maximum(parent, 0)], None),
        }
    )
    n_opp = int(n_accounts * OPEN_OPP_SHARE)
    opp_acct = rng.choice(n_accounts, n_opp, replace=False)
    now = pd.Timestamp("2026-01-01", tz="UTC")
    created = now - pd.to_timedelta(rng.integers(1, 365, n_opp), unit="D")
    closed = created + pd.to_timedelta(rng.integers(10, 200, n_opp), unit="D")
    is_open = rng.random(n_opp) < 0.7
    opportunities = pd.DataFrame(
        {
            "opportunity_id": [f"OPP-{i}" for i in range(n_opp)],
            "account_id": ids[opp_acct],
            "owner_name": [" ".join(names.person(rng)) for _ in range(n_opp)],
            "created_at": created,
            "closed_at": pd.Series(closed).where(~is_open),
        }
    )
    return Crm(accounts, opportunities, base=all_base, suffix=all_suffix, domain=all_domain,
               parent=parent, division=division, root=root, spare=spare)  # fmt: skip


def make_registrations(crm: Crm, n: int, seed: int, prefix: str = "R") -> pd.DataFrame:
    """``n`` registrations typed as variants of known accounts or of new companies, with the truth
    (``case_type``; ``true_family_id``: the account id of the true company's top account)."""
    rng = np.random.default_rng(seed)
    ids = crm.accounts["account_id"].to_numpy()
    n_acc = len(ids)
    subs = np.flatnonzero(crm.parent >= 0)
    tops = np.flatnonzero(crm.parent < 0)
    kind = rng.choice(len(KINDS), n, p=KIND_P)
    spare = rng.permutation(len(crm.spare))
    rows = []
    for j, k in enumerate(kind.tolist()):
        kname = KINDS[k]
        if kname == "new_company":
            b = crm.spare[int(spare[j % len(spare)])]
            typed = f"{b} {names.LEGAL_SUFFIXES[int(rng.integers(len(names.LEGAL_SUFFIXES)))]}"
            dom = b.replace(" ", "").lower() + ".com" if rng.random() < 0.5 else None
            rows.append((typed, dom, kname, None))
            continue
        if kname == "subsidiary":
            i = int(subs[int(rng.integers(len(subs)))])
        elif kname == "acronym":
            i = int(tops[int(rng.integers(len(tops)))])
        else:
            i = int(rng.integers(n_acc))
        base, sfx, dom = crm.base[i], crm.suffix[i], crm.domain[i]
        name = f"{base} {sfx}" if sfx else base
        if kname == "exact":
            t = name
        elif kname == "legal_suffix":
            others = [s for s in names.LEGAL_SUFFIXES if s != sfx]
            t = (
                base
                if sfx and rng.random() < 0.5
                else f"{base} {others[int(rng.integers(len(others)))]}"
            )
        elif kname == "case_punct":
            t = names.case_punct(rng, name)
        elif kname == "acronym":
            t = names.acronym(base)
        elif kname == "subsidiary":
            t = f"{crm.base[crm.parent[i]]} {crm.division[i]}"
        elif kname == "typo":
            t = names.typo(rng, name)
        elif kname == "domain":
            t = dom
        else:
            t = (
                dom
                if crm.parent[i] >= 0 and dom.count(".") >= 2
                else (f"{names.SUBDOMAIN_PREFIXES[int(rng.integers(6))]}.{dom}")
            )
        rdom = t if kname in ("domain", "subdomain") else (dom if rng.random() < 0.5 else None)
        rows.append((t, rdom, kname, ids[crm.root[i]]))
    typed, dom, case, truth = zip(*rows, strict=True)
    start = pd.Timestamp("2025-01-01", tz="UTC")
    return pd.DataFrame(
        {
            "registration_id": [f"{prefix}-{i}" for i in range(n)],
            "partner_id": [f"P-{p}" for p in rng.integers(2000, size=n)],
            "registered_company_name": typed,
            "registered_domain": dom,
            "submitted_at": start + pd.to_timedelta(rng.integers(0, 365 * 86400, n), unit="s"),
            "registration_status": "submitted",
            "case_type": case,
            "true_family_id": truth,
        }
    )


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _score(truth: pd.Series, named: pd.Series) -> dict[str, Any]:
    """Precision and recall of named families against the true ones (as the evaluation counts)."""
    has_truth, is_named = truth.notna(), named.notna()
    correct = is_named & has_truth & (named == truth)
    tp, fp, fn = (
        int(correct.sum()),
        int((is_named & ~correct).sum()),
        int((has_truth & ~correct).sum()),
    )
    return {
        "n": len(truth),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else float("nan"),
        "recall": round(tp / (tp + fn), 4) if tp + fn else float("nan"),
    }


def _named_by_index(idx: MatchIndex, reg_ids: list[str]) -> list[str | None]:
    """The family each held registration resolved to (None when not named or ambiguous)."""
    lower = idx.s.review_lower_bound
    out = []
    for rid in reg_ids:
        m = idx.regs[rid].match
        ok = m.accounts and not m.ambiguous and m.score >= lower
        out.append(idx.ids[idx.root[m.accounts[0]]] if ok else None)
    return out


def _baseline(crm: Crm, regs: pd.DataFrame, threshold: float, batch: int) -> dict[str, Any]:
    """Straight Jaro-Winkler of each typed name against every account name (lower case, punctuation
    as spaces: rapidfuzz's ``default_process``), the best above ``threshold`` taken as the match.
    ``cdist`` on all cores for the batch figure; ``extractOne`` per name for the single-call one."""
    choices = [default_process(n) for n in crm.accounts["account_name"].tolist()]
    queries = [default_process(n) for n in regs["registered_company_name"].tolist()]
    best_row, best_score = [], []
    t0 = time.perf_counter()
    for lo in range(0, len(queries), 10):
        sim = process.cdist(
            queries[lo : lo + 10],
            choices,
            scorer=JaroWinkler.normalized_similarity,
            dtype=np.float32,
            workers=-1,
        )
        best_row.extend(sim.argmax(axis=1).tolist())
        best_score.extend(sim.max(axis=1).tolist())
    batch_s = time.perf_counter() - t0
    single = []
    for q in queries[:SINGLE_BASELINE_CALLS]:
        t = time.perf_counter()
        process.extractOne(q, choices, scorer=JaroWinkler.normalized_similarity)
        single.append(time.perf_counter() - t)
    ids = crm.accounts["account_id"].to_numpy()
    named = [
        ids[crm.root[r]] if s >= threshold else None
        for r, s in zip(best_row, best_score, strict=True)
    ]
    return {
        "sample": len(queries),
        "sample_s": round(batch_s, 2),
        "batch_s_extrapolated": round(batch_s / len(queries) * batch, 1),
        "single_p50_ms": round(1000 * statistics.median(single), 1),
        "single_p95_ms": round(1000 * float(np.percentile(single, 95)), 1),
        "named": pd.Series(named, index=regs.index, dtype=object),
    }


def compare_libraries(crm: Crm, n_pairs: int = 1_000_000, seed: int = 7) -> list[dict[str, Any]]:
    """Seconds per 1M name pairs (an account's normalised name against a typo or upper-case variant
    of it or another account's name) for each library and scorer, and DuckDB's cost per query."""
    rng = np.random.default_rng(seed)
    keys = basic_keys(pa.array(crm.accounts["account_name"].tolist(), pa.string()))
    a = pc.take(keys, pa.array(rng.integers(len(keys), size=n_pairs))).to_pylist()
    other = pc.take(keys, pa.array(rng.integers(len(keys), size=n_pairs))).to_pylist()
    b = [
        names.typo(rng, x) if k == 0 else (x.upper() if k == 1 else o)
        for x, o, k in zip(a, other, rng.integers(3, size=n_pairs).tolist(), strict=True)
    ]
    loop_n = min(n_pairs, 200_000)  # Python loops are timed on a part and scaled
    out: list[dict[str, Any]] = []

    def timed(library: str, scorer: str, how: str, fn: Callable[[], object], n: int) -> None:
        t = time.perf_counter()
        fn()
        per_m = (time.perf_counter() - t) / n * 1e6
        out.append(
            {"library": library, "scorer": scorer, "how": how, "s_per_1m_pairs": round(per_m, 2)}
        )

    for scorer, f in (
        ("Jaro-Winkler", JaroWinkler.normalized_similarity),
        ("Indel ratio", fuzz.ratio),
        ("token_set_ratio", fuzz.token_set_ratio),
    ):
        timed(
            "rapidfuzz",
            scorer,
            "cpdist, 2 workers",
            lambda f=f: process.cpdist(a, b, scorer=f, workers=-1),
            n_pairs,
        )
    jw = JaroWinkler.normalized_similarity
    a_, b_ = a[:loop_n], b[:loop_n]
    timed(
        "rapidfuzz",
        "Jaro-Winkler",
        "Python loop",
        lambda: [jw(x, y) for x, y in zip(a_, b_, strict=True)],
        loop_n,
    )
    timed(
        "jellyfish",
        "Jaro-Winkler",
        "Python loop",
        lambda: [jellyfish.jaro_winkler_similarity(x, y) for x, y in zip(a_, b_, strict=True)],
        loop_n,
    )
    timed(
        "jellyfish",
        "Levenshtein",
        "Python loop",
        lambda: [jellyfish.levenshtein_distance(x, y) for x, y in zip(a_, b_, strict=True)],
        loop_n,
    )
    con = duckdb.connect()
    con.execute("set threads = 2")
    con.register("pairs", pa.table({"a": a, "b": b}))
    timed(
        "duckdb",
        "Jaro-Winkler",
        "SQL over Arrow, 2 threads",
        lambda: con.sql("select jaro_winkler_similarity(a, b) as s from pairs").to_arrow_table(),
        n_pairs,
    )
    timed(
        "duckdb",
        "Levenshtein",
        "SQL over Arrow, 2 threads",
        lambda: con.sql("select levenshtein(a, b) as s from pairs").to_arrow_table(),
        n_pairs,
    )
    t = time.perf_counter()
    for x, y in zip(a[:200], b[:200], strict=True):
        con.execute("select jaro_winkler_similarity(?, ?)", [x, y]).fetchall()
    out.append(
        {
            "library": "duckdb",
            "scorer": "Jaro-Winkler",
            "how": "one query per pair",
            "ms_per_call": round((time.perf_counter() - t) / 200 * 1000, 2),
        }
    )
    # DuckDB as the plain baseline for one registration: a scan of all 1M names per query
    con.register("accounts", pa.table({"k": keys}))
    t = time.perf_counter()
    for x in b[:5]:
        con.execute(
            "select arg_max(k, jaro_winkler_similarity(?, k)) from accounts", [x]
        ).fetchall()
    out.append(
        {
            "library": "duckdb",
            "scorer": "Jaro-Winkler",
            "how": f"one name vs all {len(keys):,} accounts",
            "ms_per_call": round((time.perf_counter() - t) / 5 * 1000, 1),
        }
    )
    con.close()
    return out


def evaluations(seed: int = 42) -> dict[str, Any]:
    """Both labelled evaluations, printed: the real names (held-out split and all, per kind, and
    the learned scorers against the hand weights) and the simulated world (per case type)."""
    from orchestration.conflicts import evaluation, learned_scorer, real_evaluation

    seeds = load_seeds()
    out: dict[str, Any] = {}
    for split in ("holdout", None):
        table = real_evaluation.kind_table(real_evaluation.score_names(seeds, split), seeds)
        print(
            f"\n== conflict matching on real names (docs/conflicts.md), split={split or 'all'}: "
            "python -m orchestration.conflicts.real_evaluation =="
        )
        print(real_evaluation._fmt(table))
        out[f"real_{split or 'all'}"] = table.to_dict("records")
    learned = learned_scorer.compare(seeds)
    print(
        "\n== hand weights vs learned scorers, threshold chosen on the tuning split, held out "
        "reported: python -m orchestration.conflicts.learned_scorer =="
    )
    print(learned.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    out["learned_scorers"] = learned.to_dict("records")
    sim = evaluation.evaluate("small", seed, seeds)
    print(
        f"\n== conflict matching on the simulated world, scale=small seed={seed}: "
        "python -m orchestration.conflicts.evaluation =="
    )
    print(sim.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    out["simulated"] = sim.to_dict("records")
    return out


def run(
    seed: int = 42, accounts: int = ACCOUNTS, batch: int = BATCH, libraries: bool = True
) -> dict[str, Any]:
    """The whole benchmark; prints the tables and returns the figures."""
    t0 = time.perf_counter()
    crm = make_crm(accounts, seed)
    regs = make_registrations(crm, batch, seed + 1)
    singles = make_registrations(crm, SINGLE_CALLS, seed + 2, prefix="S")
    generation_s = time.perf_counter() - t0
    rss_data = _peak_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    idx = MatchIndex.build(crm.accounts, crm.opportunities, seeds=load_seeds())
    build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_index = _peak_mib()
    inputs = regs.drop(columns=["case_type", "true_family_id"])
    t0, c0 = time.perf_counter(), time.process_time()
    decisions = idx.decide_batch(inputs)
    batch_s, batch_cpu = time.perf_counter() - t0, time.process_time() - c0
    latencies = []
    for rec in singles.drop(columns=["case_type", "true_family_id"]).to_dict("records"):
        t = time.perf_counter()
        idx.decide(rec)
        latencies.append(time.perf_counter() - t)
    lat_ms = np.asarray(latencies) * 1000
    rss_all = _peak_mib()
    ours_named = pd.Series(_named_by_index(idx, regs["registration_id"].tolist()), index=regs.index)
    sample = regs.sample(BASELINE_SAMPLE, random_state=seed)
    base = _baseline(crm, sample, BASELINE_THRESHOLD, batch)
    ours_all = _score(regs["true_family_id"], ours_named)
    ours_sample = _score(sample["true_family_id"], ours_named.loc[sample.index])
    base_sample = _score(sample["true_family_id"], base.pop("named"))
    per_case = [
        {"case_type": case, **_score(g["true_family_id"], ours_named.loc[g.index])}
        for case, g in regs.groupby("case_type", sort=True)
    ]
    report: dict[str, Any] = {
        "accounts": accounts,
        "subsidiaries": int((crm.parent >= 0).sum()),
        "direct_opportunities": len(crm.opportunities),
        "registrations": batch,
        "generation_s": round(generation_s, 1),
        "index_build_s": round(build_s, 1),
        "batch_decide_s": round(batch_s, 1),
        "batch_total_s": round(build_s + batch_s, 1),
        "index_build_cpu_s": round(build_cpu, 1),
        "batch_decide_cpu_s": round(batch_cpu, 1),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "single_calls": len(lat_ms),
        "single_p50_ms": round(float(np.percentile(lat_ms, 50)), 2),
        "single_p95_ms": round(float(np.percentile(lat_ms, 95)), 2),
        "single_max_ms": round(float(lat_ms.max()), 1),
        "peak_rss_mib": {
            "data": round(rss_data),
            "after_index": round(rss_index),
            "after_decisions": round(rss_all),
        },
        "decisions": dict(pd.Series(decisions.column("decision").to_pylist()).value_counts()),
        "ours": {"all": ours_all, "sample": ours_sample, "per_case": per_case},
        "baseline": {**base, "threshold": BASELINE_THRESHOLD, "sample_score": base_sample},
    }
    _print(report)
    report["evaluations"] = evaluations(seed)
    if libraries:
        report["libraries"] = compare_libraries(crm)
        _print_libraries(report["libraries"])
    return report


def _print(r: dict[str, Any]) -> None:
    b, o = r["baseline"], r["ours"]
    ok = lambda good: "met" if good else "NOT met"  # noqa: E731
    n = f"{r['registrations']:,}"
    print(
        f"\n== conflict matching bench: {r['accounts']:,} accounts ({r['subsidiaries']:,} subsidiaries), "
        f"{r['direct_opportunities']:,} direct opportunities, {r['registrations']:,} registrations =="
    )
    print(
        f"synthetic CRM generated in {r['generation_s']} s; peak RSS {r['peak_rss_mib']['data']:,} MiB with the data, "
        f"{r['peak_rss_mib']['after_index']:,} after the index, {r['peak_rss_mib']['after_decisions']:,} after all decisions"
    )
    print(f"{'':34} {'ours':>12} {'baseline (plain JW)':>22}")
    print(
        f"{'index build s':34} {r['index_build_s']:12.1f} {'-':>22}  (CPU {r['index_build_cpu_s']} s)"
    )
    print(
        f"{f'batch of {n}: decide s':34} {r['batch_decide_s']:12.1f} {str(b['batch_s_extrapolated']) + ' (extrapolated)':>22}"
        f"  (CPU {r['batch_decide_cpu_s']} s) target <= {BATCH_TARGET_S:.0f}: {ok(r['batch_decide_s'] <= BATCH_TARGET_S)}"
    )
    print(
        f"{f'batch of {n}: build + decide s':34} {r['batch_total_s']:12.1f} {'':>22}  target <= {BATCH_TARGET_S:.0f}: {ok(r['batch_total_s'] <= BATCH_TARGET_S)}"
    )
    print(f"{'single decide p50 ms':34} {r['single_p50_ms']:12.2f} {b['single_p50_ms']:22.1f}")
    print(
        f"{'single decide p95 ms':34} {r['single_p95_ms']:12.2f} {b['single_p95_ms']:22.1f}  target <= {P95_TARGET_MS:.0f}: {ok(r['single_p95_ms'] <= P95_TARGET_MS)}"
    )
    print(
        f"{'precision, same ' + str(b['sample']) + ' sampled':34} {o['sample']['precision']:12.3f} {b['sample_score']['precision']:22.3f}"
    )
    print(
        f"{'recall, same ' + str(b['sample']) + ' sampled':34} {o['sample']['recall']:12.3f} {b['sample_score']['recall']:22.3f}"
    )
    print(
        f"{f'precision / recall, all {n}':34} {o['all']['precision']:.3f} / {o['all']['recall']:.3f}"
    )
    print(
        f"baseline: each name against all {r['accounts']:,} account names (rapidfuzz cdist, 2 workers), best >= "
        f"{b['threshold']} taken; {b['sample']} names in {b['sample_s']} s, scaled to {n}; p95 over {SINGLE_BASELINE_CALLS} extractOne calls"
    )
    print("ours per case type:")
    print(pd.DataFrame(o["per_case"]).to_string(index=False))
    print("decisions:", ", ".join(f"{k} {v:,}" for k, v in r["decisions"].items()))


def _print_libraries(rows: list[dict[str, Any]]) -> None:
    print("\n== string similarity libraries: seconds per 1M candidate pairs, or ms per call ==")
    print(pd.DataFrame(rows).to_string(index=False, na_rep=""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--registrations", type=int, default=BATCH)
    parser.add_argument("--no-libraries", action="store_true", help="skip the library comparison")
    args = parser.parse_args()
    report = run(args.seed, args.accounts, args.registrations, not args.no_libraries)
    out = PROJECT_ROOT / "data" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_conflicts.json").write_text(json.dumps(report, indent=2, default=str))
    print(f"figures saved to {out / 'bench_conflicts.json'}")


if __name__ == "__main__":
    main()
