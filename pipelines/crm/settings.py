"""Constants of the CRM source: HubSpot v3 paths, property names, limits and file names."""

from __future__ import annotations

import os

SYSTEM = "crm"

OBJECTS_PATH = "/crm/v3/objects"
"""``{OBJECTS_PATH}/{object_type}`` lists, ``.../search`` searches, ``.../batch/update|upsert`` writes."""

EXPORT_FOLDER = "crm_export"
"""CSV exports land in ``<landing>/crm_export/<object_type>/<object_type>__<YYYY-MM-DD>.csv``."""

TOKEN_ENV = "PRM_CRM_TOKEN"
DEFAULT_SANDBOX_TOKEN = "sandbox-token"

DEFAULT_PAGE_SIZE = 100
"""HubSpot's list endpoint returns at most 100 records a page and its search endpoint 200."""
SANDBOX_MAX_PAGE_SIZE = 1000
"""The sandbox accepts pages of up to 1000 records (larger asks are clamped), so local runs are fast."""
SEARCH_RESULT_CAP = 10_000
"""HubSpot's search cannot page past 10,000 results: ``after`` >= 10,000 is answered with HTTP 400."""
BATCH_MAX_INPUTS = 100
"""HubSpot's batch endpoints take at most 100 inputs."""
SEARCH_MAX_FILTER_GROUPS = 5
SEARCH_MAX_FILTERS_PER_GROUP = 6

BATCH_ROWS = 50_000
"""Records validated and yielded together: one Arrow table per batch, not per page."""

API_PREFIX = OBJECTS_PATH

# Search property names of the two incremental cursors (envelope columns of the contract).
CURSOR_SEARCH_PROPERTY = {"updated_at": "hs_lastmodifieddate", "created_at": "hs_createdate"}
CURSOR_PROPERTIES = CURSOR_SEARCH_PROPERTY
SEARCH_PROPERTIES = {
    "hs_lastmodifieddate": "updated_at",
    "lastmodifieddate": "updated_at",
    "hs_createdate": "created_at",
    "createdate": "created_at",
}
"""Searchable datetime properties and the envelope column (contract name) each one filters."""
OBJECT_ID_PROPERTY = "hs_object_id"
ID_PROPERTY = OBJECT_ID_PROPERTY
ENVELOPE = ("id", "created_at", "updated_at", "archived")

BASE_URL_KEY = "sources.crm.base_url"
TOKEN_KEY = "sources.crm.token"
"""dlt config / secret keys: env ``SOURCES__CRM__BASE_URL`` / ``SOURCES__CRM__TOKEN`` or .dlt/*.toml."""


def sandbox_token() -> str:
    """The bearer token the sandbox CRM accepts (env ``PRM_CRM_TOKEN``, default ``sandbox-token``)."""
    return os.environ.get(TOKEN_ENV, DEFAULT_SANDBOX_TOKEN)
