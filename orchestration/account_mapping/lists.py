"""A side's account list (CSV: ``name``, ``domain``, optional ``country`` and ``status``) and the
matching keys of its rows.

Keys reuse the registration matcher's normalisation (orchestration/conflicts/normalize.py):

- **domain**: the registrable domain of the host, e-mail address or URL (``eu.acme.co.uk`` ->
  ``acme.co.uk``, tldextract's bundled public-suffix list); free-mail domains (seed
  ``free_mail_domains``) identify no company and are dropped.
- **name**: the normalised name key (folded to ASCII, punctuation settled, abbreviations spelled
  out, legal suffixes dropped, a known alias replaced by its canonical name), then written without
  spaces and without the word ``and`` so ``Century Link`` and ``CenturyLink`` meet.
- **country**: folded and lower case, as written; a name match needs equal countries when both
  sides give one (ISO 3166 codes on both sides work best).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from orchestration.conflicts.normalize import (
    MatchingSeeds,
    basic_key,
    fold,
    name_key,
    registrable_domain,
)

STATUSES = ("customer", "opportunity", "prospect")
# what a list may write in its status column, and what it means
STATUS_WORDS = {
    "customer": "customer",
    "client": "customer",
    "opportunity": "opportunity",
    "open opportunity": "opportunity",
    "prospect": "prospect",
    "lead": "prospect",
}
DEFAULT_STATUS = "customer"  # a list without a status column is a customer list
MIN_NAME_KEY_CHARS = 2


@dataclass(frozen=True)
class ListRow:
    """One row of a side's list as written (``line`` is its 1-based data row number)."""

    line: int
    name: str
    domain: str
    country: str
    status: str


@dataclass(frozen=True)
class RowKeys:
    """The normalised matching keys of a row ('' when the row has none of that kind)."""

    domain: str
    name: str
    country: str


def normalise_status(text: str) -> str:
    """``customer`` / ``opportunity`` / ``prospect`` from what a list writes ('' -> customer;
    case, ``_`` and ``-`` do not matter: ``Open_Opportunity`` is an opportunity)."""
    word = " ".join(text.lower().replace("_", " ").replace("-", " ").split())
    if not word:
        return DEFAULT_STATUS
    if word not in STATUS_WORDS:
        raise ValueError(f"unknown status {text!r} (one of {', '.join(sorted(STATUS_WORDS))})")
    return STATUS_WORDS[word]


def read_list(path: Path) -> list[ListRow]:
    """The rows of a list CSV; header names are case-insensitive, ``name`` and ``domain`` required."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
        missing = {"name", "domain"} - set(fields)
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        rows = []
        for i, raw in enumerate(reader, start=1):

            def get(col: str, raw: dict = raw) -> str:
                return (raw.get(fields[col]) or "").strip() if col in fields else ""

            try:
                status = normalise_status(get("status"))
            except ValueError as e:
                raise ValueError(f"{path}: row {i}: {e}") from None
            rows.append(ListRow(i, get("name"), get("domain"), get("country"), status))
    return rows


def row_keys(row: ListRow, seeds: MatchingSeeds) -> RowKeys:
    """The matching keys of a row."""
    domain = registrable_domain(row.domain) if row.domain else ""
    if domain in seeds.free_mail_domains:
        domain = ""
    key = ""
    if row.name:  # a known alias stands for its canonical name (seed company_aliases)
        key = seeds.aliases.get(basic_key(row.name)) or name_key(row.name, seeds)
    name = "".join(w for w in key.split() if w != "and")
    if len(name) < MIN_NAME_KEY_CHARS:
        name = ""
    country = " ".join(fold(row.country).split())
    return RowKeys(domain, name, country)
