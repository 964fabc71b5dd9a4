"""Ingestion assets: one multi-asset per source system, one asset per raw table.

Asset keys are ``[<system>, <table>]``, the keys dagster-dbt gives the dbt sources of the same
tables, so the graph runs unbroken from feed to dashboard. Each system's quarantine table is an
asset of the same step: it is written by the same load.
"""

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltResource, DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData

from pipelines.common.ledger import (
    LEDGER_TABLE,
    LedgerMismatch,
    LoadReport,
    QuarantineRateExceeded,
    check_load,
)
from pipelines.common.loading import drop_uncommitted_rows, last_load, pipeline
from pipelines.common.validation import QUARANTINE_TABLE
from pipelines.contracts import entity

GROUP = "ingest"


class FeedTranslator(DagsterDltTranslator):
    """Keys dlt resources as ``[system, table]`` (the dbt source key) in the ``ingest`` group."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = super().get_asset_spec(data)
        # the CRM's CSV-export source (crm_export) loads the same raw_crm tables as its API
        system = data.resource.source_name.removesuffix("_export")
        contract = entity(system, data.resource.name)
        return spec.replace_attributes(
            key=dg.AssetKey([system, data.resource.name]),
            deps=[],
            group_name=GROUP,
            description=contract.description,
        ).merge_attributes(
            metadata={"dataset": contract.dataset, "primary_key": contract.primary_key},
            kinds={"dlt", "duckdb"},
        )


def quarantine_key(system: str) -> dg.AssetKey:
    return dg.AssetKey([system, QUARANTINE_TABLE])


def ledger_key(system: str) -> dg.AssetKey:
    """The feed's load ledger, keyed like its dbt source (the data-health page's drift table)."""
    return dg.AssetKey([system, LEDGER_TABLE])


def _source_factory(system: str) -> Callable[..., Any]:
    if system == "crm":
        from pipelines.sources import crm_mode

        if crm_mode() == "export":  # the sources file says: read the CRM's CSV exports
            from pipelines.crm import crm_export_source

            return crm_export_source
        from pipelines.crm import crm_source

        return crm_source
    module = __import__(f"pipelines.{system}", fromlist=[f"{system}_source"])
    return getattr(module, f"{system}_source")


@contextlib.contextmanager
def open_source(system: str) -> Iterator[Any]:
    """The dlt source of a system, ready to extract (the CRM needs its endpoint up first)."""
    from pipelines.sources import crm_mode

    factory = _source_factory(system)
    if system == "crm" and crm_mode() == "api":
        from pipelines.crm import crm_endpoint

        with crm_endpoint() as (base_url, token):
            yield factory(base_url=base_url, token=token)
    else:
        yield factory()


def spec_source(system: str) -> Any:
    """A source instance used only to describe assets (nothing is fetched). The CRM is described
    by its API source in either mode: the export source has the same resources."""
    if system == "crm":
        from pipelines.crm import crm_source

        return crm_source(base_url="http://127.0.0.1:0", token="unused")
    return _source_factory(system)()


def _quarantined_rows(system: str) -> int:
    import duckdb

    from pipelines import settings

    con = duckdb.connect(str(settings.warehouse_path()), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [f"raw_{system}", QUARANTINE_TABLE],
        ).fetchone()[0]
        if not exists:
            return 0
        return con.execute(f"select count(*) from raw_{system}.{QUARANTINE_TABLE}").fetchone()[0]
    finally:
        con.close()


def _check_load(system: str, dlt_pipeline: Any) -> LoadReport | None:
    """The ledger and quarantine-rate gate of the run that just loaded (None if nothing loaded).
    A failed check fails the step, so nothing downstream of the feed runs."""
    import duckdb

    from pipelines import settings

    load_ids, normalized = last_load(dlt_pipeline)
    if not load_ids or LEDGER_TABLE not in normalized:
        return None
    con = duckdb.connect(str(settings.warehouse_path()), read_only=True)
    try:
        return check_load(con, system, load_ids, normalized)
    except (LedgerMismatch, QuarantineRateExceeded) as exc:
        raise dg.Failure(description=str(exc)) from exc
    finally:
        con.close()


def _report_metadata(report: LoadReport) -> dict[str, Any]:
    return {
        "records_in": report.rows_in,
        "records_loaded": report.rows_loaded,
        "records_quarantined": report.rows_quarantined,
        "quarantine_rate": float(report.quarantine_rate),
        "values_nulled": report.values_nulled,
        "files_quarantined": len(report.quarantined_files),
        "top_reasons": report.describe_reasons() or "none",
    }


def feed_assets(system: str) -> dg.AssetsDefinition:
    """The multi-asset loading every table of ``system`` (plus its quarantine table)."""
    translator = FeedTranslator()
    dlt_pipeline = pipeline(system)
    specs = [
        translator.get_asset_spec(DltResourceTranslatorData(resource=r, pipeline=dlt_pipeline))
        for r in spec_source(system).resources.values()
    ]
    quarantine = dg.AssetSpec(
        quarantine_key(system),
        group_name=GROUP,
        description=f"Rejected {system} records, each with its source, record, reason and payload.",
        kinds={"dlt", "duckdb"},
        skippable=True,
    )

    ledger = dg.AssetSpec(
        ledger_key(system),
        group_name=GROUP,
        description=(
            f"Where every record of every {system} source went in each load, with each file's "
            "encoding and schema drift (pipelines/common/ledger.py)."
        ),
        kinds={"dlt", "duckdb"},
        skippable=True,
    )

    @dg.multi_asset(
        name=f"ingest_{system}",
        specs=[*specs, quarantine, ledger],
        can_subset=True,
        pool="warehouse",
    )
    def _ingest(context: dg.AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
        dlt_pipeline = pipeline(system)
        # dagster-dlt drops pending packages before the run: rows a killed load left behind go too,
        # as the run reads their records again (docs/data_quality.md)
        dropped = drop_uncommitted_rows(dlt_pipeline)
        if dropped:
            context.log.warning(f"deleted the rows of an uncommitted load of {system}: {dropped}")
        with open_source(system) as source:
            yield from dlt.run(
                context=context,
                dlt_source=source,
                dlt_pipeline=dlt_pipeline,
                dagster_dlt_translator=translator,
                loader_file_format="parquet",
            )
        report = _check_load(system, dlt_pipeline)
        for source, reason in report.quarantined_files if report else ():
            context.log.warning(
                f"quarantined file {source}: {reason}. The feed's other files loaded; fix or "
                f"replace this file (a changed file is read again): raw_{system}.quarantined_files"
            )
        if ledger_key(system) in context.selected_asset_keys:
            yield dg.MaterializeResult(asset_key=ledger_key(system))
        if quarantine_key(system) in context.selected_asset_keys:
            yield dg.MaterializeResult(
                asset_key=quarantine_key(system),
                metadata={
                    "dagster/row_count": _quarantined_rows(system),
                    **(_report_metadata(report) if report else {}),
                },
            )

    return _ingest


def ingest_assets() -> list[dg.AssetsDefinition]:
    """One multi-asset per configured feed: a feed that is not configured has no asset at all."""
    from pipelines.settings import configured_feeds

    return [feed_assets(system) for system in configured_feeds()]
