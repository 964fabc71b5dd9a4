"""The one Dagster code location of the warehouse.

The dbt manifest must exist before import: `prm run`, `make ui` and the tests parse the project first
(in-process, with the venv's dbt), rather than dagster-dbt's dev-mode parse, which needs `dbt` on PATH.
"""

from __future__ import annotations

import dagster as dg

from orchestration.assets.account_mapping import account_mapping_assets
from orchestration.assets.automation import automation_assets, automation_checks
from orchestration.assets.conflicts import (
    conflict_assets,
    conflict_checks,
    new_registrations,
    registration_conflicts_live,
)
from orchestration.assets.dashboards import leadership_pages
from orchestration.assets.drift import drift_checks
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.quality import quality_checks
from orchestration.assets.transform import prm_dbt_models
from orchestration.jobs import jobs, schedules
from orchestration.resources import resources

defs = dg.Definitions(
    assets=[
        *ingest_assets(),
        prm_dbt_models,
        leadership_pages,
        *automation_assets(),
        *conflict_assets(),
        *account_mapping_assets(),
    ],
    asset_checks=[*automation_checks(), *conflict_checks(), *quality_checks(), *drift_checks()],
    jobs=[*jobs(), registration_conflicts_live],
    schedules=schedules(),
    sensors=[new_registrations],
    resources=resources(),
    # DuckDB takes one writer at a time: steps run one after another in the run's process.
    executor=dg.in_process_executor,
)
