"""Shared look of the pages: colours per tier and partner type, and the HTML shell."""

from __future__ import annotations

import html

TIER_ORDER = ("platinum", "gold", "silver", "registered")
TIER_COLOURS = {
    "platinum": "#4b5d73",
    "gold": "#c9a227",
    "silver": "#9aa5b1",
    "registered": "#d8c3a5",
}
PARTNER_TYPE_COLOURS = {
    "reseller": "#1f77b4",
    "distributor": "#2ca02c",
    "msp": "#ff7f0e",
    "si": "#9467bd",
    "referral": "#8c564b",
}

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
p.summary { font-size: 1.1rem; color: #444; }
ul.pages li { margin: .4rem 0; font-size: 1.1rem; }
footer { margin-top: 2rem; color: #888; font-size: .8rem; }
"""


def money(value: float) -> str:
    """$1.2M-style figure for titles."""
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"${value / size:,.1f}{unit}"
    return f"${value:,.0f}"


def page_html(title: str, summary: str, body: str, plotly_js: str | None) -> str:
    """A complete page; ``plotly_js`` is the relative path of the shared plotly.js, if needed."""
    script = f'<script src="{plotly_js}"></script>' if plotly_js else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>{script}
<style>{_CSS}</style></head>
<body><h1>{html.escape(title)}</h1><p class="summary">{html.escape(summary)}</p>
{body}
<footer>Built from the partner revenue warehouse (reports schema). <a href="index.html">All pages</a></footer>
</body></html>
"""
