"""Partner self-service pages: one offline HTML page per active partner, showing that partner's
own data only, plus an index of the pages that only the vendor sees.

A page shows the partner's tier progress and what the next tier needs, where it stands against
anonymous peers (a percentile against the other partners of its tier and of its region; a
benchmark with too few peers is suppressed in the report), its deal registrations with their
status and protection end, its MDF balance and claims, its certifications about to expire, its
capability segment and onboarding track, and a place for next best actions. A partner without a
signed data-processing agreement sees no customer-level data (the registered company is null in
the report and the page says why).

Pages read ``reports.rpt_partner_self_service_*`` (and ``rpt_partner_capability_segments`` and
``rpt_partner_next_best_actions`` when they exist) once, then render each partner from its own
rows: figures are plain plotly JSON (no figure-object validation per partner) drawn by the one
``plotly.min.js`` of the partners folder. The page never names or links anything outside it.
"""

from __future__ import annotations

import contextlib
import html
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
from plotly.offline import get_plotlyjs

from dashboards.style import TIER_COLOURS, money

PARTNERS_DIR = "partners"
PLOTLY_JS = "plotly.min.js"
VENDOR_INDEX = "partner_pages.html"  # beside the leadership pages, never inside partners/

PROFILE = "rpt_partner_self_service_profile"
BENCHMARKS = "rpt_partner_self_service_benchmarks"
REGISTRATIONS = "rpt_partner_self_service_registrations"
CERTIFICATIONS = "rpt_partner_self_service_certifications"
MDF = "rpt_partner_self_service_mdf"
SEGMENTS = "rpt_partner_capability_segments"
# the marked place for next best actions: a report with (partner_id, action_rank, action_text,
# action_reason) that other work adds; until it exists the section says so
NEXT_BEST_ACTIONS = "rpt_partner_next_best_actions"
READS = (PROFILE, BENCHMARKS, REGISTRATIONS, CERTIFICATIONS, MDF)
OPTIONAL_READS = (SEGMENTS, NEXT_BEST_ACTIONS)

REGISTRATION_ROWS = 25
MDF_ROWS = 15
METRIC_LABELS = {
    "t12m_revenue": "Trailing-12-month revenue",
    "win_rate": "Win rate",
    "closed_deals": "Closed sourced deals",
    "certified_people": "Certified people",
    "ees_score": "Enablement score (EES)",
}
PEER_LABELS = {"tier": "partners of your tier", "region": "partners of your region"}

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
p.summary { font-size: 1.1rem; color: #444; }
p.restricted { background: #fff4e5; border-left: 4px solid #e08a00; padding: .6rem; }
p.no-feed, p.empty { color: #666; font-style: italic; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #eee; text-align: left; }
td.num { text-align: right; }
ul.pages li { margin: .3rem 0; }
footer { margin-top: 2rem; color: #888; font-size: .8rem; }
"""


@dataclass
class PartnerPages:
    """What a build wrote: the partner pages, the vendor index, and how long it took."""

    pages: list[Path] = field(default_factory=list)
    index: Path | None = None
    seconds: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return len(self.pages) / self.seconds if self.seconds else 0.0


def read_partner_reports(warehouse: Path) -> dict[str, pd.DataFrame]:
    """The page reports (read-only); an optional report that does not exist is left out."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        frames = {name: con.sql(f"select * from reports.{name}").df() for name in READS}
        for name in OPTIONAL_READS:
            with contextlib.suppress(duckdb.CatalogException):
                frames[name] = con.sql(f"select * from reports.{name}").df()
    finally:
        con.close()
    return frames


def _esc(value: object) -> str:
    """Escaped text of a cell; dates as YYYY-MM-DD, missing values blank."""
    if _missing(value):
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        value = value.date().isoformat()
    return html.escape(str(value))


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: set[int]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{_esc(v)}</td>" if i in numeric else f"<td>{_esc(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(div_id: str, data: list[dict], layout: dict, height: int) -> str:
    """A plotly chart as a div and the call that draws it (plotly.js is loaded by the page)."""
    layout = {"height": height, "margin": {"l": 220, "r": 40, "t": 60, "b": 50}, **layout}
    payload = json.dumps(data, default=float), json.dumps(layout, default=float)
    return (
        f'<div id="{div_id}" class="plotly-graph-div" style="height:{height}px;width:100%"></div>'
        f"<script>Plotly.newPlot({json.dumps(div_id)}, {payload[0]}, {payload[1]}, "
        '{"displaylogo": false, "responsive": true});</script>'
    )


# -- sections ------------------------------------------------------------------------------------


def tier_criteria(p: dict) -> list[tuple[str, float, float, str, str]]:
    """(criterion, have, need, have label, need label) for each next-tier rule above zero."""
    if _missing(p.get("next_tier")):
        return []
    have_rate = 0.0 if _missing(p["t12m_win_rate"]) else float(p["t12m_win_rate"])
    rows = [
        (
            "12-month sourced revenue",
            float(p["t12m_sourced_revenue"]),
            p["next_tier_min_revenue"],
            money(float(p["t12m_sourced_revenue"])),
            None if _missing(p["next_tier_min_revenue"]) else money(p["next_tier_min_revenue"]),
        ),
        ("Win rate", have_rate, p["next_tier_min_win_rate"], f"{have_rate:.0%}", None),
        (
            "Closed sourced deals",
            float(p["t12m_sourced_closed_count"]),
            p["next_tier_min_closed_deals"],
            f"{int(p['t12m_sourced_closed_count'])}",
            None,
        ),
        (
            "Sales-certified people",
            p["certified_sales_people"],
            p["next_tier_min_certified_sales_people"],
            None,
            None,
        ),
        (
            "Technically certified people",
            p["certified_technical_people"],
            p["next_tier_min_certified_technical_people"],
            None,
            None,
        ),
    ]
    out = []
    for name, have, need, have_label, need_label in rows:
        if _missing(need) or float(need) <= 0:
            continue
        if _missing(have):  # the LMS feed is absent: unknown, not zero
            continue
        have, need = float(have), float(need)
        if name == "Win rate":
            need_label = f"{need:.0%}"
        out.append(
            (
                name,
                have,
                need,
                have_label or f"{have:,.0f}",
                need_label or f"{need:,.0f}",
            )
        )
    return out


def tier_section(p: dict) -> tuple[str, str]:
    """(summary sentence, html) for tier progress and what the next tier needs."""
    tier = str(p["partner_tier"])
    if _missing(p.get("next_tier")):
        text = f"You hold the top tier, {tier}: keep its criteria to stay there."
        return text, f"<h2>Your tier</h2><p>{html.escape(text)}</p>"
    nxt = str(p["next_tier"])
    criteria = tier_criteria(p)
    met = [c for c in criteria if c[1] >= c[2]]
    gaps = [c for c in criteria if c[1] < c[2]]
    blocked = bool(p.get("is_next_tier_blocked_by_dpa"))
    if not gaps and not blocked:
        title = f"You meet every {nxt} criterion: the next tier evaluation promotes you"
    else:
        title = f"{len(met)} of {len(criteria)} {nxt} criteria met"
        if gaps:
            largest = min(gaps, key=lambda c: c[1] / c[2])
            title += f"; furthest to go: {largest[0].lower()} ({largest[3]} of {largest[4]})"
    notes = []
    if blocked:
        notes.append(f"{nxt.capitalize()} requires a signed data-processing agreement.")
    summary = f"{tier.capitalize()} partner; {title}."
    body = f"<h2>Your tier: {html.escape(tier)} &rarr; {html.escape(nxt)}</h2>"
    if criteria:
        names = [c[0] for c in criteria]
        shares = [round(min(c[1] / c[2], 1.0) * 100, 1) for c in criteria]
        body += _figure(
            "tier-progress",
            [
                {
                    "type": "bar",
                    "orientation": "h",
                    "x": shares,
                    "y": names,
                    "text": [f"{c[3]} of {c[4]}" for c in criteria],
                    "textposition": "auto",
                    "marker": {"color": TIER_COLOURS.get(nxt, "#4b5d73")},
                    "hovertemplate": "%{y}: %{text}<extra></extra>",
                    "name": f"Progress to {nxt}",
                }
            ],
            {
                "title": {"text": html.escape(title)},
                "xaxis": {"title": {"text": f"% of the {nxt} requirement"}, "range": [0, 105]},
                "yaxis": {"autorange": "reversed"},
                "showlegend": False,
            },
            110 + 45 * len(criteria),
        )
    else:
        body += f"<p>{html.escape(title)}.</p>"
    body += "".join(f"<p>{html.escape(n)}</p>" for n in notes)
    return summary, body


def benchmark_section(rows: pd.DataFrame, min_peers_note: str) -> tuple[str, str]:
    """(summary phrase, html): the partner's percentiles against anonymous peer groups."""
    body = "<h2>How you compare</h2>"
    shown = rows[~rows["is_suppressed"].astype(bool)].sort_values(["metric_order", "peer_group"])
    hidden = rows[rows["is_suppressed"].astype(bool)]
    if shown.empty:
        body += (
            "<p class='empty'>No benchmark yet: your peer groups are too small to compare you "
            f"anonymously ({html.escape(min_peers_note)}).</p>"
        )
        return "", body
    traces = []
    for group in ("tier", "region"):
        part = shown[shown["peer_group"] == group]
        if part.empty:
            continue
        value = part["peer_group_value"].iloc[0]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": f"vs {PEER_LABELS[group]} ({value})",
                "x": [float(v) for v in part["percentile"]],
                "y": [METRIC_LABELS.get(m, m) for m in part["metric_name"]],
                "hovertemplate": "%{y}: percentile %{x:.0f}<extra>%{fullData.name}</extra>",
            }
        )
    best = shown.sort_values(["percentile", "metric_order"], ascending=[False, True]).iloc[0]
    title = (
        f"Your strongest figure: {METRIC_LABELS.get(best['metric_name'], best['metric_name']).lower()}"
        f", ahead of {best['percentile']:.0f}% of {PEER_LABELS[best['peer_group']]}"
    )
    body += _figure(
        "benchmarks",
        traces,
        {
            "title": {"text": html.escape(title)},
            "barmode": "group",
            "xaxis": {
                "title": {"text": "Percentile (share of peers below you, %)"},
                "range": [0, 100],
            },
            "yaxis": {"autorange": "reversed"},
            "legend": {"orientation": "h", "y": -0.25},
        },
        200 + 40 * shown["metric_name"].nunique(),
    )
    if not hidden.empty:
        labels = sorted(
            {
                f"{METRIC_LABELS.get(m, m).lower()} vs {PEER_LABELS[g]}"
                for m, g in zip(hidden["metric_name"], hidden["peer_group"], strict=True)
            }
        )
        body += (
            f"<p class='empty'>Not shown, too few peers to stay anonymous ({html.escape(min_peers_note)}): "
            f"{html.escape('; '.join(labels))}.</p>"
        )
    return title, body


def segment_section(rows: pd.DataFrame | None) -> str:
    """The partner's capability segment and onboarding track, when segmentation has run."""
    if rows is None:
        return ""
    body = "<h2>Your segment</h2>"
    if rows.empty:
        return body + "<p class='empty'>No capability segment yet.</p>"
    r = rows.iloc[0]
    basis = (
        " (from your application answers, until your own deals and certifications show more)"
        if r.get("assignment_basis") == "application"
        else ""
    )
    body += (
        f"<p><strong>{_esc(r['segment_name'])}</strong>{basis}: "
        f"{_esc(r['segment_description'])}</p>"
    )
    if not _missing(r.get("onboarding_track")):
        body += f"<p>Your onboarding track: {_esc(r['onboarding_track'])}.</p>"
    return body


def registration_section(rows: pd.DataFrame, restricted: bool) -> tuple[str, str]:
    """(summary phrase, html): registrations by protection end, open ones first."""
    body = "<h2>Your deal registrations</h2>"
    if rows.empty:
        return "no deal registrations yet", body + "<p class='empty'>No deal registrations yet.</p>"
    protected = rows[rows["is_protected"].astype(bool)].sort_values(
        ["days_until_expiry", "registration_id"]
    )
    others = rows[~rows["is_protected"].astype(bool)].sort_values(
        ["submitted_date", "registration_id"], ascending=[False, True]
    )
    expiring = int(rows["is_expiring_soon"].astype(bool).sum())
    counts = rows["registration_status"].fillna("unknown").value_counts().sort_index()
    phrase = f"{_count(len(protected), 'registration')} protected, {expiring} expiring soon"
    body += (
        f"<p>{len(rows)} registrations: "
        + ", ".join(f"{n} {html.escape(str(s))}" for s, n in counts.items())
        + f". {len(protected)} protected now, {expiring} of them ending within the horizon.</p>"
    )
    if restricted:
        body += (
            "<p class='restricted'>Customer names are hidden: your organisation has not signed "
            "the current data-processing agreement (DPA). Sign it to see customer-level data.</p>"
        )
    shown = pd.concat([protected, others]).head(REGISTRATION_ROWS)
    body += _table(
        [
            "Registration",
            "Customer",
            "Status",
            "Deal stage",
            "Estimated",
            "Protected until",
            "Days left",
        ],
        (
            (
                r["registration_id"],
                "hidden (no signed DPA)" if restricted else r["registered_company_name"],
                r["registration_status"],
                r["deal_stage_label"],
                None if _missing(r["estimated_amount"]) else money(float(r["estimated_amount"])),
                r["protection_ends_date"],
                r["days_until_expiry"] if r["is_protected"] else "",
            )
            for r in shown.to_dict("records")
        ),
        numeric={4, 6},
    )
    if len(rows) > REGISTRATION_ROWS:
        body += f"<p class='empty'>Showing {REGISTRATION_ROWS} of {len(rows)}.</p>"
    return phrase, body


def mdf_section(p: dict, rows: pd.DataFrame, finance: bool) -> str:
    body = "<h2>Your MDF</h2>"
    if not finance:
        return (
            body
            + "<p class='no-feed'>No finance feed configured: MDF balance and claims are not measured here.</p>"
        )
    balance = 0.0 if _missing(p["mdf_balance_amount"]) else float(p["mdf_balance_amount"])
    body += (
        f"<p>Balance available {money(balance)}: {money(float(p['mdf_allocated_amount'] or 0))} "
        f"allocated, {money(float(p['mdf_approved_amount'] or 0))} approved, "
        f"{money(float(p['mdf_claimed_amount'] or 0))} claimed, "
        f"{money(float(p['mdf_paid_amount'] or 0))} paid.</p>"
    )
    if rows.empty:
        return body + "<p class='empty'>No MDF requests yet.</p>"
    latest = rows.sort_values(["submitted_date", "mdf_request_id"], ascending=[False, True])
    body += _table(
        [
            "Request",
            "Quarter",
            "Activity",
            "Request status",
            "Claim status",
            "Requested",
            "Approved",
            "Claimed",
            "Paid",
        ],
        (
            (
                r["mdf_request_id"],
                r["fiscal_quarter"],
                r["activity_type"],
                r["request_status"],
                r["claim_status"],
                *(
                    None if _missing(r[c]) else money(float(r[c]))
                    for c in (
                        "requested_amount",
                        "approved_amount",
                        "claimed_amount",
                        "paid_amount",
                    )
                ),
            )
            for r in latest.head(MDF_ROWS).to_dict("records")
        ),
        numeric={5, 6, 7, 8},
    )
    return body


def certification_section(rows: pd.DataFrame, lms: bool, horizon_note: str) -> str:
    body = "<h2>Certifications expiring</h2>"
    if not lms:
        return (
            body
            + "<p class='no-feed'>No learning platform (LMS) feed configured: certifications are not measured here.</p>"
        )
    if rows.empty:
        return body + f"<p class='empty'>No certification expires {html.escape(horizon_note)}.</p>"
    rows = rows.sort_values(["days_until_expiry", "certification_id"])
    body += f"<p>{len(rows)} certifications expire {html.escape(horizon_note)}; renew them to keep them counting towards your tier.</p>"
    body += _table(
        ["Course", "Counts as", "Product line", "Holder", "Expires", "Days left"],
        (
            (
                r["course_title"],
                r["target_role"],
                r["product_line"],
                r["holder_job_title"],
                r["expires_date"],
                r["days_until_expiry"],
            )
            for r in rows.to_dict("records")
        ),
        numeric={5},
    )
    return body


def next_best_actions_section(rows: pd.DataFrame | None) -> str:
    """The marked place for next best actions (``reports.rpt_partner_next_best_actions``)."""
    body = (
        '<h2>Next best actions</h2><section id="next-best-actions" data-source="'
        + NEXT_BEST_ACTIONS
        + '">'
    )
    if rows is None:
        return body + "<p class='empty'>Next best actions will appear here.</p></section>"
    if rows.empty:
        return body + "<p class='empty'>None of your open deals needs an action now.</p></section>"
    items = "".join(
        f"<li>{_esc(r['action_text'])}"
        + (
            f" <span class='reason'>({_esc(r['action_reason'])})</span>"
            if "action_reason" in r and not _missing(r["action_reason"])
            else ""
        )
        + "</li>"
        for r in rows.sort_values("action_rank").to_dict("records")
    )
    return body + f"<ol>{items}</ol></section>"


def page_shell(title: str, summary: str, body: str) -> str:
    """The page: plotly.js from the partners folder, and no link to anything outside the page."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script src="{PLOTLY_JS}"></script><style>{_CSS}</style></head>
<body><h1>{html.escape(title)}</h1><p class="summary">{html.escape(summary)}</p>
{body}
<footer>Your partner page, built from the partner revenue warehouse. It shows your own figures only;
benchmarks are percentiles against anonymous peer groups.</footer>
</body></html>
"""


def partner_page(
    p: dict,
    rows: dict[str, pd.DataFrame | None],
    feeds: dict[str, bool],
    min_peers: int,
    horizon_days: int,
) -> str:
    """One partner's page from its own rows (``rows``: that partner's slice of each report)."""
    restricted = bool(p["is_customer_data_restricted"])
    tier_summary, tier_html = tier_section(p)
    _, bench_html = benchmark_section(rows[BENCHMARKS], f"at least {min_peers} peers needed")
    reg_phrase, reg_html = registration_section(rows[REGISTRATIONS], restricted)
    horizon = f"within {horizon_days} days"
    body = "".join(
        (
            f"<p>{_esc(p['partner_type'])} partner in {_esc(p['region'])}, "
            f"{_esc(p['vertical'])}; figures as of {_esc(p['as_of_date'])}.</p>",
            "<p class='restricted'>Your organisation has no signed data-processing agreement: "
            "customer-level data is withheld from this page until it is signed.</p>"
            if restricted
            else "",
            tier_html,
            bench_html,
            segment_section(rows.get(SEGMENTS)),
            reg_html,
            mdf_section(p, rows[MDF], feeds.get("finance", True)),
            certification_section(rows[CERTIFICATIONS], feeds.get("lms", True), horizon),
            next_best_actions_section(rows.get(NEXT_BEST_ACTIONS)),
        )
    )
    summary = f"{tier_summary} {reg_phrase[:1].upper()}{reg_phrase[1:]}."
    return page_shell(str(p["partner_name"]), summary, body)


def page_name(partner_external_id: str) -> str:
    """The file of a partner's page: its PRM id, made safe for a file name."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(partner_external_id))
    return f"{safe}.html"


def _slices(frame: pd.DataFrame | None, ids: set[str]) -> dict[str, pd.DataFrame]:
    if frame is None:
        return {}
    frame = frame[frame["partner_id"].isin(ids)]
    return {key: group for key, group in frame.groupby("partner_id", sort=False)}


def _vars() -> tuple[int, int]:
    """The dbt vars behind suppression and the expiry horizon, for the page's wording."""
    import yaml

    from pipelines.settings import PROJECT_ROOT

    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())["vars"]
    return int(project["partner_benchmark_min_peers"]), int(
        project["partner_page_expiry_horizon_days"]
    )


def build_partner_pages(
    warehouse: Path, out_dir: Path, partners: Sequence[str] | None = None
) -> PartnerPages:
    """Write the page of every active partner (or of ``partners``, by partner id or PRM id) into
    ``out_dir/partners/`` with plotly.js once beside them, and the vendor's index of all pages
    into ``out_dir``. Raises ``KeyError`` for a requested partner the warehouse does not have."""
    from dashboards.build import feed_status

    start = time.perf_counter()
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `prm run` first")
    frames = read_partner_reports(warehouse)
    feeds = {name: ok for name, (ok, _, _) in feed_status(warehouse).items()}
    min_peers, horizon_days = _vars()
    profiles = frames[PROFILE]
    if partners is None:
        chosen = profiles[profiles["is_active"].astype(bool)]
    else:
        wanted = set(partners)
        chosen = profiles[
            profiles["partner_id"].isin(wanted) | profiles["partner_external_id"].isin(wanted)
        ]
        found = set(chosen["partner_id"]) | set(chosen["partner_external_id"])
        unknown = sorted(wanted - found)
        if unknown:
            raise KeyError(f"no such partner: {', '.join(unknown)}")
    chosen = chosen.sort_values("partner_external_id")
    ids = set(chosen["partner_id"])
    sliced = {name: _slices(frames.get(name), ids) for name in (*READS[1:], *OPTIONAL_READS)}
    empty = {name: frames[name].iloc[:0] for name in frames}
    folder = out_dir / PARTNERS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
    result = PartnerPages()
    for p in chosen.to_dict("records"):
        rows = {
            name: sliced[name].get(p["partner_id"], empty[name]) if name in frames else None
            for name in (*READS[1:], *OPTIONAL_READS)
        }
        path = folder / page_name(p["partner_external_id"])
        path.write_text(partner_page(p, rows, feeds, min_peers, horizon_days), encoding="utf-8")
        result.pages.append(path)
    if partners is None:
        result.index = write_vendor_index(out_dir, chosen)
    result.seconds = time.perf_counter() - start
    return result


def write_vendor_index(out_dir: Path, chosen: pd.DataFrame) -> Path:
    """The vendor's list of partner pages (names every partner: never publish it to partners)."""
    links = "".join(
        f'<li><a href="{PARTNERS_DIR}/{page_name(r["partner_external_id"])}">'
        f"{_esc(r['partner_name'])}</a> ({_esc(r['partner_external_id'])}, {_esc(r['partner_tier'])})"
        + (" &mdash; restricted: no signed DPA" if r["is_customer_data_restricted"] else "")
        + "</li>"
        for r in chosen.to_dict("records")
    )
    restricted = int(chosen["is_customer_data_restricted"].astype(bool).sum())
    summary = (
        f"{len(chosen)} active partners have a self-service page; {restricted} of them see no "
        "customer-level data (no signed DPA). For the vendor only: this list names every partner."
    )
    path = out_dir / VENDOR_INDEX
    path.write_text(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner self-service pages</title>
<style>{_CSS}</style></head>
<body><h1>Partner self-service pages</h1><p class="summary">{html.escape(summary)}</p>
<ul class="pages">{links}</ul>
<footer><a href="index.html">All leadership pages</a></footer></body></html>
""",
        encoding="utf-8",
    )
    return path
