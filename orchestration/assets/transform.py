"""dbt assets: every model and seed of the project, dbt tests as asset checks.

Groups come from the dbt folder (``staging``, ``marts``, ``reports``...); sources keep dagster-dbt's
``[source, table]`` keys, which the ingestion assets produce.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.resources import dbt_project, dbt_vars_args, export_warehouse_env


class FolderGroupTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by their top folder under models/ (seeds go to ``seeds``)."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec
        return spec.replace_attributes(group_name=dbt_group(props))


def dbt_group(props: Mapping[str, Any]) -> str:
    """``staging`` for models/staging/crm/stg_x.sql, ``seeds`` for seeds, ``snapshots`` for snapshots."""
    if props["resource_type"] in ("seed", "snapshot"):
        return f"{props['resource_type']}s"
    parts = props.get("original_file_path", "").split("/")
    return parts[parts.index("models") + 1] if "models" in parts[:-2] else "dbt"


class DbtBuildConfig(dg.Config):
    """Run config of the dbt step."""

    full_refresh: bool = False


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    """``dbt build`` of the models, seeds, snapshots and data tests. Unit tests check SQL logic
    against fixed inputs, not the day's data: they run in CI (tests/dbt), not in every production
    run, as dbt recommends. The configured feeds go in as the ``feeds`` var, as at parse time."""
    args = ["build", "--exclude-resource-type", "unit_test", *dbt_vars_args()]
    if config.full_refresh:
        args.append("--full-refresh")
    return args


translator = FolderGroupTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, pool="warehouse")
def prm_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    """Build (run + test) the selected dbt models; each dbt test reports as an asset check."""
    export_warehouse_env()
    yield from dbt.cli(dbt_build_args(config), context=context).stream()
