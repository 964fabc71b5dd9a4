"""Deal-registration conflict checks in the CRM: the nightly write-back and the one-minute path.

``marts.fct_registration_conflict_checks`` (dbt, the matching engine in ``orchestration.conflicts``)
decides every registration. ``crm_conflict_writeback`` pushes the decision, score, reason and
matched record of every *pending* registration to its CRM record, behind a blocking check.

Partners should not wait for that nightly batch: the ``new_registrations`` sensor polls the CRM every
30 seconds for registrations created since its cursor and starts ``registration_conflicts_live``,
which decides them against the warehouse's accounts, direct opportunities and registrations (plus
every registration created in the CRM since the last load, first come, first served) and writes the
decision back through the same books. ``automation.live_conflict_checks`` keeps, per registration,
when it was created, decided and acknowledged by the CRM: the delay partners see.
"""

import json
from datetime import UTC, datetime

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.assets.automation import _connect, _model
from orchestration.conflicts.inputs import reference_frames
from orchestration.conflicts.matcher import MatchIndex
from orchestration.conflicts.normalize import load_seeds
from pipelines import settings
from pipelines.contracts import entity
from pipelines.crm import crm_endpoint, writeback_skip_reason
from pipelines.crm import settings as crm_settings
from pipelines.crm.helpers import CrmClient, iso_ms, records_table
from pipelines.crm.writeback import Change, CrmWriter

BOOK = "registration_conflicts"  # CrmWriter books: these properties only, not the expiry engine's
LIVE_TABLE = "automation.live_conflict_checks"
LIVE_JOB = "registration_conflicts_live"
SENSOR_INTERVAL_SECONDS = 30
DECISIONS = (
    "clean",
    "direct_opportunity_conflict",
    "earlier_registration_conflict",
    "needs_review",
)
CONFLICTS = ("direct_opportunity_conflict", "earlier_registration_conflict")


def conflict_properties(decision: str, score: float, reason: str, record: str | None) -> dict:
    """The CRM registration properties a conflict check writes."""
    return {
        "conflict_check_decision": decision,
        "conflict_check_score": f"{float(score):.2f}",
        "conflict_check_reason": reason,
        "conflict_matched_record_id": record,
    }


# -- the nightly path ------------------------------------------------------------------------


def desired_conflict_states(con: duckdb.DuckDBPyConnection) -> list[Change]:
    """The decision of every pending (submitted) registration, keyed by its CRM record id."""
    rows = con.execute(
        """select registration_id, conflict_decision, match_score, conflict_reason, matched_record_id
           from marts.fct_registration_conflict_checks
           where registration_status = 'submitted' order by registration_id"""
    ).fetchall()
    return [Change(r[0], conflict_properties(*r[1:])) for r in rows]


def conflict_check_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Why the checks must not reach the CRM: a registration without exactly one check, an unknown
    decision, a decision without a reason, or a conflict without the record it conflicts with."""
    missing = con.execute(
        """select count(*) from marts.fct_deal_registrations as registrations
           where (select count(*) from marts.fct_registration_conflict_checks as checks
                  where checks.registration_id = registrations.registration_id) <> 1"""
    ).fetchone()[0]
    unknown, unexplained, unmatched = con.execute(
        """select
               count(*) filter (where conflict_decision not in (select unnest($decisions))),
               count(*) filter (where coalesce(trim(conflict_reason), '') = ''),
               count(*) filter (where conflict_decision in (select unnest($conflicts))
                                and matched_record_id is null)
           from marts.fct_registration_conflict_checks""",
        {"decisions": list(DECISIONS), "conflicts": list(CONFLICTS)},
    ).fetchone()
    counted = [
        (missing, "registrations without exactly one conflict check"),
        (unknown, "checks with an unknown decision"),
        (unexplained, "checks without a reason"),
        (unmatched, "conflicts without the record they conflict with"),
    ]
    problems = [f"{n} {what}" for n, what in counted if n]
    return problems


@dg.asset_check(asset=_model("fct_registration_conflict_checks"), blocking=True)
def registration_conflict_checks_are_sound() -> dg.AssetCheckResult:
    """Blocking: every registration has one explained decision before any reaches the CRM."""
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        problems = conflict_check_problems(con)
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(problems) or "every registration has one explained decision",
    )


@dg.asset(
    group_name="reverse_etl",
    deps=[_model("fct_registration_conflict_checks")],
    kinds={"python", "hubspot"},
    pool="warehouse",
)
def crm_conflict_writeback(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Push the conflict check of every pending registration to its CRM record (decision, score,
    reason, matched record). Same books and retry guarantees as the other write-backs."""
    if reason := writeback_skip_reason():
        context.log.info(reason)
        return dg.MaterializeResult(metadata={"skipped": reason})
    with _connect() as con, crm_endpoint() as (base_url, token):
        desired = desired_conflict_states(con)
        with CrmWriter(
            base_url,
            token,
            object_type="registrations",
            id_property=crm_settings.ID_PROPERTY,
            book=BOOK,
        ) as writer:
            report = writer.push(con, desired, run_id=context.run.run_id)
    return dg.MaterializeResult(
        metadata={
            "desired": report.considered,
            "unchanged": report.unchanged,
            "sent": report.sent,
            "acknowledged": report.acknowledged,
            "rejected": report.rejected,
        }
    )


# -- the one-minute path -----------------------------------------------------------------------

LIVE_DDL = f"""
create schema if not exists automation;
create table if not exists {LIVE_TABLE} (
    registration_id varchar primary key,
    partner_id varchar,
    conflict_decision varchar not null,
    match_score double not null,
    conflict_reason varchar not null,
    matched_record_id varchar,
    created_at timestamp with time zone not null,
    decided_at timestamp with time zone not null,
    acknowledged_at timestamp with time zone,
    delay_seconds double,
    run_id varchar not null
);
"""


def _registrations_frame(records: list[dict]) -> pd.DataFrame:
    """CRM registration records as the engine's registration input (pending: no end yet)."""
    table = records_table(entity("crm", "registrations"), records)
    frame = table.select(
        [
            "id",
            "partner_id",
            "registered_company_name",
            "registered_domain",
            "submitted_at",
            "registration_status",
            "created_at",
        ]
    ).to_pandas()
    frame = frame.rename(columns={"id": "registration_id"})
    frame["submitted_at"] = frame["submitted_at"].fillna(frame["created_at"])
    return frame


def check_new_registrations(
    con: duckdb.DuckDBPyConnection, client: CrmClient, registration_ids: list[str], since: str
) -> pd.DataFrame:
    """Decide ``registration_ids`` (created in the CRM at or after ``since``) against the warehouse
    and every registration created in the CRM since the last load (first come, first served: one
    created after the load but before these, decided by an earlier tick, holds its account too)."""
    properties = [c for c in entity("crm", "registrations").column_names if c != "id"]
    loaded_until = con.execute(
        "select max(submitted_at) from marts.fct_deal_registrations"
    ).fetchone()[0]
    start = since
    if loaded_until is not None:
        start = min(since, iso_ms(loaded_until))
    records = [
        r
        for page in client.search_pages(
            "registrations", crm_settings.CURSOR_SEARCH_PROPERTY["created_at"], start, properties
        )
        for r in page
    ]
    fresh = _registrations_frame(records)
    missing = set(registration_ids) - set(fresh["registration_id"])
    if missing:
        raise RuntimeError(f"registrations not found in the CRM since {since}: {sorted(missing)}")
    reader = con.cursor()  # relations need a connection without a pending result
    accounts, opportunities, known = reference_frames(
        reader.table("marts.dim_accounts"),
        reader.table("marts.fct_opportunities"),
        reader.table("marts.fct_deal_registrations"),
    )
    index = MatchIndex.build(accounts, opportunities, known, seeds=load_seeds())
    decided = index.decide_batch(fresh.sort_values(["submitted_at", "registration_id"]))
    wanted = decided.filter(pc.is_in(decided["registration_id"], pa.array(registration_ids)))
    out = wanted.to_pandas()
    created = dict(zip(fresh["registration_id"], fresh["created_at"], strict=True))
    out["created_at"] = pd.to_datetime(out["registration_id"].map(created), utc=True)
    return out


class NewRegistrations(dg.Config):
    """The registrations a sensor tick found, and the CRM creation time to search from."""

    registration_ids: list[str]
    since: str


@dg.op(pool="warehouse")
def decide_and_write_back(context: dg.OpExecutionContext, config: NewRegistrations) -> None:
    """Decide the new registrations and write each decision to its CRM record at once."""
    with _connect() as con, crm_endpoint() as (base_url, token):
        con.execute(LIVE_DDL)
        checks = check_new_registrations(
            con, CrmClient(base_url, token), config.registration_ids, config.since
        )
        decided_at = datetime.now(UTC)
        changes = [
            Change(
                r.registration_id,
                conflict_properties(r.decision, r.score, r.reason, r.matched_record_id),
            )
            for r in checks.itertuples()
        ]
        with CrmWriter(
            base_url,
            token,
            object_type="registrations",
            id_property=crm_settings.ID_PROPERTY,
            book=BOOK,
        ) as writer:
            report = writer.push(con, changes, run_id=context.run.run_id)
        acknowledged = dict(
            con.execute(
                "select record_key, acknowledged_at from reverse_etl.crm_sync_state "
                "where object_type = ? and record_key in (select unnest(?))",
                [BOOK, list(checks["registration_id"])],
            ).fetchall()
        )
        rows = [
            (
                r.registration_id,
                r.partner_id,
                r.decision,
                float(r.score),
                r.reason,
                r.matched_record_id,
                r.created_at.to_pydatetime(),
                decided_at,
                acknowledged.get(r.registration_id),
                (acknowledged[r.registration_id] - r.created_at.to_pydatetime()).total_seconds()
                if r.registration_id in acknowledged
                else None,
                context.run.run_id,
            )
            for r in checks.itertuples()
        ]
        con.executemany(
            f"insert or replace into {LIVE_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    delays = [r[9] for r in rows if r[9] is not None]
    context.log.info(
        f"{len(rows)} registrations decided, {report.acknowledged} acknowledged by the CRM; "
        f"slowest creation-to-answer delay {max(delays, default=0.0):.1f} s"
    )


@dg.job(
    name=LIVE_JOB,
    description="Decide registrations the new_registrations sensor found and write the decisions "
    "back to the CRM at once (the nightly full check runs in the main job).",
)
def registration_conflicts_live() -> None:
    decide_and_write_back()


def _cursor(text: str | None) -> tuple[str | None, list[str]]:
    if not text:
        return None, []
    state = json.loads(text)
    return state["since"], state["ids"]


@dg.sensor(
    job=registration_conflicts_live,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def new_registrations(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Every 30 s: registrations created in the CRM since the last tick, decided in one run.

    The first tick starts from now: older registrations are decided by the nightly job. The cursor is
    the latest creation time seen and the ids created at that instant, so none is decided twice."""
    since, seen = _cursor(context.cursor)
    if since is None:
        now = iso_ms(datetime.now(UTC))
        return dg.SensorResult(
            skip_reason="started: watching registrations created from now on",
            cursor=json.dumps({"since": now, "ids": []}),
        )
    try:
        with crm_endpoint() as (base_url, token):
            records = [
                r
                for page in CrmClient(base_url, token).search_pages(
                    "registrations", crm_settings.CURSOR_SEARCH_PROPERTY["created_at"], since
                )
                for r in page
            ]
    except FileNotFoundError as exc:  # no CRM configured and no simulated world
        return dg.SkipReason(str(exc))
    new = [r for r in records if not (r["createdAt"] == since and r["id"] in seen)]
    if not new:
        return dg.SkipReason(f"no registration created since {since}")
    latest = max(r["createdAt"] for r in new)
    ids = sorted(r["id"] for r in new)
    at_latest = sorted({r["id"] for r in records if r["createdAt"] == latest})
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"registrations-{since}-{latest}-{len(ids)}",
                run_config={
                    "ops": {
                        "decide_and_write_back": {
                            "config": {"registration_ids": ids, "since": since}
                        }
                    }
                },
                tags={"prm/registrations": str(len(ids))},
            )
        ],
        cursor=json.dumps({"since": latest, "ids": at_latest}),
    )


def conflict_assets() -> list[dg.AssetsDefinition]:
    return [crm_conflict_writeback]


def conflict_checks() -> list[dg.AssetChecksDefinition]:
    return [registration_conflict_checks_are_sound]
