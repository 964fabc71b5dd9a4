"""Jobs and schedules: the full job, the daily job, one job per feed, and the automation jobs
(``tiering`` with its CRM write-back, ``expiry``), each scheduled daily with the day as run key."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.ingest import GROUP as INGEST_GROUP
from pipelines.settings import configured_feeds

FULL_JOB = "prm_full"
DAILY_JOB = "prm_daily"
TIERING_JOB = "tiering"
EXPIRY_JOB = "expiry"

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


tiering_job = dg.define_asset_job(
    TIERING_JOB,
    selection=dg.AssetSelection.assets("tier_decisions", "crm_partner_writeback"),
    description="Evaluate every active partner against the tier rules (grace period included) and "
    "push tier changes and the restricted flag to the CRM; the push waits for the blocking check.",
)

expiry_job = dg.define_asset_job(
    EXPIRY_JOB,
    selection=dg.AssetSelection.assets("program_notices", "crm_registration_writeback"),
    description="Registration, certification and compliance clocks: notices to the outbox, each "
    "exactly once, decisions on pending extension requests, and both written back to the CRM.",
)


load_all_job = dg.define_asset_job(
    "load_all",
    selection=dg.AssetSelection.groups(INGEST_GROUP),
    description="Load every configured feed into its raw_<system> dataset, nothing else (no dbt, "
    "no pages).",
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


def _daily_after_load(job: dg.UnresolvedAssetJobDefinition, cron: str) -> dg.ScheduleDefinition:
    """A daily schedule of an automation job, after the 06:00 load; run key = job and day."""

    @dg.schedule(job=job, cron_schedule=cron, execution_timezone="UTC", name=f"{job.name}_schedule")
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        day = context.scheduled_execution_time.strftime("%Y-%m-%d")
        return dg.RunRequest(run_key=f"{job.name}-{day}", tags={"prm/day": day})

    return _schedule


tiering_schedule = _daily_after_load(tiering_job, "0 7 * * *")
expiry_schedule = _daily_after_load(expiry_job, "15 7 * * *")


def jobs() -> list[dg.UnresolvedAssetJobDefinition]:
    return [
        full_job,
        daily_job,
        tiering_job,
        expiry_job,
        load_all_job,
        *(feed_job(s) for s in configured_feeds()),
    ]


def schedules() -> list[dg.ScheduleDefinition]:
    return [daily_schedule, tiering_schedule, expiry_schedule]
