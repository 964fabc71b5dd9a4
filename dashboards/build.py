"""Build the leadership pages: static HTML, plotly.js written once beside them, opening offline.

Pages read report models only (``reports.rpt_*``), never raw or staging tables.
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
)
from dashboards.style import page_html

PLOTLY_JS = "plotly.min.js"


@dataclass(frozen=True)
class Page:
    """One page: its file name, title, the report models it reads and its figure builder."""

    slug: str
    title: str
    reads: tuple[str, ...]
    build: Callable[[dict[str, pd.DataFrame]], tuple[str, list[go.Figure]]]


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
    ),
    Page(
        slug="enablement",
        title="Enablement: certification, content and onboarding",
        reads=("rpt_certification_lift", "rpt_content_lift", "rpt_onboarding_funnel"),
        build=enablement.figures,
    ),
    Page(
        slug="data_health",
        title="Data health",
        reads=("rpt_feed_health",),
        build=data_health.figures,
    ),
)


def read_reports(warehouse: Path, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Read report tables from the warehouse (read-only)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {name: con.sql(f"select * from reports.{name}").df() for name in names}
    finally:
        con.close()


def build_all(warehouse: Path, out_dir: Path) -> list[Path]:
    """Write every page and the index into ``out_dir``; returns the paths written."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `prm run` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
    written = []
    for page in PAGES:
        summary, figures = page.build(read_reports(warehouse, page.reads))
        body = "\n".join(
            pio.to_html(fig, full_html=False, include_plotlyjs=False, default_width="100%")
            for fig in figures
        )
        path = out_dir / f"{page.slug}.html"
        path.write_text(page_html(page.title, summary, body, PLOTLY_JS), encoding="utf-8")
        written.append(path)
    links = "".join(f'<li><a href="{p.slug}.html">{html.escape(p.title)}</a></li>' for p in PAGES)
    index = out_dir / "index.html"
    index.write_text(
        page_html("Partner revenue warehouse", "", f"<ul class='pages'>{links}</ul>", None),
        encoding="utf-8",
    )
    return [index, *written]
