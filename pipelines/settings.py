"""Where things live. Every path derives from the project root or one environment variable.

``PRM_DATA_DIR``   root of everything generated (default ``<project>/data``)
``PRM_WAREHOUSE``  the DuckDB file dlt loads into and dbt builds in (default ``$PRM_DATA_DIR/warehouse.duckdb``)
``PRM_LANDING``    the landing folder of file drops (default ``$PRM_DATA_DIR/landing``)
``PRM_WORLD``      the simulated world's state and sandbox CRM database (default ``$PRM_DATA_DIR/world``)
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("PRM_DATA_DIR", PROJECT_ROOT / "data")).resolve()


def warehouse_path() -> Path:
    return Path(os.environ.get("PRM_WAREHOUSE", data_dir() / "warehouse.duckdb")).resolve()


def landing_dir() -> Path:
    return Path(os.environ.get("PRM_LANDING", data_dir() / "landing")).resolve()


def world_dir() -> Path:
    return Path(os.environ.get("PRM_WORLD", data_dir() / "world")).resolve()


def pipelines_dir() -> Path:
    """dlt's working folder (pipeline state and load packages), kept beside the warehouse."""
    return data_dir() / "dlt"


def docs_out_dir() -> Path:
    """Where ``prm docs`` writes the dbt documentation site (one self-contained index.html)."""
    return Path(os.environ.get("PRM_DOCS_OUT", data_dir() / "docs")).resolve()


def dashboards_out_dir() -> Path:
    return Path(os.environ.get("PRM_DASHBOARDS_OUT", data_dir() / "dashboards")).resolve()
