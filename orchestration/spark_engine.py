"""The second engine (docs/spark.md): the same dbt project on Apache Spark through dbt-spark.

Runs in the separate ``.venv-spark`` (``make .venv-spark/.installed``): pyspark must not be in the
main environment. Three things dbt-spark's ``session`` method does not do by itself happen here:

* one local SparkSession with a Hive metastore and warehouse under ``$PRM_DATA_DIR/spark``
  (:func:`spark_session`), the same settings as the ``spark`` target of dbt_project/profiles.yml;
* the raw feeds dlt landed: every table of the ``raw_*`` schemas of the DuckDB warehouse is written
  to parquet under ``$PRM_DATA_DIR/spark/raw/<schema>/<table>`` and registered as the external
  Spark table ``<schema>.<table>``, so the dbt sources (``schema: raw_crm`` ...) resolve unchanged
  (:func:`register_raw_tables`);
* the Python models: dbt-spark 1.11 submits them only to Databricks. :class:`SessionPythonJobHelper`
  is registered as submission method ``session`` and runs the compiled model in this process's
  session (:func:`run_dbt`).

The PII key (macros/pii_hash.sql) reaches Spark as the temporary function ``prm_pii_key()``, a
Python UDF reading ``$PRM_PII_KEY``, so it never appears in SQL text.

    .venv-spark/bin/python -m orchestration.spark_engine build   # raw tables + dbt build
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from pipelines import settings

DBT_PROFILES_DIR = settings.PROJECT_ROOT / "dbt_project"
TARGET = "spark"
SCHEMA_ENV = "PRM_SPARK_SCHEMA"


def spark_dir() -> Path:
    """Where the Spark engine keeps its metastore, warehouse and raw parquet files."""
    return settings.data_dir() / "spark"


def session_settings() -> dict[str, str]:
    """The Spark settings of the local session (kept equal to the ``spark`` target's)."""
    base = spark_dir()
    return {
        "spark.master": os.environ.get("PRM_SPARK_MASTER", "local[2]"),
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.sql.warehouse.dir": str(base / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={base / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={base}",
        # dbt-spark's session connection sets this too; set it first so both agree
        "spark.sql.ansi.enabled": "false",
    }


def spark_session() -> Any:
    """The process's SparkSession (created on first call), with Hive support and the key UDF."""
    from pyspark.sql import SparkSession

    spark_dir().mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("prm_warehouse").enableHiveSupport()
    for key, value in session_settings().items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    register_pii_key_function(session)
    return session


def _pii_key() -> str:
    key = os.environ.get(settings.PII_KEY_ENV)
    if not key:
        raise RuntimeError(
            f"{settings.PII_KEY_ENV} is not set: personal data is hashed with a key"
            " (orchestration.spark_engine sets it from pipelines.settings.pii_key)"
        )
    return key


def register_pii_key_function(session: Any) -> None:
    """``prm_pii_key()``: the PII key as a temporary SQL function (never in SQL text). It fails
    when no key is set rather than hashing without one."""
    from pyspark.sql.types import StringType

    session.udf.register("prm_pii_key", _pii_key, StringType())


def raw_tables(warehouse: Path) -> dict[str, list[str]]:
    """The tables of each ``raw_*`` schema of the DuckDB warehouse (dlt's own tables included)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema like 'raw\\_%' escape '\\' order by 1, 2"
        ).fetchall()
    tables: dict[str, list[str]] = {}
    for schema, table in rows:
        tables.setdefault(schema, []).append(table)
    return tables


def register_raw_tables(session: Any, warehouse: Path | None = None) -> dict[str, int]:
    """Export every raw table dlt landed in DuckDB to parquet and register it in Spark as
    ``<schema>.<table>`` (external parquet table). Returns the row count of each table."""
    import duckdb

    warehouse = warehouse or settings.warehouse_path()
    root = spark_dir() / "raw"
    counts: dict[str, int] = {}
    tables = raw_tables(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        for schema, names in tables.items():
            session.sql(f"create database if not exists {schema}")
            for name in names:
                path = root / schema / name
                shutil.rmtree(path, ignore_errors=True)
                path.mkdir(parents=True)
                con.execute(
                    f'copy (select * from "{schema}"."{name}") to '
                    f"'{path / 'part-0.parquet'}' (format parquet)"
                )
                session.sql(f"drop table if exists {schema}.`{name}`")
                session.sql(
                    f"create table {schema}.`{name}` using parquet location '{path.as_uri()}'"
                )
                counts[f"{schema}.{name}"] = con.execute(
                    f'select count(*) from "{schema}"."{name}"'
                ).fetchone()[0]
    return counts


class SessionPythonJobHelper:
    """dbt Python model submission ``session``: run the compiled model in this process's
    SparkSession (dbt-spark's own helpers need Databricks). The compiled code ends with dbt-spark's
    ``py_write_table``, which converts the returned frame and saves it as the model's table."""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        self.parsed_model = parsed_model
        self.credentials = credentials

    def submit(self, compiled_code: str) -> None:
        """Execute the model; an exception fails the model with its message."""
        session = spark_session()
        if str(settings.PROJECT_ROOT) not in sys.path:
            sys.path.insert(0, str(settings.PROJECT_ROOT))
        name = self.parsed_model.get("alias") or self.parsed_model.get("name", "model")
        code = compile(compiled_code, f"<dbt python model {name}>", "exec")
        exec(code, {"spark": session, "__name__": f"dbt_python_model_{name}"})


def install_session_submission() -> None:
    """Register :class:`SessionPythonJobHelper` with dbt-spark as submission method ``session``
    and make it the default, for models run in this process."""
    from dbt.adapters.spark.impl import SparkAdapter

    helpers = dict(SparkAdapter.python_submission_helpers.fget(None))  # type: ignore[attr-defined]
    helpers["session"] = SessionPythonJobHelper
    SparkAdapter.python_submission_helpers = property(lambda self: helpers)  # type: ignore[assignment]
    SparkAdapter.default_python_submission_method = property(lambda self: "session")  # type: ignore[assignment]


def dbt_args(*args: str) -> list[str]:
    """A dbt command on the spark target, with the configured feeds and dbt's paths."""
    target_path = os.environ.get("DBT_TARGET_PATH", str(spark_dir() / "dbt_target"))
    return [
        *args,
        "--target",
        TARGET,
        "--vars",
        json.dumps({"feeds": list(settings.configured_feeds())}),
        "--project-dir",
        str(settings.PROJECT_ROOT),
        "--profiles-dir",
        str(DBT_PROFILES_DIR),
        "--target-path",
        target_path,
    ]


def run_dbt(*args: str) -> Any:
    """Run one dbt command on Spark in this process (Python models included); dbt's result."""
    from dbt.cli.main import dbtRunner

    settings.export_pii_key()
    os.environ.setdefault(SCHEMA_ENV, "main")
    os.environ.setdefault("DBT_LOG_PATH", str(spark_dir() / "dbt_logs"))
    install_session_submission()
    spark_session()
    return dbtRunner().invoke(dbt_args(*args))


def main(argv: list[str] | None = None) -> int:
    """``python -m orchestration.spark_engine [load|build|dbt ARGS...]``: ``load`` registers the raw
    tables; ``build`` loads and runs ``dbt build``; ``dbt ...`` runs any dbt command on Spark."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv.pop(0) if argv else "build"
    settings.export_pii_key()
    started = time.monotonic()
    if command in ("load", "build"):
        counts = register_raw_tables(spark_session())
        print(f"raw tables registered in Spark: {len(counts)} ({sum(counts.values()):,} rows)")
    if command == "build":
        argv = ["build", *argv]
    elif command == "dbt":
        pass
    elif command != "load":
        print(f"unknown command {command!r}: load, build or dbt ARGS", file=sys.stderr)
        return 2
    ok = True
    if argv:
        result = run_dbt(*argv)
        ok = bool(result.success)
    print(f"spark {command}: {'ok' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
