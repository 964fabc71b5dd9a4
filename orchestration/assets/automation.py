"""Program automation: tier decisions, their write-back to the CRM, and the expiry engine's notices.

``tier_decisions`` applies the versioned tier rules (seeds) to ``marts.fct_partner_tier_criteria``
with the grace period and writes every evaluation, its decision and its reason to
``automation.tier_evaluations``. A **blocking** check guards it, so ``crm_partner_writeback`` never
pushes from decisions that failed it. ``program_notices`` runs the expiry clocks on the reporting
date and puts each notice in the outbox exactly once.
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import duckdb
import pandas as pd
from dagster_dbt import get_asset_key_for_model

from orchestration import expiry, outbox
from orchestration.assets.transform import prm_dbt_models
from orchestration.tier_rules import DECISION_COLUMNS, decide_all, policy_from_rows, rules_from_rows
from pipelines import settings
from pipelines.crm import crm_endpoint, writeback_skip_reason
from pipelines.crm import settings as crm_settings
from pipelines.crm.writeback import Change, CrmWriter

GROUP = "automation"
SCHEMA = "automation"
EVALUATIONS = f"{SCHEMA}.tier_evaluations"
EXTENSIONS = f"{SCHEMA}.extension_decisions"
TIER_RULES = dg.AssetKey(["reference", "tier_rules"])
TIERING_POLICY = dg.AssetKey(["reference", "tiering_policy"])
REGISTRATION_PROGRAMS = dg.AssetKey(["reference", "registration_programs"])


def _model(name: str) -> dg.AssetKey:
    return get_asset_key_for_model([prm_dbt_models], name)


def _connect() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.warehouse_path()))


def reporting_date(con: duckdb.DuckDBPyConnection) -> date:
    """The day the marts report as of (``intermediate.int_reporting_date``)."""
    return con.execute("select as_of_date from intermediate.int_reporting_date").fetchone()[0]


# -- tiering -----------------------------------------------------------------------------------


def load_criteria(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The active partners' figures on every evaluation date."""
    return (
        con.execute(
            "select * from marts.fct_partner_tier_criteria where is_active_partner "
            "order by partner_id, evaluation_date"
        )
        .df()
        .to_dict("records")
    )


def compute_tier_decisions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every evaluation decided under the rules and grace policy in the warehouse's seeds."""
    rules = rules_from_rows(
        con.execute("select * from reference.tier_rules").df().to_dict("records")
    )
    policy = policy_from_rows(
        con.execute("select * from reference.tiering_policy").df().to_dict("records"),
        reporting_date(con),
    )
    return pd.DataFrame(decide_all(load_criteria(con), rules, policy), columns=DECISION_COLUMNS)


@dg.asset(
    group_name=GROUP,
    deps=[_model("fct_partner_tier_criteria"), TIER_RULES, TIERING_POLICY],
    kinds={"python", "duckdb"},
    pool="warehouse",
)
def tier_decisions(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Each active partner's eligible tier, decision and reason on every evaluation date
    (``automation.tier_evaluations``); promotion is immediate, demotion waits out the grace period."""
    run_id = context.run.run_id
    with _connect() as con:
        frame = compute_tier_decisions(con)
        frame["run_id"] = run_id
        frame["decided_at"] = datetime.now(UTC)
        con.execute(f"create schema if not exists {SCHEMA}")
        con.register("frame", frame)
        con.execute(f"create or replace table {EVALUATIONS} as select * from frame")
        con.unregister("frame")
    latest = frame[frame["is_latest"]]
    changes = latest[latest["tier_after"] != latest["tier_held"]]
    return dg.MaterializeResult(
        metadata={
            "partners": len(latest),
            "evaluations": len(frame),
            "promotions_today": int((latest["decision"] == "promote").sum()),
            "demotions_today": int((latest["decision"] == "demote").sum()),
            "in_grace": int((latest["decision"] == "grace").sum()),
            "tier_changes_for_crm": len(changes),
        }
    )


def decision_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What is wrong with the decisions or the figures behind them (empty: safe to push)."""
    problems = []
    today = reporting_date(con)
    tiers = {r[0] for r in con.execute("select partner_tier from reference.tier_rules").fetchall()}
    figures = con.execute(
        "select count(*) filter (where t12m_sourced_revenue < 0), "
        "count(*) filter (where t12m_win_rate < 0 or t12m_win_rate > 1), "
        "count(*) filter (where t12m_sourced_won_count > t12m_sourced_closed_count), "
        "count(*) filter (where partner_external_id is null) "
        "from marts.fct_partner_tier_criteria"
    ).fetchone()
    for count, what in zip(
        figures,
        ("negative revenue", "win rate outside 0-1", "more won than closed", "no CRM external id"),
        strict=True,
    ):
        if count:
            problems.append(f"{count} tier criteria rows with {what}")
    active = {
        r[0]
        for r in con.execute("select partner_id from marts.dim_partners where is_active").fetchall()
    }
    latest = con.execute(
        f"select partner_id, evaluated_on, tier_after, reason from {EVALUATIONS} where is_latest"
    ).fetchall()
    seen = [r[0] for r in latest]
    if len(seen) != len(set(seen)):
        problems.append("a partner has more than one latest decision")
    if missing := active - set(seen):
        problems.append(
            f"{len(missing)} active partners without a decision, e.g. {sorted(missing)[:3]}"
        )
    if stale := [r[0] for r in latest if r[1] != today]:
        problems.append(f"{len(stale)} latest decisions not on the reporting date {today}")
    if unknown := sorted({r[2] for r in latest} - tiers):
        problems.append(f"decisions to unknown tiers {unknown}")
    if unexplained := [r[0] for r in latest if not (r[3] or "").strip()]:
        problems.append(f"{len(unexplained)} decisions without a reason")
    return problems


@dg.asset_check(asset=tier_decisions, blocking=True)
def tier_decisions_are_sound() -> dg.AssetCheckResult:
    """Blocking: every active partner has one decision on the reporting date, to a known tier, with
    a reason, from sane figures; otherwise nothing is written back to the CRM."""
    with _connect() as con:
        problems = decision_problems(con)
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or "decisions complete and explained",
        metadata={"problems": len(problems)},
    )


def desired_partner_states(con: duckdb.DuckDBPyConnection) -> list[Change]:
    """What the CRM's partner records should say: the decided tier and the restricted flag (no
    current signed DPA), keyed by the partner's external id."""
    rows = con.execute(
        f"""
        select e.partner_external_id, e.tier_after, not coalesce(p.has_signed_dpa, false)
        from {EVALUATIONS} e
        join marts.dim_partners p on p.partner_id = e.partner_id
        where e.is_latest
        order by e.partner_external_id
        """
    ).fetchall()
    return [
        Change(key, {"tier": tier, "prm_restricted": "true" if restricted else "false"})
        for key, tier, restricted in rows
    ]


@dg.asset(
    group_name="reverse_etl",
    deps=[tier_decisions, _model("dim_partners")],
    kinds={"python", "hubspot"},
    pool="warehouse",
)
def crm_partner_writeback(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Push tier changes and the restricted flag to the CRM (batch upsert by external id), sending
    only what the CRM has not acknowledged yet; see pipelines/crm/writeback.py."""
    if reason := writeback_skip_reason():
        context.log.info(reason)
        return dg.MaterializeResult(metadata={"skipped": reason})
    with _connect() as con, crm_endpoint() as (base_url, token):
        desired = desired_partner_states(con)
        with CrmWriter(base_url, token, object_type="partners", id_property="external_id") as w:
            report = w.push(con, desired, run_id=context.run.run_id)
    if report.rejected:
        context.log.warning(
            f"{report.rejected} partner records rejected by the CRM: see reverse_etl.crm_dead_letters"
        )
    return dg.MaterializeResult(
        metadata={
            "desired": report.considered,
            "unchanged": report.unchanged,
            "sent": report.sent,
            "batches": report.batches,
            "acknowledged": report.acknowledged,
            "rejected": report.rejected,
        }
    )


# -- expiry ------------------------------------------------------------------------------------


def registration_clock(con: duckdb.DuckDBPyConnection) -> list[expiry.Registration]:
    """Approved registrations with their protection window (seeds/registration_programs.csv)."""
    rows = con.execute(
        """
        select r.registration_id, r.partner_id, cast(r.decided_at as date),
               (select protection_days from reference.registration_programs
                where program = 'default'),
               r.extended_until_date,
               case when o.is_closed then o.close_date end
        from marts.fct_deal_registrations r
        left join marts.fct_opportunities o on o.opportunity_id = r.opportunity_id
        where r.is_approved and r.decided_at is not null
        """
    ).fetchall()
    return [expiry.Registration(*row) for row in rows]


def certification_clock(con: duckdb.DuckDBPyConnection) -> list[expiry.Certification]:
    rows = con.execute(
        "select certification_id, contact_id, partner_id, expires_date "
        "from marts.fct_certifications "
        "where expires_date is not null and certification_status != 'revoked'"
    ).fetchall()
    return [expiry.Certification(*row) for row in rows]


def restricted_partners(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select partner_id, partner_name from marts.dim_partners "
        "where is_active and not has_signed_dpa order by partner_id"
    ).fetchall()


def extension_decisions(con: duckdb.DuckDBPyConnection, window_days: int) -> pd.DataFrame:
    """Pending extension requests: approved when the deal had logged activity (a partner touch or a
    stage change) within ``window_days`` of the request, else left for review, with the reason."""
    rows = con.execute(
        """
        select r.registration_id, r.partner_id, cast(r.extension_requested_at as date),
               greatest(
                   (select max(t.touched_date) from marts.fct_partner_touches t
                    where t.opportunity_id = r.opportunity_id),
                   (select max(s.stage_entered_date) from marts.fct_opportunity_stage_changes s
                    where s.opportunity_id = r.opportunity_id))
        from marts.fct_deal_registrations r
        where r.extension_status = 'pending'
        """
    ).fetchall()
    out = []
    for registration_id, partner_id, requested_on, last_activity in rows:
        decision, reason = expiry.extension_decision(requested_on, last_activity, window_days)
        out.append((registration_id, partner_id, requested_on, last_activity, decision, reason))
    return pd.DataFrame(
        out,
        columns=[
            "registration_id",
            "partner_id",
            "requested_on",
            "last_activity_on",
            "decision",
            "reason",
        ],
    )


def issue_notices(con: duckdb.DuckDBPyConnection, today: date, run_id: str) -> dict[str, int]:
    """Run every clock for ``today`` and put the due notices in the outbox; counts per kind."""
    settings_row = con.execute(
        "select reminder_days, certification_alert_days, lookback_days "
        "from reference.registration_programs where program = 'default'"
    ).fetchone()
    reminders, alerts, lookback = (
        [int(d) for d in str(settings_row[0]).split()],
        [int(d) for d in str(settings_row[1]).split()],
        int(settings_row[2]),
    )
    notices = [
        *expiry.registration_notices(registration_clock(con), today, reminders, lookback),
        *expiry.certification_notices(certification_clock(con), today, alerts, lookback),
        *expiry.compliance_notices(restricted_partners(con), today),
    ]
    new = outbox.issue(con, notices, today, run_id)
    counts: dict[str, int] = {"due": len(notices), "new": new}
    for n in notices:
        counts[n.notice_kind] = counts.get(n.notice_kind, 0) + 1
    return counts


@dg.asset(
    group_name=GROUP,
    deps=[
        _model("fct_deal_registrations"),
        _model("fct_certifications"),
        _model("fct_partner_touches"),
        _model("fct_opportunity_stage_changes"),
        _model("dim_partners"),
        REGISTRATION_PROGRAMS,
    ],
    kinds={"python", "duckdb"},
    pool="warehouse",
)
def program_notices(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The expiry engine on the reporting date: registration reminders and expiry, certification
    alerts and lapses, DPA compliance notices (``automation.notification_outbox``, each notice
    exactly once) and decisions on pending extension requests (``automation.extension_decisions``)."""
    with _connect() as con:
        today = reporting_date(con)
        window = con.execute(
            "select extension_activity_days from reference.registration_programs "
            "where program = 'default'"
        ).fetchone()[0]
        counts = issue_notices(con, today, context.run.run_id)
        extensions = extension_decisions(con, int(window))
        con.execute(f"create schema if not exists {SCHEMA}")
        con.register("extensions", extensions)
        con.execute(f"create or replace table {EXTENSIONS} as select * from extensions")
        con.unregister("extensions")
    return dg.MaterializeResult(
        metadata={
            "reporting_date": today.isoformat(),
            **counts,
            "extensions_approved": int((extensions["decision"] == "approved").sum()),
            "extensions_for_review": int((extensions["decision"] == "review").sum()),
        }
    )


def desired_registration_states(con: duckdb.DuckDBPyConnection, today: date) -> list[Change]:
    """What the CRM's registration records should say after the expiry engine: an approved
    extension (status and new end of protection) and expired protection (status ``expired``,
    which releases the deal), keyed by the CRM record id. Registrations in neither state are
    left alone: the CRM stays their owner."""
    extension_days = con.execute(
        "select extension_days from reference.registration_programs where program = 'default'"
    ).fetchone()[0]
    approved = {
        registration_id: requested_on
        for registration_id, requested_on in con.execute(
            f"select registration_id, requested_on from {EXTENSIONS} where decision = 'approved'"
        ).fetchall()
    }
    already_expired = {
        r[0]
        for r in con.execute(
            "select registration_id from marts.fct_deal_registrations "
            "where registration_status = 'expired'"
        ).fetchall()
    }
    changes = []
    for reg in registration_clock(con):
        if reg.registration_id in approved:
            until = reg.expires_on + timedelta(days=int(extension_days))
            changes.append(
                Change(
                    reg.registration_id,
                    {"extension_status": "approved", "extended_until_date": until.isoformat()},
                )
            )
        elif (
            reg.registration_id not in already_expired
            and reg.expires_on <= today
            and (reg.closed_on is None or reg.closed_on > reg.expires_on)
        ):
            changes.append(Change(reg.registration_id, {"registration_status": "expired"}))
    return changes


@dg.asset(
    group_name="reverse_etl",
    deps=[program_notices],
    kinds={"python", "hubspot"},
    pool="warehouse",
)
def crm_registration_writeback(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Push the expiry engine's outcomes to the CRM's registration records: approved extensions
    and expired protection. Same books and guarantees as the partner write-back."""
    if reason := writeback_skip_reason():
        context.log.info(reason)
        return dg.MaterializeResult(metadata={"skipped": reason})
    with _connect() as con, crm_endpoint() as (base_url, token):
        desired = desired_registration_states(con, reporting_date(con))
        with CrmWriter(
            base_url, token, object_type="registrations", id_property=crm_settings.ID_PROPERTY
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


def automation_assets() -> list[dg.AssetsDefinition]:
    return [tier_decisions, crm_partner_writeback, program_notices, crm_registration_writeback]


def automation_checks() -> list[dg.AssetChecksDefinition]:
    return [tier_decisions_are_sound]
