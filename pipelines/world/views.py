"""The world at clock T: every contract entity as a typed Arrow table of its state at T.

``snapshot(world, name, T)`` returns the records created by T (in their state at T) with two extra
numpy arrays: ``created`` (visibility time) and ``version`` (time of the latest change <= T, the
``updated_at``). A delta (T0, T1] is ``snapshot(T1)`` filtered to ``version > T0``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from pipelines.contracts import DEAL_STAGES, entity
from pipelines.world.params import DAY
from pipelines.world.sim import NEVER, World

CRM_ID_BASE = {
    "partners": 1,
    "contacts": 2,
    "companies": 3,
    "products": 4,
    "deals": 5,
    "deal_stage_changes": 6,
    "registrations": 7,
    "touches": 8,
}
FILE_PREFIX = {
    "courses": "CRS",
    "learning_path_steps": "LPS",
    "enrolments": "ENR",
    "certifications": "CER",
    "points_ledger": "PTS",
    "learning_events": "LEV",
    "campaigns": "CMP",
    "assets": "AST",
    "campaign_executions": "EXE",
    "asset_usage": "USG",
    "leads": "LEAD",
    "engagement_events": "EEV",
    "mdf_budgets": "BUD",
    "mdf_allocations": "ALC",
    "mdf_requests": "REQ",
    "mdf_claims": "CLM",
    "mdf_payments": "PAY",
    "rebate_payments": "RBT",
}
SYSTEM_OF = {
    "crm": tuple(CRM_ID_BASE),
    "lms": (
        "courses",
        "learning_path_steps",
        "enrolments",
        "certifications",
        "points_ledger",
        "learning_events",
    ),
    "tcma": (
        "campaigns",
        "assets",
        "campaign_executions",
        "asset_usage",
        "leads",
        "engagement_events",
    ),
    "finance": (
        "mdf_budgets",
        "mdf_allocations",
        "mdf_requests",
        "mdf_claims",
        "mdf_payments",
        "rebate_payments",
        "company_revenue",
    ),
}
Snapshot = tuple[dict[str, pa.Array], np.ndarray, np.ndarray]


def crm_id(name: str, idx: np.ndarray) -> pa.Array:
    idx = np.asarray(idx, dtype=np.int64)
    vals = (CRM_ID_BASE[name] * 100_000_000 + np.maximum(idx, 0)).astype(str).astype(object)
    vals[idx < 0] = None
    return pa.array(vals, pa.string())


def file_id(name: str, idx: np.ndarray) -> pa.Array:
    idx = np.asarray(idx, dtype=np.int64)
    vals = np.char.add(
        FILE_PREFIX[name] + "-", np.char.zfill(np.maximum(idx, 0).astype(str), 7)
    ).astype(object)
    vals[idx < 0] = None
    return pa.array(vals, pa.string())


def external_id(idx: np.ndarray) -> pa.Array:
    idx = np.asarray(idx, dtype=np.int64)
    vals = np.char.add("P-", np.char.zfill((idx + 1).astype(str), 6)).astype(object)
    vals[idx < 0] = None
    return pa.array(vals, pa.string())


def ts(t: np.ndarray) -> pa.Array:
    t = np.asarray(t, dtype=np.int64)
    return pa.array(t, pa.timestamp("s", tz="UTC"), mask=t >= NEVER)


def dt(t: np.ndarray) -> pa.Array:
    t = np.asarray(t, dtype=np.int64)
    return pa.array((t // DAY).astype(np.int32), pa.date32(), mask=t >= NEVER)


def s(x, mask=None) -> pa.Array:
    return pa.array(np.asarray(x, dtype=object), pa.string(), mask=mask)


def dec(x, mask=None) -> pa.Array:
    return pa.array(np.round(np.asarray(x, dtype=float), 2), pa.float64(), mask=mask).cast(
        pa.decimal128(18, 2), safe=False
    )


def at(t: np.ndarray, T: int) -> np.ndarray:
    """Time if it happened by T, else NEVER."""
    return np.where(t <= T, t, NEVER)


def vmax(T: int, *times: np.ndarray) -> np.ndarray:
    return np.max(
        np.stack([np.where(np.asarray(x) <= T, np.asarray(x, dtype=np.int64), -1) for x in times]),
        axis=0,
    )


def pick(cond_values: list[tuple[np.ndarray, str]], default: str) -> np.ndarray:
    out = np.full(len(cond_values[0][0]), default, dtype=object)
    for cond, val in cond_values:
        out[cond] = val
    return out


def _crm_env(name, t, created, version, cols) -> Snapshot:
    n = len(created)
    out = {
        "id": crm_id(name, np.arange(n)),
        **cols,
        "created_at": ts(created),
        "updated_at": ts(version),
        "archived": pa.array(np.zeros(n, bool)),
    }
    return out, created, version


def _partners(w: World, T: int) -> Snapshot:
    p = w.tables["partners"]
    n = len(p["created"])
    appr, enr, ch, cc = (
        at(p[k], T) for k in ("approved", "enrolled", "churned", "contract_change")
    )
    status = pick(
        [(appr < NEVER, "approved"), (enr < NEVER, "active"), (ch < NEVER, "churned")], "applied"
    )
    cf = p["contract_fate"]
    contract = pick(
        [
            (enr < NEVER, "pending"),
            ((enr < NEVER) & (cf != 1), "signed"),
            ((cc < NEVER) & (cf == 2), "expired"),
            ((cc < NEVER) & (cf == 3), "terminated"),
        ],
        "pending",
    )
    contract[(ch < NEVER) & (enr < NEVER)] = "terminated"
    df = p["dpa_fate"]
    dpa = pick(
        [
            (appr < NEVER, "sent"),
            ((enr < NEVER) & np.isin(df, (0, 3)), "signed"),
            ((enr < NEVER) & (df == 2), "not_sent"),
            ((cc < NEVER) & (df == 3), "expired"),
        ],
        "not_sent",
    )
    signed = (enr < NEVER) & (cf != 1)
    version = vmax(
        T,
        p["created"],
        p["approved"],
        p["enrolled"],
        p["churned"],
        np.where((cf >= 2) | (df == 3), p["contract_change"], p["created"]),
    )
    cols = {
        "partner_name": s(p["partner_name"]),
        "partner_type": s(p["partner_type"]),
        "vertical": s(p["vertical"]),
        "region": s(p["region"]),
        "tier": s(p["tier"]),
        "status": s(status),
        "website_domain": s(p["domain"]),
        "applied_date": dt(p["created"]),
        "approved_date": dt(appr),
        "enrolled_date": dt(enr),
        "contract_status": s(contract),
        "contract_signed_date": dt(np.where(signed, enr, NEVER)),
        "dpa_status": s(dpa),
        "dpa_version": s(np.where(dpa == "signed", "2.1", None)),
        "dpa_signed_date": dt(np.where(dpa == "signed", enr, NEVER)),
        "external_id": external_id(np.arange(n)),
    }
    return _crm_env("partners", T, p["created"], version, cols)


def _contacts(w: World, T: int) -> Snapshot:
    c = w.tables["contacts"]
    cols = {
        "partner_id": crm_id("partners", c["partner"]),
        "firstname": s(c["firstname"]),
        "lastname": s(c["lastname"]),
        "email": s(c["email"]),
        "phone": s(c["phone"]),
        "job_role": s(c["job_role"]),
        "jobtitle": s(c["jobtitle"]),
    }
    return _crm_env("contacts", T, c["created"], c["created"], cols)


def _companies(w: World, T: int) -> Snapshot:
    c = w.tables["companies"]
    cols = {
        "name": s(c["name"]),
        "domain": s(c["domain"]),
        "parent_company_id": crm_id("companies", c["parent"]),
        "industry": s(c["industry"]),
        "region": s(c["region"]),
        "country": s(c["country"]),
        "numberofemployees": pa.array(c["employees"], pa.int64()),
        "annualrevenue": dec(c["annualrevenue"]),
    }
    return _crm_env("companies", T, c["created"], c["created"], cols)


def _products(w: World, T: int) -> Snapshot:
    p = w.tables["products"]
    n = len(p["created"])
    cols = {
        "sku": s([f"SKU-{i + 1:04d}" for i in range(n)]),
        "name": s(p["name"]),
        "product_line": s(p["product_line"]),
        "price": dec(p["price"]),
    }
    return _crm_env("products", T, p["created"], p["created"], cols)


def deal_stage_at(d: dict, T: int) -> np.ndarray:
    """Index into DEAL_STAGES of each deal's stage at T."""
    reached = d["entry"] <= T
    last = 5 - np.argmax(reached[:, ::-1], axis=1)
    return np.where(last == 5, np.where(d["won"], 5, 6), last)


def _deals(w: World, T: int) -> Snapshot:
    d, co, pr = w.tables["deals"], w.tables["companies"], w.tables["products"]
    stage = deal_stage_at(d, T)
    closed = d["entry"][:, 5] <= T
    version = np.max(np.where(d["entry"] <= T, d["entry"], np.int64(-1)), axis=1)
    cols = {
        "dealname": s(
            np.char.add(
                np.char.add(co["name"][d["company"]].astype(str), " - "),
                pr["name"][d["product"]].astype(str),
            )
        ),
        "company_id": crm_id("companies", d["company"]),
        "product_id": crm_id("products", d["product"]),
        "partner_id": crm_id("partners", d["partner"]),
        "registration_id": crm_id("registrations", d["registration"]),
        "lead_id": file_id("leads", d["lead"]),
        "deal_source": s(d["source"]),
        "pipeline": s(np.full(len(stage), "default")),
        "dealstage": s(np.asarray(DEAL_STAGES, dtype=object)[stage]),
        "amount": dec(d["amount"]),
        "deal_currency_code": s(np.full(len(stage), "USD")),
        "createdate": ts(d["created"]),
        "closedate": dt(np.where(closed, d["entry"][:, 5], d["expected_close"])),
        "hubspot_owner_name": s(d["owner"]),
    }
    return _crm_env("deals", T, d["created"], version, cols)


def _stage_changes(w: World, T: int) -> Snapshot:
    d = w.tables["deals"]
    e = d["entry"]
    di, si = np.nonzero(e < NEVER)
    t = e[di, si]
    stage = np.where(si == 5, np.where(d["won"][di], 5, 6), si)
    order = np.lexsort((si, di, t))
    di, t, stage = di[order], t[order], stage[order]
    cols = {
        "deal_id": crm_id("deals", di),
        "dealstage": s(np.asarray(DEAL_STAGES, dtype=object)[stage]),
        "entered_at": ts(t),
    }
    return _crm_env("deal_stage_changes", T, t, t, cols)


def _registrations(w: World, T: int) -> Snapshot:
    r = w.tables["registrations"]
    dec_ = at(r["decided"], T) < NEVER
    ext = at(r["ext_at"], T) < NEVER
    ext_d = at(r["ext_dec"], T) < NEVER
    ended = at(r["end_at"], T) < NEVER
    status = pick(
        [
            (dec_ & r["approved"], "approved"),
            (dec_ & ~r["approved"], "rejected"),
            (ended & r["closed"], "closed"),
            (ended & ~r["closed"], "expired"),
        ],
        "submitted",
    )
    ext_status = pick(
        [(ext, "pending"), (ext_d & r["ext_ok"], "approved"), (ext_d & ~r["ext_ok"], "denied")], ""
    )
    version = vmax(T, r["created"], r["decided"], r["ext_at"], r["ext_dec"], r["end_at"])
    appr = dec_ & r["approved"]
    cols = {
        "partner_id": crm_id("partners", r["partner"]),
        "deal_id": crm_id("deals", np.where(appr, r["deal"], -1)),
        "registered_company_name": s(r["typed_name"]),
        "registered_domain": s(r["typed_domain"]),
        "product_id": crm_id("products", r["product"]),
        "estimated_amount": dec(r["estimated"]),
        "registration_status": s(status),
        "submitted_at": ts(r["created"]),
        "decided_at": ts(at(r["decided"], T)),
        "rejection_reason": s(np.where(dec_ & ~r["approved"], r["reason"], None)),
        "expires_date": dt(np.where(appr, r["expires"], NEVER)),
        "extension_requested_at": ts(at(r["ext_at"], T)),
        "extension_status": s(np.where(ext_status == "", None, ext_status)),
        "extended_until_date": dt(np.where(ext_d & r["ext_ok"], r["until"], NEVER)),
    }
    return _crm_env("registrations", T, r["created"], version, cols)


def _touches(w: World, T: int) -> Snapshot:
    t = w.tables["touches"]
    cols = {
        "deal_id": crm_id("deals", t["deal"]),
        "partner_id": crm_id("partners", t["partner"]),
        "touch_type": s(t["touch_type"]),
        "touched_at": ts(t["created"]),
        "asset_id": file_id("assets", t["asset"]),
    }
    return _crm_env("touches", T, t["created"], t["created"], cols)


def _courses(w: World, T: int) -> Snapshot:
    c = w.tables["courses"]
    n = len(c["created"])
    rev = at(c["revised"], T) < NEVER
    version = vmax(T, c["created"], c["revised"])
    cols = {
        "course_id": file_id("courses", np.arange(n)),
        "title": s(c["title"]),
        "course_type": s(c["course_type"]),
        "role": s(c["role"]),
        "product_line": s(c["product_line"]),
        "level": pa.array(c["level"]),
        "duration_hours": pa.array(np.where(rev, c["duration_hours"] + 1, c["duration_hours"])),
        "points": pa.array(c["points"]),
        "validity_days": pa.array(c["validity_days"], mask=c["validity_days"] < 0),
        "updated_at": ts(version),
    }
    return cols, c["created"], version


def _steps(w: World, T: int) -> Snapshot:
    st = w.tables["learning_path_steps"]
    n = len(st["created"])
    cols = {
        "step_id": file_id("learning_path_steps", np.arange(n)),
        "path_id": s(np.char.add("PATH-", st["role"].astype(str))),
        "path_name": s(np.char.add(np.char.title(st["role"].astype(str)), " learning path")),
        "role": s(st["role"]),
        "step_no": pa.array(st["step_no"]),
        "course_id": file_id("courses", st["course"]),
        "updated_at": ts(st["created"]),
    }
    return cols, st["created"], st["created"]


def _enrolments(w: World, T: int) -> Snapshot:
    e = w.tables["enrolments"]
    n = len(e["created"])
    started, ended = at(e["started"], T) < NEVER, at(e["ended"], T) < NEVER
    status = pick(
        [
            (started, "in_progress"),
            (ended & e["completed_ok"], "completed"),
            (ended & ~e["completed_ok"], "dropped"),
        ],
        "enrolled",
    )
    prog = np.where(status == "completed", 100.0, np.where(started, e["progress"], 0.0))
    cols = {
        "enrolment_id": file_id("enrolments", np.arange(n)),
        "contact_id": crm_id("contacts", e["contact"]),
        "partner_id": external_id(e["partner"]),
        "course_id": file_id("courses", e["course"]),
        "status": s(status),
        "progress_pct": pa.array(prog),
        "score": pa.array(e["score"], mask=status != "completed"),
        "enrolled_at": ts(e["created"]),
        "completed_at": ts(np.where(status == "completed", e["ended"], NEVER)),
        "updated_at": ts(version := vmax(T, e["created"], e["started"], e["ended"])),
    }
    return cols, e["created"], version


def _certifications(w: World, T: int) -> Snapshot:
    c = w.tables["certifications"]
    n = len(c["created"])
    rev, exp = at(c["revoked"], T) < NEVER, at(c["expires"], T) < NEVER
    status = pick([(exp, "expired"), (rev, "revoked")], "active")
    version = vmax(T, c["created"], np.minimum(c["expires"], c["revoked"]))
    cols = {
        "certification_id": file_id("certifications", np.arange(n)),
        "contact_id": crm_id("contacts", c["contact"]),
        "partner_id": external_id(c["partner"]),
        "course_id": file_id("courses", c["course"]),
        "status": s(status),
        "certified_at": ts(c["created"]),
        "expires_at": ts(c["expires"]),
        "updated_at": ts(version),
    }
    return cols, c["created"], version


def _points(w: World, T: int) -> Snapshot:
    p = w.tables["points_ledger"]
    n = len(p["created"])
    cols = {
        "event_id": file_id("points_ledger", np.arange(n)),
        "contact_id": crm_id("contacts", p["contact"]),
        "partner_id": external_id(p["partner"]),
        "event_type": s(p["event_type"]),
        "badge": s(p["badge"]),
        "points": pa.array(p["points"]),
        "occurred_at": ts(p["created"]),
    }
    return cols, p["arrival"], p["arrival"]


def _learning_events(w: World, T: int) -> Snapshot:
    e = w.tables["learning_events"]
    n = len(e["created"])
    cols = {
        "event_id": file_id("learning_events", np.arange(n)),
        "enrolment_id": file_id("enrolments", e["enrolment"]),
        "contact_id": crm_id("contacts", e["contact"]),
        "activity_type": s(e["activity_type"]),
        "duration_seconds": pa.array(e["duration"].astype(np.int64)),
        "occurred_at": ts(e["created"]),
    }
    return cols, e["arrival"], e["arrival"]


def _campaigns(w: World, T: int) -> Snapshot:
    c = w.tables["campaigns"]
    n = len(c["created"])
    ended = at(c["end"], T) < NEVER
    version = vmax(T, c["created"], c["end"])
    cols = {
        "campaign_id": file_id("campaigns", np.arange(n)),
        "campaign_name": s(
            np.char.add(
                np.char.add(np.char.title(c["product_line"].astype(str)), " "),
                np.char.add(
                    c["campaign_type"].astype(str),
                    np.char.add(" #", np.arange(1, n + 1).astype(str)),
                ),
            )
        ),
        "campaign_type": s(c["campaign_type"]),
        "product_line": s(c["product_line"]),
        "budget": dec(np.where(ended, c["budget"] * c["final_budget_f"], c["budget"])),
        "start_date": dt(c["start"]),
        "end_date": dt(c["end"]),
        "updated_at": ts(version),
    }
    return cols, c["created"], version


def _assets(w: World, T: int) -> Snapshot:
    a = w.tables["assets"]
    n = len(a["created"])
    cols = {
        "asset_id": file_id("assets", np.arange(n)),
        "asset_name": s(
            np.char.add(
                np.char.add(a["asset_type"].astype(str), " "), np.arange(1, n + 1).astype(str)
            )
        ),
        "asset_type": s(a["asset_type"]),
        "product_line": s(a["product_line"]),
        "campaign_id": file_id("campaigns", a["campaign"]),
        "updated_at": ts(a["created"]),
    }
    return cols, a["created"], a["created"]


def _executions(w: World, T: int) -> Snapshot:
    e = w.tables["campaign_executions"]
    n = len(e["created"])
    ended = at(e["ended"], T) < NEVER
    status = pick(
        [(ended & ~e["cancelled"], "completed"), (ended & e["cancelled"], "cancelled")], "launched"
    )
    version = vmax(T, e["created"], e["ended"])
    cols = {
        "execution_id": file_id("campaign_executions", np.arange(n)),
        "campaign_id": file_id("campaigns", e["campaign"]),
        "partner_id": external_id(e["partner"]),
        "mdf_request_id": file_id("mdf_requests", e["request"]),
        "status": s(status),
        "spend": dec(e["spend"], mask=~ended),
        "launched_at": ts(e["created"]),
        "completed_at": ts(np.where(status == "completed", e["ended"], NEVER)),
        "updated_at": ts(version),
    }
    return cols, e["created"], version


def _usage(w: World, T: int) -> Snapshot:
    u = w.tables["asset_usage"]
    n = len(u["created"])
    cols = {
        "usage_id": file_id("asset_usage", np.arange(n)),
        "asset_id": file_id("assets", u["asset"]),
        "partner_id": external_id(u["partner"]),
        "execution_id": file_id("campaign_executions", u["execution"]),
        "deal_id": crm_id("deals", u["deal"]),
        "usage_type": s(u["usage_type"]),
        "used_at": ts(u["created"]),
    }
    return cols, u["created"], u["created"]


def _leads(w: World, T: int) -> Snapshot:
    ld, d = w.tables["leads"], w.tables["deals"]
    n = len(ld["created"])
    q, f = at(ld["qualified_at"], T) < NEVER, at(ld["final_at"], T) < NEVER
    status = pick(
        [
            (q, "qualified"),
            (f & (ld["fate"] == 1), "disqualified"),
            (f & (ld["fate"] == 2), "converted"),
        ],
        "new",
    )
    conv = status == "converted"
    version = vmax(T, ld["created"], ld["qualified_at"], ld["final_at"])
    company = np.where(ld["deal"] >= 0, d["company"][np.maximum(ld["deal"], 0)], -1)
    cols = {
        "lead_id": file_id("leads", np.arange(n)),
        "execution_id": file_id("campaign_executions", ld["execution"]),
        "campaign_id": file_id("campaigns", ld["campaign"]),
        "partner_id": external_id(ld["partner"]),
        "company_id": crm_id("companies", company),
        "lead_email": s(np.char.add("lead", np.char.add(np.arange(n).astype(str), "@example.com"))),
        "status": s(status),
        "converted_deal_id": crm_id("deals", np.where(conv, ld["deal"], -1)),
        "created_at": ts(ld["created"]),
        "updated_at": ts(version),
    }
    return cols, ld["created"], version


def _engagement(w: World, T: int) -> Snapshot:
    e = w.tables["engagement_events"]
    n = len(e["created"])
    cols = {
        "event_id": file_id("engagement_events", np.arange(n)),
        "execution_id": file_id("campaign_executions", e["execution"]),
        "event_type": s(e["event_type"]),
        "occurred_at": ts(e["created"]),
    }
    return cols, e["arrival"], e["arrival"]


def _budgets(w: World, T: int) -> Snapshot:
    b = w.tables["mdf_budgets"]
    n = len(b["created"])
    rev = at(b["revised"], T) < NEVER
    version = vmax(T, b["created"], b["revised"])
    cols = {
        "budget_id": file_id("mdf_budgets", np.arange(n)),
        "fiscal_quarter": s(b["fiscal_quarter"]),
        "region": s(b["region"]),
        "tier": s(b["tier"]),
        "amount": dec(np.where(rev, b["amount"] * 1.1, b["amount"])),
        "currency": s(np.full(n, "USD")),
        "updated_at": ts(version),
    }
    return cols, b["created"], version


def _allocations(w: World, T: int) -> Snapshot:
    a = w.tables["mdf_allocations"]
    n = len(a["created"])
    cols = {
        "allocation_id": file_id("mdf_allocations", np.arange(n)),
        "budget_id": file_id("mdf_budgets", a["budget"]),
        "partner_id": external_id(a["partner"]),
        "amount": dec(a["amount"]),
        "currency": s(np.full(n, "USD")),
        "allocated_date": dt(a["created"]),
        "expires_date": dt(a["expires"]),
        "updated_at": ts(a["created"]),
    }
    return cols, a["created"], a["created"]


def _requests(w: World, T: int) -> Snapshot:
    r = w.tables["mdf_requests"]
    n = len(r["created"])
    dec_, fin = at(r["decided"], T) < NEVER, at(r["finished"], T) < NEVER
    f = r["final"]
    status = pick(
        [
            (dec_ & (f == 2), "rejected"),
            (dec_ & (f != 2), "approved"),
            (fin & (f == 3), "cancelled"),
            (fin & (f == 4), "completed"),
        ],
        "submitted",
    )
    version = vmax(T, r["created"], r["decided"], np.where(f == 2, r["created"], r["finished"]))
    cols = {
        "request_id": file_id("mdf_requests", np.arange(n)),
        "allocation_id": file_id("mdf_allocations", r["allocation"]),
        "partner_id": external_id(r["partner"]),
        "activity_type": s(r["activity_type"]),
        "campaign_id": file_id("campaigns", r["campaign"]),
        "requested_amount": dec(r["requested"]),
        "approved_amount": dec(r["approved_amt"], mask=~(dec_ & (f != 2))),
        "estimated_pipeline": dec(r["pipeline"]),
        "partner_coinvest_amount": dec(r["coinvest"]),
        "currency": s(np.full(n, "USD")),
        "status": s(status),
        "submitted_at": ts(r["created"]),
        "decided_at": ts(at(r["decided"], T)),
        "updated_at": ts(version),
    }
    return cols, r["created"], version


def _claims(w: World, T: int) -> Snapshot:
    c = w.tables["mdf_claims"]
    n = len(c["created"])
    dec_, paid = at(c["decided"], T) < NEVER, at(c["paid"], T) < NEVER
    status = pick(
        [(dec_ & c["ok"], "approved"), (dec_ & ~c["ok"], "rejected"), (paid, "paid")], "submitted"
    )
    version = vmax(T, c["created"], c["decided"], c["paid"])
    cols = {
        "claim_id": file_id("mdf_claims", np.arange(n)),
        "request_id": file_id("mdf_requests", c["request"]),
        "partner_id": external_id(c["partner"]),
        "claimed_amount": dec(c["amount"]),
        "currency": s(np.full(n, "USD")),
        "has_proof_of_performance": pa.array(c["proof"]),
        "proof_type": s(c["proof_type"]),
        "status": s(status),
        "submitted_at": ts(c["created"]),
        "decided_at": ts(at(c["decided"], T)),
        "updated_at": ts(version),
    }
    return cols, c["created"], version


def _payments(w: World, T: int) -> Snapshot:
    p = w.tables["mdf_payments"]
    n = len(p["created"])
    cols = {
        "payment_id": file_id("mdf_payments", np.arange(n)),
        "claim_id": file_id("mdf_claims", p["claim"]),
        "partner_id": external_id(p["partner"]),
        "amount": dec(p["amount"]),
        "currency": s(np.full(n, "USD")),
        "paid_at": ts(p["created"]),
    }
    return cols, p["created"], p["created"]


def _rebates(w: World, T: int) -> Snapshot:
    r = w.tables["rebate_payments"]
    n = len(r["created"])
    cols = {
        "rebate_payment_id": file_id("rebate_payments", np.arange(n)),
        "partner_id": external_id(r["partner"]),
        "fiscal_quarter": s(r["fiscal_quarter"]),
        "program": s(r["program"]),
        "amount": dec(r["amount"]),
        "currency": s(np.full(n, "USD")),
        "paid_at": ts(r["created"]),
    }
    return cols, r["created"], r["created"]


def _revenue(w: World, T: int) -> Snapshot:
    c = w.tables["company_revenue"]
    n = len(c["created"])
    rs = at(c["restated"], T) < NEVER
    version = vmax(T, c["created"], c["restated"])
    month = dt(c["month"])
    cols = {
        "revenue_id": s(
            np.char.add(
                np.char.add(np.asarray(month.cast(pa.string())).astype(str), "-"),
                c["region"].astype(str),
            )
        ),
        "period_month": month,
        "region": s(c["region"]),
        "total_revenue": dec(np.where(rs, c["total"] * c["restate_f"], c["total"])),
        "currency": s(np.full(n, "USD")),
        "updated_at": ts(version),
    }
    return cols, c["created"], version


BUILDERS: dict[str, Callable[[World, int], Snapshot]] = {
    "partners": _partners,
    "contacts": _contacts,
    "companies": _companies,
    "products": _products,
    "deals": _deals,
    "deal_stage_changes": _stage_changes,
    "registrations": _registrations,
    "touches": _touches,
    "courses": _courses,
    "learning_path_steps": _steps,
    "enrolments": _enrolments,
    "certifications": _certifications,
    "points_ledger": _points,
    "learning_events": _learning_events,
    "campaigns": _campaigns,
    "assets": _assets,
    "campaign_executions": _executions,
    "asset_usage": _usage,
    "leads": _leads,
    "engagement_events": _engagement,
    "mdf_budgets": _budgets,
    "mdf_allocations": _allocations,
    "mdf_requests": _requests,
    "mdf_claims": _claims,
    "mdf_payments": _payments,
    "rebate_payments": _rebates,
    "company_revenue": _revenue,
}


def snapshot(w: World, system: str, name: str, T: int, since: int | None = None) -> pa.Table:
    """Records of ``system.name`` visible at T (or changed in (since, T]) in their state at T.

    Sorted by creation (ids ascending); carries ``__version`` (int seconds) for delta selection.
    """
    cols, created, version = BUILDERS[name](w, T)
    ent = entity(system, name)
    table = pa.table({c: cols[c] for c in ent.column_names})
    keep = created <= T if since is None else (created <= T) & (version > since)
    table = table.append_column("__version", pa.array(version, pa.int64()))
    return table.filter(pa.array(keep))
