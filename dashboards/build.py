"""Build the leadership pages: static HTML, plotly.js written once beside them, opening offline.

Pages read report models only (``reports.rpt_*``), never raw or staging tables. A page whose
subject needs a feed this warehouse does not have (``reports.rpt_feed_status``) says so plainly
("No finance feed configured") instead of drawing zeros; a page that only partly needs one names
what it cannot show.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from dashboards import (
    active_sellers,
    attribution,
    data_health,
    enablement,
    mdf_roi,
    partner_pipeline,
    partner_scorecards,
    pipeline_health,
)
from dashboards.style import page_html

PLOTLY_JS = "plotly.min.js"


@dataclass(frozen=True)
class Page:
    """One page: its file name, title, the report models it reads and its figure builder;
    ``needs``: the feeds without which it has nothing to show; ``uses``: feeds behind some of its
    figures (null without them); ``lists_feeds``: the page is about the feeds themselves and
    names those not configured."""

    slug: str
    title: str
    reads: tuple[str, ...]
    build: Callable[[dict[str, pd.DataFrame]], tuple[str, list[go.Figure]]]
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    lists_feeds: bool = False


PAGES: tuple[Page, ...] = (
    Page(
        slug="partner_pipeline",
        title="Partner revenue and pipeline",
        reads=("rpt_partner_pipeline",),
        build=partner_pipeline.figures,
    ),
    Page(
        slug="attribution",
        title="Partner attribution",
        reads=("rpt_attribution_over_time", "rpt_attribution_model_comparison"),
        build=attribution.figures,
    ),
    Page(
        slug="partner_scorecards",
        title="Partner scorecards",
        reads=("rpt_partner_scorecard",),
        build=partner_scorecards.figures,
        uses=("lms",),
    ),
    Page(
        slug="active_sellers",
        title="Active sellers and revenue concentration",
        reads=("rpt_revenue_concentration", "rpt_active_seller_bands"),
        build=active_sellers.figures,
    ),
    Page(
        slug="mdf_roi",
        title="MDF return on investment",
        reads=("rpt_mdf_roi_summary", "rpt_mdf_reallocation_dry_run"),
        build=mdf_roi.figures,
        needs=("finance",),
        uses=("tcma",),
    ),
    Page(
        slug="enablement",
        title="Enablement: certification, content and onboarding",
        reads=("rpt_certification_lift", "rpt_content_lift", "rpt_onboarding_funnel"),
        build=enablement.figures,
        needs=("lms",),
        uses=("tcma",),
    ),
    Page(
        slug="pipeline_health",
        title="Pipeline health",
        reads=(
            "rpt_pipeline_health_distribution",
            "rpt_pipeline_health_riskiest_deals",
            "rpt_model_performance",
            "rpt_channel_outlook",
            "rpt_partner_lifetime_value",
        ),
        build=pipeline_health.figures,
        uses=("lms",),
    ),
    Page(
        slug="data_health",
        title="Data health",
        reads=("rpt_feed_health", "rpt_feed_schema_drift"),
        build=data_health.figures,
        lists_feeds=True,
    ),
)


def read_reports(warehouse: Path, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Read report tables from the warehouse (read-only)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {name: con.sql(f"select * from reports.{name}").df() for name in names}
    finally:
        con.close()


FEED_STATUS = "rpt_feed_status"
# what a feed brings to each page that only partly needs it
FEED_FIGURES = {
    "lms": "certified people and the enablement score (EES) are n/a",
    "tcma": "content, campaign and lead figures are empty",
    "finance": "MDF, rebate and company-revenue figures are n/a",
}


def feed_status(warehouse: Path) -> dict[str, tuple[bool, str, str]]:
    """Each feed: (configured, label, contents) from ``reports.rpt_feed_status``; a warehouse built
    before that report existed has all four."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            f"select feed_name, is_configured, feed_label, feed_contents from reports.{FEED_STATUS}"
        ).fetchall()
    except duckdb.CatalogException:
        rows = []
    finally:
        con.close()
    return {name: (bool(ok), label, contents) for name, ok, label, contents in rows}


def absent_feed_notice(page: Page, feeds: dict[str, tuple[bool, str, str]]) -> tuple[str, str]:
    """(summary, body) naming the feeds the page needs or uses that this warehouse lacks."""
    missing = [f for f in page.needs if f in feeds and not feeds[f][0]]
    if missing:
        labels = " and ".join(feeds[f][1] for f in missing)
        contents = "; ".join(feeds[f][2] for f in missing)
        return (
            f"No {labels} feed configured: this page has nothing to show.",
            f"<p class='no-feed'>This page is built from {html.escape(contents)}, which come from "
            f"the {html.escape(labels)} feed. This warehouse has no {html.escape(labels)} feed "
            "configured, so nothing here is a zero: it is not measured. To add it, list it in "
            "<code>PRM_FEEDS</code> or under <code>feeds:</code> in the sources file and run "
            "<code>prm run</code>.</p>",
        )
    if page.lists_feeds:
        absent = [label for ok, label, _ in feeds.values() if not ok]
        note = f"Not configured (not loaded, so not zero): {', '.join(absent)}." if absent else ""
        return note, ""
    partly = [f for f in page.uses if f in feeds and not feeds[f][0]]
    notes = "; ".join(f"no {feeds[f][1]} feed configured: {FEED_FIGURES[f]}" for f in partly)
    return (f"{notes[:1].upper()}{notes[1:]}." if notes else "", "")


def build_all(warehouse: Path, out_dir: Path) -> list[Path]:
    """Write every page and the index into ``out_dir``; returns the paths written."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `prm run` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
    feeds = feed_status(warehouse)
    written = []
    for page in PAGES:
        notice, notice_body = absent_feed_notice(page, feeds)
        if notice_body:
            summary, figures = notice, []
        else:
            summary, figures = page.build(read_reports(warehouse, page.reads))
            summary = f"{summary} {notice}".strip()
        body = notice_body + "\n".join(
            pio.to_html(fig, full_html=False, include_plotlyjs=False, default_width="100%")
            for fig in figures
        )
        path = out_dir / f"{page.slug}.html"
        path.write_text(page_html(page.title, summary, body, PLOTLY_JS), encoding="utf-8")
        written.append(path)
    links = "".join(f'<li><a href="{p.slug}.html">{html.escape(p.title)}</a></li>' for p in PAGES)
    if (out_dir / "partner_pages.html").exists():  # dashboards/partner_pages.py, vendor only
        links += (
            '<li><a href="partner_pages.html">Partner self-service pages (vendor index)</a></li>'
        )
    index = out_dir / "index.html"
    index.write_text(
        page_html("Partner revenue warehouse", "", f"<ul class='pages'>{links}</ul>", None),
        encoding="utf-8",
    )
    return [index, *written]
