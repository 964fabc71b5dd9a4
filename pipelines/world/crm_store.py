"""The sandbox CRM's SQLite store: one ``objects`` table of HubSpot-like records."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

CRM_DB_NAME = "crm.sqlite"


def crm_db_path(world_dir: Path) -> Path:
    """Where the sandbox CRM database lives inside a world folder."""
    return Path(world_dir) / CRM_DB_NAME


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the objects table and its (object_type, updated_at, id) index if missing."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS objects (object_type TEXT NOT NULL, id TEXT NOT NULL, properties TEXT NOT NULL, "
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, archived INTEGER DEFAULT 0, PRIMARY KEY(object_type, id))"
    )
    conn.execute(
        "CREATE INDEX IF NOT EXISTS objects_type_updated ON objects(object_type, updated_at, id)"
    )


def upsert(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str, str, str, int]]) -> None:
    """Insert or replace (object_type, id, properties, created_at, updated_at, archived) rows."""
    conn.executemany("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?)", rows)
