"""Simulate the whole lifecycle of every entity over the horizon, vectorised with numpy.

Everything is a deterministic function of (seed, scale, start): the as_of clock never enters the
simulation, so "the world at T" is a filter over it (see :mod:`pipelines.world.views`). Times are
int64 seconds since the Unix epoch (UTC); ``NEVER`` marks a change that does not happen.
Every entity is stored sorted by creation time, so ids follow creation order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipelines.contracts import (
    MDF_ACTIVITY_TYPES,
    PARTNER_TYPES,
    PERSON_ROLES,
    PRODUCT_LINES,
    REGIONS,
    TIERS,
    TOUCH_TYPES,
    VERTICALS,
)
from pipelines.world import names
from pipelines.world.params import DAY, EFFECTS, Effects, Scale

NEVER = np.int64(2**62)
Cols = dict[str, np.ndarray]
VARIANT_KINDS = (
    "exact",
    "legal_suffix",
    "case_punct",
    "acronym",
    "subsidiary",
    "typo",
    "domain",
    "subdomain",
    "new_account",
)
VARIANT_P = (0.35, 0.14, 0.12, 0.06, 0.06, 0.1, 0.05, 0.04, 0.08)


@dataclass
class World:
    """All simulated entities: name -> columns (numpy arrays of equal length)."""

    start: int
    horizon: int
    tables: dict[str, Cols] = field(default_factory=dict)
    truth_matching: Cols = field(default_factory=dict)


def _days(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    return ((lo + rng.random(n) * (hi - lo)) * DAY).astype(np.int64)


def _times(rng: np.random.Generator, n: int, t0: int, t1: int, growth: float = 1.0) -> np.ndarray:
    """``n`` times in [t0, t1) with density rising linearly (x(1+growth) at the end)."""
    f = rng.random(n) * (1 + growth / 2)
    u = (-1 + np.sqrt(1 + 2 * growth * f)) / growth
    return (t0 + u * (t1 - t0)).astype(np.int64)


def _sort(cols: Cols, key: str) -> tuple[Cols, np.ndarray]:
    """Sort columns by ``key`` (stable); returns them and old index -> new index."""
    order = np.argsort(cols[key], kind="stable")
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    return {k: v[order] for k, v in cols.items()}, inv


def _pick(rng: np.random.Generator, choices: tuple[str, ...], n: int, p=None) -> np.ndarray:
    return np.asarray(choices, dtype=object)[rng.choice(len(choices), size=n, p=p)]


def _pick_partner(rng, t, enrolled, churned, weights) -> np.ndarray:
    """A partner active at each time (enrolled by the start of its 30-day bin), weighted."""
    out = np.zeros(len(t), dtype=np.int64)
    bins = t // (30 * DAY)
    order = np.argsort(bins, kind="stable")
    sb = bins[order]
    cuts = np.flatnonzero(np.diff(sb)) + 1
    for grp in np.split(order, cuts):
        if not len(grp):
            continue
        tb = bins[grp[0]] * 30 * DAY
        elig = np.flatnonzero((enrolled <= tb) & (churned > tb))
        if not len(elig):
            elig = np.argsort(enrolled, kind="stable")[:1]
        cw = np.cumsum(weights[elig])
        r = rng.random(len(grp)) * cw[-1]
        out[grp] = elig[np.minimum(np.searchsorted(cw, r, side="right"), len(elig) - 1)]
    return out


def _pick_created(rng, t, created_sorted) -> np.ndarray:
    """A record created no later than each time (uniform over those), from a created-sorted table."""
    c = np.maximum(np.searchsorted(created_sorted, t, side="right"), 1)
    return np.minimum((rng.random(len(t)) * c).astype(np.int64), len(created_sorted) - 1)


def _active_count(owner, t_from, t_to, q_owner, q_t) -> np.ndarray:
    """How many intervals [t_from, t_to) of ``q_owner`` cover ``q_t``."""
    big = np.int64(2**40)
    starts = np.sort(owner * big + t_from)
    ends = np.sort(owner * big + np.minimum(t_to, big - 1))
    q = q_owner * big + q_t
    return (
        np.searchsorted(starts, q, side="right") - np.searchsorted(ends, q, side="right")
    ).astype(np.int64)


def simulate(seed: int, scale: Scale, start: int, horizon: int, fx: Effects = EFFECTS) -> World:
    """The whole world from ``start`` to ``horizon`` for (seed, scale)."""
    rng = np.random.default_rng([seed, sum(map(ord, scale.name))])
    w = World(start, horizon)
    _partners(rng, w, scale, fx)
    _contacts(rng, w)
    _lms(rng, w, scale)
    _companies_products(rng, w, scale)
    _tcma_catalogue(rng, w)
    _finance_plan(rng, w)
    _executions_leads(rng, w, scale)
    _registrations_and_deals(rng, w, scale, fx)
    _touches_usage(rng, w, scale)
    _finance_after(rng, w, fx)
    _events(rng, w, scale)
    return w


def _partners(rng, w: World, scale: Scale, fx: Effects) -> None:
    n = scale.partners
    legacy = rng.random(n) < 0.35
    applied = np.where(legacy, w.start - _days(rng, n, 60, 500), _times(rng, n, w.start, w.horizon))
    approved_ok = legacy | (rng.random(n) < 0.88)
    approved = np.where(approved_ok, applied + _days(rng, n, 5, 40), NEVER)
    enrolled = np.where(approved_ok, approved + _days(rng, n, 0, 14), NEVER)
    churn = rng.exponential(5 * 365, n) * DAY
    churned = np.where(
        approved_ok & (enrolled + churn < w.horizon), enrolled + churn.astype(np.int64), NEVER
    )
    prod = rng.lognormal(0, fx.productivity_sigma, n)
    rank = np.argsort(np.argsort(-prod)) / n
    tier = np.where(
        rank < 0.05,
        "platinum",
        np.where(rank < 0.2, "gold", np.where(rank < 0.5, "silver", "registered")),
    )
    cols: Cols = {
        "created": applied,
        "approved": approved,
        "enrolled": enrolled,
        "churned": churned,
        "productivity": prod,
        "tier": tier.astype(object),
        "partner_type": _pick(rng, PARTNER_TYPES, n, [0.4, 0.2, 0.2, 0.12, 0.08]),
        "vertical": _pick(rng, VERTICALS, n),
        "region": _pick(rng, REGIONS, n, [0.45, 0.3, 0.17, 0.08]),
        "contract_fate": rng.choice(
            4, n, p=[0.85, 0.07, 0.05, 0.03]
        ),  # signed, pending, expired, terminated
        "dpa_fate": rng.choice(4, n, p=[0.8, 0.08, 0.08, 0.04]),  # signed, sent, not_sent, expired
        "contract_change": approved + _days(rng, n, 300, 900),
        "name_i": rng.permutation(n),
    }
    cols, _ = _sort(cols, "created")
    pn = []
    for i in cols["name_i"].tolist():
        a = names.PARTNER_WORDS[i % len(names.PARTNER_WORDS)]
        b = names.PARTNER_KINDS[(i // len(names.PARTNER_WORDS)) % len(names.PARTNER_KINDS)]
        c = names.PARTNER_SUFFIXES[(i // 160) % len(names.PARTNER_SUFFIXES)]
        pn.append(f"{a} {b} {c}" + (f" {i // 1120 + 1}" if i >= 1120 else ""))
    cols["partner_name"] = np.asarray(pn, dtype=object)
    cols["domain"] = np.asarray([p.lower().replace(" ", "") + ".com" for p in pn], dtype=object)
    w.tables["partners"] = cols


def _contacts(rng, w: World) -> None:
    p = w.tables["partners"]
    k = 2 + np.minimum(rng.poisson(1 + 0.6 * np.log1p(p["productivity"])), 10)
    owner = np.repeat(np.arange(len(k)), k)
    pos = np.concatenate([np.arange(x) for x in k])
    n = len(owner)
    role = _pick(rng, PERSON_ROLES, n, [0.4, 0.35, 0.15, 0.1])
    role[pos == 0], role[pos == 1] = "sales", "technical"
    cols: Cols = {
        "created": p["created"][owner] + _days(rng, n, 0.1, 20) + pos * DAY * 30,
        "partner": owner,
        "job_role": role,
    }
    cols, _ = _sort(cols, "created")
    fl = [names.person(rng) for _ in range(n)]
    cols["firstname"] = np.asarray([f for f, _ in fl], dtype=object)
    cols["lastname"] = np.asarray([ln for _, ln in fl], dtype=object)
    dom = p["domain"][cols["partner"]]
    cols["email"] = np.asarray(
        [
            f"{f.lower()}.{ln.lower()}{i % 97}@{d}"
            for i, ((f, ln), d) in enumerate(zip(fl, dom, strict=True))
        ],
        dtype=object,
    )
    cols["phone"] = np.asarray(
        [f"+1-555-{x // 10000:03d}-{x % 10000:04d}" for x in rng.integers(0, 10**7, n).tolist()],
        dtype=object,
    )
    cols["jobtitle"] = np.asarray(
        [names.JOB_TITLES[r][i % len(names.JOB_TITLES[r])] for i, r in enumerate(cols["job_role"])],
        dtype=object,
    )
    w.tables["contacts"] = cols


def _lms(rng, w: World, scale: Scale) -> None:
    # catalogue: a course and a certification per role x product line (subset)
    rows = []
    for role in PERSON_ROLES:
        for j, line in enumerate(PRODUCT_LINES):
            rows.append(
                (f"{line.title()} for {role.title()} Teams", "course", role, line, 1 + j % 3)
            )
            if role in ("sales", "technical"):
                rows.append(
                    (
                        f"Certified {line.title()} {role.title()} Professional",
                        "certification",
                        role,
                        line,
                        2 + j % 2,
                    )
                )
    n = len(rows)
    c: Cols = {
        "created": np.full(n, w.start - 200 * DAY, dtype=np.int64) + np.arange(n) * 3600,
        "title": np.asarray([r[0] for r in rows], dtype=object),
        "course_type": np.asarray([r[1] for r in rows], dtype=object),
        "role": np.asarray([r[2] for r in rows], dtype=object),
        "product_line": np.asarray([r[3] for r in rows], dtype=object),
        "level": np.asarray([r[4] for r in rows], dtype=np.int64),
        "duration_hours": np.round(rng.uniform(1, 16, n), 1),
        "points": (rng.integers(2, 20, n) * 10).astype(np.int64),
        "validity_days": np.where(
            np.asarray([r[1] for r in rows]) == "certification", 730, -1
        ).astype(np.int64),
    }
    c["revised"] = np.where(rng.random(n) < 0.3, w.start + _days(rng, n, 100, 900), NEVER)
    w.tables["courses"] = c
    # learning paths: per role, its courses then certifications
    steps = []
    for role in PERSON_ROLES:
        idx = [i for i in range(n) if c["role"][i] == role]
        idx.sort(key=lambda i: (c["course_type"][i] == "certification", i))
        steps += [(role, s + 1, i) for s, i in enumerate(idx)]
    w.tables["learning_path_steps"] = {
        "created": np.full(len(steps), w.start - 190 * DAY, dtype=np.int64),
        "role": np.asarray([s[0] for s in steps], dtype=object),
        "step_no": np.asarray([s[1] for s in steps], dtype=np.int64),
        "course": np.asarray([s[2] for s in steps], dtype=np.int64),
    }
    # enrolments: engaged partners' contacts take more courses
    ct, p = w.tables["contacts"], w.tables["partners"]
    engaged = np.where(rng.random(len(p["created"])) < 0.55, 1.0, 0.15)[ct["partner"]]
    k = rng.poisson(4 * engaged)
    owner = np.repeat(np.arange(len(k)), k)
    m = len(owner)
    t0 = np.maximum(
        ct["created"][owner], p["enrolled"][ct["partner"][owner]].clip(max=w.horizon)
    ) + _days(rng, m, 1, 700)
    role_courses = {r: np.flatnonzero(c["role"] == r) for r in PERSON_ROLES}
    course = np.empty(m, dtype=np.int64)
    roles = ct["job_role"][owner]
    for r, opts in role_courses.items():
        sel = roles == r
        course[sel] = opts[rng.integers(0, len(opts), sel.sum())]
    t1 = t0 + _days(rng, m, 0.5, 10)
    fate = rng.random(m)  # <0.7 completed, <0.85 dropped, else stays in progress
    t2 = np.where(fate < 0.85, t1 + _days(rng, m, 3, 60), NEVER)
    e: Cols = {
        "created": t0,
        "contact": owner,
        "course": course,
        "started": t1,
        "ended": t2,
        "completed_ok": fate < 0.7,
        "score": np.round(rng.uniform(55, 100, m), 1),
        "progress": np.round(rng.uniform(5, 90, m), 1),
    }
    e, _ = _sort(e, "created")
    e["partner"] = ct["partner"][e["contact"]]
    w.tables["enrolments"] = e
    # certifications from completed certification enrolments
    is_cert = (
        (c["course_type"][e["course"]] == "certification")
        & e["completed_ok"]
        & (e["ended"] < NEVER)
    )
    ci = np.flatnonzero(is_cert)
    q = len(ci)
    certified = e["ended"][ci] + 3600
    expires = certified + c["validity_days"][e["course"][ci]] * DAY
    revoked = np.where(rng.random(q) < 0.02, certified + _days(rng, q, 30, 300), NEVER)
    cert: Cols = {
        "created": certified,
        "enrolment": ci,
        "contact": e["contact"][ci],
        "partner": e["partner"][ci],
        "course": e["course"][ci],
        "expires": expires,
        "revoked": revoked,
    }
    cert, _ = _sort(cert, "created")
    w.tables["certifications"] = cert


def _companies_products(rng, w: World, scale: Scale) -> None:
    n_par = scale.companies
    bases = names.company_bases(rng, min(n_par + max(50, scale.deals // 20), names.name_space()))
    region = _pick(rng, REGIONS, n_par, [0.45, 0.3, 0.17, 0.08])
    country = np.asarray(
        [names.COUNTRIES[r][int(rng.integers(len(names.COUNTRIES[r])))] for r in region],
        dtype=object,
    )
    has_suffix = rng.random(n_par) < 0.8
    suffix = _pick(rng, names.LEGAL_SUFFIXES, n_par)
    base = [names.base_name(b) for b in bases[:n_par]]
    name = [f"{b} {s}" if h else b for b, s, h in zip(base, suffix, has_suffix, strict=True)]
    domain = [names.domain_of(b, ctry) for b, ctry in zip(bases[:n_par], country, strict=True)]
    created = np.where(
        rng.random(n_par) < 0.8,
        w.start - _days(rng, n_par, 1, 700),
        _times(rng, n_par, w.start, w.horizon),
    )
    parent = np.full(n_par, -1, dtype=np.int64)
    # subsidiaries "<short> <Division>" of 12% of parents
    par_idx = np.flatnonzero(rng.random(n_par) < 0.12)
    sub_rows = []
    for pi in par_idx.tolist():
        short = (
            names.acronym(base[pi])
            if len(base[pi].split()) > 1 and rng.random() < 0.6
            else base[pi].split()[0]
        )
        for d in rng.choice(len(names.DIVISIONS), 1 + int(rng.integers(3)), replace=False).tolist():
            div = names.DIVISIONS[d]
            sub_dom = (
                f"{div.lower()}.{domain[pi]}"
                if rng.random() < 0.5
                else f"{short.lower()}{div.lower()}.com"
            )
            sub_rows.append((pi, f"{short} {div}", sub_dom, div))
    ns = len(sub_rows)
    co: Cols = {
        "created": np.r_[
            created, created[[r[0] for r in sub_rows]] + _days(rng, ns, 1, 300)
        ].astype(np.int64),
        "name": np.asarray(name + [r[1] for r in sub_rows], dtype=object),
        "base": np.asarray(base + [base[r[0]] + " " + r[3] for r in sub_rows], dtype=object),
        "domain": np.asarray(domain + [r[2] for r in sub_rows], dtype=object),
        "parent": np.r_[parent, [r[0] for r in sub_rows]].astype(np.int64),
        "region": np.r_[region, region[[r[0] for r in sub_rows]]],
        "country": np.r_[country, country[[r[0] for r in sub_rows]]],
        "industry": _pick(rng, VERTICALS, n_par + ns),
        "employees": np.round(rng.lognormal(6, 1.6, n_par + ns)).astype(np.int64),
        "is_sub": np.r_[np.zeros(n_par, bool), np.ones(ns, bool)],
        "is_new": np.zeros(n_par + ns, bool),
    }
    co["annualrevenue"] = np.round(co["employees"] * rng.uniform(80_000, 300_000, n_par + ns), -3)
    w.tables["companies"] = co
    w.tables["_spare_bases"] = {
        "base": np.asarray([names.base_name(b) for b in bases[n_par:]], dtype=object),
        "domain": np.asarray([names.domain_of(b, "US") for b in bases[n_par:]], dtype=object),
    }
    prods = [
        (f"{line.title()} {ed}", line, price)
        for line, lp in zip(PRODUCT_LINES, (30, 20, 25, 15, 10), strict=True)
        for ed, price in (("Standard", lp * 1000), ("Enterprise", lp * 3000), ("Add-on", lp * 400))
    ]
    w.tables["products"] = {
        "created": np.full(len(prods), w.start - 365 * DAY, dtype=np.int64)
        + np.arange(len(prods)) * 60,
        "name": np.asarray([p[0] for p in prods], dtype=object),
        "product_line": np.asarray([p[1] for p in prods], dtype=object),
        "price": np.asarray([p[2] for p in prods], dtype=float),
    }


def _tcma_catalogue(rng, w: World) -> None:
    months = (w.horizon - w.start) // (30 * DAY)
    n = int(months * 4)
    st = _times(rng, n, w.start - 60 * DAY, w.horizon, 0.5)
    camp: Cols = {
        "created": st - _days(rng, n, 7, 21),
        "start": st,
        "end": st + _days(rng, n, 30, 90),
        "campaign_type": _pick(
            rng, ("email", "social", "webinar", "event", "paid_search", "content_syndication"), n
        ),
        "product_line": _pick(rng, PRODUCT_LINES, n),
        "budget": np.round(rng.lognormal(10, 0.7, n), 2),
        "final_budget_f": rng.uniform(0.8, 1.1, n),
    }
    camp, _ = _sort(camp, "created")
    w.tables["campaigns"] = camp
    k = 1 + rng.poisson(1.5, n)
    owner = np.repeat(np.arange(n), k)
    m = len(owner)
    a: Cols = {
        "created": camp["created"][owner] + _days(rng, m, 0, 10),
        "campaign": owner,
        "asset_type": _pick(
            rng, ("pdf", "email_template", "social_post", "video", "web_banner"), m
        ),
        "product_line": camp["product_line"][owner],
    }
    a, _ = _sort(a, "created")
    w.tables["assets"] = a


def _finance_plan(rng, w: World) -> None:
    p = w.tables["partners"]
    q_starts = []
    y, mo = _ymd(w.start)[:2]
    qm = (mo - 1) // 3 * 3 + 1
    while True:
        t = _epoch(y, qm, 1)
        if t >= w.horizon:
            break
        q_starts.append((y, qm, t))
        qm += 3
        if qm > 12:
            y, qm = y + 1, 1
    bud = []
    for qi, (yy, mm, t) in enumerate(q_starts):
        for ri, reg in enumerate(REGIONS):
            for ti, tier in enumerate(TIERS):
                amt = (1 + ti) ** 2 * 20_000 * (4 - ri) * (1 + 0.04 * qi)
                bud.append(
                    (f"{yy}-Q{(mm - 1) // 3 + 1}", reg, tier, round(amt, -2), t - 14 * DAY, t, qi)
                )
    nb = len(bud)
    b: Cols = {
        "created": np.asarray([r[4] for r in bud], dtype=np.int64),
        "fiscal_quarter": np.asarray([r[0] for r in bud], dtype=object),
        "region": np.asarray([r[1] for r in bud], dtype=object),
        "tier": np.asarray([r[2] for r in bud], dtype=object),
        "amount": np.asarray([r[3] for r in bud], dtype=float),
        "q_start": np.asarray([r[5] for r in bud], dtype=np.int64),
        "revised": np.where(
            rng.random(nb) < 0.25, np.asarray([r[5] for r in bud]) + 30 * DAY, NEVER
        ),
    }
    w.tables["mdf_budgets"] = b
    w.tables["_quarters"] = {"start": np.asarray([q[2] for q in q_starts], dtype=np.int64)}
    # allocations: active non-registered partners, 60% per quarter
    al = {"created": [], "budget": [], "partner": []}
    tier_i = {t: i for i, t in enumerate(TIERS)}
    reg_i = {r: i for i, r in enumerate(REGIONS)}
    pt = np.asarray([tier_i[t] for t in p["tier"]])
    pr = np.asarray([reg_i[r] for r in p["region"]])
    for qi, (_, _, t) in enumerate(q_starts):
        elig = np.flatnonzero(
            (p["enrolled"] <= t) & (p["churned"] > t) & (pt > 0) & (rng.random(len(pt)) < 0.6)
        )
        al["partner"].append(elig)
        al["budget"].append(qi * 16 + pr[elig] * 4 + pt[elig])
        al["created"].append(t + _days(rng, len(elig), 0, 10))
    alloc: Cols = {k: np.concatenate(v).astype(np.int64) for k, v in al.items()}
    na = len(alloc["created"])
    alloc["amount"] = np.round(b["amount"][alloc["budget"]] / 8 * rng.uniform(0.5, 1.5, na), -2)
    alloc, _ = _sort(alloc, "created")
    alloc["expires"] = b["q_start"][alloc["budget"]] + 91 * DAY
    w.tables["mdf_allocations"] = alloc
    k = rng.poisson(1.2, na)
    owner = np.repeat(np.arange(na), k)
    m = len(owner)
    sub = alloc["created"][owner] + _days(rng, m, 1, 60)
    fate = rng.random(m)
    decided = sub + _days(rng, m, 2, 15)
    status_final = np.where(
        fate < 0.15, 2, np.where(fate < 0.2, 3, 4)
    )  # rejected, cancelled, completed
    camp = w.tables["campaigns"]
    req: Cols = {
        "created": sub,
        "allocation": owner,
        "partner": alloc["partner"][owner],
        "decided": decided,
        "final": status_final,
        "finished": decided + _days(rng, m, 20, 60),
        "activity_type": _pick(rng, MDF_ACTIVITY_TYPES, m),
        "campaign": np.where(rng.random(m) < 0.7, _pick_created(rng, sub, camp["created"]), -1),
        "requested": np.round(alloc["amount"][owner] * rng.uniform(0.2, 0.6, m), 2),
    }
    req["approved_amt"] = np.round(req["requested"] * rng.uniform(0.7, 1.0, m), 2)
    req["pipeline"] = np.round(req["requested"] * rng.uniform(3, 12, m), 2)
    req["coinvest"] = np.where(
        rng.random(m) < 0.6, np.round(req["requested"] * rng.uniform(0.1, 0.5, m), 2), 0.0
    )
    req, _ = _sort(req, "created")
    w.tables["mdf_requests"] = req


def _executions_leads(rng, w: World, scale: Scale) -> None:
    p, camp, req = w.tables["partners"], w.tables["campaigns"], w.tables["mdf_requests"]
    years = (w.horizon - w.start) / (365 * DAY)
    n = int(len(p["created"]) * years * scale.executions_per_partner_year * 0.7)
    launched = _times(rng, n, w.start, w.horizon)
    campaign = _pick_created(rng, launched, camp["start"])
    partner = _pick_partner(rng, launched, p["enrolled"], p["churned"], np.sqrt(p["productivity"]))
    funded = np.flatnonzero(
        (req["final"] != 2) & (req["campaign"] >= 0) & (rng.random(len(req["created"])) < 0.7)
    )
    nf = len(funded)
    ex: Cols = {
        "created": np.r_[launched, req["decided"][funded] + _days(rng, nf, 1, 10)].astype(np.int64),
        "campaign": np.r_[campaign, req["campaign"][funded]].astype(np.int64),
        "partner": np.r_[partner, req["partner"][funded]].astype(np.int64),
        "request": np.r_[np.full(n, -1), funded].astype(np.int64),
    }
    m = len(ex["created"])
    cancelled = rng.random(m) < 0.08
    ex["ended"] = ex["created"] + np.where(cancelled, _days(rng, m, 1, 20), _days(rng, m, 20, 90))
    ex["cancelled"] = cancelled
    ex["spend"] = np.round(rng.lognormal(8, 0.8, m) * np.where(cancelled, 0.2, 1), 2)
    ex, _ = _sort(ex, "created")
    w.tables["campaign_executions"] = ex
    # leads: ~6 per execution; 12% convert into marketing_lead deals
    k = rng.poisson(6, m)
    owner = np.repeat(np.arange(m), k)
    q = len(owner)
    created = ex["created"][owner] + (
        (ex["ended"][owner] - ex["created"][owner]) * rng.random(q)
    ).astype(np.int64)
    fate = rng.random(q)
    lead: Cols = {
        "created": created,
        "execution": owner,
        "partner": ex["partner"][owner],
        "campaign": ex["campaign"][owner],
        "qualified_at": np.where(fate < 0.5, created + _days(rng, q, 1, 14), NEVER),
        "fate": np.where(fate < 0.12, 2, np.where(fate < 0.35, 1, 0)),
    }  # 2 converted, 1 disqualified
    lead["final_at"] = np.where(
        lead["fate"] > 0,
        np.where(lead["qualified_at"] < NEVER, lead["qualified_at"], created)
        + _days(rng, q, 2, 30),
        NEVER,
    )
    lead, _ = _sort(lead, "created")
    w.tables["leads"] = lead


def _registrations_and_deals(rng, w: World, scale: Scale, fx: Effects) -> None:
    p, co, lead, cert = (
        w.tables["partners"],
        w.tables["companies"],
        w.tables["leads"],
        w.tables["certifications"],
    )
    n_direct = int(scale.deals * 0.5)
    n_ref = int(scale.deals * 0.15)
    n_reg = int(scale.deals * 0.25 / fx.registration_approval_rate)
    weights = p["productivity"]
    # --- registrations
    sub = _times(rng, n_reg, w.start, w.horizon)
    rpartner = _pick_partner(rng, sub, p["enrolled"], p["churned"], weights)
    kind = rng.choice(len(VARIANT_KINDS), n_reg, p=VARIANT_P)
    co_order = np.argsort(co["created"], kind="stable")
    comp = co_order[_pick_created(rng, sub, co["created"][co_order])]
    subs = np.flatnonzero(co["is_sub"])
    is_sub_kind = kind == VARIANT_KINDS.index("subsidiary")
    if len(subs):
        subs = subs[np.argsort(co["created"][subs], kind="stable")]
        comp[is_sub_kind] = subs[_pick_created(rng, sub[is_sub_kind], co["created"][subs])]
        late = co["created"][comp] > sub
        sub[late] = co["created"][comp[late]] + DAY  # a subsidiary only registered once it exists
    decided = sub + _days(rng, n_reg, 0.5, 10)
    approved = rng.random(n_reg) < fx.registration_approval_rate
    reason = _pick(
        rng,
        ("insufficient information", "customer not qualified", "outside partner territory"),
        n_reg,
    )
    # conflicts: a second partner registers the same account within 14 days -> rejected duplicate
    dup = np.flatnonzero(rng.random(n_reg) < 0.03)
    nd = len(dup)
    sub = np.r_[sub, sub[dup] + _days(rng, nd, 1, 14)]
    decided = np.r_[decided, sub[-nd:] + _days(rng, nd, 0.5, 5)] if nd else decided
    rpartner = np.r_[
        rpartner, (rpartner[dup] + 1 + rng.integers(0, max(len(weights) - 1, 1), nd)) % len(weights)
    ]
    kind, comp = np.r_[kind, kind[dup]], np.r_[comp, comp[dup]]
    approved = np.r_[approved, np.zeros(nd, bool)]
    reason = np.r_[reason, np.full(nd, "duplicate registration", dtype=object)]
    is_new = kind == VARIANT_KINDS.index("new_account")
    n_reg = len(sub)
    # new accounts: created in the CRM when the registration is approved
    spare = w.tables["_spare_bases"]
    new_idx = np.flatnonzero(is_new & approved)
    nn = min(len(new_idx), len(spare["base"]))
    new_idx = new_idx[:nn]
    n_co0 = len(co["created"])
    new_co = {
        "created": decided[new_idx] - 60,
        "name": spare["base"][:nn] + " Inc.",
        "base": spare["base"][:nn],
        "domain": spare["domain"][:nn],
        "parent": np.full(nn, -1),
        "region": p["region"][rpartner[new_idx]],
        "country": np.full(nn, "US", dtype=object),
        "industry": _pick(rng, VERTICALS, nn),
        "employees": np.round(rng.lognormal(5, 1.2, nn)).astype(np.int64),
        "is_sub": np.zeros(nn, bool),
        "is_new": np.ones(nn, bool),
        "annualrevenue": np.round(rng.lognormal(15, 1, nn), -3),
    }
    comp = comp.copy()
    comp[is_new] = -1
    comp[new_idx] = n_co0 + np.arange(nn)
    approved = approved & ~(is_new & (comp < 0))
    for k in co:
        co[k] = np.r_[co[k], new_co[k]]
    # --- deals from all sources
    conv = np.flatnonzero(lead["fate"] == 2)
    nl = len(conv)
    ra = np.flatnonzero(approved)
    created = np.r_[
        _times(rng, n_direct, w.start, w.horizon),
        _times(rng, n_ref, w.start, w.horizon),
        decided[ra],
        lead["final_at"][conv],
    ].astype(np.int64)
    n = len(created)
    source = np.asarray(
        ["direct"] * n_direct
        + ["partner_referral"] * n_ref
        + ["partner_registration"] * len(ra)
        + ["marketing_lead"] * nl,
        dtype=object,
    )
    co_order = np.argsort(co["created"], kind="stable")
    dcomp = co_order[_pick_created(rng, created, co["created"][co_order])]
    dcomp[n_direct + n_ref : n_direct + n_ref + len(ra)] = comp[ra]
    dpartner = np.full(n, -1, dtype=np.int64)
    dpartner[n_direct : n_direct + n_ref] = _pick_partner(
        rng, created[n_direct : n_direct + n_ref], p["enrolled"], p["churned"], weights
    )
    dpartner[n_direct + n_ref : n_direct + n_ref + len(ra)] = rpartner[ra]
    dpartner[n - nl :] = lead["partner"][conv]
    dreg = np.full(n, -1, dtype=np.int64)
    dreg[n_direct + n_ref : n_direct + n_ref + len(ra)] = ra
    dlead = np.full(n, -1, dtype=np.int64)
    dlead[n - nl :] = conv
    # win probability: certified partners win more often
    has_cert = np.zeros(n, bool)
    isp = dpartner >= 0
    if len(cert["created"]):
        cnt = _active_count(
            cert["partner"],
            cert["created"],
            np.minimum(cert["expires"], cert["revoked"]),
            dpartner[isp],
            created[isp],
        )
        has_cert[isp] = cnt > 0
    p_win = np.where(
        isp, fx.p_win_partner_uncertified + fx.certified_win_delta * has_cert, fx.p_win_direct
    )
    won = rng.random(n) < p_win
    exit_stage = np.where(won, 4, rng.choice(5, n, p=[0.3, 0.25, 0.2, 0.15, 0.1]))
    product = rng.integers(0, len(w.tables["products"]["name"]), n)
    line = w.tables["products"]["product_line"][product]
    line_mu = {
        "platform": 10.6,
        "security": 10.2,
        "analytics": 10.0,
        "networking": 9.8,
        "services": 9.3,
    }
    mu = np.asarray([line_mu[x] for x in line])
    amount = np.round(np.minimum(rng.lognormal(mu, fx.deal_amount_sigma), 5e6), 2)
    dwell = rng.exponential(1.0, (n, 5)) * np.asarray([7, 14, 14, 21, 14]) * DAY + 3600
    stall = rng.random(n) < fx.stall_rate
    dwell[stall, 3] += _days(rng, int(stall.sum()), 200, 500)
    entry = np.full((n, 6), NEVER, dtype=np.int64)
    t = created.copy()
    for s in range(5):
        reached = s <= exit_stage
        entry[:, s] = np.where(reached, t, NEVER)
        t = np.where(reached, t + dwell[:, s].astype(np.int64), t)
    entry[:, 5] = t
    d: Cols = {
        "created": created,
        "source": source,
        "company": dcomp,
        "partner": dpartner,
        "registration": dreg,
        "lead": dlead,
        "won": won,
        "has_cert": has_cert,
        "product": product,
        "amount": amount,
        "entry": entry,
        "expected_close": created + _days(rng, n, 45, 150),
        "owner": _pick(
            rng,
            tuple(
                f"{f} {ln}"
                for f, ln in zip(names.FIRST_NAMES[:16], names.LAST_NAMES[:16], strict=True)
            ),
            n,
        ),
    }
    d, inv = _sort(d, "created")
    w.tables["deals"] = d
    reg_deal = np.full(n_reg, -1, dtype=np.int64)
    reg_deal[ra] = inv[n_direct + n_ref : n_direct + n_ref + len(ra)]
    lead["deal"] = np.full(len(lead["created"]), -1, dtype=np.int64)
    lead["deal"][conv] = inv[n - nl :]
    # registration lifecycle after approval: closed when the deal closes in time, else extension/expiry
    close_at = np.where(reg_deal >= 0, d["entry"][np.maximum(reg_deal, 0), 5], NEVER)
    expires = (decided // DAY + fx.registration_validity_days) * DAY
    ext_req = (
        approved & (close_at > expires + DAY) & (rng.random(n_reg) < fx.extension_request_rate)
    )
    ext_at = np.where(ext_req, expires - _days(rng, n_reg, 3, 14), NEVER)
    ext_at = np.where(ext_req & (ext_at <= decided), decided + 3600, ext_at)
    ext_ok = rng.random(n_reg) < 0.6
    ext_dec = np.where(ext_req, ext_at + _days(rng, n_reg, 1, 5), NEVER)
    until = np.where(ext_req & ext_ok, expires + 60 * DAY, expires)
    end_at = np.where(approved, np.minimum(close_at, until + DAY), NEVER)
    r: Cols = {
        "created": sub,
        "partner": rpartner,
        "company": comp,
        "kind": kind,
        "decided": decided,
        "approved": approved,
        "reason": reason,
        "deal": reg_deal,
        "expires": expires,
        "ext_at": ext_at,
        "ext_dec": ext_dec,
        "ext_ok": ext_ok,
        "until": until,
        "end_at": end_at,
        "closed": close_at <= until + DAY,
        "product": rng.integers(0, len(w.tables["products"]["name"]), n_reg),
        "estimated": np.round(rng.lognormal(10, 0.9, n_reg), -2),
    }
    r, rinv = _sort(r, "created")
    d["registration"] = np.where(d["registration"] >= 0, rinv[np.maximum(d["registration"], 0)], -1)
    _variant_names(rng, r, co)
    w.tables["registrations"] = r


def _variant_names(rng, r: Cols, co: Cols) -> None:
    typed, rdom = [], []
    for kind_i, ci in zip(r["kind"].tolist(), r["company"].tolist(), strict=True):
        kind = VARIANT_KINDS[kind_i]
        if ci < 0:
            typed.append(
                f"{names.FIRST[int(rng.integers(len(names.FIRST)))]} {names.SECOND[int(rng.integers(len(names.SECOND)))]} Startup"
            )
            rdom.append(None)
            continue
        name, base, dom = co["name"][ci], co["base"][ci], co["domain"][ci]
        if kind in ("exact", "new_account"):
            t = name
        elif kind == "legal_suffix":
            t = base if name != base else base + " Inc."
        elif kind == "case_punct":
            t = names.case_punct(rng, name)
        elif kind == "acronym":
            t = names.acronym(base)
        elif kind == "subsidiary":
            par = co["parent"][ci]
            t = (co["base"][par] + " " + name.split()[-1]) if par >= 0 else name
        elif kind == "typo":
            t = names.typo(rng, name)
        elif kind == "domain":
            t = dom
        else:
            t = (
                dom
                if co["parent"][ci] >= 0 and dom.count(".") >= 2
                else f"{names.SUBDOMAIN_PREFIXES[int(rng.integers(6))]}.{dom}"
            )
        typed.append(t)
        rdom.append(t if kind in ("domain", "subdomain") else (dom if rng.random() < 0.5 else None))
    r["typed_name"] = np.asarray(typed, dtype=object)
    r["typed_domain"] = np.asarray(rdom, dtype=object)


def _touches_usage(rng, w: World, scale: Scale) -> None:
    d, p, a, ex = (
        w.tables["deals"],
        w.tables["partners"],
        w.tables["assets"],
        w.tables["campaign_executions"],
    )
    isp = d["partner"] >= 0
    k = rng.poisson(np.where(isp, 1.4, 0.25))
    owner = np.repeat(np.arange(len(k)), k)
    m = len(owner)
    end = np.minimum(d["entry"][owner, 5], d["created"][owner] + 180 * DAY)
    when = d["created"][owner] + ((end - d["created"][owner]) * rng.random(m)).astype(np.int64) + 60
    other = _pick_partner(rng, when, p["enrolled"], p["churned"], np.sqrt(p["productivity"]))
    partner = np.where(
        (d["partner"][owner] >= 0) & (rng.random(m) < 0.7), d["partner"][owner], other
    )
    ttype = _pick(rng, TOUCH_TYPES, m, [0.3, 0.35, 0.15, 0.2])
    asset = _pick_created(rng, when, a["created"])
    asset = np.where(ttype == "content_share", asset, -1)
    t: Cols = {
        "created": when,
        "deal": owner,
        "partner": partner,
        "touch_type": ttype,
        "asset": asset,
    }
    t, _ = _sort(t, "created")
    w.tables["touches"] = t
    # asset usage: per execution, plus assets attached to partner deals
    ne = len(ex["created"])
    k = rng.poisson(8, ne)
    eo = np.repeat(np.arange(ne), k)
    q = len(eo)
    used = ex["created"][eo] + ((ex["ended"][eo] - ex["created"][eo]) * rng.random(q)).astype(
        np.int64
    )
    camp_assets = _pick_created(rng, used, a["created"])
    att = np.flatnonzero(isp & (rng.random(len(d["created"])) < 0.15))
    na = len(att)
    u: Cols = {
        "created": np.r_[used, d["created"][att] + _days(rng, na, 1, 20)].astype(np.int64),
        "asset": np.r_[camp_assets, _pick_created(rng, d["created"][att], a["created"])].astype(
            np.int64
        ),
        "partner": np.r_[ex["partner"][eo], d["partner"][att]].astype(np.int64),
        "execution": np.r_[eo, np.full(na, -1)].astype(np.int64),
        "deal": np.r_[np.full(q, -1), att].astype(np.int64),
        "usage_type": np.r_[
            _pick(rng, ("cobranded_download", "email_send", "social_post", "web_syndication"), q),
            np.full(na, "attached_to_deal", dtype=object),
        ],
    }
    u, _ = _sort(u, "created")
    w.tables["asset_usage"] = u


def _finance_after(rng, w: World, fx: Effects) -> None:
    req, d, p, co = (
        w.tables["mdf_requests"],
        w.tables["deals"],
        w.tables["partners"],
        w.tables["companies"],
    )
    done = np.flatnonzero((req["final"] == 4) & (rng.random(len(req["created"])) < 0.85))
    m = len(done)
    sub = req["finished"][done] + _days(rng, m, 1, 20)
    proof = rng.random(m) < 0.85
    ok = np.where(proof, rng.random(m) < 0.92, rng.random(m) < 0.15)
    decided = sub + _days(rng, m, 3, 20)
    cl: Cols = {
        "created": sub,
        "request": done,
        "partner": req["partner"][done],
        "proof": proof,
        "ok": ok,
        "decided": decided,
        "paid": np.where(ok, decided + _days(rng, m, 5, 30), NEVER),
        "amount": np.round(req["approved_amt"][done] * rng.uniform(0.6, 1.0, m), 2),
        "proof_type": np.where(
            proof,
            _pick(rng, ("invoice", "photos", "attendee_list", "report", "screenshot"), m),
            None,
        ),
    }
    cl, _ = _sort(cl, "created")
    w.tables["mdf_claims"] = cl
    pi = np.flatnonzero(cl["paid"] < NEVER)
    pay: Cols = {
        "created": cl["paid"][pi],
        "claim": pi,
        "partner": cl["partner"][pi],
        "amount": cl["amount"][pi],
    }
    pay, _ = _sort(pay, "created")
    w.tables["mdf_payments"] = pay
    # rebates: quarterly, on closed-won partner revenue
    qs = w.tables["_quarters"]["start"]
    wonp = d["won"] & (d["partner"] >= 0)
    close = d["entry"][:, 5]
    qi = np.searchsorted(qs, close[wonp], side="right") - 1
    key = qi * len(p["created"]) + d["partner"][wonp]
    uk, inv = np.unique(key, return_inverse=True)
    rev = np.bincount(inv, weights=d["amount"][wonp])
    q_of, part = uk // len(p["created"]), uk % len(p["created"])
    keep = (rev > 20_000) & (q_of + 1 < len(qs))
    nq = int(keep.sum())
    prog = _pick(rng, ("volume_rebate", "growth_bonus", "spiff"), nq, [0.7, 0.2, 0.1])
    qnames = w.tables["mdf_budgets"]["fiscal_quarter"][::16]
    reb: Cols = {
        "created": qs[q_of[keep] + 1] + _days(rng, nq, 20, 40),
        "partner": part[keep],
        "fiscal_quarter": qnames[q_of[keep]],
        "program": prog,
        "amount": np.round(rev[keep] * np.where(prog == "spiff", 0.01, 0.03), 2),
    }
    reb, _ = _sort(reb, "created")
    w.tables["rebate_payments"] = reb
    # company revenue per month x region: partner revenue a 27-38% share
    y0, m0, _ = _ymd(w.start)
    months = []
    y, mo = y0, m0
    while _epoch(y, mo, 1) < w.horizon:
        months.append(_epoch(y, mo, 1))
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    months_a = np.asarray([*months, _epoch(y, mo, 1)], dtype=np.int64)
    reg_i = {r: i for i, r in enumerate(REGIONS)}
    creg = np.asarray([reg_i[x] for x in co["region"][d["company"]]])
    mi = np.searchsorted(months_a, close, side="right") - 1
    valid = d["won"] & (mi >= 0) & (mi < len(months))
    nm = len(months)
    part_rev = np.bincount(
        (mi * 4 + creg)[valid & (d["partner"] >= 0)],
        weights=d["amount"][valid & (d["partner"] >= 0)],
        minlength=nm * 4,
    )
    dir_rev = np.bincount(
        (mi * 4 + creg)[valid & (d["partner"] < 0)],
        weights=d["amount"][valid & (d["partner"] < 0)],
        minlength=nm * 4,
    )
    share = rng.uniform(fx.partner_revenue_share_low, fx.partner_revenue_share_high, nm * 4)
    total = np.where(part_rev > 0, part_rev / share, dir_rev * 1.5 + 1000)
    month_idx = np.repeat(np.arange(nm), 4)
    w.tables["company_revenue"] = {
        "created": months_a[month_idx + 1] + 5 * DAY,
        "month": months_a[month_idx],
        "region": np.tile(np.asarray(REGIONS, dtype=object), nm),
        "total": np.round(total, 2),
        "restated": np.where(rng.random(nm * 4) < 0.3, months_a[month_idx + 1] + 35 * DAY, NEVER),
        "restate_f": rng.uniform(0.99, 1.01, nm * 4),
    }


def _events(rng, w: World, scale: Scale) -> None:
    e, ex, cert, c = (
        w.tables["enrolments"],
        w.tables["campaign_executions"],
        w.tables["certifications"],
        w.tables["courses"],
    )
    # learning events within each enrolment's active window
    end = np.where(e["ended"] < NEVER, e["ended"], e["started"] + 120 * DAY)
    k = rng.poisson(scale.learning_events_per_enrolment, len(end))
    o = np.repeat(np.arange(len(end)), k)
    n = len(o)
    occ = e["created"][o] + ((end[o] - e["created"][o]) * rng.random(n)).astype(np.int64)
    w.tables["learning_events"] = _late(
        {
            "created": occ,
            "enrolment": o,
            "contact": e["contact"][o],
            "activity_type": _pick(
                rng, ("module_started", "module_completed", "video_watched", "quiz_attempt"), n
            ),
            "duration": rng.integers(30, 3600, n),
        },
        rng,
    )
    # engagement events within each execution
    k = rng.poisson(rng.lognormal(np.log(scale.engagement_per_execution), 0.8, len(ex["created"])))
    o = np.repeat(np.arange(len(k)), k)
    n = len(o)
    occ = ex["created"][o] + ((ex["ended"][o] - ex["created"][o]) * rng.random(n)).astype(np.int64)
    w.tables["engagement_events"] = _late(
        {
            "created": occ,
            "execution": o,
            "event_type": _pick(
                rng, ("impression", "open", "click", "form_fill"), n, [0.6, 0.25, 0.12, 0.03]
            ),
        },
        rng,
    )
    # points: course completions, certifications (+ badges), login streaks
    comp = np.flatnonzero(e["completed_ok"] & (e["ended"] < NEVER))
    ct = w.tables["contacts"]
    ls_k = rng.poisson(3, len(ct["created"]))
    ls_o = np.repeat(np.arange(len(ls_k)), ls_k)
    badge = np.flatnonzero(rng.random(len(cert["created"])) < 0.3)
    contact = np.r_[e["contact"][comp], cert["contact"], cert["contact"][badge], ls_o].astype(
        np.int64
    )
    pts: Cols = {
        "created": np.r_[
            e["ended"][comp] + 60,
            cert["created"] + 120,
            cert["created"][badge] + 180,
            ct["created"][ls_o] + _days(rng, len(ls_o), 1, 1000),
        ].astype(np.int64),
        "contact": contact,
        "event_type": np.asarray(
            ["course_completed"] * len(comp)
            + ["certification_earned"] * len(cert["created"])
            + ["badge_awarded"] * len(badge)
            + ["login_streak"] * len(ls_o),
            dtype=object,
        ),
        "badge": np.asarray(
            [None] * (len(comp) + len(cert["created"]))
            + ["Certified Pro"] * len(badge)
            + [None] * len(ls_o),
            dtype=object,
        ),
        "points": np.r_[
            c["points"][e["course"][comp]],
            np.full(len(cert["created"]), 100),
            np.full(len(badge), 50),
            np.full(len(ls_o), 10),
        ].astype(np.int64),
    }
    pts["partner"] = ct["partner"][pts["contact"]]
    w.tables["points_ledger"] = _late(pts, rng)


def _late(cols: Cols, rng) -> Cols:
    """Sort events by occurrence; ~0.1% arrive 2-6 days late (``arrival`` decides the drop)."""
    cols, _ = _sort(cols, "created")
    n = len(cols["created"])
    late = rng.random(n) < 0.001
    cols["arrival"] = cols["created"] + np.where(late, _days(rng, n, 2, 6), 0)
    return cols


def _ymd(t: int) -> tuple[int, int, int]:
    d = np.datetime64(int(t), "s").astype("datetime64[D]").item()
    return d.year, d.month, d.day


def _epoch(y: int, m: int, d: int) -> int:
    return int(np.datetime64(f"{y:04d}-{m:02d}-{d:02d}", "s").astype(np.int64))
