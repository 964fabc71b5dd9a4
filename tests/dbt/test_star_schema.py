"""The star schema over successive runs: tier history accumulates and the tier-as-of join follows it."""

from __future__ import annotations

import duckdb
import pytest

from tests.dbt.fake_raw import build
from tests.dbt.test_staging import _dbt, _failed

# models, seeds and the snapshot only: the data tests of these models run in the whole-project
# build (test_staging.py); here three builds would pay dbt's per-test overhead three times
BUILD = [
    "build",
    "--select",
    "+fct_opportunities",
    "+dim_partners",
    "--exclude-resource-type",
    "test",
    "unit_test",
]


def _sql(tmp_path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.xdist_group("dbt")
def test_a_tier_change_in_the_crm_becomes_history_and_deals_get_the_tier_of_their_close_date(
    tmp_path, monkeypatch
) -> None:
    build(tmp_path / "w.duckdb")
    # partner 1 (silver since 2026-01-01) registered deal 1, which closes won on 2026-01-15
    _sql(
        tmp_path,
        "update raw_crm.deals set dealstage = 'closedwon', closedate = '2026-01-15' where id = '1'",
    )
    first = _dbt(BUILD, tmp_path, monkeypatch)
    assert first.success, _failed(first)

    # the CRM promotes partner 1 to gold on 2026-02-01; the next run's snapshot sees it
    _sql(
        tmp_path,
        "update raw_crm.partners set tier = 'gold', updated_at = '2026-02-01 09:00:00+00' where id = '1'",
    )
    second = _dbt(BUILD, tmp_path, monkeypatch)
    assert second.success, _failed(second)
    spans = _sql(
        tmp_path,
        """select partner_tier, valid_from_date::varchar, valid_to_date::varchar, is_current
           from marts.dim_partner_tier_history where partner_id = '1' order by valid_from_date""",
    )
    assert spans == [
        ("silver", "1900-01-01", "2026-02-01", False),
        ("gold", "2026-02-01", "9999-12-31", True),
    ]
    tier_at_close = "select sourced_partner_tier_at_close from marts.fct_opportunities where opportunity_id = '1'"
    assert _sql(tmp_path, tier_at_close) == [("silver",)]
    assert _sql(tmp_path, "select partner_tier from marts.dim_partners where partner_id = '1'") == [
        ("gold",)
    ]

    # the same deal closing after the promotion carries the new tier
    _sql(tmp_path, "update raw_crm.deals set closedate = '2026-03-01' where id = '1'")
    third = _dbt(BUILD, tmp_path, monkeypatch)
    assert third.success, _failed(third)
    assert _sql(tmp_path, tier_at_close) == [("gold",)]
    # a rerun without changes adds no history
    assert (
        len(_sql(tmp_path, "select * from snapshots.snap_crm__partners where partner_id = '1'"))
        == 2
    )
