"""Tier rules as data: eligibility with the figures in the reason, rule versions by date, the dry run,
and the blocking check that keeps bad decisions away from the CRM."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets import automation
from orchestration.tier_rules import (
    Figures,
    decide_all,
    describe,
    dry_run,
    evaluate,
    figures_from_row,
    policy_from_rows,
    rules_from_rows,
)
from orchestration.tiering import GracePolicy
from pipelines.settings import PROJECT_ROOT

HEADER = (
    "rule_version,effective_from_date,partner_tier,tier_rank,min_t12m_sourced_revenue,min_win_rate,"
    "min_closed_deals,min_certified_sales_people,min_certified_technical_people,requires_signed_dpa"
)
V1 = [
    "v1,2020-01-01,registered,0,0,0,0,0,0,false",
    "v1,2020-01-01,silver,1,100000,0.15,4,0,0,true",
    "v1,2020-01-01,gold,2,400000,0.20,8,0,1,true",
]
V2 = [  # from 2026-07-01 silver needs 150k
    "v2,2026-07-01,registered,0,0,0,0,0,0,false",
    "v2,2026-07-01,silver,1,150000,0.15,4,0,0,true",
    "v2,2026-07-01,gold,2,400000,0.20,8,0,1,true",
]


def rules(*lines: str):
    return rules_from_rows(csv.DictReader([HEADER, *lines]))


def figures(on: date = date(2026, 6, 30), **kw) -> Figures:
    base = dict(
        partner_id="p1",
        evaluated_on=on,
        revenue=120_000,
        won_deals=3,
        closed_deals=10,
        certified_sales=0,
        certified_technical=0,
        has_signed_dpa=True,
    )
    return Figures(**{**base, **kw})


def test_the_highest_tier_whose_every_criterion_holds_with_what_the_next_missed() -> None:
    evaluation, version = evaluate(figures(), rules(*V1))
    assert (evaluation.eligible_tier, version) == ("silver", "v1")
    assert evaluation.failed_criteria["gold"] == (
        "T12M sourced revenue $120,000 < $400,000; 0 certified technical people < 1"
    )


@pytest.mark.parametrize(
    ("change", "missed"),
    [
        ({"has_signed_dpa": False}, "no signed DPA"),
        ({"closed_deals": 3, "won_deals": 3}, "3 closed deals < 4 to rate the win rate"),
        ({"won_deals": 1}, "win rate 10% < 15%"),
        ({"revenue": 99_999}, "T12M sourced revenue $99,999 < $100,000"),
    ],
)
def test_each_failing_criterion_is_named_with_its_figure(change, missed) -> None:
    evaluation, _ = evaluate(figures(**change), rules(*V1))
    assert evaluation.eligible_tier == "registered"
    assert evaluation.failed_criteria["silver"] == missed


def test_without_an_lms_feed_certification_criteria_are_not_evaluated_and_the_figures_say_so() -> (
    None
):
    """A CRM-only warehouse cannot see certifications (null, not zero): gold is reached on the
    CRM's figures; with zero certified people (an LMS that says so) it is not."""
    rich = figures(revenue=500_000, won_deals=4, closed_deals=10)
    unknown = figures(
        revenue=500_000,
        won_deals=4,
        closed_deals=10,
        certified_sales=None,
        certified_technical=None,
    )
    assert evaluate(rich, rules(*V1))[0].eligible_tier == "silver"
    assert evaluate(unknown, rules(*V1))[0].eligible_tier == "gold"
    assert "certifications not evaluated (no LMS feed configured)" in describe(unknown)
    row = {
        "partner_id": "p1",
        "evaluation_date": date(2026, 6, 30),
        "t12m_sourced_revenue": 1,
        "t12m_sourced_won_count": 1,
        "t12m_sourced_closed_count": 2,
        "certified_sales_people": float("nan"),
        "certified_technical_people": None,
        "has_signed_dpa": True,
    }
    parsed = figures_from_row(row)
    assert (parsed.certified_sales, parsed.certified_technical) == (None, None)


def test_a_tier_is_only_reached_through_every_tier_below_it() -> None:
    # gold's own criteria hold, but silver's DPA rule does not: registered, and gold says why
    rich = figures(revenue=500_000, certified_technical=2, has_signed_dpa=False)
    no_dpa_rules = rules(*V1[:2], "v1,2020-01-01,gold,2,400000,0.20,8,0,1,false")
    evaluation, _ = evaluate(rich, no_dpa_rules)
    assert evaluation.eligible_tier == "registered"
    assert "registered is the highest met" in evaluation.failed_criteria["gold"]


def test_the_rule_version_in_effect_on_the_evaluation_date_applies() -> None:
    both = rules(*V1, *V2)
    assert evaluate(figures(on=date(2026, 6, 30)), both)[0].eligible_tier == "silver"
    after, version = evaluate(figures(on=date(2026, 7, 31)), both)
    assert (after.eligible_tier, version) == ("registered", "v2")


def test_inconsistent_rule_files_are_refused() -> None:
    with pytest.raises(ValueError, match=r"ranks must be 0\.\.1"):
        rules("v1,2020-01-01,registered,0,0,0,0,0,0,false", "v1,2020-01-01,silver,2,1,0,0,0,0,true")


def _criteria(partner: str, tier_held: str, monthly_revenue: list[int]) -> list[dict]:
    ends = [date(2026, m, 28) for m in range(1, len(monthly_revenue) + 1)]
    return [
        {
            "partner_id": partner,
            "partner_external_id": f"X-{partner}",
            "tier_held": tier_held,
            "evaluation_date": d,
            "t12m_sourced_revenue": rev,
            "t12m_sourced_won_count": 5,
            "t12m_sourced_closed_count": 10,
            "certified_sales_people": 0,
            "certified_technical_people": 1,
            "has_signed_dpa": True,
        }
        for d, rev in zip(ends, monthly_revenue, strict=True)
    ]


def test_decisions_walk_the_window_from_the_tier_held_with_the_grace_period() -> None:
    rows = _criteria("p1", "gold", [500_000, 300_000, 300_000, 300_000])
    out = decide_all(rows, rules(*V1), GracePolicy(grace_evaluations=2, grace_days=None))
    assert [(r["decision"], r["tier_after"]) for r in out] == [
        ("hold", "gold"),
        ("grace", "gold"),
        ("demote", "silver"),
        ("hold", "silver"),
    ]
    assert [r["is_latest"] for r in out] == [False, False, False, True]
    assert "T12M sourced revenue $300,000 < $400,000" in out[2]["reason"]
    assert "gold needs: T12M sourced revenue $300,000 < $400,000" in out[3]["reason"]
    assert "win rate 50% of 10 closed" in out[3]["figures"]


def test_the_dry_run_lists_the_promotions_and_demotions_of_a_rule_change() -> None:
    rows = [
        *_criteria("p1", "silver", [120_000, 120_000, 120_000]),  # silver under v1, not under v2
        *_criteria("p2", "gold", [450_000, 450_000, 450_000]),  # gold either way
    ]
    policy = GracePolicy(grace_evaluations=1, grace_days=None)
    stricter = rules(*[line.replace("v2,2026-07-01", "v2,2020-01-01") for line in V2])
    changes = dry_run(rows, rules(*V1), stricter, policy)
    assert [(c["partner_id"], c["change"], c["tier_with_candidate_rules"]) for c in changes] == [
        ("p1", "demotion", "registered")
    ]
    assert "$120,000 < $150,000" in changes[0]["reason"]


def test_the_seeded_rules_and_policy_load() -> None:
    with (PROJECT_ROOT / "seeds" / "tier_rules.csv").open(newline="") as f:
        seeded = rules_from_rows(list(csv.DictReader(f)))
    assert {r.tier for r in seeded} == {"registered", "silver", "gold", "platinum"}
    with (PROJECT_ROOT / "seeds" / "tiering_policy.csv").open(newline="") as f:
        policy = policy_from_rows(list(csv.DictReader(f)), date(2026, 9, 30))
    assert policy == GracePolicy(grace_evaluations=2, grace_days=60)


# -- the blocking check ------------------------------------------------------------------------


def _warehouse(path: Path, *, negative_revenue: bool = False) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema intermediate; create schema marts; create schema reference")
    con.execute(
        "create table intermediate.int_reporting_date as select date '2026-03-28' as as_of_date"
    )
    con.execute(
        "create table reference.tier_rules as select * from read_csv(?, header = true)",
        [str(PROJECT_ROOT / "seeds" / "tier_rules.csv")],
    )
    con.execute(
        "create table reference.tiering_policy as select * from read_csv(?, header = true)",
        [str(PROJECT_ROOT / "seeds" / "tiering_policy.csv")],
    )
    con.execute(
        "create table marts.dim_partners as select * from (values "
        "('p1', 'X-p1', true, true), ('p2', 'X-p2', true, false)) "
        "t(partner_id, partner_external_id, is_active, has_signed_dpa)"
    )
    rows = _criteria("p1", "gold", [500_000, 500_000, 500_000]) + _criteria(
        "p2", "silver", [120_000, 120_000, -5 if negative_revenue else 120_000]
    )
    con.execute(
        "create table marts.fct_partner_tier_criteria as select *, true as is_active_partner, "
        "t12m_sourced_won_count / t12m_sourced_closed_count as t12m_win_rate from ("
        + " union all ".join(
            f"select '{r['partner_id']}' as partner_id, '{r['partner_external_id']}' as "
            f"partner_external_id, '{r['tier_held']}' as tier_held, date '{r['evaluation_date']}' "
            f"as evaluation_date, {r['t12m_sourced_revenue']}::decimal(18,2) as t12m_sourced_revenue, "
            "5 as t12m_sourced_won_count, 10 as t12m_sourced_closed_count, "
            "0 as certified_sales_people, 1 as certified_technical_people, true as has_signed_dpa"
            for r in rows
        )
        + ")"
    )
    con.close()
    return path


def test_sound_decisions_pass_the_check_and_name_the_restricted_partner(
    tmp_path, monkeypatch
) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb")
    monkeypatch.setenv("PRM_WAREHOUSE", str(warehouse))
    with duckdb.connect(str(warehouse)) as con:
        frame = automation.compute_tier_decisions(con)
        con.execute("create schema automation")
        con.register("frame", frame)
        con.execute(f"create table {automation.EVALUATIONS} as select * from frame")
        assert automation.decision_problems(con) == []
        desired = {c.record_key: c.properties for c in automation.desired_partner_states(con)}
    assert desired == {
        "X-p1": {"tier": "gold", "prm_restricted": "false"},
        "X-p2": {"tier": "silver", "prm_restricted": "true"},
    }


def test_bad_figures_fail_the_blocking_check_and_nothing_is_written_back(
    tmp_path, monkeypatch
) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb", negative_revenue=True)
    monkeypatch.setenv("PRM_WAREHOUSE", str(warehouse))
    # a CRM nobody listens on: if the write-back ran, it would fail loudly
    monkeypatch.setenv("SOURCES__CRM__BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SOURCES__CRM__TOKEN", "unused")
    result = dg.materialize(
        [
            automation.tier_decisions,
            automation.tier_decisions_are_sound,
            automation.crm_partner_writeback,
        ],
        selection=dg.AssetSelection.assets("tier_decisions", "crm_partner_writeback"),
        raise_on_error=False,
    )
    checks = result.get_asset_check_evaluations()
    assert [c.passed for c in checks] == [False]
    assert "1 tier criteria rows with negative revenue" in checks[0].description
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert materialized == {"tier_decisions"}, "the write-back must not run after a failed check"
    # skipped, not tried: a write-back that ran would have failed on the dead CRM address
    failed = [e.step_key for e in result.get_step_failure_events()]
    assert failed == ["tier_decisions_tier_decisions_are_sound"]


def test_prm_tiering_dry_run_prints_the_changes_and_writes_nothing(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    warehouse = _warehouse(tmp_path / "w.duckdb")
    monkeypatch.setenv("PRM_WAREHOUSE", str(warehouse))
    candidate = tmp_path / "candidate.csv"
    seeded = (PROJECT_ROOT / "seeds" / "tier_rules.csv").read_text()
    candidate.write_text(seeded.replace(",silver,1,100000,", ",silver,1,150000,"))
    before = warehouse.stat().st_mtime_ns
    result = CliRunner().invoke(app, ["tiering", "dry-run", "--rules", str(candidate)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "0 promotions and 1 demotions with candidate.csv (dry run: nothing written)"
    )
    assert "X-p2  demotion   silver -> registered" in result.output
    assert "$120,000 < $150,000" in result.output
    assert warehouse.stat().st_mtime_ns == before


def test_a_candidate_that_ranks_other_tiers_is_a_clear_error(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    monkeypatch.setenv("PRM_WAREHOUSE", str(_warehouse(tmp_path / "w.duckdb")))
    candidate = tmp_path / "candidate.csv"
    candidate.write_text("\n".join([HEADER, *V1]))  # no platinum
    result = CliRunner().invoke(app, ["tiering", "dry-run", "--rules", str(candidate)])
    assert result.exit_code == 2
    assert "rule versions rank tiers differently" in result.output
