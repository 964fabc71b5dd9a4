"""Deals as real CRM exports hold them, hand-written into a contract-shaped raw warehouse.

Real exports (HubSpot, Salesforce, Dynamics) carry open deals without an account (prospects) and
without a create date, deals created years before our calendar starts or dated after the reporting
day, deals credited to a partner the partner list lacks, partner deals without a registration and
closed-won deals without an amount. Each is kept and counted by a stated rule, and the partner KPI
reconciliation (assert_partner_monthly_kpis_reconcile_to_facts), which failed on such an export,
holds; a month removed from the mart makes it fail again.
"""

from __future__ import annotations

import duckdb
import pytest

from pipelines.contracts import entity
from tests.dbt.fake_raw import build, row_insert
from tests.dbt.test_staging import _dbt, _failed

RECONCILIATION = "assert_partner_monthly_kpis_reconcile_to_facts"
# the fake warehouse's reporting date is its latest deal update: 2026-01-03
BASE = {
    "deal_source": "'partner_referral'",
    "partner_id": "'1'",
    "dealstage": "'qualifiedtobuy'",
    "amount": "1000.00",
    "registration_id": "null",
    "lead_id": "null",
    "createdate": "TIMESTAMPTZ '2025-12-01 10:00:00+00'",
    "closedate": "DATE '2026-03-31'",
    "created_at": "TIMESTAMPTZ '2025-11-20 10:00:00+00'",
    "updated_at": "TIMESTAMPTZ '2026-01-03 10:00:00+00'",
}
DEALS = {
    101: {"company_id": "null"},  # a prospect: partner pipeline without an account
    102: {"createdate": "null"},  # no create date: counts from the record's creation
    103: {"createdate": "TIMESTAMPTZ '2015-06-01 10:00:00+00'"},  # before calendar_start_date
    104: {"createdate": "TIMESTAMPTZ '2026-02-15 10:00:00+00'"},  # after the reporting date
    105: {"partner_id": "'999'"},  # a partner the CRM's partner list does not have
    106: {"dealstage": "'closedwon'", "amount": "null", "closedate": "DATE '2026-01-02'"},
    107: {"deal_source": "'partner_registration'"},  # partner deal, no registration
    108: {"deal_source": "'direct'", "partner_id": "null", "company_id": "null"},
}
BUILD = [
    "build",
    "--select",
    "+fct_partner_monthly_kpis",
    "+rpt_partner_pipeline",
    RECONCILIATION,
    "--indirect-selection",
    "empty",  # the models' own tests run in the whole-project build (test_staging.py)
    "--exclude-resource-type",
    "unit_test",
]


@pytest.mark.slow
@pytest.mark.xdist_group("dbt")
def test_real_shaped_deals_are_kept_counted_and_the_kpis_reconcile(tmp_path, monkeypatch) -> None:
    warehouse = build(tmp_path / "w.duckdb")
    deals = entity("crm", "deals")
    con = duckdb.connect(str(warehouse))
    try:
        for i, overrides in DEALS.items():
            con.execute(row_insert(deals, i, overrides={**BASE, **overrides}))
    finally:
        con.close()

    result = _dbt(BUILD, tmp_path, monkeypatch)
    assert result.success, _failed(result)

    con = duckdb.connect(str(warehouse))
    try:
        kept = con.execute(
            "select opportunity_id, has_account, is_created_date_from_record, created_date "
            "from marts.fct_opportunities where opportunity_id in "
            "('101', '102', '103', '104', '105', '106', '107', '108') order by 1"
        ).fetchall()
        assert [k[0] for k in kept] == [str(i) for i in DEALS], "every deal kept"
        flags = {k[0]: k[1:3] for k in kept}
        assert flags["101"] == (False, False) and flags["108"] == (False, False)
        assert flags["102"] == (True, True)
        assert str(dict((k[0], k[3]) for k in kept)["102"]) == "2025-11-20"  # the record's date
        # partner 1's pipeline: the deals of 2025-11/12 (no account, no create date, no
        # registration) and 2015 count; the one created after the reporting date does not yet
        psp = con.execute(
            "select month_start_date, psp_amount from marts.fct_partner_monthly_kpis "
            "where partner_id = '1' and psp_amount > 0 order by 1"
        ).fetchall()
        assert [(str(m), float(a)) for m, a in psp] == [
            ("2015-06-01", 1000.0),
            ("2025-11-01", 1000.0),  # 102, created (per its record) 2025-11-20
            ("2025-12-01", 2000.0),  # 101, 107
            ("2026-01-01", 1000.5),  # the fake row of partner 1
        ]
        won = con.execute(
            "select sum(sourced_won_count), sum(sourced_won_amount) "
            "from marts.fct_partner_monthly_kpis where partner_id = '1'"
        ).fetchone()
        assert (won[0], float(won[1])) == (1, 0.0)  # closed won without an amount: a won deal, $0
        no_account = con.execute(
            "select sum(deal_count), sum(amount_usd) from reports.rpt_partner_pipeline "
            "where is_open and not has_account"
        ).fetchone()
        assert (no_account[0], float(no_account[1])) == (1, 1000.0)  # 101 (108 is direct)
        # the negative: a month lost from the mart is caught
        con.execute(
            "delete from marts.fct_partner_monthly_kpis "
            "where partner_id = '1' and month_start_date = '2015-06-01'"
        )
    finally:
        con.close()
    lost = _dbt(["test", "--select", RECONCILIATION], tmp_path, monkeypatch)
    assert not lost.success and _failed(lost) == {RECONCILIATION: "fail"}
