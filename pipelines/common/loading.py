"""dlt plumbing shared by the four sources: pipelines, resource hints, quarantine routing."""

from __future__ import annotations

from typing import Any

import dlt
import duckdb
import pyarrow as pa

from pipelines import settings
from pipelines.common.validation import QUARANTINE_SCHEMA, QUARANTINE_TABLE
from pipelines.contracts import Entity

MERGE = {"disposition": "merge", "strategy": "delete-insert"}  # upsert is not supported on DuckDB

# Arrow loads get dlt's load id (freshness, audit) and a row id, like row-wise loads do.
dlt.config["normalize.parquet_normalizer.add_dlt_load_id"] = True
dlt.config["normalize.parquet_normalizer.add_dlt_id"] = True
# Merge loads stage rows in raw_<system>_staging; empty it after each load instead of keeping a
# second copy of every merged table in the warehouse.
dlt.config["load.truncate_staging_dataset"] = True


def write_disposition(entity: Entity) -> Any:
    """merge (delete-insert) for mutable entities; append for immutable events; replace for lists."""
    return MERGE if entity.write_disposition == "merge" else entity.write_disposition


def resource_hints(entity: Entity) -> dict[str, Any]:
    """Keyword arguments for ``dlt.resource`` that state the entity's key and disposition."""
    return {
        "name": entity.name,
        "primary_key": entity.primary_key,
        "write_disposition": write_disposition(entity),
    }


def quarantine_item(rejected: pa.Table) -> Any:
    """Route rejected rows to the dataset's quarantine table (merged on quarantine_id, so a bad
    record read twice is kept once)."""
    return dlt.mark.with_hints(
        rejected.cast(QUARANTINE_SCHEMA),
        dlt.mark.make_hints(
            table_name=QUARANTINE_TABLE, primary_key="quarantine_id", write_disposition=MERGE
        ),
        create_table_variant=True,
    )


def latest_per_key(entity: Entity, rows: pa.Table) -> pa.Table:
    """Keep one row per primary key for a merge entity: the one with the latest cursor value.

    Several versions of a mutable record may arrive in one batch (e.g. two daily drops); the older
    ones are superseded, not lost: they were true before the newer one was written.
    """
    if entity.write_disposition != "merge" or rows.num_rows == 0:
        return rows
    order = f'"{entity.cursor}" DESC NULLS LAST, ' if entity.cursor else ""
    con = duckdb.connect()
    try:
        con.register("batch", rows)
        deduped = con.sql(
            f"""SELECT * FROM batch QUALIFY row_number() OVER (
                    PARTITION BY "{entity.primary_key}" ORDER BY {order}_source DESC) = 1"""
        ).to_arrow_table()
    finally:
        con.close()
    return deduped.cast(rows.schema)


def pipeline(system: str, *, warehouse: str | None = None) -> dlt.Pipeline:
    """The dlt pipeline of one source system, loading ``raw_<system>`` in the warehouse file."""
    return dlt.pipeline(
        pipeline_name=f"prm_{system}",
        destination=dlt.destinations.duckdb(str(warehouse or settings.warehouse_path())),
        dataset_name=f"raw_{system}",
        pipelines_dir=str(settings.pipelines_dir()),
    )


def abort_pending(dlt_pipeline: dlt.Pipeline) -> list[str]:
    """Abort every pending package and roll the pipeline state back to the last committed load, so
    the next run extracts the same records again; returns the load ids dropped (``prm recover``).

    Runs through Dagster need no call: dagster-dlt drops pending packages and local state before
    every run and restores the state from the warehouse (tests/common/test_ledger.py)."""
    plan = dlt_pipeline.abort_packages()
    if plan is None:
        return []
    dropped = [*plan["packages_to_delete"], *plan["extracted_packages_to_delete"]]
    if plan["package_to_abort"]:
        dropped.insert(0, plan["package_to_abort"]["load_id"])
    return dropped


def last_load(dlt_pipeline: dlt.Pipeline) -> tuple[list[str], dict[str, int]]:
    """Load ids and rows normalised per table of the pipeline's last ``run`` (empty if it loaded
    nothing)."""
    trace = dlt_pipeline.last_trace
    if trace is None or trace.last_load_info is None:
        return [], {}
    normalize = trace.last_normalize_info
    counts = dict(normalize.row_counts) if normalize is not None else {}
    return list(trace.last_load_info.loads_ids), counts
