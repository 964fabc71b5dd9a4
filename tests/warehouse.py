"""Read the test's warehouse (settings.warehouse_path(): the data folder the test set up)."""

from __future__ import annotations

import duckdb

from pipelines import settings


def query(sql: str) -> list[tuple]:
    """All rows of ``sql`` on the warehouse, opened read-only and closed again (DuckDB allows one
    writing process: the next load must find it free)."""
    con = duckdb.connect(str(settings.warehouse_path()), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()
