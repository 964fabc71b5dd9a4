"""Name and domain normalisation for registration matching, and the seeds that drive it.

A company name becomes a *key*: unicode folded to ASCII, lower case, ``&`` spelled ``and``,
apostrophes and dots dropped (``S.A.`` -> ``sa``), every other punctuation mark a space, abbreviated
words spelled out (seed ``name_word_rules``: ``univ`` -> ``university``), trailing legal suffixes
(seed ``legal_suffixes``) removed. Beside it: the *compact* key (no spaces, no ``and``:
``Century Link``, ``CenturyLink`` and ``AT&T``/``ATT`` meet), the *core* key (a qualifier in
parentheses dropped: ``Pioneer (Japan)`` -> ``pioneer``) and the *content words* (stop words of the
same seed dropped) that acronyms and word matching use. A host becomes its *registrable domain* (the
label under the public suffix: ``eu.acme.co.uk`` -> ``acme.co.uk``) with tldextract's bundled
public-suffix snapshot: no download at run time.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import tldextract

from pipelines.settings import PROJECT_ROOT

SEEDS_DIR = PROJECT_ROOT / "seeds"

_DROP = str.maketrans({"'": None, "\u2019": None, ".": None, "&": " and "})
_SPACE = re.compile(r"[^a-z0-9]+")
_SCHEME = re.compile(r"^[a-z]+://")
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$")
# offline: never fetch the public suffix list, use the snapshot shipped in the wheel
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and per-method scores (seed ``conflict_matching_settings``)."""

    auto_match_threshold: float = 0.90
    review_lower_bound: float = 0.80
    ambiguity_margin: float = 0.02
    score_exact_name: float = 1.00
    score_normalised_name: float = 0.98
    score_domain: float = 0.97
    score_alias: float = 0.96
    score_parent_account: float = 0.95
    score_subdomain: float = 0.93
    score_acronym: float = 0.92
    score_token_corrected: float = 0.92
    score_ambiguous: float = 0.85
    score_compact_name: float = 0.97
    score_qualifier_dropped: float = 0.95
    score_acronym_expanded: float = 0.92
    score_short_correction: float = 0.85
    score_short_name: float = 0.88
    score_brand: float = 0.88
    score_close_words: float = 0.90
    score_abbreviated_words: float = 0.85
    score_same_words: float = 0.96
    score_place_qualified: float = 0.84
    containment_floor: float = 0.75
    containment_span: float = 0.22
    distinctive_word_max_accounts: int = 20
    max_token_edits: int = 2
    max_candidates: int = 5000


@dataclass(frozen=True)
class MatchingSeeds:
    """Everything the engine reads from ``seeds/``: the same files dbt loads."""

    settings: MatchSettings = field(default_factory=MatchSettings)
    legal_suffixes: tuple[tuple[str, ...], ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # alias key -> canonical name key
    blocking_statuses: frozenset[str] = frozenset({"submitted", "approved"})
    free_mail_domains: frozenset[str] = frozenset()  # never identify a company
    stop_words: frozenset[str] = frozenset()  # carry no identity: skipped by acronyms and words
    abbreviations: tuple[tuple[str, str], ...] = ()  # (abbreviated word, spelled out)
    places: frozenset[str] = frozenset()  # countries, nationalities, regions: an office's qualifier
    # coefficients of the learned ranker of ambiguous matches (learned_ranker.py); empty: hand order
    ranker_weights: dict[str, float] = field(default_factory=dict)


WORD_RULES = ("stop_word", "abbreviation", "same_word", "place")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_seeds(seeds_dir: Path = SEEDS_DIR) -> MatchingSeeds:
    """Read the matching seeds from ``seeds_dir`` (settings, legal suffixes, aliases, statuses,
    free-mail domains)."""
    raw = {r["setting"]: r["value"] for r in _rows(seeds_dir / "conflict_matching_settings.csv")}
    defaults = MatchSettings()
    kwargs: dict[str, float | int] = {}
    for name, value in raw.items():
        if not hasattr(defaults, name):
            raise ValueError(f"unknown conflict matching setting {name!r}")
        kwargs[name] = type(getattr(defaults, name))(float(value))
    settings = MatchSettings(**kwargs)  # type: ignore[arg-type]
    if not 0 < settings.review_lower_bound <= settings.auto_match_threshold <= 1:
        raise ValueError("need 0 < review_lower_bound <= auto_match_threshold <= 1")
    suffixes = tuple(
        sorted(
            {
                tuple(basic_key(r["legal_suffix"]).split())
                for r in _rows(seeds_dir / "legal_suffixes.csv")
            },
            key=len,
            reverse=True,
        )
    )
    word_rules = _rows(seeds_dir / "name_word_rules.csv")
    stop = frozenset(basic_key(r["word"]) for r in word_rules if r["rule"] == "stop_word")
    places = frozenset(basic_key(r["word"]) for r in word_rules if r["rule"] == "place")
    abbreviations = tuple(
        sorted(
            (basic_key(r["word"]), basic_key(r["spelled_out"]))
            for r in word_rules
            if r["rule"] in ("abbreviation", "same_word")
        )
    )
    bad = [r["rule"] for r in word_rules if r["rule"] not in WORD_RULES]
    if bad:
        raise ValueError(f"unknown name word rule {bad[0]!r} (one of {', '.join(WORD_RULES)})")
    seeds = MatchingSeeds(
        settings=settings, legal_suffixes=suffixes, stop_words=stop, abbreviations=abbreviations
    )
    aliases = {
        basic_key(r["alias"]): name_key(r["canonical_name"], seeds)
        for r in _rows(seeds_dir / "company_aliases.csv")
    }
    statuses = frozenset(
        r["registration_status"]
        for r in _rows(seeds_dir / "conflict_registration_statuses.csv")
        if r["blocks_later_registrations"].strip().lower() == "true"
    )
    free_mail = frozenset(
        clean_host(r["domain"]) for r in _rows(seeds_dir / "free_mail_domains.csv")
    )
    # parameters shipped beside the code (not a dbt seed: the warehouse never reads them)
    ranker_csv = Path(__file__).with_name("ranker_weights.csv")
    ranker = (
        {r["feature"]: float(r["weight"]) for r in _rows(ranker_csv)} if ranker_csv.exists() else {}
    )
    return MatchingSeeds(
        settings, suffixes, aliases, statuses, free_mail, stop, abbreviations, places, ranker
    )


_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "·": ""})  # fmt: skip


def fold(text: str) -> str:
    """Lower case ASCII: accents stripped (``Société`` -> ``societe``), other non-ASCII dropped; the
    Catalan middle dot joins its word (``Al·lèrgia`` -> ``allergia``)."""
    if not text.isascii():
        # punctuation and symbols outside ASCII (dashes, quotes) separate words: Nebraska\u2013Lincoln
        text = "".join(
            " " if unicodedata.category(c)[0] in "PZS" and not c.isascii() else c
            for c in unicodedata.normalize("NFKD", text.translate(_LETTERS))
        )
        text = text.encode("ascii", "ignore").decode("ascii")
    return text.lower()


_ELISION = r"\b([dl])'([a-z])"  # d'Estudis, l'Environnement: the elided word stands apart


def basic_key(name: str) -> str:
    """Folded name with punctuation settled and single spaces; legal suffixes kept."""
    folded = re.sub(_ELISION, r"\1 \2", fold(name))
    return " ".join(_SPACE.sub(" ", folded.translate(_DROP)).split())


@lru_cache(maxsize=8)
def _suffix_pattern(legal_suffixes: tuple[tuple[str, ...], ...]) -> str:
    """Regex (RE2 and ``re`` alike) of a key: shortest head (one word at least), then the longest
    run of trailing legal suffixes. ``\\1`` is the key without them."""
    alts = "|".join(re.escape(" ".join(s)) for s in legal_suffixes if s)
    return rf"^(.+?)(?: (?:{alts}))*$" if alts else r"^(.*)$"


@lru_cache(maxsize=8)
def _suffix_regex(legal_suffixes: tuple[tuple[str, ...], ...]) -> re.Pattern[str]:
    return re.compile(_suffix_pattern(legal_suffixes))


def strip_legal_suffixes(tokens: list[str], seeds: MatchingSeeds) -> list[str]:
    """``tokens`` without the longest run of trailing legal suffixes (one token always stays)."""
    if len(tokens) < 2:
        return tokens
    m = _suffix_regex(seeds.legal_suffixes).match(" ".join(tokens))
    return m.group(1).split() if m else tokens


def expand_abbreviations(tokens: list[str], seeds: MatchingSeeds) -> list[str]:
    """``tokens`` with abbreviated words spelled out (seed ``name_word_rules``)."""
    if not seeds.abbreviations:
        return tokens
    table = _abbreviation_table(seeds.abbreviations)
    return [w for t in tokens for w in table.get(t, t).split()]


@lru_cache(maxsize=8)
def _abbreviation_table(abbreviations: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return dict(abbreviations)


def name_tokens(name: str, seeds: MatchingSeeds) -> list[str]:
    """The words of a name's key: basic key, abbreviations spelled out, legal suffixes removed."""
    return strip_legal_suffixes(expand_abbreviations(basic_key(name).split(), seeds), seeds)


def name_key(name: str, seeds: MatchingSeeds) -> str:
    """The normalised matching key of a company name (idempotent: ``name_key(name_key(x)) == name_key(x)``)."""
    return " ".join(name_tokens(name, seeds))


_QUALIFIER = re.compile(r"\s*\([^)]*\)")


def core_key(name: str, seeds: MatchingSeeds) -> str:
    """:func:`name_key` without qualifiers in parentheses (``Pioneer (Japan)`` -> ``pioneer``);
    '' when the name has none or nothing else."""
    if "(" not in name:
        return ""
    stripped = _QUALIFIER.sub(" ", name)
    return name_key(stripped, seeds) if stripped.strip() else ""


def compact_key(key: str) -> str:
    """Letters and digits of a key without spaces or the word ``and`` (``at and t`` -> ``att``,
    ``century link`` -> ``centurylink``); '' below 3 characters or for a one-word key (the key
    itself then)."""
    words = key.split()
    out = "".join(t for t in words if t != "and")
    return out if len(out) >= 3 and len(words) > 1 else ""


def content_words(tokens: list[str], seeds: MatchingSeeds) -> list[str]:
    """``tokens`` without stop words (all of them when nothing else is left)."""
    kept = [t for t in tokens if t not in seeds.stop_words]
    return kept or tokens


# ------------------------------------------------ the same, vectorised (Arrow compute, RE2)
def _strings(values: pa.Array | list[str | None]) -> pa.Array:
    """A string array, nulls as ''."""
    arr = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
    return pc.fill_null(arr.cast(pa.string()), "")


def _folded(values: pa.Array) -> pa.Array:
    """:func:`fold` of every value: Arrow for ASCII rows, Python only for the (few) others."""
    ascii_ = pc.string_is_ascii(values)
    if not pc.all(ascii_).as_py():
        py = values.to_pylist()
        values = pa.array(
            [v if ok else fold(v) for v, ok in zip(py, ascii_.to_pylist(), strict=True)],
            pa.string(),
        )
    return pc.ascii_lower(values)


def basic_keys(names: pa.Array | list[str | None]) -> pa.Array:
    """:func:`basic_key` of many names at once (nulls -> '')."""
    out = _folded(_strings(names))
    out = pc.replace_substring_regex(out, _ELISION, r"\1 \2")
    out = pc.replace_substring_regex(out, r"['.]", "")
    out = pc.replace_substring(out, "&", " and ")
    out = pc.replace_substring_regex(out, r"[^a-z0-9]+", " ")
    return pc.utf8_trim(out, " ")


def strip_legal_suffix_keys(keys: pa.Array, seeds: MatchingSeeds) -> pa.Array:
    """:func:`strip_legal_suffixes` of many basic keys at once."""
    return pc.replace_substring_regex(keys, _suffix_pattern(seeds.legal_suffixes), r"\1")


def _map_words(keys: pa.Array, table: dict[str, str]) -> pa.Array:
    """Every word of every key replaced through ``table`` (a word mapped to '' is dropped), in one
    pass: the distinct words are mapped in Python, the rest is Arrow."""
    keys = _strings(keys)
    split = pc.split_pattern(keys, " ")
    flat = pc.dictionary_encode(pc.list_flatten(split))
    words = flat.dictionary.to_pylist()
    mapped = [table.get(w, w) for w in words]
    if mapped == words:
        return keys
    new_flat = pc.take(pa.array(mapped, pa.string()), flat.indices)
    lists = pa.ListArray.from_arrays(split.offsets, new_flat)
    out = pc.binary_join(lists, " ")
    out = pc.utf8_trim(pc.replace_substring_regex(out, r"  +", " "), " ")
    return pc.fill_null(out, "")


def expand_abbreviation_keys(keys: pa.Array, seeds: MatchingSeeds) -> pa.Array:
    """:func:`expand_abbreviations` of many basic keys at once."""
    if not seeds.abbreviations:
        return keys
    return _map_words(keys, _abbreviation_table(seeds.abbreviations))


def name_keys(names: pa.Array | list[str | None], seeds: MatchingSeeds) -> pa.Array:
    """:func:`name_key` of many names at once."""
    return strip_legal_suffix_keys(expand_abbreviation_keys(basic_keys(names), seeds), seeds)


def core_keys(names: pa.Array, seeds: MatchingSeeds) -> pa.Array:
    """:func:`core_key` of many names at once (only the names with a parenthesis are keyed)."""
    names = _strings(names)
    has = pc.match_substring(names, "(")
    out = np.full(len(names), "", dtype=object)
    if pc.any(has).as_py():
        sel = pa.array(np.flatnonzero(has.to_numpy(zero_copy_only=False)))
        stripped = pc.replace_substring_regex(pc.take(names, sel), r"\s*\([^)]*\)", " ")
        out[sel.to_numpy()] = np.asarray(name_keys(stripped, seeds).to_pylist(), dtype=object)
    return pa.array(out.tolist(), pa.string())


def compact_keys(keys: pa.Array) -> pa.Array:
    """:func:`compact_key` of many keys at once."""
    out = pc.replace_substring_regex(keys, r"(^| )and( |$)", " ")
    out = pc.replace_substring_regex(out, r"(^| )and( |$)", " ")
    out = pc.replace_substring(out, " ", "")
    return pc.if_else(pc.less(pc.utf8_length(out), 3), "", out)


def content_keys(keys: pa.Array, seeds: MatchingSeeds) -> pa.Array:
    """Keys without stop words (:func:`content_words`), for many keys at once."""
    if not seeds.stop_words:
        return keys
    out = _map_words(keys, dict.fromkeys(seeds.stop_words, ""))
    return pc.if_else(pc.equal(out, ""), keys, out)


def acronyms(keys: pa.Array) -> pa.Array:
    """:func:`acronym_of` of many keys at once ('' for one-word keys)."""
    initials = pc.replace_substring_regex(keys, r"(\S)\S* ?", r"\1")
    return pc.if_else(pc.greater(pc.count_substring(keys, " "), 0), initials, "")


def clean_hosts(values: pa.Array | list[str | None]) -> pa.Array:
    """:func:`clean_host` of many domains, e-mail addresses or URLs at once (nulls -> '')."""
    out = _folded(pc.utf8_trim_whitespace(_strings(values)))
    for pattern in (r"^.*@", r"^[a-z]+://", r"[/:].*$", r"^\.+|\.+$", r"^www\."):
        out = pc.replace_substring_regex(out, pattern, "")
    return out


def acronym_of(key: str) -> str:
    """Initials of a key with two or more words (``stellar lending ventures`` -> ``slv``), else ''."""
    words = key.split()
    return "".join(w[0] for w in words) if len(words) > 1 else ""


def looks_like_host(text: str) -> bool:
    """True for ``acme.com`` / ``eu.acme.co.uk`` / ``https://www.acme.com/x`` typed where a name goes."""
    return bool(text) and " " not in text.strip() and bool(_HOST.match(clean_host(text)))


def clean_host(text: str) -> str:
    """Host of a domain, e-mail address or URL: lower case, no scheme, path, port or ``www.``."""
    host = fold(text.strip())
    host = host.split("@")[-1]
    host = _SCHEME.sub("", host).split("/")[0].split(":")[0].strip(".")
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=200_000)
def registrable_domain(host: str) -> str:
    """The registrable domain of ``host`` (``portal.acme.com.au`` -> ``acme.com.au``); '' if none."""
    host = clean_host(host)
    if not host or "." not in host:
        return ""
    ext = _EXTRACT(host)
    if not ext.domain or not ext.suffix:
        return ""
    return f"{ext.domain}.{ext.suffix}"
