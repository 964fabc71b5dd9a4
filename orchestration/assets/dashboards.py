"""The leadership pages and the partner self-service pages, rebuilt after the reports they read."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from dashboards.build import FEED_STATUS, PAGES, build_all
from dashboards.partner_pages import READS as PARTNER_READS
from dashboards.partner_pages import SEGMENTS, build_partner_pages
from orchestration.assets.transform import prm_dbt_models
from pipelines import settings


@dg.asset(
    group_name="dashboards",
    deps=[
        get_asset_key_for_model([prm_dbt_models], r)
        for r in dict.fromkeys(
            [FEED_STATUS, *(r for page in PAGES for r in page.reads), *PARTNER_READS, SEGMENTS]
        )
    ],
    kinds={"plotly", "html"},
    pool="warehouse",
)
def leadership_pages(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Static HTML pages (plotly.js shipped once beside them) that open offline, and one
    self-service page per active partner (docs/partner_pages.md)."""
    # partner pages first: the leadership index links the vendor's index of them
    partners = build_partner_pages(settings.warehouse_path(), settings.dashboards_out_dir())
    written = build_all(settings.warehouse_path(), settings.dashboards_out_dir())
    for path in written:
        context.log.info(f"wrote {path}")
    context.log.info(
        f"wrote {len(partners.pages)} partner pages in {partners.seconds:.1f} s "
        f"({partners.pages_per_second:.0f} pages/s) and {partners.index}"
    )
    return dg.MaterializeResult(
        metadata={
            "pages": [str(p) for p in [*written, *partners.pages]],
            "partner_pages": len(partners.pages),
            "partner_pages_seconds": round(partners.seconds, 2),
            "index": dg.MetadataValue.path(str(settings.dashboards_out_dir() / "index.html")),
            "partner_index": dg.MetadataValue.path(str(partners.index)),
        }
    )
