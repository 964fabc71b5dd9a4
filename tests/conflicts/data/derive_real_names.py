"""Derive the real-name evaluation set (``real_accounts.csv``, ``real_name_variants.csv``) from two
public sources; see PROVENANCE.md beside this file. Not part of the package: run it by hand to
rebuild the set, e.g.::

    python tests/conflicts/data/derive_real_names.py \
        --ror-repo /path/to/ror-community/ror-records --bigbang-csv organization_categories.csv

It needs ``cleanco`` (2.3, MIT) importable, only to *label* a pair's kind (its legal-form terms),
never to build a variant. Every query string is a name a source holds; nothing here edits a name.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

from cleanco.termdata import terms_by_type

HERE = Path(__file__).resolve().parent
LEGAL = sorted(
    {re.sub(r"[^a-z0-9 ]", "", t.lower()).strip() for v in terms_by_type.values() for t in v}
    - {""},
    key=len,
    reverse=True,
)
STOP = {
    "the",
    "of",
    "and",
    "for",
    "de",
    "la",
    "le",
    "du",
    "des",
    "di",
    "del",
    "der",
    "und",
    "et",
    "y",
    "e",
    "in",
    "at",
    "on",
    "a",
    "an",
    "co",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "sa",
    "ag",
}
ABSENT_SHARE = 0.12  # organisations held out of the accounts: their names are absent ones
REVERSED_ACRONYM_SHARE = 0.25  # of organisations with an acronym: the CRM holds the acronym
MAX_PER_ORG = 4  # variants kept per organisation and kind (a few big ones hold dozens)
# most names kept per source and kind (a stable draw): the abundant kinds would swamp the rest
MAX_PER_KIND = {"short_form": 1500, "acronym": 1500, "absent": 1500, "other_name": 800,
                "translation": 800, "acronym_not_initials": 800}  # fmt: skip


def _h(text: str) -> float:
    """A stable number in [0, 1) from a string (the split and hold-out draws)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) / 16**12


def fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def alnum(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(s).replace("&", "and"))


def words(s: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", fold(s).replace("&", " and ")).split()


def strip_legal(ws: list[str]) -> list[str]:
    text = " ".join(ws)
    changed = True
    while changed:
        changed = False
        for t in LEGAL:
            if text.endswith(" " + t) and len(text) > len(t) + 1:
                text = text[: -len(t) - 1].strip()
                changed = True
    return text.split()


def is_latin(s: str) -> bool:
    return all(
        ord(c) < 0x250 or unicodedata.category(c)[0] in "PZS" for c in s
    )  # Latin incl. extended, no other script


def _lev(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def initials_fit(short: str, long_: str) -> bool:
    """Is ``short`` the initials of ``long_``'s words, of all of them or of its capitalised ones
    (``AMNH``: American Museum of Natural History)? Parentheses in ``long_`` are ignored."""
    letters = alnum(short)
    ws = re.findall(r"[^\W\d_]+|\d+", re.sub(r"\([^)]*\)", " ", long_))
    every = "".join(fold(w)[:1] for w in ws)
    capital = "".join(fold(w)[:1] for w in ws if w[:1].isupper() or w[:1].isdigit())
    return len(letters) >= 2 and letters in (every, capital)


def kind_of(query: str, canonical: str, origin: str) -> str | None:
    """The variant kind of a real pair, by comparing the two strings (None: the same name)."""
    if query == canonical:
        return None
    if origin in ("child", "subsidiary_of"):
        # a division named with (part of) its parent's name; one named otherwise is another name
        shared = set(words(query)) & set(words(canonical)) - STOP
        return "subsidiary" if shared else "other_name"
    if origin in ("acronym", "acronym_reversed"):
        short, long_ = (query, canonical) if origin == "acronym" else (canonical, query)
        if not initials_fit(short, long_):
            return "acronym_not_initials"  # CERN, XAC: only a list of aliases can hold it
        return "acronym" if origin == "acronym" else "acronym_expanded"
    if query.lower() == canonical.lower():
        return "case"
    if fold(query) == fold(canonical):
        return "transliteration"
    if alnum(query) == alnum(canonical):
        return "spacing_punctuation"
    q, c = words(query), words(canonical)
    if strip_legal(q) == strip_legal(c):
        return "legal_suffix"
    qs, cs = strip_legal(q), strip_legal(c)
    if (
        len(qs) == len(cs)
        and qs != cs
        and all(
            a == b or (len(a) >= 2 and b.startswith(a)) or (len(b) >= 2 and a.startswith(b))
            for a, b in zip(qs, cs, strict=True)
        )
    ):
        return "abbreviation"
    a, b = "".join(qs), "".join(cs)
    if min(len(a), len(b)) >= 6 and _lev(a, b) <= 2:
        return "typo"
    if len(qs) == 1 and 2 <= len(qs[0]) <= 8 and query.replace(".", "").isupper():
        return "acronym"
    if set(cs) < set(qs):
        return "extra_words"
    if set(qs) < set(cs):
        return "short_form"
    if origin == "label":
        return "translation"
    return "other_name"


def _ror_records(repo: Path) -> list[dict]:
    """The latest v2 record of every organisation in a ror-records checkout (git tree of HEAD)."""
    names = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    files = [n for n in names if re.match(r"^v2\.\d+(\.\d+)?/[^/]+\.json$", n)]
    files.sort(key=lambda n: tuple(int(x) for x in n.split("/")[0][1:].split(".")))
    proc = subprocess.Popen(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    recs: dict[str, dict] = {}
    for f in files:
        proc.stdin.write(f"HEAD:{f}\n".encode())
        proc.stdin.flush()
        size = int(proc.stdout.readline().split()[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)
        r = json.loads(data)
        if r.get("names") and r.get("status") == "active":
            recs[r["id"]] = r
        elif r.get("id") in recs:
            del recs[r["id"]]
    proc.stdin.close()
    return list(recs.values())


def from_ror(repo: Path) -> tuple[list[dict], list[dict]]:
    accounts, pairs = [], []
    recs = _ror_records(repo)
    by_id = {r["id"]: r for r in recs}
    parent_of = {}
    for r in recs:
        for rel in r.get("relationships", ()):
            if rel["type"] == "parent" and rel["id"] in by_id:
                parent_of[r["id"]] = rel["id"]
                break

    def root(i: str) -> str:
        seen = set()
        while i in parent_of and i not in seen:
            seen.add(i)
            i = parent_of[i]
        return i

    absent_roots = {
        r["id"] for r in recs if r["id"] not in parent_of and _h(r["id"]) < ABSENT_SHARE
    }

    def display_of(r: dict) -> str:
        return next(n["value"] for n in r["names"] if "ror_display" in n["types"])

    def acronyms_of(r: dict) -> list[str]:
        return [n["value"] for n in r["names"] if "acronym" in n["types"]]

    def reversed_of(r: dict) -> bool:
        return bool(acronyms_of(r)) and _h("acr" + r["id"]) < REVERSED_ACRONYM_SHARE

    def account_name_of(r: dict) -> str:
        return acronyms_of(r)[0] if reversed_of(r) else display_of(r)

    for r in recs:
        rid = r["id"]
        display = display_of(r)
        fam = root(rid)
        absent = fam in absent_roots
        # the CRM holds the acronym for some organisations (as CRMs hold "IBM")
        reversed_ = reversed_of(r) and not absent
        account_name = account_name_of(r) if not absent else display
        is_child = rid in parent_of
        # a child organisation is an account only half the time: the other half it is a query
        # that has to find its parent (a division the CRM does not hold)
        child_query = is_child and _h("child" + rid) < 0.5
        if not absent and not child_query:
            accounts.append(
                {
                    "source": "ror",
                    "account_id": rid.rsplit("/", 1)[-1],
                    "account_name": account_name,
                    "parent_account_id": parent_of[rid].rsplit("/", 1)[-1] if is_child else "",
                }
            )
        truth = "" if absent else fam.rsplit("/", 1)[-1]
        target = "" if absent else account_name_of(by_id[fam])
        per: Counter[str] = Counter()

        def add(
            query: str, origin: str, canonical: str, *, _rid=rid, _truth=truth, _t=target, _per=per
        ) -> None:
            if not query.strip() or not is_latin(query):
                return
            k = kind_of(query, canonical, origin)
            if k is None or _per[k] >= MAX_PER_ORG:
                return
            _per[k] += 1
            pairs.append(
                {
                    "source": "ror",
                    "query": query,
                    "kind": k,
                    "true_account_id": _truth,
                    "true_account_name": _t,
                    "org_id": _rid.rsplit("/", 1)[-1],
                }
            )

        if absent:
            add(display, "absent", "")
        if child_query:
            # a division the CRM does not hold: named like any of its ancestors?
            anc, names_up, i = [], [], rid
            while i in parent_of and i not in anc:
                anc.append(i)
                i = parent_of[i]
                names_up.append(display_of(by_id[i]))
            add(display, "child", " ".join(names_up))
            continue
        if reversed_:  # the CRM holds only the acronym: the full name is the variant
            add(display, "acronym_reversed", account_name)
            continue
        for n in r["names"]:
            v, types = n["value"], n["types"]
            if "ror_display" in types or v == account_name:
                continue
            if "acronym" in types:
                if not reversed_ or v != account_name:
                    add(v, "acronym", display)
            elif "alias" in types:
                add(v, "alias", display)
            elif "label" in types:
                add(v, "label", display)
    for p in pairs:
        if not p["true_account_id"]:
            p["kind"] = "absent"
    return accounts, pairs


def from_bigbang(path: Path) -> tuple[list[dict], list[dict]]:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    tops: dict[str, str] = {}
    for r in rows:
        name = " ".join(r["name"].split())
        if name and not r["subsidiary of / alias of"].strip():
            tops.setdefault(name.lower(), name)
    ids = {k: f"B{i}" for i, k in enumerate(sorted(tops))}
    absent = {k for k in tops if _h("bb" + k) < ABSENT_SHARE}
    accounts = [
        {"source": "ietf_3gpp", "account_id": ids[k], "account_name": v, "parent_account_id": ""}
        for k, v in sorted(tops.items())
        if k not in absent
    ]
    pairs, seen = [], set()
    for r in rows:
        name = " ".join(r["name"].split())
        parent = " ".join(r["subsidiary of / alias of"].split())
        if not name or not parent or parent.lower() not in tops or name.lower() in seen:
            continue
        seen.add(name.lower())
        k = parent.lower()
        origin = "subsidiary_of"
        kd = kind_of(name, tops[k], "alias")
        if kd in (
            "case",
            "transliteration",
            "spacing_punctuation",
            "legal_suffix",
            "abbreviation",
            "typo",
            "acronym",
        ):
            origin = "alias"  # a spelling of the parent itself, not a subsidiary
        kind = "absent" if k in absent else kind_of(name, tops[k], origin)
        if kind is None:
            continue
        pairs.append(
            {
                "source": "ietf_3gpp",
                "query": name,
                "kind": kind,
                "true_account_id": "" if k in absent else ids[k],
                "true_account_name": "" if k in absent else tops[k],
                "org_id": ids[k],
            }
        )
    for k in sorted(absent):  # the held-out organisations' own names
        pairs.append(
            {"source": "ietf_3gpp", "query": tops[k], "kind": "absent", "true_account_id": "",
             "true_account_name": "", "org_id": ids[k]}
        )  # fmt: skip
    return accounts, pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ror-repo", type=Path, required=True)
    ap.add_argument("--bigbang-csv", type=Path, required=True)
    args = ap.parse_args()
    acc_r, pairs_r = from_ror(args.ror_repo)
    acc_b, pairs_b = from_bigbang(args.bigbang_csv)
    accounts, pairs = acc_r + acc_b, pairs_r + pairs_b
    kept: Counter[tuple[str, str]] = Counter()
    capped = []
    for p in sorted(pairs, key=lambda p: _h("keep" + p["source"] + p["query"] + p["org_id"])):
        key = (p["source"], p["kind"])
        if kept[key] < MAX_PER_KIND.get(p["kind"], 10**9):
            kept[key] += 1
            capped.append(p)
    pairs = capped
    for p in pairs:  # tuning / held-out split by organisation, never by pair
        p["split"] = "tune" if _h("split" + p["org_id"]) < 0.5 else "holdout"
    with (HERE / "real_accounts.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["source", "account_id", "account_name", "parent_account_id"])
        w.writeheader()
        w.writerows(accounts)
    cols = ["source", "split", "kind", "query", "true_account_id", "true_account_name", "org_id"]
    with (HERE / "real_name_variants.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, cols)
        w.writeheader()
        w.writerows(sorted(pairs, key=lambda p: (p["source"], p["kind"], p["query"])))
    print(f"{len(accounts):,} accounts, {len(pairs):,} labelled names")
    print(Counter((p["source"], p["kind"]) for p in pairs))


if __name__ == "__main__":
    main()
