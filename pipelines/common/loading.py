"""dlt plumbing shared by the four sources: pipelines, resource hints, quarantine routing."""

from __future__ import annotations

from typing import Any

import dlt
import duckdb
import pyarrow as pa

from pipelines import settings
from pipelines.common.validation import (
    QUARANTINE_SCHEMA,
    QUARANTINE_TABLE,
    VALUE_ISSUES_SCHEMA,
    VALUE_ISSUES_TABLE,
)
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


def issues_item(issues: pa.Table) -> Any:
    """Route nulled optional values to the dataset's value-issue table (merged on issue_id)."""
    return dlt.mark.with_hints(
        issues.cast(VALUE_ISSUES_SCHEMA),
        dlt.mark.make_hints(
            table_name=VALUE_ISSUES_TABLE, primary_key="issue_id", write_disposition=MERGE
        ),
        create_table_variant=True,
    )


def files_item(files: pa.Table) -> Any:
    """Route a file that could not be read to the dataset's ``quarantined_files`` (merged on
    file_id: the same bytes quarantined twice are one row)."""
    from pipelines.common.ledger import QUARANTINED_FILES_SCHEMA, QUARANTINED_FILES_TABLE

    return dlt.mark.with_hints(
        files.cast(QUARANTINED_FILES_SCHEMA),
        dlt.mark.make_hints(
            table_name=QUARANTINED_FILES_TABLE, primary_key="file_id", write_disposition=MERGE
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

    Rows an aborted package already loaded stay under its uncommitted load id: follow with
    :func:`drop_uncommitted_rows` (``prm recover`` does). Runs through Dagster need neither call:
    dagster-dlt drops pending packages and local state before every run and restores the state
    from the warehouse, and the ingest asset drops uncommitted rows first (tests/common/
    test_kills.py)."""
    plan = dlt_pipeline.abort_packages()
    if plan is None:
        return []
    dropped = [*plan["packages_to_delete"], *plan["extracted_packages_to_delete"]]
    if plan["package_to_abort"]:
        dropped.insert(0, plan["package_to_abort"]["load_id"])
    return dropped


def drop_uncommitted_rows(dlt_pipeline: dlt.Pipeline) -> dict[str, int]:
    """Delete the rows of loads that never committed; returns the rows deleted per table.

    A load killed after some of its jobs ran leaves their rows in the dataset under a load id that
    never reached ``_dlt_loads`` (or an aborted one). Its dlt state was not committed either, so the
    next run reads the same files and CRM records again: without this, append tables (events, the
    load ledger) would hold those rows twice. Call it only when the pending packages are discarded,
    never before dlt resumes one (the ingest asset, whose dagster-dlt run drops them; ``prm
    recover``), and with no other load of the dataset in flight (the ``warehouse`` pool).
    """
    with dlt_pipeline.sql_client() as client:
        if not client.has_dataset():
            return {}
        dataset = client.dataset_name
        tables = [
            t
            for (t,) in client.execute_sql(
                "select table_name from information_schema.columns "
                "where table_schema = %s and column_name = '_dlt_load_id' order by 1",
                dataset,
            )
        ]
        has_loads = client.execute_sql(
            "select count(*) from information_schema.tables "
            "where table_schema = %s and table_name = '_dlt_loads'",
            dataset,
        )[0][0]
        loads = client.make_qualified_table_name("_dlt_loads")
        # without _dlt_loads no load has committed yet: every row is uncommitted
        where = (
            f"where _dlt_load_id not in (select load_id from {loads} where status = 0)"
            if has_loads
            else ""
        )
        dropped = {}
        for table in tables:
            name = client.make_qualified_table_name(table)
            (n,) = client.execute_sql(f"select count(*) from {name} {where}")[0]
            if n:
                client.execute_sql(f"delete from {name} {where}")
                dropped[table] = int(n)
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


def newer_than_loaded(entity: Entity, rows: pa.Table) -> pa.Table:
    """Drop versions of mutable records older than the version already in the warehouse.

    A merge load replaces a record by key (delete-insert), so a late-arriving file carrying an older
    version would overwrite the newer one already loaded. Rows whose cursor is earlier than the
    loaded row's are left out (the caller's ledger counts them as superseded); equal cursors (a
    re-delivered file) and rows without a cursor value still replace.
    """
    warehouse = settings.warehouse_path()
    if entity.write_disposition != "merge" or not entity.cursor or rows.num_rows == 0:
        return rows
    if not warehouse.is_file():
        return rows
    key, cursor = f'"{entity.primary_key}"', f'"{entity.cursor}"'
    con = duckdb.connect(str(warehouse))
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [entity.dataset, entity.name],
        ).fetchall()[0][0]
        if not exists:
            return rows
        con.register("batch", rows)
        fresh = con.sql(
            f"""select batch.* from batch
                left join {entity.dataset}.{entity.name} as loaded on loaded.{key} = batch.{key}
                where loaded.{key} is null or batch.{cursor} is null or loaded.{cursor} is null
                   or batch.{cursor} >= loaded.{cursor}"""
        ).to_arrow_table()
    finally:
        con.close()
    return fresh.cast(rows.schema)
