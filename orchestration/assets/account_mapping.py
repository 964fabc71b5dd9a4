"""Account mapping with partners: the clean room run on the warehouse's accounts (docs/account_mapping.md).

The vendor side is ``marts.dim_accounts`` with each account's status from ``marts.fct_opportunities``;
the partners' hashed lists are the files in ``$PRM_DATA_DIR/account_mapping/`` (none: the asset says
so and writes empty tables). Results, overlap only, in the ``account_mapping`` schema.
"""

import dagster as dg

from orchestration.account_mapping.protocol import MappingSettings
from orchestration.account_mapping.warehouse import FOLDER, map_accounts
from orchestration.assets.automation import _connect, _model
from orchestration.conflicts.normalize import load_seeds
from pipelines import settings

GROUP = "account_mapping"
SETTINGS_SEED = dg.AssetKey(["reference", "account_mapping_settings"])


def mapping_settings(con) -> MappingSettings:
    """The thresholds as loaded by dbt (``reference.account_mapping_settings``)."""
    values = dict(
        con.execute("select setting, value from reference.account_mapping_settings").fetchall()
    )
    return MappingSettings(**{k: int(v) for k, v in values.items()})


@dg.asset(
    group_name=GROUP,
    deps=[_model("dim_accounts"), _model("fct_opportunities"), SETTINGS_SEED],
    kinds={"python", "duckdb"},
    pool="warehouse",
)
def partner_account_mapping(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Shared accounts with each partner that sent a hashed list: overlap table, population matrix
    and co-sell plays (``account_mapping.*``), nothing of either side's other accounts."""
    folder = settings.data_dir() / FOLDER
    with _connect() as con:
        results = map_accounts(con, folder, load_seeds(), mapping_settings(con))
    # the step line of `prm run` shows these numbers with their keys as written
    if not results:
        context.log.info(f"no partner lists provided: none in {folder}")
        return dg.MaterializeResult(metadata={"partner lists": 0})
    return dg.MaterializeResult(
        metadata={
            "partner lists": len(results),
            "withheld below the thresholds": sum(r.status != "matched" for r in results),
            "shared accounts": sum(r.overlap_count for r in results),
            "co-sell plays": sum(len(r.cosell) for r in results),
        }
    )


def account_mapping_assets() -> list[dg.AssetsDefinition]:
    return [partner_account_mapping]
