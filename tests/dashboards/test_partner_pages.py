"""Partner self-service pages on a hand-made warehouse: each page shows its partner only, the
restricted partner sees no customer names, small peer groups are suppressed, absent feeds are
said, and a sample of pages loads in headless Chromium without errors and with data in every
chart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboards.partner_browser_check import Browser, find_browser
from dashboards.partner_page_scan import scan_partner_pages
from dashboards.partner_pages import (
    BENCHMARKS,
    CERTIFICATIONS,
    MDF,
    NEXT_BEST_ACTIONS,
    PARTNERS_DIR,
    PLOTLY_JS,
    PROFILE,
    REGISTRATIONS,
    SEGMENTS,
    VENDOR_INDEX,
    build_partner_pages,
)

AS_OF = date(2026, 9, 30)
PARTNERS = [
    # id, external id, name, tier, next tier, active, DPA signed
    ("100000001", "P-0001", "Acme Networks", "silver", "gold", True, True),
    ("100000002", "P-0002", "Acme", "gold", "platinum", True, True),
    ("100000003", "P-0003", "Globex Health", "silver", "gold", True, False),
    ("100000004", "P-0004", "Initech", "platinum", None, True, True),
    ("100000005", "P-0005", "Umbrella Retired", "registered", "silver", False, True),
]
CUSTOMERS = {"100000001": "Contoso Clinic", "100000002": "Fabrikam Labs", "100000003": "Northwind Hospital",
             "100000004": "Tailspin Energy", "100000005": "Wingtip Retail"}  # fmt: skip


def _profile() -> pd.DataFrame:
    rows = []
    for pid, ext, name, tier, nxt, active, dpa in PARTNERS:
        rows.append(
            {
                "partner_id": pid, "partner_external_id": ext, "partner_name": name,
                "partner_tier": tier, "partner_type": "msp", "region": "NA",
                "vertical": "healthcare", "next_tier": nxt, "currency_code": "USD",
                "t12m_sourced_revenue": 250_000.0, "t12m_win_rate": 0.3,
                "t12m_sourced_closed_count": 5, "certified_sales_people": 0,
                "certified_technical_people": 0,
                "next_tier_min_revenue": 400_000.0 if nxt else None,
                "next_tier_min_win_rate": 0.2 if nxt else None,
                "next_tier_min_closed_deals": 8 if nxt else None,
                "next_tier_min_certified_sales_people": 0 if nxt else None,
                "next_tier_min_certified_technical_people": 1 if nxt else None,
                "next_tier_revenue_gap_amount": 150_000.0 if nxt else None,
                "next_tier_win_rate_gap": 0.0 if nxt else None,
                "next_tier_closed_deals_gap": 3 if nxt else None,
                "next_tier_certified_sales_people_gap": 0 if nxt else None,
                "next_tier_certified_technical_people_gap": 1 if nxt else None,
                "mdf_allocated_amount": 20_000.0, "mdf_approved_amount": 12_000.0,
                "mdf_claimed_amount": 9_000.0, "mdf_paid_amount": 8_000.0,
                "mdf_balance_amount": 12_000.0, "registration_count": 2,
                "protected_registration_count": 1, "expiring_registration_count": 1,
                "expiring_certification_count": 1, "is_active": active, "has_signed_dpa": dpa,
                "is_customer_data_restricted": not dpa,
                "is_next_tier_blocked_by_dpa": not dpa and nxt is not None, "as_of_date": AS_OF,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def _benchmarks() -> pd.DataFrame:
    rows = []
    for pid, *_ in PARTNERS:
        for order, metric in enumerate(("t12m_revenue", "win_rate"), start=1):
            for group, value, peers in (("tier", "silver", 7), ("region", "NA", 3)):
                rows.append(
                    {
                        "partner_benchmark_id": f"{pid}:{metric}:{group}", "partner_id": pid,
                        "metric_name": metric, "peer_group": group, "peer_group_value": value,
                        "metric_order": order, "peer_count": peers, "metric_value": 1.0,
                        "percentile": 62.5 if peers >= 5 else None, "is_suppressed": peers < 5,
                    }
                )  # fmt: skip
    return pd.DataFrame(rows)


def _registrations() -> pd.DataFrame:
    rows = []
    for pid, *_, dpa in PARTNERS:
        for n, protected in ((1, True), (2, False)):
            rows.append(
                {
                    "registration_id": f"R{pid}{n}", "partner_id": pid,
                    "registered_company_name": CUSTOMERS[pid] if dpa else None,
                    "registered_domain": "example.com" if dpa else None,
                    "registration_status": "approved" if protected else "rejected",
                    "extension_status": None, "deal_stage_label": "Qualified to buy",
                    "currency_code": "USD", "estimated_amount": 50_000.0,
                    "days_until_expiry": 20 if protected else -40, "is_approved": protected,
                    "is_won": False, "is_protected": protected, "is_expiring_soon": protected,
                    "is_customer_data_hidden": not dpa, "submitted_date": date(2026, 7, n),
                    "protection_ends_date": date(2026, 10, 20), "close_date": None,
                }
            )  # fmt: skip
    return pd.DataFrame(rows)


def _certifications() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "certification_id": f"C{pid}", "partner_id": pid, "course_id": "K1",
                "course_title": "Security Technical", "target_role": "technical",
                "product_line": "security", "holder_job_title": "Engineer",
                "days_until_expiry": 30, "expires_date": date(2026, 10, 30),
            }
            for pid, *_ in PARTNERS
        ]
    )  # fmt: skip


def _mdf() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "mdf_request_id": f"M{pid}", "partner_id": pid, "fiscal_quarter": "2026-Q3",
                "activity_type": "webinar", "request_status": "approved",
                "claim_status": "paid", "currency_code": "USD", "requested_amount": 10_000.0,
                "approved_amount": 8_000.0, "claimed_amount": 8_000.0, "paid_amount": 8_000.0,
                "is_paid": True, "submitted_date": date(2026, 7, 1), "paid_date": date(2026, 8, 1),
            }
            for pid, *_ in PARTNERS
        ]
    )  # fmt: skip


def _segments() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "partner_id": pid, "segment_id": 1, "segment_name": "Technical implementers",
                "segment_description": "6 partners; technical share of certifications 90%.",
                "assignment_basis": "application" if pid == "100000004" else "capability",
                "onboarding_track": "Healthcare managed security track, with technical certification path first",
            }
            for pid, *_ in PARTNERS
        ]
    )  # fmt: skip


def _warehouse(path: Path, finance: bool = True) -> Path:
    frames = {
        PROFILE: _profile(), BENCHMARKS: _benchmarks(), REGISTRATIONS: _registrations(),
        CERTIFICATIONS: _certifications(), MDF: _mdf(), SEGMENTS: _segments(),
        "rpt_feed_status": pd.DataFrame(
            {"feed_name": ["crm", "lms", "tcma", "finance"],
             "is_configured": [True, True, True, finance],
             "feed_label": ["CRM", "learning platform (LMS)", "marketing (TCMA)", "finance"],
             "feed_contents": ["deals", "courses", "campaigns", "MDF"]}
        ),
    }  # fmt: skip
    with duckdb.connect(str(path)) as con:
        con.execute("create schema reports")
        for name, frame in frames.items():
            con.register("frame", frame)
            con.execute(f"create table reports.{name} as select * from frame")
            con.unregister("frame")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("partner_pages")
    out = root / "pages"
    return out, build_partner_pages(_warehouse(root / "w.duckdb"), out)


def test_every_active_partner_gets_a_page_and_the_vendor_an_index(built) -> None:
    out, result = built
    folder = out / PARTNERS_DIR
    assert [p.name for p in result.pages] == [
        "P-0001.html",
        "P-0002.html",
        "P-0003.html",
        "P-0004.html",
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(p.name for p in result.pages), PLOTLY_JS]
    )
    assert result.index == out / VENDOR_INDEX
    index = result.index.read_text()
    assert all(name in index for _, _, name, *_ in PARTNERS[:4]) and "Umbrella" not in index
    for page in result.pages:
        text = page.read_text()
        assert f'<script src="{PLOTLY_JS}"></script>' in text and "https://" not in text
        assert "href=" not in text  # nothing to follow out of the page, least of all the index


def test_no_page_names_another_partner_and_the_restricted_page_no_customer(built) -> None:
    out, _ = built
    partners = _profile()[
        ["partner_id", "partner_external_id", "partner_name", "is_customer_data_restricted"]
    ]
    assert scan_partner_pages(out / PARTNERS_DIR, partners, CUSTOMERS.values()) == []
    acme = (out / PARTNERS_DIR / "P-0001.html").read_text()
    assert "Contoso Clinic" in acme  # a partner with a DPA sees its own customers
    globex = (out / PARTNERS_DIR / "P-0003.html").read_text()
    assert "hidden (no signed DPA)" in globex and "Northwind" not in globex


def test_the_scan_fails_on_a_leak(built, tmp_path) -> None:
    out, _ = built
    folder = tmp_path / PARTNERS_DIR
    folder.mkdir()
    for page in ("P-0001.html", "P-0003.html"):
        text = (out / PARTNERS_DIR / page).read_text()
        (folder / page).write_text(
            text.replace("</body>", "<p>Initech P-0002 Fabrikam Labs</p></body>")
        )
    partners = _profile()[
        ["partner_id", "partner_external_id", "partner_name", "is_customer_data_restricted"]
    ]
    leaks = {str(leak) for leak in scan_partner_pages(folder, partners, CUSTOMERS.values())}
    assert leaks == {
        "P-0001.html: partner 'Initech'", "P-0001.html: partner 'P-0002'",
        "P-0003.html: partner 'Initech'", "P-0003.html: partner 'P-0002'",
        "P-0003.html: customer 'Fabrikam Labs'",
    }  # fmt: skip


def test_the_next_best_actions_list_only_the_partners_own_deals(tmp_path) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb")
    actions = pd.DataFrame(
        {
            "partner_id": ["100000001", "100000001", "100000002"],
            "action_rank": [2, 1, 1],
            "action_text": [
                "Send the battle card: deal 501 (proposal, security)",
                "Schedule a CAM joint call: deal 500 (contractsent, security)",
                "Take the 2-minute module: deal 900 (qualifiedtobuy, platform)",
            ],
            "action_reason": ["won 3 similar deals", "no stage change for 40 days", None],
        }
    )
    with duckdb.connect(str(warehouse)) as con:
        con.register("frame", actions)
        con.execute(f"create table reports.{NEXT_BEST_ACTIONS} as select * from frame")
    build_partner_pages(warehouse, tmp_path / "out", ["100000001", "100000002"])
    first = (tmp_path / "out" / PARTNERS_DIR / "P-0001.html").read_text()
    section = first.split('id="next-best-actions"', 1)[1].split("</section>", 1)[0]
    assert section.index("deal 500") < section.index("deal 501"), "ranked"
    assert "(no stage change for 40 days)" in section and "deal 900" not in first
    # a partner with no rows in an existing report is told so, not promised actions later
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"delete from reports.{NEXT_BEST_ACTIONS} where partner_id = '100000001'")
    build_partner_pages(warehouse, tmp_path / "out", ["100000001"])
    assert (
        "None of your open deals needs an action now."
        in (tmp_path / "out" / PARTNERS_DIR / "P-0001.html").read_text()
    )


def test_tier_progress_benchmarks_and_sections(built) -> None:
    out, _ = built
    page = (out / PARTNERS_DIR / "P-0001.html").read_text()
    assert (
        "Silver partner; 1 of 4 gold criteria met; furthest to go: technically certified people (0 of 1)."
        in page
    )
    assert "ahead of 62% of partners of your tier" in page
    # the region group has 3 peers: suppressed, and said so
    assert "too few peers to stay anonymous (at least 5 peers needed)" in page
    assert "vs partners of your region (NA)" not in page  # no chart trace for it
    assert "Balance available $12.0k" in page
    assert "Security Technical" in page and "Technical implementers" in page
    assert 'id="next-best-actions"' in page and "Next best actions will appear here." in page
    top = (out / PARTNERS_DIR / "P-0004.html").read_text()
    assert "You hold the top tier, platinum" in top
    assert "Technical implementers</strong> (from your application answers" in top
    assert "from your application answers" not in page


def test_on_demand_one_partner_and_without_finance_it_says_so(tmp_path) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb", finance=False)
    result = build_partner_pages(warehouse, tmp_path / "out", ["P-0002"])
    assert [p.name for p in result.pages] == ["P-0002.html"] and result.index is None
    assert "No finance feed configured" in result.pages[0].read_text()
    assert build_partner_pages(warehouse, tmp_path / "out", ["100000002"]).pages == result.pages
    with pytest.raises(KeyError, match="no such partner: P-9999"):
        build_partner_pages(warehouse, tmp_path / "out", ["P-9999"])


@pytest.mark.skipif(
    find_browser() is None, reason="no Chromium installed (apt-get install chromium)"
)
def test_a_sample_of_pages_loads_in_chromium_without_errors_and_with_data(built, tmp_path) -> None:
    _out, result = built
    broken = tmp_path / "broken.html"  # the check must be able to fail
    broken.write_text(
        '<script src="missing.js"></script><div id="empty" class="plotly-graph-div"></div>'
        "<script>console.error('boom'); undefinedCall();</script>"
    )
    with Browser() as browser:
        checks = [browser.check(page) for page in result.pages[:2]]
        bad = browser.check(broken)
    assert any("boom" in e for e in bad.errors) and any("undefinedCall" in e for e in bad.errors)
    assert any("failed to load" in e for e in bad.errors) and bad.empty_charts == ["empty"]
    for check in checks:
        assert check.errors == [], (check.path.name, check.errors)
        assert {c["id"] for c in check.charts} == {"tier-progress", "benchmarks"}
        assert check.empty_charts == []
