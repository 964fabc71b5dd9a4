"""The leadership pages, rebuilt after the reports they read."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from dashboards.build import FEED_STATUS, PAGES, build_all
from orchestration.assets.transform import prm_dbt_models
from pipelines import settings


@dg.asset(
    group_name="dashboards",
    deps=[
        get_asset_key_for_model([prm_dbt_models], r)
        for r in dict.fromkeys([FEED_STATUS, *(r for page in PAGES for r in page.reads)])
    ],
    kinds={"plotly", "html"},
    pool="warehouse",
)
def leadership_pages(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Static HTML pages (plotly.js shipped once beside them) that open offline."""
    written = build_all(settings.warehouse_path(), settings.dashboards_out_dir())
    for path in written:
        context.log.info(f"wrote {path}")
    return dg.MaterializeResult(
        metadata={
            "pages": [str(p) for p in written],
            "index": dg.MetadataValue.path(str(settings.dashboards_out_dir() / "index.html")),
        }
    )
