"""The simulated CRM database: one SQLite table of HubSpot-like objects.

``objects(object_type, id, properties /* JSON object of strings or nulls */, created_at, updated_at,
archived)``; timestamps are ISO-8601 UTC with milliseconds and a ``Z``. The world generator owns the
schema (``pipelines/world/crm_store.py``); this module re-exports it and adds the sandbox's indexes.
"""

from __future__ import annotations

from pipelines.world.crm_store import CRM_DB_NAME, crm_db_path, ensure_schema

# Indexes the sandbox adds (idempotently, at start-up). Every read filters on ``archived``, so each
# index leads with it and counts stay index-only: keyset paging by numeric id (without it ORDER BY
# CAST(id AS INTEGER) sorts the whole object type for every page: 0.4 pages/s at 1M deals instead of
# ~500) and searches on either timestamp.
SANDBOX_INDEXES = """
CREATE INDEX IF NOT EXISTS objects_sandbox_numeric_id
    ON objects (object_type, archived, CAST(id AS INTEGER));
CREATE INDEX IF NOT EXISTS objects_sandbox_updated ON objects (object_type, archived, updated_at);
CREATE INDEX IF NOT EXISTS objects_sandbox_created ON objects (object_type, archived, created_at);
"""

__all__ = ["CRM_DB_NAME", "SANDBOX_INDEXES", "crm_db_path", "ensure_schema"]
