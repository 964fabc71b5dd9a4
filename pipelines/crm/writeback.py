"""Reverse-ETL to the CRM: push changed records through the batch upsert API, exactly once in effect.

The warehouse decides what a CRM record's properties should be (a tier, a restricted flag, a
registration decision); this module makes the CRM agree, safely:

* **Diff against the last acknowledged state** (``reverse_etl.crm_sync_state``): a record whose
  desired properties the CRM already acknowledged is not sent again, so an unchanged mart sends
  nothing.
* **Batches of at most 100** upserts keyed by an id property (the partner's external id).
* **Retries** (tenacity): ``429`` waits for ``Retry-After``; ``5xx`` and connection errors back off
  exponentially with full jitter; a batch that still fails stops the push with :class:`WritebackError`.
* **Per-record rejections** (``207``) go to ``reverse_etl.crm_dead_letters`` with the CRM's error and
  are retried on the next push (they are not acknowledged, so they stay in the diff).
* **Crash safety**: each batch's acknowledgements commit with it. A crash mid-push leaves the batches
  before it acknowledged and the rest pending; the rerun sends only those. A batch resent after a
  lost answer sets the same values again (an upsert is idempotent), so every change lands exactly
  once in effect.
* **Audit**: every HTTP attempt is a row of ``reverse_etl.crm_sync_audit``: what was sent, when,
  and the CRM's answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from pipelines.crm import settings

log = logging.getLogger(__name__)

SCHEMA = "reverse_etl"
RESPONSE_EXCERPT_CHARS = 2000

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.crm_sync_state (
    object_type varchar not null,
    record_key varchar not null,
    properties_json varchar not null,
    properties_hash varchar not null,
    crm_record_id varchar,
    acknowledged_at timestamp with time zone not null,
    run_id varchar not null,
    primary key (object_type, record_key)
);
create table if not exists {SCHEMA}.crm_dead_letters (
    object_type varchar not null,
    record_key varchar not null,
    properties_json varchar not null,
    error_category varchar,
    error_message varchar,
    attempts integer not null,
    first_failed_at timestamp with time zone not null,
    last_failed_at timestamp with time zone not null,
    resolved_at timestamp with time zone,
    primary key (object_type, record_key)
);
create table if not exists {SCHEMA}.crm_sync_audit (
    audit_id varchar primary key,
    run_id varchar not null,
    object_type varchar not null,
    batch_number integer not null,
    attempt integer not null,
    record_keys varchar not null,
    record_count integer not null,
    sent_at timestamp with time zone not null,
    duration_seconds double not null,
    http_status integer,
    outcome varchar not null,
    response_excerpt varchar
);
"""


@dataclass(frozen=True)
class Change:
    """The properties one CRM record should have, keyed by ``record_key`` (its id property value)."""

    record_key: str
    properties: Mapping[str, str | None]

    @property
    def properties_json(self) -> str:
        return json.dumps(dict(sorted(self.properties.items())), separators=(",", ":"))

    @property
    def properties_hash(self) -> str:
        return hashlib.sha256(self.properties_json.encode()).hexdigest()


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one batch before giving up on the push."""

    max_attempts: int = 6
    backoff_multiplier_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    max_retry_after_seconds: float = 120.0
    timeout_seconds: float = 30.0


@dataclass
class PushReport:
    """What one push did."""

    run_id: str
    considered: int = 0
    unchanged: int = 0
    sent: int = 0
    acknowledged: int = 0
    rejected: int = 0
    batches: int = 0
    http_attempts: int = 0
    rejected_keys: list[str] = field(default_factory=list)


class WritebackError(RuntimeError):
    """A batch could not be delivered after every retry; nothing after it was sent."""


class _Retryable(Exception):
    """A transient answer (429, 5xx) worth another attempt."""

    def __init__(self, status: int, retry_after: float | None, body: str) -> None:
        super().__init__(f"CRM answered {status}")
        self.status, self.retry_after, self.body = status, retry_after, body


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:  # an HTTP date: be safe and wait a second
        return 1.0


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    """429: the server's Retry-After (capped); otherwise exponential backoff with full jitter."""
    jitter = wait_random_exponential(
        multiplier=policy.backoff_multiplier_seconds, max=policy.backoff_max_seconds
    )

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.status == 429 and exc.retry_after is not None:
            return min(exc.retry_after, policy.max_retry_after_seconds)
        return jitter(state)

    return wait


class CrmWriter:
    """Pushes desired record states to a HubSpot-v3-style CRM and keeps the books in DuckDB."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        object_type: str = "partners",
        id_property: str = "external_id",
        book: str | None = None,
        policy: RetryPolicy | None = None,
        batch_size: int = settings.BATCH_MAX_INPUTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 1 <= batch_size <= settings.BATCH_MAX_INPUTS:
            raise ValueError(f"batch_size must be 1..{settings.BATCH_MAX_INPUTS}, not {batch_size}")
        self.object_type, self.id_property, self.batch_size = object_type, id_property, batch_size
        # the books' object_type column: two writers owning different properties of the same
        # object type keep separate books, or each would see the other's push as a change
        self.book = book or object_type
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=self.policy.timeout_seconds,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> CrmWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the books ---------------------------------------------------------------------------

    @staticmethod
    def prepare(con: duckdb.DuckDBPyConnection) -> None:
        """Create the reverse-ETL tables if they do not exist."""
        con.execute(DDL)

    def pending(
        self, con: duckdb.DuckDBPyConnection, desired: Iterable[Change]
    ) -> tuple[list[Change], int]:
        """The changes the CRM has not acknowledged yet, and how many desired records are unchanged."""
        acknowledged = dict(
            con.execute(
                f"select record_key, properties_hash from {SCHEMA}.crm_sync_state "
                "where object_type = ?",
                [self.book],
            ).fetchall()
        )
        changes, unchanged, seen = [], 0, set()
        for change in desired:
            if change.record_key in seen:
                raise ValueError(f"{change.record_key!r} is desired twice in one push")
            seen.add(change.record_key)
            if acknowledged.get(change.record_key) == change.properties_hash:
                unchanged += 1
            else:
                changes.append(change)
        return changes, unchanged

    # -- the push ----------------------------------------------------------------------------

    def push(
        self, con: duckdb.DuckDBPyConnection, desired: Iterable[Change], run_id: str | None = None
    ) -> PushReport:
        """Send every desired change the CRM has not acknowledged; see the module docstring."""
        self.prepare(con)
        report = PushReport(run_id=run_id or uuid.uuid4().hex)
        desired = list(desired)
        changes, report.unchanged = self.pending(con, desired)
        report.considered = len(desired)
        for number, batch in enumerate(_chunks(changes, self.batch_size), start=1):
            report.batches += 1
            answer = self._send_with_retries(con, report, number, batch)
            self._settle(con, report, batch, answer)
        log.info(
            "CRM write-back %s: %d desired, %d unchanged, %d sent in %d batches, %d acknowledged, "
            "%d rejected",
            report.run_id,
            report.considered,
            report.unchanged,
            report.sent,
            report.batches,
            report.acknowledged,
            report.rejected,
        )
        return report

    def _send_with_retries(
        self,
        con: duckdb.DuckDBPyConnection,
        report: PushReport,
        number: int,
        batch: Sequence[Change],
    ) -> dict[str, Any]:
        body = {
            "inputs": [
                {
                    "idProperty": self.id_property,
                    "id": c.record_key,
                    "properties": dict(c.properties),
                }
                for c in batch
            ]
        }
        url = f"{settings.OBJECTS_PATH}/{self.object_type}/batch/upsert"
        attempt = 0

        def once() -> dict[str, Any]:
            nonlocal attempt
            attempt += 1
            report.http_attempts += 1
            started, sent_at = time.monotonic(), datetime.now(UTC)
            status, excerpt, outcome = None, None, "error"
            try:
                response = self._client.post(url, json=body)
                status, excerpt = response.status_code, response.text[:RESPONSE_EXCERPT_CHARS]
                if response.status_code == 429 or response.status_code >= 500:
                    outcome = "retry"
                    raise _Retryable(response.status_code, _retry_after(response), excerpt)
                if response.status_code not in (200, 201, 207):
                    outcome = "refused"
                    raise WritebackError(
                        f"the CRM refused batch {number} with HTTP {response.status_code}: {excerpt}"
                    )
                outcome = "partial" if response.status_code == 207 else "ok"
                return response.json()
            except httpx.TransportError as exc:
                outcome, excerpt = "retry", f"{type(exc).__name__}: {exc}"[:RESPONSE_EXCERPT_CHARS]
                raise
            finally:
                self._audit(
                    con,
                    report.run_id,
                    number,
                    attempt,
                    batch,
                    sent_at,
                    started,
                    status,
                    outcome,
                    excerpt,
                )

        retrying = Retrying(
            retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=_wait(self.policy),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(once)
        except (_Retryable, httpx.TransportError) as exc:
            raise WritebackError(
                f"batch {number} of {len(batch)} {self.object_type} was not delivered after "
                f"{attempt} attempts ({exc}); earlier batches are acknowledged, rerun to resume"
            ) from exc

    def _audit(
        self,
        con: duckdb.DuckDBPyConnection,
        run_id: str,
        number: int,
        attempt: int,
        batch: Sequence[Change],
        sent_at: datetime,
        started: float,
        status: int | None,
        outcome: str,
        excerpt: str | None,
    ) -> None:
        con.execute(
            f"insert into {SCHEMA}.crm_sync_audit values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                uuid.uuid4().hex,
                run_id,
                self.book,
                number,
                attempt,
                json.dumps([c.record_key for c in batch]),
                len(batch),
                sent_at,
                time.monotonic() - started,
                status,
                outcome,
                excerpt,
            ],
        )

    def _settle(
        self,
        con: duckdb.DuckDBPyConnection,
        report: PushReport,
        batch: Sequence[Change],
        answer: Mapping[str, Any],
    ) -> None:
        """Record what the CRM acknowledged and what it rejected, in one transaction per batch."""
        report.sent += len(batch)
        by_key = {c.record_key: c for c in batch}
        errors: dict[str, dict[str, Any]] = {}
        for error in answer.get("errors", []):
            for key in error.get("context", {}).get("ids", []):
                errors[key] = error
        crm_ids = {
            str(r.get("properties", {}).get(self.id_property)): r.get("id")
            for r in answer.get("results", [])
        }
        now = datetime.now(UTC)
        con.execute("begin transaction")
        try:
            for key, change in by_key.items():
                if key in errors:
                    self._dead_letter(con, change, errors[key], now)
                    report.rejected += 1
                    report.rejected_keys.append(key)
                else:  # a 200, or a 207 not naming it: the CRM took it
                    self._acknowledge(con, change, crm_ids.get(key), now, report.run_id)
                    report.acknowledged += 1
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise

    def _acknowledge(
        self,
        con: duckdb.DuckDBPyConnection,
        change: Change,
        crm_id: str | None,
        now: datetime,
        run_id: str,
    ) -> None:
        con.execute(
            f"""insert or replace into {SCHEMA}.crm_sync_state
                values (?, ?, ?, ?, ?, ?, ?)""",
            [
                self.book,
                change.record_key,
                change.properties_json,
                change.properties_hash,
                crm_id,
                now,
                run_id,
            ],
        )
        con.execute(
            f"""update {SCHEMA}.crm_dead_letters set resolved_at = ?
                where object_type = ? and record_key = ? and resolved_at is null""",
            [now, self.book, change.record_key],
        )

    def _dead_letter(
        self,
        con: duckdb.DuckDBPyConnection,
        change: Change,
        error: Mapping[str, Any],
        now: datetime,
    ) -> None:
        con.execute(
            f"""insert into {SCHEMA}.crm_dead_letters
                values (?, ?, ?, ?, ?, 1, ?, ?, null)
                on conflict (object_type, record_key) do update set
                    properties_json = excluded.properties_json,
                    error_category = excluded.error_category,
                    error_message = excluded.error_message,
                    attempts = crm_dead_letters.attempts + 1,
                    last_failed_at = excluded.last_failed_at,
                    resolved_at = null""",
            [
                self.book,
                change.record_key,
                change.properties_json,
                error.get("category"),
                error.get("message"),
                now,
                now,
            ],
        )


def _chunks(items: Sequence[Change], size: int) -> Iterator[Sequence[Change]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
