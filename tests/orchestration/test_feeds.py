"""Only the configured feeds are in the graph: no ingest asset, job or raw check for an absent one,
and dbt gets the same feeds as its `feeds` var (docs/star_schema.md#feeds)."""

from __future__ import annotations

import json

import pytest

from orchestration.assets.ingest import ingest_assets
from orchestration.assets.quality import quality_checks
from orchestration.assets.transform import DbtBuildConfig, dbt_build_args
from orchestration.jobs import jobs
from orchestration.resources import dbt_vars_args


def _feeds_var(args: list[str]) -> list[str]:
    return json.loads(args[args.index("--vars") + 1])["feeds"]


@pytest.mark.parametrize(
    ("setting", "feeds"),
    [
        ("crm", ["crm"]),
        ("finance, CRM", ["crm", "finance"]),
        (None, ["crm", "lms", "tcma", "finance"]),
    ],
)
def test_the_graph_and_dbt_have_the_configured_feeds_only(
    monkeypatch, data_dir, setting, feeds
) -> None:
    if setting is None:
        monkeypatch.delenv("PRM_FEEDS", raising=False)
    else:
        monkeypatch.setenv("PRM_FEEDS", setting)
    assert [a.node_def.name for a in ingest_assets()] == [f"ingest_{f}" for f in feeds]
    loads = sorted(j.name for j in jobs() if j.name.startswith("load_") and j.name != "load_all")
    assert loads == sorted(f"load_{f}" for f in feeds)
    raw_checked = {
        key.asset_key.path[0]
        for c in quality_checks()
        for key in c.check_keys
        if key.name.startswith("gx_raw_")
    }
    assert raw_checked == {"crm", "finance"} & set(feeds)  # the raw suites: crm and finance tables
    assert _feeds_var(dbt_vars_args()) == feeds
    assert _feeds_var(dbt_build_args(DbtBuildConfig())) == feeds
