"""The clean-room protocol: each side hashes its own list with the exchange's secret key, a matcher
that holds no key compares the hashed files, and only the overlap comes out.

1. ``new_key``: one random 256-bit key per exchange (vendor x partner), shared by the two sides
   and never given to the matcher.
2. ``prepare`` (each side, locally): every row becomes HMAC-SHA256(key, kind + value) of its
   domain, name and country keys, a row reference HMAC'd from the row itself, and its status. The
   file holds no clear name, domain or country; rows are sorted by reference (the list's order,
   e.g. alphabetical, is not kept). It carries a fingerprint of the key (an HMAC of a constant)
   so the matcher can tell two files were made with different keys without learning the key.
3. ``match`` (the matcher): a domain hash in both files, or a name hash in both with compatible
   country hashes, pairs two rows; each row pairs at most once (domain before name, then by
   reference). Fewer than ``min_list_rows`` rows on a side, or fewer than ``min_overlap`` pairs,
   and nothing comes out but the reason: a tiny list cannot probe single accounts.
4. Outputs, overlap only: the overlap table (the three categories that matter, with both sides'
   references), the population matrix (counts of the 3 x 3 partner status x vendor status) and
   the co-sell plays. ``reveal`` lets a side put its own names back on its own references.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from orchestration.account_mapping.lists import STATUSES, ListRow, row_keys
from orchestration.conflicts.normalize import MatchingSeeds

FORMAT = "prm-account-mapping/1"
SIDES = ("vendor", "partner")
KEY_BYTES = 32
# (partner status, vendor status) -> category; the other six cells are only counted
CATEGORIES = {
    ("customer", "customer"): "shared_customer",
    ("customer", "opportunity"): "partner_customer_vendor_opportunity",
    ("customer", "prospect"): "partner_customer_vendor_prospect",
}
# what the partner can do for the vendor in each category with a play
PLAYS = {
    "partner_customer_vendor_opportunity": "co_sell",
    "partner_customer_vendor_prospect": "introduction",
}
OUTPUT_FILES = ("overlaps.csv", "population_matrix.csv", "cosell_opportunities.csv", "summary.json")


@dataclass(frozen=True)
class MappingSettings:
    """Thresholds (seed ``account_mapping_settings``)."""

    min_overlap: int = 5
    min_list_rows: int = 10


def load_settings(path: Path) -> MappingSettings:
    """The settings seed (``setting,value,description``); unknown settings are refused."""
    with path.open(newline="", encoding="utf-8") as f:
        raw = {r["setting"]: r["value"] for r in csv.DictReader(f)}
    defaults = MappingSettings()
    unknown = set(raw) - set(asdict(defaults))
    if unknown:
        raise ValueError(f"unknown account mapping setting(s) {sorted(unknown)}")
    values = {k: int(float(v)) for k, v in raw.items()}
    if any(v < 1 for v in values.values()):
        raise ValueError("account mapping thresholds must be at least 1")
    return MappingSettings(**values)


# -- keys --------------------------------------------------------------------------------------


def new_key() -> str:
    """A fresh exchange key, hex (256 bits from the OS's CSPRNG)."""
    return secrets.token_hex(KEY_BYTES)


def parse_key(text: str) -> bytes:
    """The key bytes of a hex key (at least 128 bits)."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise ValueError("an exchange key is hex (prm mapping key writes one)") from None
    if len(key) < 16:
        raise ValueError("an exchange key needs at least 128 bits (32 hex characters)")
    return key


def read_key(path: Path) -> bytes:
    return parse_key(path.read_text(encoding="utf-8"))


def _mac(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def fingerprint(key: bytes) -> str:
    """Identifies the key without revealing it: an HMAC of a constant, 64 bits."""
    return _mac(key, "fingerprint", FORMAT)[:16]


# -- prepare -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HashedRow:
    ref: str
    status: str
    domain: str  # HMAC of the domain key, '' when the row has none
    name: str
    country: str


@dataclass(frozen=True)
class HashedList:
    side: str
    party: str
    exchange: str
    key_fingerprint: str
    rows: tuple[HashedRow, ...]
    skipped: int = 0  # rows with neither a usable domain nor a usable name

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "side": self.side,
                "party": self.party,
                "exchange": self.exchange,
                "key_fingerprint": self.key_fingerprint,
                "skipped": self.skipped,
                "rows": [asdict(r) for r in self.rows],
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> HashedList:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        if data["side"] not in SIDES:
            raise ValueError(f"unknown side {data['side']!r}")
        rows = tuple(HashedRow(**r) for r in data["rows"])
        bad = {r.status for r in rows} - set(STATUSES)
        if bad:
            raise ValueError(f"unknown status(es) {sorted(bad)}")
        return cls(
            data["side"],
            data["party"],
            data["exchange"],
            data["key_fingerprint"],
            rows,
            int(data.get("skipped", 0)),
        )


def row_ref(key: bytes, side: str, row: ListRow) -> str:
    """A row's reference: only its own side (holding the key and the row) can recompute it."""
    return _mac(key, "row", f"{side}\x1f{row.line}\x1f{row.name}\x1f{row.domain}")[:32]


def prepare(
    rows: Iterable[ListRow],
    key: bytes,
    side: str,
    party: str,
    exchange: str,
    seeds: MatchingSeeds,
) -> HashedList:
    """A side's list hashed for the matcher (no clear name, domain or country in it)."""
    if side not in SIDES:
        raise ValueError(f"side is one of {', '.join(SIDES)}")
    out, skipped = [], 0
    for row in rows:
        keys = row_keys(row, seeds)
        if not keys.domain and not keys.name:
            skipped += 1
            continue
        out.append(
            HashedRow(
                ref=row_ref(key, side, row),
                status=row.status,
                domain=_mac(key, "domain", keys.domain) if keys.domain else "",
                name=_mac(key, "name", keys.name) if keys.name else "",
                country=_mac(key, "country", keys.country) if keys.country else "",
            )
        )
    out.sort(key=lambda r: r.ref)
    return HashedList(side, party, exchange, fingerprint(key), tuple(out), skipped)


# -- match -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    vendor_ref: str
    partner_ref: str
    vendor_status: str
    partner_status: str
    matched_on: str  # domain | name


def pairs(vendor: HashedList, partner: HashedList) -> list[Pair]:
    """Every row paired at most once: domain matches first, then name matches whose countries do
    not differ; ties go to the lowest references (deterministic)."""
    by_domain: dict[str, list[HashedRow]] = {}
    by_name: dict[str, list[HashedRow]] = {}
    for v in vendor.rows:
        if v.domain:
            by_domain.setdefault(v.domain, []).append(v)
        if v.name:
            by_name.setdefault(v.name, []).append(v)
    candidates = []
    for p in partner.rows:
        for v in by_domain.get(p.domain, []) if p.domain else []:
            candidates.append((0, p.ref, v.ref, p, v, "domain"))
        for v in by_name.get(p.name, []) if p.name else []:
            if p.country and v.country and p.country != v.country:
                continue
            candidates.append((1, p.ref, v.ref, p, v, "name"))
    candidates.sort(key=lambda c: c[:3])
    used_v: set[str] = set()
    used_p: set[str] = set()
    out = []
    for _, _, _, p, v, basis in candidates:
        if p.ref in used_p or v.ref in used_v:
            continue
        used_p.add(p.ref)
        used_v.add(v.ref)
        out.append(Pair(v.ref, p.ref, v.status, p.status, basis))
    return out


@dataclass(frozen=True)
class Overlap:
    partner: str
    category: str
    matched_on: str
    vendor_ref: str
    partner_ref: str
    vendor_status: str
    partner_status: str

    @property
    def play(self) -> str:
        return PLAYS.get(self.category, "")


@dataclass(frozen=True)
class MatchResult:
    exchange: str
    partner: str
    status: str  # matched | below_threshold | list_too_small | key_mismatch
    message: str
    vendor_rows: int
    partner_rows: int
    overlap_count: int = 0  # 0 unless matched: below the threshold not even the count comes out
    overlaps: tuple[Overlap, ...] = ()
    matrix: dict[tuple[str, str], int] = field(default_factory=dict)  # (partner, vendor status)

    @property
    def cosell(self) -> tuple[Overlap, ...]:
        return tuple(o for o in self.overlaps if o.play)


def match(vendor: HashedList, partner: HashedList, settings: MappingSettings) -> MatchResult:
    """The overlap of two hashed lists, or nothing and why."""
    if vendor.side != "vendor" or partner.side != "partner":
        raise ValueError("match takes the vendor's hashed file, then the partner's")
    base = dict(
        exchange=partner.exchange,
        partner=partner.party,
        vendor_rows=len(vendor.rows),
        partner_rows=len(partner.rows),
    )
    if vendor.key_fingerprint != partner.key_fingerprint or vendor.exchange != partner.exchange:
        return MatchResult(
            status="key_mismatch",
            message="the two files were prepared with different keys or exchanges: nothing matches",
            **base,
        )
    small = min(len(vendor.rows), len(partner.rows))
    if small < settings.min_list_rows:
        return MatchResult(
            status="list_too_small",
            message=f"a list has fewer than {settings.min_list_rows} usable rows: nothing is shown",
            **base,
        )
    found = pairs(vendor, partner)
    if len(found) < settings.min_overlap:
        return MatchResult(
            status="below_threshold",
            message=f"the overlap is below the minimum of {settings.min_overlap}: nothing is shown",
            **base,
        )
    matrix = {(p, v): 0 for p in STATUSES for v in STATUSES}
    for pair in found:
        matrix[(pair.partner_status, pair.vendor_status)] += 1
    overlaps = tuple(
        Overlap(
            partner.party,
            CATEGORIES[(pair.partner_status, pair.vendor_status)],
            pair.matched_on,
            pair.vendor_ref,
            pair.partner_ref,
            pair.vendor_status,
            pair.partner_status,
        )
        for pair in sorted(found, key=lambda p: (p.partner_ref, p.vendor_ref))
        if (pair.partner_status, pair.vendor_status) in CATEGORIES
    )
    return MatchResult(
        status="matched",
        message=f"{len(found)} shared accounts",
        overlap_count=len(found),
        overlaps=overlaps,
        matrix=matrix,
        **base,
    )


# -- outputs -----------------------------------------------------------------------------------

OVERLAP_COLUMNS = [
    "exchange",
    "partner",
    "category",
    "matched_on",
    "vendor_status",
    "partner_status",
    "vendor_ref",
    "partner_ref",
]


def write_results(result: MatchResult, out_dir: Path) -> list[Path]:
    """The matcher's outputs in ``out_dir`` (every file written, empty below the threshold)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / name for name in OUTPUT_FILES]
    overlaps, matrix, cosell, summary = paths

    def rows(items: Iterable[Overlap]) -> list[dict]:
        return [
            {"exchange": result.exchange, **{c: getattr(o, c) for c in OVERLAP_COLUMNS[1:]}}
            for o in items
        ]

    _write_csv(overlaps, OVERLAP_COLUMNS, rows(result.overlaps))
    _write_csv(
        cosell,
        [*OVERLAP_COLUMNS, "play"],
        [{**r, "play": PLAYS[r["category"]]} for r in rows(result.cosell)],
    )
    _write_csv(
        matrix,
        ["exchange", "partner", "partner_status", "vendor_status", "accounts"],
        [
            {
                "exchange": result.exchange,
                "partner": result.partner,
                "partner_status": p,
                "vendor_status": v,
                "accounts": n,
            }
            for (p, v), n in sorted(result.matrix.items())
        ],
    )
    summary.write_text(
        json.dumps(
            {
                "exchange": result.exchange,
                "partner": result.partner,
                "status": result.status,
                "message": result.message,
                "vendor_rows": result.vendor_rows,
                "partner_rows": result.partner_rows,
                "overlap_count": result.overlap_count,
                "categories": {
                    c: sum(o.category == c for o in result.overlaps) for c in CATEGORIES.values()
                },
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    return paths


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def reveal(rows: Iterable[ListRow], key: bytes, side: str, overlaps_csv: Path) -> list[dict]:
    """A side's own rows behind the matcher's overlap table: its name, domain and country on its
    own references, with the category and the other side's status (nothing else of theirs)."""
    if side not in SIDES:
        raise ValueError(f"side is one of {', '.join(SIDES)}")
    mine = {row_ref(key, side, r): r for r in rows}
    other = "partner" if side == "vendor" else "vendor"
    with overlaps_csv.open(newline="", encoding="utf-8") as f:
        found = list(csv.DictReader(f))
    out = []
    for o in found:
        row = mine.get(o[f"{side}_ref"])
        if row is None:
            continue
        out.append(
            {
                "name": row.name,
                "domain": row.domain,
                "country": row.country,
                "status": row.status,
                f"{other}_status": o[f"{other}_status"],
                "category": o["category"],
                "play": PLAYS.get(o["category"], ""),
                "matched_on": o["matched_on"],
            }
        )
    return sorted(out, key=lambda r: (r["category"], r["name"], r["domain"]))
