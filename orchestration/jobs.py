"""Jobs and schedules: the full job, the daily job, and one job per feed."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.ingest import GROUP as INGEST_GROUP
from pipelines.contracts import SYSTEMS

FULL_JOB = "prm_full"
DAILY_JOB = "prm_daily"

everything = dg.AssetSelection.all()

full_job = dg.define_asset_job(
    FULL_JOB,
    selection=everything,
    description="Every feed, a full-refresh dbt build with all tests, and the dashboards.",
    config={"ops": {"prm_dbt_models": {"config": {"full_refresh": True}}}},
)

daily_job = dg.define_asset_job(
    DAILY_JOB,
    selection=everything,
    description="Incremental load of every feed, dbt build with all tests, and the dashboards.",
)


def feed_job(system: str) -> dg.UnresolvedAssetJobDefinition:
    """Load one feed alone (no dbt, no dashboards)."""
    return dg.define_asset_job(
        f"load_{system}",
        selection=dg.AssetSelection.groups(INGEST_GROUP) & dg.AssetSelection.key_prefixes([system]),
        description=f"Load the {system} feed into raw_{system}, nothing else.",
    )


@dg.schedule(job=daily_job, cron_schedule="0 6 * * *", execution_timezone="UTC")
def daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Once a day at 06:00 UTC; the run key is the day, so a re-triggered day does not run twice."""
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return dg.RunRequest(run_key=f"daily-{day}", tags={"prm/day": day})


def jobs() -> list[dg.UnresolvedAssetJobDefinition]:
    return [full_job, daily_job, *(feed_job(s) for s in SYSTEMS)]
