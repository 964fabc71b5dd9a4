"""Deal-registration conflict detection: normalise -> candidates -> score -> decide.

Build a :class:`MatchIndex` once from accounts (with their hierarchy), direct opportunities and
registrations, then ask :meth:`MatchIndex.decide` for one registration or
:meth:`MatchIndex.decide_batch` for many. The account side is vectorised (Arrow compute, numpy),
the string work is rapidfuzz; no Dagster and no warehouse writes. The rules, the benchmark and the
library choice are in docs/conflicts.md.

Input columns (pandas DataFrame, pyarrow Table or a list of dicts):

- accounts: ``account_id, account_name, account_domain, parent_account_id``
- opportunities: ``opportunity_id, account_id, owner_name, created_at, closed_at`` (+ optional
  ``opportunity_name``; if ``deal_source`` is present only ``direct`` rows are kept). ``closed_at``
  is null while the opportunity is open.
- registrations: ``registration_id, partner_id, registered_company_name, registered_domain,
  submitted_at, registration_status`` (+ optional ``ended_at``: when it stopped holding the
  account; without it, a registration in a blocking status holds it and any other holds nothing).
"""

from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from orchestration.conflicts.learned_ranker import rank as rank_candidates
from orchestration.conflicts.normalize import (
    MatchingSeeds,
    _strings,
    acronym_of,
    acronyms,
    basic_key,
    basic_keys,
    clean_host,
    clean_hosts,
    compact_key,
    compact_keys,
    content_keys,
    content_words,
    core_key,
    core_keys,
    expand_abbreviation_keys,
    expand_abbreviations,
    load_seeds,
    looks_like_host,
    name_tokens,
    registrable_domain,
    strip_legal_suffix_keys,
    strip_legal_suffixes,
)

DECISIONS = (
    "clean",
    "direct_opportunity_conflict",
    "earlier_registration_conflict",
    "needs_review",
)
METHODS = (
    "exact_name",
    "normalised_name",
    "compact_name",
    "qualifier_dropped",
    "alias",
    "acronym",
    "acronym_expanded",
    "parent_account",
    "domain",
    "subdomain",
    "fuzzy",
    "same_words",
    "abbreviated_words",
    "contains_account",
    "within_account",
    "brand",
    "acronym_prefix",
    "words",
)
METHOD_LABEL = {
    "exact_name": "exact name",
    "normalised_name": "same name without legal suffix, case or punctuation",
    "compact_name": "same letters without spaces, punctuation or 'and'",
    "qualifier_dropped": "same name without the part in parentheses",
    "alias": "known alias",
    "acronym": "acronym",
    "acronym_expanded": "initials of the registered name",
    "parent_account": "parent account",
    "domain": "domain",
    "subdomain": "subdomain of the account's domain",
    "fuzzy": "close spelling",
    "same_words": "the same words in another order",
    "abbreviated_words": "the same words, one cut short (Bio for Biotechnologies)",
    "contains_account": "the account's name inside the registered name",
    "within_account": "the registered name inside the account's name",
    "brand": "the same leading name, held by one account family only",
    "acronym_prefix": "the registered name starts with the account's acronym",
    "words": "shared words",
}
OUTPUT_SCHEMA = pa.schema(
    [
        ("registration_id", pa.string()),
        ("partner_id", pa.string()),
        ("decision", pa.string()),
        ("score", pa.float64()),
        ("matched_account_id", pa.string()),
        ("matched_account_name", pa.string()),
        ("family_account_id", pa.string()),
        ("match_method", pa.string()),
        ("candidate_count", pa.int64()),
        ("matched_record_type", pa.string()),
        ("matched_record_id", pa.string()),
        ("matched_record_owner", pa.string()),
        ("matched_record_since", pa.timestamp("s", tz="UTC")),
        ("reason", pa.string()),
    ]
)
NEVER = math.inf
REFINE = 12  # accounts sharing most word weight with a registration, scored word by word
BRAND_MAX_ACCOUNTS = 200  # a leading word held by more accounts is not one group's brand
BRAND_MIN_SHARE = (0.6, 0.75)  # on one account only, 1 or 2 leading words must weigh this much
PHRASE_BONUS = 0.03  # a containment as a run of words outranks one of scattered words
PHRASE_MAX_WORDS = 6  # the longest run of a registration's words looked up as an account's name
BRAND_FAMILY_MIN, BRAND_FAMILY_SHARE = (
    10,
    0.9,
)  # a leading word on this many, this share in one family
_QUALIFIER_RE = re.compile(r"\s*\([^)]*\)")  # a qualifier in parentheses (as core_key drops)
EDITED_MIN = 6  # a word this long within max_token_edits of another counts (review at most)
ABBREVIATION_MIN = 3  # a word cut short to this many letters still counts (review at most)
BATCH_CORRECTION_MIN = 500  # batches this large correct their unknown words in one cdist call


@dataclass(frozen=True)
class Decision:
    """The verdict on one registration (one row of :data:`OUTPUT_SCHEMA`)."""

    registration_id: str
    partner_id: str | None
    decision: str
    score: float
    matched_account_id: str | None
    matched_account_name: str | None
    family_account_id: str | None
    match_method: str | None
    candidate_count: int
    matched_record_type: str | None  # 'opportunity' | 'registration' | None
    matched_record_id: str | None
    matched_record_owner: str | None  # opportunity owner or registering partner id
    matched_record_since: datetime | None
    reason: str


@dataclass(frozen=True)
class _Match:
    """How a registration's name/domain resolved: candidate accounts (best first) and a score."""

    accounts: tuple[int, ...] = ()
    score: float = 0.0
    method: str | None = None
    ambiguous: bool = False
    on: str = ""  # the typed text that matched


@dataclass
class _Reg:
    registration_id: str
    partner_id: str | None
    name: str
    domain: str
    submitted: float
    ended: float
    match: _Match = field(default_factory=_Match)
    family: str = ""


def _frame(table: Any) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    if isinstance(table, pa.Table):
        return table.to_pandas()
    return pd.DataFrame(list(table))


def _epochs(values: pd.Series, missing: float) -> np.ndarray:
    """Seconds since the epoch (float) of timestamps/dates/ints; ``missing`` for nulls."""
    if values.dtype.kind in "iuf":
        out = values.to_numpy(dtype=float)
        return np.where(np.isnan(out), missing, out)
    # as nanoseconds whatever the unit: DuckDB hands pandas microsecond timestamps
    ts = pd.to_datetime(values, utc=True, errors="coerce").dt.as_unit("ns")
    out = ts.astype("int64").to_numpy().astype(float) / 1e9
    return np.where(ts.isna().to_numpy(), missing, out)


def _epoch(value: Any, missing: float) -> float:
    """:func:`_epochs` of one value (a single registration skips pandas frames)."""
    if value is None or isinstance(value, bool):
        return missing
    if isinstance(value, int | float | np.integer | np.floating):
        return missing if math.isnan(value) else float(value)
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return missing
    if pd.isna(ts):
        return missing
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts).timestamp()


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


class _Lookup:
    """key -> account rows (ascending) for millions of keys without a Python object per key: the
    rows sorted by key, the distinct keys as an Arrow array and their sorted ``hash()`` values
    (this process's string hash; the index lives in memory only). Empty keys are never found."""

    def __init__(self, keys: pa.Array, rows: np.ndarray) -> None:
        enc = pc.dictionary_encode(_strings(keys))
        codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        order = np.argsort(codes, kind="stable")
        self._rows = rows[order]
        self._bounds = np.searchsorted(codes[order], np.arange(len(enc.dictionary) + 1))
        self._keys = enc.dictionary
        hashes = np.fromiter(map(hash, self._keys.to_pylist()), np.int64, len(self._keys))
        by_hash = np.argsort(hashes, kind="stable")
        # array.array + bisect: a C binary search on Python ints, no numpy call per lookup
        self._by_hash = array("q", by_hash.tobytes())
        self._hashes = array("q", hashes[by_hash].tobytes())

    def _code(self, key: str) -> int:
        if not key:
            return -1
        h = hash(key)
        j = bisect_left(self._hashes, h)
        while j < len(self._hashes) and self._hashes[j] == h:
            c = self._by_hash[j]
            if self._keys[c].as_py() == key:
                return c
            j += 1
        return -1

    def __contains__(self, key: str) -> bool:
        return self._code(key) >= 0

    def __getitem__(self, key: str) -> list[int]:
        c = self._code(key)
        return self._rows[self._bounds[c] : self._bounds[c + 1]].tolist() if c >= 0 else []

    def __len__(self) -> int:
        return len(self._keys)

    def first(self, keys: pa.Array) -> np.ndarray:
        """The first row of each key (-1 when absent or empty), for many keys at once."""
        wanted = _strings(keys).to_numpy(zero_copy_only=False)
        codes = pd.Index(self._keys.to_numpy(zero_copy_only=False)).get_indexer(wanted)
        found = (codes >= 0) & (wanted != "")
        out = np.full(len(codes), -1, np.int64)
        out[found] = self._rows[self._bounds[codes[found]]]
        return out


_EMPTY = _Lookup(pa.array([], pa.string()), np.empty(0, np.int64))


def _day(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).date().isoformat()


class MatchIndex:
    """Everything needed to decide registrations, built once.

    >>> idx = MatchIndex.build(accounts, opportunities, registrations)
    >>> idx.decide({"registration_id": "r9", "partner_id": "p2", "registered_company_name": "GE",
    ...             "registered_domain": None, "submitted_at": "2026-01-02T00:00:00Z"})
    """

    def __init__(self, seeds: MatchingSeeds) -> None:
        self.seeds = seeds
        self.s = seeds.settings
        self.ids: list[str] = []
        self.names: list[str] = []
        self.keys: list[str] = []
        self.root: list[int] = []
        self._family_size: list[int] = []
        self._id_rows = _EMPTY
        self.exact = self.by_key = self.expanded = self.by_acronym = _EMPTY
        self.by_core = self.by_compact = self.by_acronym_content = _EMPTY
        self.by_acronym_suffix = self.by_acronym_given = self.by_acronym_lead = _EMPTY
        self.by_acronym_native = _EMPTY
        self.by_host = self.by_registrable = _EMPTY
        self.vocab: dict[str, int] = {}
        self._vocab_list: list[str] = []
        self._vocab_near: dict[int, list[str]] = {}
        self._keys_arr = np.empty(0, dtype=object)
        self._corrections: dict[str, str] = {}
        # word index (content words of the core key): postings and IDF weights
        self._tok_id: dict[str, int] = {}
        self._post_rows = np.empty(0, np.int64)
        self._post_bounds = np.zeros(1, np.int64)
        self._idf = np.empty(0, float)
        self._acct_weight = np.empty(0, float)
        self._content_cache: dict[int, list[str]] = {}
        self.opps: dict[int, list[tuple[float, float, str, int, str, str]]] = defaultdict(list)
        self.regs: dict[str, _Reg] = {}
        self.regs_by_family: dict[str, list[_Reg]] = defaultdict(list)

    # ------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        accounts: Any,
        opportunities: Any = (),
        registrations: Any = (),
        seeds: MatchingSeeds | None = None,
    ) -> MatchIndex:
        """The index over ``accounts`` (+ hierarchy), direct ``opportunities`` and ``registrations``."""
        idx = cls(seeds or load_seeds())
        idx._add_accounts(_frame(accounts))
        opp = _frame(opportunities)
        if len(opp):
            idx._add_opportunities(opp)
        reg = _frame(registrations)
        if len(reg):
            idx.add_registrations(reg)
        return idx

    def _add_accounts(self, a: pd.DataFrame) -> None:
        """Keys, lookups and the word index of all accounts, vectorised (Arrow compute, numpy):
        no Python object per account beyond its id, name and key strings."""
        seeds = self.seeds
        n = len(a)
        self.ids = a["account_id"].astype(str).tolist()
        self._id_rows = _Lookup(pa.array(self.ids, pa.string()), np.arange(n, dtype=np.int64))
        name_arr = _strings(a["account_name"])
        self.names = name_arr.to_pylist()
        parent = self._rows_of(a["parent_account_id"])
        # ultimate parent by pointer jumping (a cycle ends wherever 50 jumps leave it)
        root = np.where(parent >= 0, parent, np.arange(n, dtype=np.int64))
        for _ in range(50):
            nxt = root[root]
            if np.array_equal(nxt, root):
                break
            root = nxt
        self.root = root.tolist()
        self._family_size = np.bincount(root, minlength=n).tolist()
        rows = np.arange(n, dtype=np.int64)
        bk = basic_keys(name_arr)
        key = strip_legal_suffix_keys(expand_abbreviation_keys(bk, seeds), seeds)
        self.keys = key.to_pylist()
        self._keys_arr = np.asarray(self.keys, dtype=object)
        self.exact = _Lookup(bk, rows)
        self.by_key = _Lookup(key, rows)
        core = core_keys(name_arr, seeds)
        self.by_core = _Lookup(core, rows)
        self.by_compact = _Lookup(compact_keys(key), rows)
        # initials of the name without a qualifier in parentheses: Dicofarm SpA (Italy) is not DSI
        base = pc.if_else(pc.equal(core, ""), key, core)
        self.by_acronym = _Lookup(acronyms(base), rows)
        content = content_keys(base, seeds)
        self.by_acronym_content = _Lookup(acronyms(content), rows)
        # with the legal suffix: Helius Medical, Inc. = HMI; Laboratory Animals Limited = LAL
        with_suffix = pc.if_else(pc.equal(bk, key), "", acronyms(bk))
        self.by_acronym_suffix = _Lookup(with_suffix, rows)
        # initials of the words as written, before the word rules translate them: an acronym is
        # made in the name's own language (Österreichische Gesellschaft für ... = ÖGG..., not the
        # 'society' the same-word rule writes; Stiftung is S, not foundation's F)
        self.by_acronym_native = self._native_acronyms(name_arr, bk, key, base, rows)
        # the leading article kept, the other stop words dropped: The World Academy of Sciences = TWAS
        lead_pat = "^(?:" + "|".join(re.escape(w) for w in sorted(seeds.stop_words)) + ") "
        leads = (
            np.flatnonzero(pc.match_substring_regex(base, lead_pat).to_numpy(zero_copy_only=False))
            if seeds.stop_words
            else np.empty(0, np.int64)
        )
        lead_keys = []
        for k in pc.take(base, pa.array(leads, pa.int64())).to_pylist():
            words = k.split()
            lead_keys.append(acronym_of(" ".join([words[0], *content_words(words[1:], seeds)])))
        self.by_acronym_lead = _Lookup(pa.array(lead_keys, pa.string()), leads.astype(np.int64))
        # an acronym the name gives in parentheses: Nippon Telegraph and Telephone Corporation (NTT)
        given = pc.struct_field(
            pc.extract_regex(name_arr, r"\((?P<q>[A-Z][A-Z0-9&+\-]{1,7})\)"), "q"
        )
        has = pc.fill_null(pc.is_valid(given), False).to_numpy(zero_copy_only=False)
        if has.any():
            picked = pc.filter(given, pa.array(has))
            self.by_acronym_given = _Lookup(
                pc.replace_substring(basic_keys(picked), " ", ""), np.flatnonzero(has)
            )
        self._build_word_index(content)
        # a subsidiary spelled with its parent's name: "SLV Europe" -> "stellar lending ventures europe"
        exp_keys, exp_rows = [], []
        keys = self.keys
        for i in np.flatnonzero(parent >= 0).tolist():
            tokens = keys[i].split()
            p = int(parent[i])
            if len(tokens) > 1 and tokens[0] in (acronym_of(keys[p]), keys[p].split(" ")[0]):
                exp_keys.append(" ".join([keys[p], *tokens[1:]]))
                exp_rows.append(i)
        self.expanded = _Lookup(pa.array(exp_keys, pa.string()), np.asarray(exp_rows, np.int64))
        hosts = clean_hosts(_strings(a["account_domain"]))
        free = pa.array(sorted(seeds.free_mail_domains), pa.string())
        hosts = pc.if_else(pc.is_in(hosts, value_set=free), "", hosts)
        self.by_host = _Lookup(hosts, rows)
        self.by_registrable = self._registrable_lookup(hosts)
        self._build_vocab(key, exp_keys)

    def _native_acronyms(
        self, name_arr: pa.Array, bk: pa.Array, key: pa.Array, base: pa.Array, rows: np.ndarray
    ) -> _Lookup:
        """Initials of the content words as written (legal suffix and a qualifier in parentheses
        dropped, no word rule applied), for the accounts where a word rule changed the key."""
        seeds = self.seeds
        changed = pc.not_equal(strip_legal_suffix_keys(bk, seeds), key).to_numpy(
            zero_copy_only=False
        )
        sel = np.flatnonzero(changed)
        if not len(sel):
            return _EMPTY
        names = pc.take(name_arr, pa.array(sel, pa.int64()))
        plain = _QUALIFIER_RE.sub
        raw = strip_legal_suffix_keys(
            basic_keys([plain(" ", n) if "(" in n else n for n in names.to_pylist()]), seeds
        )
        native = acronyms(content_keys(raw, seeds))
        other = pc.take(acronyms(content_keys(base, seeds)), pa.array(sel, pa.int64()))
        native = pc.if_else(pc.equal(native, other), "", native)
        return _Lookup(native, rows[sel])

    @staticmethod
    def _registrable_lookup(hosts: pa.Array) -> _Lookup:
        """Registrable domain -> accounts. A one-dot host is its own registrable domain; a longer
        host is filed under each of its parent domains (``eu.acme.co.uk``: ``acme.co.uk``,
        ``co.uk``), which holds its registrable domain: a query's registrable domain is looked up,
        never a public suffix, so no public-suffix lookup per account is needed."""
        dots = pc.count_substring(hosts, ".").to_numpy(zero_copy_only=False)
        keys, rows = [pc.filter(hosts, pa.array(dots == 1))], [np.flatnonzero(dots == 1)]
        sel = np.flatnonzero(dots >= 2)
        cur = pc.take(hosts, pa.array(sel))
        while len(sel):
            cur = pc.replace_substring_regex(cur, r"^[^.]*\.", "", max_replacements=1)
            keys.append(cur)
            rows.append(sel)
            more = pc.greater_equal(pc.count_substring(cur, "."), 2)
            sel = sel[more.to_numpy(zero_copy_only=False)]
            cur = pc.filter(cur, more)
        return _Lookup(pa.concat_arrays(keys), np.concatenate(rows).astype(np.int64))

    def _rows_of(self, ids: Any) -> np.ndarray:
        """Account row of each id (-1 when unknown or null)."""
        arr = _strings(pd.Series(ids, dtype=object).map(_text).tolist())
        return self._id_rows.first(arr)

    def _build_vocab(self, keys: pa.Array, expanded: list[str]) -> None:
        nonempty = pc.if_else(pc.equal(keys, ""), pa.scalar(None, pa.string()), keys)
        split = pc.split_pattern(nonempty, " ")
        flat = pc.dictionary_encode(pc.list_flatten(split))
        words = flat.dictionary.to_pylist()
        vocab = dict(zip(words, range(len(words)), strict=True))
        for key in expanded:
            for t in key.split():
                vocab.setdefault(t, len(vocab))
        for suffix in self.seeds.legal_suffixes:
            for t in suffix:
                vocab.setdefault(t, len(vocab))
        # abbreviated words too, so a misspelt one is corrected to it, then spelled out
        for short, _ in self.seeds.abbreviations:
            if " " not in short:
                vocab.setdefault(short, len(vocab))
        self.vocab, self._vocab_list = vocab, list(vocab)
        # spelling correction looks only at words of a near length (within max_token_edits)
        by_len: dict[int, list[int]] = defaultdict(list)
        for i, w in enumerate(self._vocab_list):
            by_len[len(w)].append(i)
        reach = max(self.s.max_token_edits, 1)
        self._vocab_near = {
            n: [
                self._vocab_list[i]
                for i in sorted(j for d in range(-reach, reach + 1) for j in by_len.get(n + d, ()))
            ]
            for n in range(3, max(by_len, default=0) + reach + 1)
        }

    def _build_word_index(self, content: pa.Array) -> None:
        """Postings (word -> account rows, ascending) and IDF weights of the accounts' content words;
        each account's total weight is the sum over its distinct words."""
        n = len(content)
        nonempty = pc.if_else(pc.equal(content, ""), pa.scalar(None, pa.string()), content)
        split = pc.split_pattern(nonempty, " ")
        lengths = pc.fill_null(pc.list_value_length(split), 0).to_numpy().astype(np.int64)
        flat = pc.dictionary_encode(pc.list_flatten(split))
        words = flat.dictionary.to_pylist()
        codes = flat.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        row_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
        v = max(len(words), 1)
        order = np.argsort(codes, kind="stable")  # rows ascend already: by word, then row
        codes, row_of = codes[order], row_of[order]
        if len(codes):  # a word twice in one name counts once
            keep = np.ones(len(codes), bool)
            keep[1:] = (codes[1:] != codes[:-1]) | (row_of[1:] != row_of[:-1])
            codes, row_of = codes[keep], row_of[keep]
        df = np.bincount(codes, minlength=v)
        self._idf = np.log1p(n / np.maximum(df, 1))
        self._post_rows = row_of
        self._post_bounds = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        self._tok_id = dict(zip(words, range(len(words)), strict=True))
        self._acct_weight = np.bincount(row_of, weights=self._idf[codes], minlength=n)

    def _add_opportunities(self, o: pd.DataFrame) -> None:
        if "deal_source" in o.columns:
            o = o[o["deal_source"] == "direct"]
        rows = self._rows_of(o["account_id"]).tolist()
        created = _epochs(o["created_at"], -NEVER)
        closed = _epochs(o["closed_at"], NEVER) if "closed_at" in o.columns else None
        names = o["opportunity_name"].tolist() if "opportunity_name" in o.columns else None
        for n, (oid, i, owner) in enumerate(
            zip(o["opportunity_id"].tolist(), rows, o["owner_name"].tolist(), strict=True)
        ):
            if i < 0:
                continue
            end = NEVER if closed is None else float(closed[n])
            self.opps[self.root[i]].append(
                (
                    float(created[n]),
                    end,
                    str(oid),
                    i,
                    _text(owner),
                    _text(names[n]) if names else "",
                )
            )
        for lst in self.opps.values():
            lst.sort()

    def add_registrations(self, registrations: Any) -> None:
        """Resolve and hold registrations (idempotent by id) so later ones see them (FCFS)."""
        r = _frame(registrations)
        if not len(r):
            return
        submitted = _epochs(r["submitted_at"], -NEVER)
        if "ended_at" in r.columns:
            ended = _epochs(r["ended_at"], NEVER)
        else:
            status = (
                r["registration_status"].astype(str).str.lower()
                if "registration_status" in r.columns
                else pd.Series(["submitted"] * len(r))
            )
            blocking = status.isin(self.seeds.blocking_statuses).to_numpy()
            ended = np.where(blocking, NEVER, -NEVER)
        domains = (
            r["registered_domain"].tolist() if "registered_domain" in r.columns else [None] * len(r)
        )
        if len(r) >= BATCH_CORRECTION_MIN:
            self._correct_many(r["registered_company_name"])
        for n, (rid, pid, name) in enumerate(
            zip(
                r["registration_id"].astype(str).tolist(),
                r["partner_id"].tolist(),
                r["registered_company_name"].tolist(),
                strict=True,
            )
        ):
            if rid in self.regs:
                self._forget(self.regs[rid])
            reg = _Reg(
                rid, _text(pid) or None, _text(name), _text(domains[n]), submitted[n], ended[n]
            )
            self._hold(reg)

    def _hold(self, reg: _Reg) -> None:
        reg.match = self.resolve(reg.name, reg.domain)
        reg.family = self._family_key(reg)
        self.regs[reg.registration_id] = reg
        self.regs_by_family[reg.family].append(reg)

    def _forget(self, reg: _Reg) -> None:
        self.regs_by_family[reg.family].remove(reg)
        del self.regs[reg.registration_id]

    def _family_key(self, reg: _Reg) -> str:
        m = reg.match
        if m.accounts and not m.ambiguous and m.score >= self.s.auto_match_threshold:
            return f"account:{self.ids[self.root[m.accounts[0]]]}"
        # no account yet: registrations of the same new company meet on their name or domain
        host = clean_host(reg.domain) if reg.domain else ""
        if not host and looks_like_host(reg.name):
            host = clean_host(reg.name)
        if host and not self._is_free_mail(host):
            return f"domain:{registrable_domain(host) or host}"
        return f"name:{' '.join(strip_legal_suffixes(basic_key(reg.name).split(), self.seeds))}"

    # ---------------------------------------------------------------- resolve
    def resolve(self, name: str, domain: str = "") -> _Match:
        """Best account match of a typed company name and/or domain."""
        name, domain = (name or "").strip(), (domain or "").strip()
        host = clean_host(domain) if domain else ""
        name_match = _Match()
        if looks_like_host(name):
            host = host or clean_host(name)
            host_from_name = clean_host(name)
            if host_from_name != host:
                name_match = self._match_domain(host_from_name, name)
        elif name:
            name_match = self._match_name(name)
        dom_match = self._match_domain(host, domain or name) if host else _Match()
        if looks_like_host(name) and not name_match.accounts and not dom_match.accounts:
            name_match = self._match_name(
                name
            )  # Commerce.Net, cz.nic: a name that looks like a host
        m = self._combine(name_match, dom_match)
        if m.ambiguous and len(m.accounts) > 1 and self.seeds.ranker_weights:
            # which of several accounts is shown first: the learned ranker (seed
            # ranker_weights.csv); the decision stays the hand score's (ambiguous: review)
            ranked = rank_candidates(self, m.on or name, m.accounts, self.seeds.ranker_weights)
            m = _Match(ranked, m.score, m.method, True, m.on)
        return m

    def _combine(self, a: _Match, b: _Match) -> _Match:
        if not b.accounts:
            return a
        if not a.accounts:
            return b
        fam_b = {self.root[i] for i in b.accounts}
        if a.ambiguous:
            agree = [i for i in a.accounts if self.root[i] in fam_b]
            if not agree:
                return b
            if len({self.root[i] for i in agree}) > 1:  # both span the same several families
                score = min(max(a.score, b.score), self.s.score_ambiguous)
                return _Match(tuple(agree), score, b.method, True, b.on)
            return _Match(tuple(agree), max(a.score, b.score), b.method, False, b.on)
        if self.root[a.accounts[0]] in fam_b:
            return a if a.score >= b.score else b
        # name and domain point at different companies: the stronger wins, but never automatically
        best = a if a.score >= b.score else b
        return _Match(
            best.accounts + (a if best is b else b).accounts,
            min(best.score, self.s.score_ambiguous),
            best.method,
            True,
            best.on,
        )

    def _pick(self, cands: list[int], score: float, method: str, on: str) -> _Match:
        """One match from accounts sharing a key: ambiguous when they span several families."""
        fams = {self.root[i] for i in cands}
        if len(fams) == 1:
            # prefer the top of the family when it is among them
            best = sorted(cands, key=lambda i: (self.root[i] != i, i))
            return _Match(tuple(best), score, method, False, on)
        # several families: the largest first (more accounts in the CRM's hierarchy), then the
        # top of a family, then the order given (the stronger key first)
        size, root = self._family_size, self.root
        best = sorted(cands, key=lambda i: (-size[root[i]], root[i] != i))
        return _Match(tuple(best), min(score, self.s.score_ambiguous), method, True, on)

    def _is_free_mail(self, host: str) -> bool:
        free = self.seeds.free_mail_domains
        return bool(free) and (host in free or registrable_domain(host) in free)

    def _match_domain(self, host: str, on: str) -> _Match:
        if not host or self._is_free_mail(host):
            return _Match()
        if host in self.by_host:
            return self._pick(self.by_host[host], self.s.score_domain, "domain", on)
        reg = registrable_domain(host)
        if reg and reg in self.by_host:
            method = "subdomain" if reg != host else "domain"
            score = self.s.score_subdomain if reg != host else self.s.score_domain
            return self._pick(self.by_host[reg], score, method, on)
        if reg and reg in self.by_registrable:
            return self._pick(self.by_registrable[reg], self.s.score_subdomain, "subdomain", on)
        return _Match()

    def _lookup_key(self, key: str, score: float, method: str, on: str) -> _Match:
        if key in self.by_key:
            return self._pick(self.by_key[key], score, method, on)
        if key in self.expanded:
            s = min(score, self.s.score_parent_account)
            return self._pick(
                self.expanded[key],
                s,
                method if method != "normalised_name" else "parent_account",
                on,
            )
        return _Match()

    def _match_name(self, name: str) -> _Match:
        m = self._match_name_uncapped(name)
        key = " ".join(name_tokens(name, self.seeds))
        if m.accounts and m.method != "alias" and " " not in key and len(key) <= 4:
            # a bare short name (CMU, AWS, HSC) is acronym-like: shared by many organisations,
            # never decided automatically (seed score_short_name)
            return _Match(
                m.accounts, min(m.score, self.s.score_short_name), m.method, m.ambiguous, m.on
            )
        return m

    def _match_name_uncapped(self, name: str) -> _Match:
        s, seeds = self.s, self.seeds
        bk = basic_key(name)
        if not bk:
            return _Match()
        if bk in self.exact:
            return self._pick(self.exact[bk], s.score_exact_name, "exact_name", name)
        raw = expand_abbreviations(bk.split(), seeds)
        tokens = strip_legal_suffixes(raw, seeds)
        key = " ".join(tokens)
        m = self._lookup_key(key, s.score_normalised_name, "normalised_name", name)
        if m.accounts:
            return m
        compact = compact_key(key) or (key if " " not in key and len(key) >= 6 else "")
        if compact and compact in self.by_compact:  # FondsSlachtofferhulp = Fonds Slachtofferhulp
            return self._pick(self.by_compact[compact], s.score_compact_name, "compact_name", name)
        # a qualifier in parentheses on either side: "Pioneer (Japan)", "Apple (UK) Limited"
        qcore = core_key(name, seeds)
        for k, table in ((qcore, self.by_key), (key, self.by_core), (qcore, self.by_core)):
            if k and k in table:
                return self._pick(table[k], s.score_qualifier_dropped, "qualifier_dropped", name)
        # aliases: the whole name, or one word of it ("GE Healthcare")
        aliased = seeds.aliases.get(key) or seeds.aliases.get(bk)
        if aliased is None and any(t in seeds.aliases for t in tokens):
            aliased = " ".join(seeds.aliases.get(t, t) for t in tokens)
        if aliased:
            m = self._lookup_key(aliased, s.score_alias, "alias", name)
            if m.accounts:
                return m
        found: list[_Match] = []  # the rest compete: the best score wins, the earlier on a tie
        # an acronym typed: the initials of accounts' names (all words, or without stop words)
        typed = "".join(tokens)
        letters = [c for c in name if c.isalpha()]
        looks_acronym = len(tokens) == 1 or (
            len(tokens) <= 3
            and all(len(t) <= 5 for t in tokens)
            and sum(c.isupper() for c in letters) >= 0.6 * len(letters)
        )  # UMR7363, IIITM-K, IF NAASU
        if looks_acronym and 2 <= len(typed) <= 10 and typed.isalnum():
            cands = list(
                dict.fromkeys(
                    self.by_acronym[typed]
                    + self.by_acronym_content[typed]
                    + self.by_acronym_given[typed]
                    + self.by_acronym_lead[typed]
                    + self.by_acronym_native[typed]
                )
            )
            if not cands:  # the legal suffix's initial too, only when nothing else has it
                cands = self.by_acronym_suffix[typed]
            if cands:
                found.append(
                    self._short(self._pick(cands, s.score_acronym, "acronym", name), typed)
                )
        # a name typed where the account is its acronym: "American Museum of Natural History" = AMNH
        if len(tokens) >= 2:
            for initials in self._initials(name, key, qcore):
                if len(initials) >= 2 and initials in self.by_key:
                    m = self._pick(
                        self.by_key[initials], s.score_acronym_expanded, "acronym_expanded", name
                    )
                    found.append(self._short(m, initials))
                    break
        # a division named after its parent's acronym: "NIHR Barts Cardiovascular Biomedical
        # Research Unit" -> National Institute for Health and Care Research (review at most)
        head = name.split()[0] if len(tokens) >= 2 else ""
        lead = tokens[0]
        if 3 <= len(lead) <= 6 and lead.isalnum() and head.isupper() and basic_key(head) == lead:
            cands = list(
                dict.fromkeys(
                    self.by_acronym[lead]
                    + self.by_acronym_content[lead]
                    + self.by_acronym_given[lead]
                    + self.by_acronym_native[lead]
                )
            )
            if cands and len({self.root[i] for i in cands}) == 1:
                m = self._pick(cands, s.score_brand, "acronym_prefix", name)
                found.append(_Match(m.accounts, s.score_brand, m.method, False, head))
        corrected = [self._correct(t) for t in raw]
        changed = [t for t, c in zip(raw, corrected, strict=True) if t != c]
        corrected = expand_abbreviations(corrected, seeds)  # Technoloiges -> technologies -> ...
        if corrected != raw:
            ckey = " ".join(strip_legal_suffixes(corrected, seeds))
            m = self._lookup_key(ckey, 1.0, "fuzzy", name)
            if m.accounts:
                ratio = fuzz.ratio(key, self.keys[m.accounts[0]]) / 100
                if len(raw) == 1 or any(len(t) <= 4 for t in changed):
                    # never automatic on a corrected short word or a one-word name (AWS -> AMS)
                    score = s.score_short_correction
                else:
                    score = max(ratio, s.score_token_corrected)
                found.append(_Match(m.accounts, min(score, m.score), "fuzzy", m.ambiguous, name))
        # a short bare name is acronym-like (lookups only, no word matching) unless typed as a
        # word: Zoho, Tyra (the score stays capped below: score_short_name)
        word_like = bk.isalpha() and name.strip()[:1].isupper() and name.strip()[1:].islower()
        short = len(tokens) == 1 and len(key) <= 4 and not word_like
        m = self._fuzzy(tokens, name) if not short else _Match()
        if not m.accounts and corrected != raw and len(raw) > 1:
            # words again with misspelt words corrected: never automatic (Melinda -> Melissa)
            m = self._fuzzy(strip_legal_suffixes(corrected, seeds), name, brand=False)
            m = _Match(
                m.accounts, min(m.score, s.score_short_correction), m.method, m.ambiguous, m.on
            )
        if m.accounts:
            found.append(m)
        if not found:
            return _Match()
        return max(found, key=lambda f: f.score)

    def _initials(self, name: str, key: str, qcore: str) -> list[str]:
        """Acronyms a typed full name may stand for: initials of all its words, of its content
        words, with a qualifier in parentheses dropped, and with elisions split (d'Hématologie)."""
        seeds = self.seeds
        out = []
        elided = " ".join(
            strip_legal_suffixes(
                expand_abbreviations(basic_key(re.sub(r"['\u2019]", " ", name)).split(), seeds),
                seeds,
            )
        )
        # the words as typed too, before the word rules (Stiftung is S, not foundation's F)
        native = " ".join(
            strip_legal_suffixes(basic_key(_QUALIFIER_RE.sub(" ", name)).split(), seeds)
        )
        for k in (key, qcore, elided, native):
            if k:
                out += [acronym_of(k), acronym_of(" ".join(content_words(k.split(), seeds)))]
        return list(dict.fromkeys(i for i in out if i))

    def _short(self, m: _Match, acronym: str) -> _Match:
        """A match resting on a two-letter acronym is never automatic (BT, AU): grey zone at most."""
        if len(acronym) > 2 or not m.accounts:
            return m
        return _Match(m.accounts, min(m.score, self.s.score_ambiguous), m.method, m.ambiguous, m.on)

    def _correct_many(self, typed_names: Any) -> None:
        """Spelling corrections of the unknown words of many typed names, one rapidfuzz ``cdist``
        per word length on all cores (the answers of :meth:`_correct`, filled into its cache)."""
        typed = _strings(list(typed_names))
        typed = pc.filter(typed, pc.invert(pc.match_substring_regex(typed, r"^\s*\S+\.\S+\s*$")))
        words = pc.unique(pc.list_flatten(pc.split_pattern(basic_keys(typed), " "))).to_pylist()
        by_len: dict[int, list[str]] = defaultdict(list)
        for w in words:
            if (
                len(w) in self._vocab_near
                and w.isalpha()
                and w not in self.vocab
                and w not in self._corrections
            ):
                by_len[len(w)].append(w)
        for n, todo in by_len.items():
            near = self._vocab_near[n]
            if not near:
                continue
            allowed = 1 if n <= 4 else self.s.max_token_edits
            step = max(1, 20_000_000 // len(near))
            for lo in range(0, len(todo), step):
                chunk = todo[lo : lo + step]
                dist = process.cdist(
                    chunk,
                    near,
                    scorer=OSA.distance,
                    score_cutoff=allowed,
                    dtype=np.int32,
                    workers=-1,
                )
                best = dist.argmin(axis=1)
                ok = dist[np.arange(len(chunk)), best] <= allowed
                for w, j, hit in zip(chunk, best.tolist(), ok.tolist(), strict=True):
                    self._corrections[w] = near[j] if hit else w

    def _correct(self, token: str) -> str:
        """The known word within the allowed edits of an unknown ``token`` (else the token)."""
        if token in self.vocab or len(token) < 3 or not token.isalpha():
            return token
        hit = self._corrections.get(token)
        if hit is None:
            edits = 1 if len(token) <= 4 else self.s.max_token_edits
            best = process.extractOne(
                token, self._vocab_near.get(len(token), ()), scorer=OSA.distance, score_cutoff=edits
            )
            hit = best[0] if best else token
            self._corrections[token] = hit
        return hit

    def _fuzzy(self, tokens: list[str], on: str, brand: bool = True) -> _Match:
        """Word blocking and IDF-weighted containment: candidates are the accounts holding the
        registration's rarest content words (up to ``max_candidates``); each scores by the IDF
        weight of the words both share, as a share of the registration's (``cq``) and of the
        account's (``ca``). The account's name inside the registration (``ca`` = 1: ``3Com Europe``
        for 3Com) or the registration inside the account's name (``cq`` = 1) scores
        ``containment_floor + containment_span`` x the other share, so the longest containment
        wins; the same words score ``score_same_words``; a partial overlap stays below the grey
        zone."""
        s = self.s
        words = list(dict.fromkeys(content_words(tokens, self.seeds)))
        if not words or not len(self._idf):
            return _Match()
        n = len(self.ids)
        ids = [self._tok_id.get(w, -1) for w in words]
        weights = [float(self._idf[i]) if i >= 0 else math.log1p(n) for i in ids]
        total = sum(weights)
        known = sorted(
            (int(self._post_bounds[i + 1] - self._post_bounds[i]), i, w)
            for i, w in zip(ids, weights, strict=True)
            if i >= 0
        )
        phrases = self._phrase_rows(tokens)
        if not known or (known[0][0] > BRAND_MAX_ACCOUNTS and not phrases):
            # no word of the registration is rare enough to name an account by containment or
            # brand, and no account's whole name is a phrase of it: nothing distinctive to match
            # on (and the cost of a scan is not paid)
            return _Match()
        # candidates: accounts holding a rare word of the registration (containment needs a
        # distinctive shared word, a brand a rare leading one, the same words the rarest one)
        parts, size = [], 0
        for df, i, _ in known:  # the rarest words first, up to the cap
            if df > BRAND_MAX_ACCOUNTS or (parts and size + df > s.max_candidates):
                break
            parts.append(self._post_rows[self._post_bounds[i] : self._post_bounds[i + 1]])
            size += df
        if phrases:
            parts.append(np.asarray(sorted(phrases), np.int64))
        cand = parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
        shared = np.zeros(len(cand))
        for _, i, w in known:
            post = self._post_rows[self._post_bounds[i] : self._post_bounds[i + 1]]
            pos = np.minimum(np.searchsorted(post, cand), len(post) - 1)
            shared += w * (post[pos] == cand)
        # the accounts sharing most weight, then word by word with close spellings counted
        top = np.argsort(-shared, kind="stable")[:REFINE]
        top = top[shared[top] > 0]
        if phrases:  # every account whose whole name is a phrase of the registration is scored
            extra = np.flatnonzero(np.isin(cand, np.fromiter(phrases, np.int64)))
            top = np.concatenate([top, extra[~np.isin(extra, top)]])
        qpos = {w: j for j, w in enumerate(words)}
        scored = []
        for j in top.tolist():
            row = int(cand[j])
            sc, method, cq = self._word_score(words, weights, total, qpos, row, brand)
            if method == "contains_account" and row in phrases:
                # the account's name as a run of the registration's words, not only its words in
                # some order: Future University Yemen is Future University, not Yemen University
                sc = min(sc + PHRASE_BONUS, s.containment_floor + s.containment_span)
                cq += PHRASE_BONUS
            if sc >= s.review_lower_bound - s.ambiguity_margin:
                scored.append((sc, cq, row, method))
        if not scored:
            return _Match()
        key = " ".join(tokens)
        scored.sort(key=lambda x: (-x[0], -fuzz.ratio(key, self.keys[x[2]]), x[2]))
        best_score, best_cq, best, method = scored[0]
        if best_score < s.review_lower_bound:
            return _Match()
        rivals = [
            row
            for sc, cq, row, m in scored[1:]
            if best_score - sc < s.ambiguity_margin
            and self.root[row] != self.root[best]
            # the longest account name inside the registration wins over a shorter one
            and not (method == m == "contains_account" and cq < best_cq)
        ]
        if method in ("contains_account", "within_account", "brand"):
            mine = set(self._content_of(best))
            dfs = [self._df(w) for w in words if w in mine and w in self._tok_id]
            if not dfs or min(dfs) > s.distinctive_word_max_accounts:
                # only common words shared (Sterling Rail Inc. / Sterling Rail Associates): a
                # name made of them says little, as the containment of a rare one does (3Com);
                # unless the registration is the account's name of several words and a place
                # (Ministry of Health Zambia): a suggestion to review, no more
                acct = self._content_of(best)
                if not (
                    (
                        method == "contains_account"
                        and len(acct) >= 2
                        and self._rest_is_place(words, acct)
                    )
                    or (
                        method == "within_account"
                        and len(words) >= 2
                        and self._rest_is_place(acct, words)
                    )
                ):
                    return _Match()
                best_score = min(best_score, s.score_place_qualified)
            if not rivals:
                rivals = self._crowd(words, best)
        if rivals:
            return _Match((best, *rivals), min(best_score, s.score_ambiguous), method, True, on)
        return _Match((best,), best_score, method, False, on)

    def _rest_is_place(self, words: list[str], acct: list[str]) -> bool:
        """Are the registration's words that the account's name lacks all places (seed
        ``name_word_rules``, rule ``place``): Samsung Electronics *Polska*, Ministry of Health
        *Zambia*?"""
        places, mine = self.seeds.places, set(acct)
        rest = [w for w in words if w not in mine]
        return bool(rest) and all(w in places for w in rest)

    def _phrase_rows(self, tokens: list[str]) -> set[int]:
        """Accounts whose whole key is a run of the registration's words (not the whole key,
        looked up before): ``Field Science Education and Research Center, Kyoto University`` holds
        Kyoto University, ``Saxion University of Applied Sciences`` Saxion. A run that starts or
        ends on a stop word, or names more than ``distinctive_word_max_accounts`` accounts, is
        skipped; at most ``PHRASE_MAX_WORDS`` words a run."""
        stop = self.seeds.stop_words
        n = len(tokens)
        out: set[int] = set()
        for i in range(n):
            if tokens[i] in stop:
                continue
            for j in range(i + 1, min(n, i + PHRASE_MAX_WORDS) + 1):
                if j - i == n or tokens[j - 1] in stop or (j - i == 1 and len(tokens[i]) <= 3):
                    continue  # a word of 3 letters alone is acronym-like (São Paulo is not SAO)
                rows = self.by_key[" ".join(tokens[i:j])]
                if 0 < len(rows) <= self.s.distinctive_word_max_accounts:
                    out.update(rows)
        return out

    def _crowd(self, words: list[str], best: int) -> list[int]:
        """Accounts of other families that also hold every word the registration shares with
        ``best``: then the part that names it is not its own (Delta Software / Delta Software
        Works / Delta Software Services Inc.) and the match is one of several (at most 3 shown)."""
        mine = set(self._content_of(best))
        shared = [w for w in words if w in mine and w in self._tok_id]
        if not shared:
            return []
        rows = None
        for w in sorted(shared, key=lambda w: self._df(w)):
            i = self._tok_id[w]
            post = self._post_rows[self._post_bounds[i] : self._post_bounds[i + 1]]
            rows = post if rows is None else np.intersect1d(rows, post, assume_unique=True)
            if len(rows) <= 1:
                return []
        fam = self.root[best]
        return [int(r) for r in rows if self.root[int(r)] != fam][:3]

    def _df(self, word: str) -> int:
        i = self._tok_id[word]
        return int(self._post_bounds[i + 1] - self._post_bounds[i])

    def _content_of(self, row: int) -> list[str]:
        """Content words of an account's core key (its key without a qualifier in parentheses)."""
        hit = self._content_cache.get(row)
        if hit is None:
            key = core_key(self.names[row], self.seeds) or self.keys[row]
            hit = list(dict.fromkeys(content_words(key.split(), self.seeds)))
            if len(self._content_cache) > 100_000:
                self._content_cache.clear()
            self._content_cache[row] = hit
        return hit

    def _word_score(
        self,
        words: list[str],
        weights: list[float],
        total: float,
        qpos: dict[str, int],
        row: int,
        brand: bool = True,
    ) -> tuple[float, str, float]:
        """(score, method, cq) of an account for the registration's content ``words``: the IDF
        weight of the words both hold (a word of 5+ letters within Indel ratio 0.85 of another
        counts: ``Assosiation``), as a share of each side's weight."""
        s = self.s
        acct = self._content_of(row)
        n = len(self.ids)
        aw = [
            float(self._idf[i]) if (i := self._tok_id.get(w, -1)) >= 0 else math.log1p(n)
            for w in acct
        ]
        a_total = sum(aw) or 1e-9
        q_hit = [0.0] * len(words)
        a_hit = 0.0
        close = short = edited = False
        for w, wa in zip(acct, aw, strict=True):
            j = qpos.get(w)
            if j is None and len(w) >= 5:
                for jj, qw in enumerate(words):
                    if len(qw) >= 5 and not q_hit[jj] and fuzz.ratio(w, qw) >= 85:
                        j, close = jj, True
                        break
            if j is None and len(w) >= EDITED_MIN:
                # a long word within the allowed edits, its first two letters the same
                # (Oncologic / Oncology, Thrombose / Thrombosis; not General / Central), which
                # the correction of the word alone may have sent elsewhere
                for jj, qw in enumerate(words):
                    if (
                        len(qw) >= EDITED_MIN
                        and not q_hit[jj]
                        and qw[:2] == w[:2]  # a misspelling seldom starts the word
                        and OSA.distance(w, qw, score_cutoff=s.max_token_edits) <= s.max_token_edits
                    ):
                        j, edited = jj, True
                        break
            if j is None and len(w) >= 4:
                # a word cut short on one side (Shennon Bio / Biotechnologies, Metro /
                # Metropolitan): at least 3 letters, the other's beginning
                for jj, qw in enumerate(words):
                    if (
                        not q_hit[jj]
                        and min(len(qw), len(w)) >= ABBREVIATION_MIN
                        and qw != w
                        and (w.startswith(qw) or qw.startswith(w))
                    ):
                        j, short = jj, True
                        break
            if j is not None:
                q_hit[j] = weights[j]
                a_hit += wa
        cq, ca = sum(q_hit) / total, a_hit / a_total
        full_q, full_a = cq >= 0.999, ca >= 0.999
        if full_q and full_a:
            sc, method = s.score_same_words, "same_words"
        elif full_a:
            sc, method = s.containment_floor + s.containment_span * cq, "contains_account"
        elif full_q:
            sc, method = s.containment_floor + s.containment_span * ca, "within_account"
        elif brand and self._is_brand(acct, words, row, [w / a_total for w in aw]):
            # the same leading word(s), held by one account family only: "Nokia Japan" -> Nokia
            sc, method = min(s.containment_floor + s.containment_span * ca, s.score_brand), "brand"
        else:
            sc, method = s.containment_floor * min(cq, ca), "words"
        if close:
            sc = min(sc, s.score_close_words)
        if edited:
            sc = min(sc, s.score_short_correction)
        if short:
            sc = min(sc, s.score_abbreviated_words)
            if method == "same_words":
                method = "abbreviated_words"
        return sc, method, cq

    def _is_brand(self, acct: list[str], words: list[str], row: int, share: list[float]) -> bool:
        """Do the account and the registration start with the same word (or two words) that no
        account outside ``row``'s family holds, and that is either on several of the family's
        accounts or most of this account's weight (``share``: each word's, the rest generic)? ``Nokia Japan`` /
        Nokia Corporation; ``China Mobile M2M`` / China Mobile International; not ``Eagle
        Insurance Collective`` / Eagle Payments Partners."""
        for n in (1, 2):
            if len(acct) < n or len(words) < n or acct[:n] != words[:n]:
                return False
            rows = None
            for w in acct[:n]:
                i = self._tok_id.get(w, -1)
                if i < 0:
                    return False
                post = self._post_rows[self._post_bounds[i] : self._post_bounds[i + 1]]
                rows = post if rows is None else np.intersect1d(rows, post, assume_unique=True)
            if rows is not None and len(rows) <= BRAND_MAX_ACCOUNTS:
                if (
                    len(rows) < 2
                    and sum(share[:n]) < BRAND_MIN_SHARE[n - 1]
                    and not self._rest_is_place(words, acct)
                ):
                    continue
                fam = self.root[row]
                same = sum(self.root[int(r)] == fam for r in rows)
                # all of them, or nearly all of many: a word that names one family's divisions
                # (NIHR Barts Cardiovascular Biomedical Research Unit: 28 of 29 NIHR accounts)
                if same == len(rows) or (
                    len(rows) >= BRAND_FAMILY_MIN and same >= BRAND_FAMILY_SHARE * len(rows)
                ):
                    return True
        return False

    # ----------------------------------------------------------------- decide
    def decide(self, registration: Mapping[str, Any]) -> Decision:
        """The decision on one registration (held in the index from then on, for FCFS)."""
        r = registration
        rid = str(r["registration_id"])
        if "ended_at" in r:
            ended = _epoch(r["ended_at"], NEVER)
        else:
            status = str(r.get("registration_status", "submitted")).lower()
            ended = NEVER if status in self.seeds.blocking_statuses else -NEVER
        if rid in self.regs:
            self._forget(self.regs[rid])
        reg = _Reg(
            rid,
            _text(r.get("partner_id")) or None,
            _text(r.get("registered_company_name")),
            _text(r.get("registered_domain")),
            _epoch(r.get("submitted_at"), -NEVER),
            ended,
        )
        self._hold(reg)
        return self._decide(reg)

    def decide_batch(self, registrations: Any) -> pa.Table:
        """Decisions on many registrations (they also see each other: first come, first served)."""
        frame = _frame(registrations)
        self.add_registrations(frame)
        decisions = [
            self._decide(self.regs[rid]) for rid in frame["registration_id"].astype(str).tolist()
        ]
        columns = {f: [getattr(d, f) for d in decisions] for f in OUTPUT_SCHEMA.names}
        return pa.Table.from_pydict(columns, schema=OUTPUT_SCHEMA)

    def _decide(self, reg: _Reg) -> Decision:
        s, m = self.s, reg.match
        t = reg.submitted
        typed = reg.name or reg.domain
        base = {
            "registration_id": reg.registration_id,
            "partner_id": reg.partner_id,
            "score": round(m.score, 4),
            "match_method": m.method,
            "candidate_count": len(m.accounts),
            "matched_record_type": None,
            "matched_record_id": None,
            "matched_record_owner": None,
            "matched_record_since": None,
        }
        acct = m.accounts[0] if m.accounts else -1
        if acct >= 0:
            base |= {
                "matched_account_id": self.ids[acct],
                "matched_account_name": self.names[acct],
                "family_account_id": self.ids[self.root[acct]],
            }
        else:
            base |= {
                "matched_account_id": None,
                "matched_account_name": None,
                "family_account_id": None,
            }
        how = self._how(reg, acct)
        if (
            acct >= 0
            and m.score >= s.review_lower_bound
            and (m.ambiguous or m.score < s.auto_match_threshold)
        ):
            if m.ambiguous:
                # the accounts in the order shown (the first is the matched account), each once
                names = ", ".join(list(dict.fromkeys(self.names[i] for i in m.accounts))[:3])
                reason = (
                    f"Possible duplicate, needs review: '{typed}' could be any of "
                    f"{len(m.accounts)} accounts ({names}; {METHOD_LABEL[m.method]}, most likely "
                    f"{self.names[acct]}); score {m.score:.2f}."
                )
            else:
                reason = (
                    f"Possible duplicate, needs review: '{typed}' looks like account "
                    f"{self.names[acct]} ({how}, score {m.score:.2f})."
                )
            return Decision(decision="needs_review", reason=reason, **base)
        if acct < 0 or m.score < s.review_lower_bound:
            base |= {
                "score": 0.0 if acct < 0 else base["score"],
                "matched_account_id": None,
                "matched_account_name": None,
                "family_account_id": None,
                "match_method": None,
                "candidate_count": 0,
            }
            earlier = self._earlier_registrations(reg)
            if earlier:  # the same new company registered twice
                return self._registration_verdict(reg, earlier[0], base, "", typed)
            return Decision(
                decision="clean",
                reason=f"No existing account, open direct opportunity or earlier registration matches '{typed}'.",
                **base,
            )
        fam = self.root[acct]
        for created, closed, oid, oacct, owner, oname in self.opps.get(fam, ()):
            if created <= t < closed:
                on_what = self.names[oacct]
                label = f" '{oname}'" if oname else ""
                if oacct != acct:
                    how = f"matched '{m.on}' to {self.names[acct]} by {METHOD_LABEL[m.method]}, via the account hierarchy"
                return Decision(
                    decision="direct_opportunity_conflict",
                    reason=(
                        f"Active direct opportunity {oid}{label} for {on_what} ({how}), "
                        f"owner {owner or 'unassigned'}, open since {_day(created)}."
                    ),
                    **(
                        base
                        | {
                            "matched_record_type": "opportunity",
                            "matched_record_id": oid,
                            "matched_record_owner": owner or None,
                            "matched_record_since": datetime.fromtimestamp(created, UTC),
                        }
                    ),
                )
        earlier = self._earlier_registrations(reg)
        if earlier:
            return self._registration_verdict(reg, earlier[0], base, how, typed)
        return Decision(
            decision="clean",
            reason=(
                f"Matched account {self.names[acct]} ({how}); no open direct opportunity and no "
                "earlier active registration by another partner."
            ),
            **base,
        )

    def _earlier_registrations(self, reg: _Reg) -> list[_Reg]:
        """Registrations of the same family submitted before ``reg`` and still holding it then;
        other partners' first (the earliest), then the same partner's own."""
        t = reg.submitted
        found = [
            o
            for o in self.regs_by_family.get(reg.family, ())
            if o is not reg
            and (o.submitted, o.registration_id) < (t, reg.registration_id)
            and o.ended > t
        ]
        found.sort(key=lambda o: (o.partner_id == reg.partner_id, o.submitted, o.registration_id))
        return found

    def _registration_verdict(
        self, reg: _Reg, other: _Reg, base: dict[str, Any], how: str, typed: str
    ) -> Decision:
        since = datetime.fromtimestamp(other.submitted, UTC)
        record = {
            "matched_record_type": "registration",
            "matched_record_id": other.registration_id,
            "matched_record_owner": other.partner_id,
            "matched_record_since": since,
        }
        what = base["matched_account_name"] or f"'{other.name or other.domain}'"
        via = f" ({how})" if how else ""
        if other.partner_id == reg.partner_id:
            return Decision(
                decision="needs_review",
                reason=(
                    f"Possible duplicate, needs review: your own registration {other.registration_id} "
                    f"for {what}{via} has been active since {_day(other.submitted)}."
                ),
                **(base | record),
            )
        return Decision(
            decision="earlier_registration_conflict",
            reason=(
                f"Registered earlier by another partner: registration {other.registration_id} for "
                f"{what}{via}, partner {other.partner_id}, submitted {_day(other.submitted)} "
                f"(first come, first served; '{typed}' was submitted {_day(reg.submitted)})."
            ),
            **(base | record),
        )

    def _how(self, reg: _Reg, acct: int) -> str:
        m = reg.match
        if acct < 0 or m.method is None:
            return ""
        if m.method in ("contains_account", "brand", "acronym_prefix"):  # a division named after it
            return (
                f"matched '{m.on}' by {METHOD_LABEL[m.method]}: a part of {self.names[acct]}"
                f"{'' if self.root[acct] == acct else ', family ' + self.names[self.root[acct]]}"
            )
        return f"matched '{m.on}' by {METHOD_LABEL[m.method]}"


def build_index(
    accounts: Any,
    opportunities: Any = (),
    registrations: Any = (),
    seeds: MatchingSeeds | None = None,
) -> MatchIndex:
    """Shorthand for :meth:`MatchIndex.build`."""
    return MatchIndex.build(accounts, opportunities, registrations, seeds)


def decide_batch(
    registrations: Any,
    accounts: Any,
    opportunities: Any = (),
    prior_registrations: Iterable[Any] | Any = (),
    seeds: MatchingSeeds | None = None,
) -> pa.Table:
    """One-shot: build the index and decide ``registrations`` (see :data:`OUTPUT_SCHEMA`)."""
    return build_index(accounts, opportunities, prior_registrations, seeds).decide_batch(
        registrations
    )
