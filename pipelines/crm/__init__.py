"""The CRM (HubSpot CRM v3 API shape): partners, contacts, companies, products, deals, deal stage
changes, deal registrations and partner touches.

``crm_source`` reads the API (the real one, or the sandbox over the simulated world's
``crm.sqlite``; see ``crm_endpoint``). ``crm_export_source`` reads CSV exports (HubSpot, Salesforce,
Dynamics 365 or your own, through a mapping: ``pipelines.crm.mapping``) dropped by teams without API
access into the same ``raw_crm`` tables.

Incremental loading. Each resource keeps its own cursor in dlt resource state, committed with the
load: the largest envelope cursor (``updated_at`` for mutable objects, ``created_at`` for the
immutable deal stage changes and touches) of every record read, valid or quarantined, plus the ids
sharing that value. The first run lists everything; later runs search ``>=`` the cursor (so records
sharing the boundary timestamp are never skipped) and drop the boundary records already read.
``dlt.sources.incremental`` is deliberately not used: it filters the yielded Arrow rows (and fails on
the quarantine tables, which have no cursor column), so its cursor would only follow valid rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import dlt

from pipelines.common.ledger import LEDGER_HINTS, Ledger
from pipelines.common.loading import (
    MERGE,
    issues_item,
    latest_per_key,
    quarantine_item,
    resource_hints,
)
from pipelines.common.validation import QUARANTINE_TABLE, VALUE_ISSUES_TABLE, validate
from pipelines.contracts import Entity, entities
from pipelines.crm import settings as crm_settings
from pipelines.crm.export import crm_export_source, write_export
from pipelines.crm.helpers import (
    ENVELOPE,
    PAGE_SIZE,
    CrmClient,
    CursorTracker,
    Record,
    records_table,
)
from pipelines.crm.sandbox import running_sandbox, sandbox_token
from pipelines.crm.store import crm_db_path
from pipelines.settings import world_dir

SYSTEM = "crm"

__all__ = [
    "crm_endpoint",
    "crm_export_source",
    "crm_source",
    "write_export",
    "writeback_skip_reason",
]


def api_source_name(entity: Entity) -> str:
    """The ``_source`` / quarantine source of records read from the API."""
    return f"crm/v3/objects/{entity.name}"


def with_dedup_sort(resource: Any, entity: Entity) -> Any:
    """Merge entities keep the latest version when a key arrives twice in one load (a record changed
    while a run pages through the search). The quarantine and ledger table variants are declared
    first so they do not inherit the cursor column hint (value issues likewise)."""
    if entity.write_disposition == "merge":
        resource.apply_hints(
            table_name=QUARANTINE_TABLE,
            primary_key="quarantine_id",
            write_disposition=MERGE,
            create_table_variant=True,
        )
        resource.apply_hints(
            table_name=VALUE_ISSUES_TABLE,
            primary_key="issue_id",
            write_disposition=MERGE,
            create_table_variant=True,
        )
        resource.apply_hints(**LEDGER_HINTS, create_table_variant=True)
        resource.apply_hints(columns={entity.cursor: {"dedup_sort": "desc"}})
    return resource


def crm_resource(entity: Entity, base_url: str, token: str, page_size: int) -> Any:
    """A dlt resource reading one CRM object type: typed rows plus quarantined rejects."""
    cursor_key = "updatedAt" if entity.cursor == "updated_at" else "createdAt"
    search_property = crm_settings.CURSOR_SEARCH_PROPERTY[entity.cursor]
    source = api_source_name(entity)
    properties = [c for c in entity.column_names if c not in ENVELOPE]

    @dlt.resource(**resource_hints(entity))
    def read_records() -> Iterator[Any]:
        client = CrmClient(base_url, token, page_size)
        tracker = CursorTracker(dlt.current.resource_state(), cursor_key)
        if tracker.start is None:
            pages: Iterable[list[Record]] = client.list_pages(entity.name, properties)
        else:
            pages = client.search_pages(entity.name, search_property, tracker.start, properties)
        # Searches do not return archived records: list those on every run (they are few).
        pages = chain(pages, client.list_pages(entity.name, properties, archived=True))
        ledger = Ledger(entity)
        batch: list[Record] = []
        for page in pages:
            new = [r for r in page if tracker.is_new(r)]
            ledger.read(source, len(page), already_loaded=len(page) - len(new))
            batch.extend(new)
            if len(batch) >= crm_settings.BATCH_ROWS:
                yield from validated_items(entity, batch, source, ledger)
                tracker.save()
                batch = []
        if batch:
            yield from validated_items(entity, batch, source, ledger)
        tracker.save()
        if ledger.tallies:
            yield ledger.item()

    return with_dedup_sort(read_records, entity)


def validated_items(
    entity: Entity, records: list[Record], source: str, ledger: Ledger
) -> Iterator[Any]:
    """Validate one batch of records: typed rows, and the rejects as quarantine rows."""
    table = records_table(entity, records)
    result = validate(entity, table, source, record_refs=table.column("id"))
    if result.rejected.num_rows:
        yield quarantine_item(ledger.quarantine(result.rejected))
    if result.issues.num_rows:
        yield issues_item(ledger.nulled(result.issues))
    if result.rows.num_rows:
        yield ledger.load(ledger.supersede(result.rows, latest_per_key(entity, result.rows)))


@dlt.source(name=SYSTEM, max_table_nesting=0)
def crm_source(
    base_url: str = dlt.config.value,
    token: str = dlt.secrets.value,
    page_size: int = PAGE_SIZE,
) -> Any:
    """One resource per crm entity of the contract. Nothing is fetched until the source is run."""
    return [crm_resource(e, base_url, token, page_size) for e in entities(SYSTEM)]


@contextlib.contextmanager
def crm_endpoint() -> Iterator[tuple[str, str]]:
    """``(base_url, token)`` of the CRM to read: the configured one (``SOURCES__CRM__BASE_URL`` and
    ``SOURCES__CRM__TOKEN``, or ``.dlt/secrets.toml``), else the sandbox over the simulated world,
    served for the duration of the block."""
    base_url = dlt.config.get(crm_settings.BASE_URL_KEY)
    if base_url:
        token = dlt.secrets.get(crm_settings.TOKEN_KEY)
        if not token:
            raise RuntimeError(
                f"{crm_settings.BASE_URL_KEY} is set but {crm_settings.TOKEN_KEY} is not: "
                "set SOURCES__CRM__TOKEN or add it to .dlt/secrets.toml"
            )
        yield str(base_url), str(token)
        return
    db_path = crm_db_path(world_dir())
    if not db_path.is_file():
        raise FileNotFoundError(
            f"no CRM configured and no simulated world at {db_path}: run `prm world generate` "
            "or set SOURCES__CRM__BASE_URL"
        )
    with running_sandbox(db_path) as url:
        yield url, sandbox_token()


def writeback_skip_reason() -> str | None:
    """Why the CRM write-backs have nowhere to go, or ``None``: a CRM read from its CSV exports
    with no API configured cannot receive tier, flag and decision updates. They stay in the
    warehouse (``automation``, ``marts``) for the team to apply; nothing fails."""
    from pipelines.sources import crm_mode

    if crm_mode() == "export" and not dlt.config.get(crm_settings.BASE_URL_KEY):
        return (
            "nothing written back: the CRM is read from CSV exports and no CRM API is configured "
            "(SOURCES__CRM__BASE_URL); the decisions are in the warehouse"
        )
    return None
