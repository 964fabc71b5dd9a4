"""Scan partner self-service pages for what must never be on them: another partner's id, PRM id
or name on any page, and customer names on the page of a partner without a signed DPA.

A token matches as a whole word (not inside a longer word or id), in the whole HTML (the chart
data in the scripts is as visible as the text). A partner's own name is removed first, so a peer
whose name is part of it ("Acme" inside "Acme Cloud") does not count as a leak.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboards.partner_pages import page_name


@dataclass(frozen=True)
class Leak:
    """One forbidden token found on one page."""

    page: Path
    kind: str  # "partner" or "customer"
    token: str

    def __str__(self) -> str:
        return f"{self.page.name}: {self.kind} {self.token!r}"


def _pattern(tokens: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t for t in tokens if t and len(t) >= 3}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def _text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    return html.unescape(raw) + "\n" + raw


def scan_partner_pages(
    folder: Path, partners: pd.DataFrame, customer_names: Iterable[str]
) -> list[Leak]:
    """Every leak on the pages in ``folder``. ``partners``: partner_id, partner_external_id,
    partner_name, is_customer_data_restricted for every partner (active or not); pages of
    partners not in the folder are skipped."""
    customers = _pattern(customer_names)
    rows = partners.to_dict("records")
    leaks: list[Leak] = []
    for me in rows:
        path = folder / page_name(me["partner_external_id"])
        if not path.exists():
            continue
        text = _text(path).replace(str(me["partner_name"]), " ")
        others = _pattern(
            str(v)
            for p in rows
            if p["partner_id"] != me["partner_id"]
            for v in (p["partner_id"], p["partner_external_id"], p["partner_name"])
            if str(v) not in (str(me["partner_id"]), str(me["partner_external_id"]))
        )
        if others is not None:
            leaks += [Leak(path, "partner", m) for m in sorted(set(others.findall(text)))]
        if me["is_customer_data_restricted"] and customers is not None:
            leaks += [Leak(path, "customer", m) for m in sorted(set(customers.findall(text)))]
    return leaks
