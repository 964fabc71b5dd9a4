"""Point-in-time features and the leakage guard (orchestration/intelligence/features.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from orchestration.intelligence import features
from orchestration.intelligence.features import (
    SRC,
    LeakageError,
    assert_point_in_time,
    build_features,
    snapshot_dates,
    stall_labels,
)
from tests.intelligence.frames import D, sources

AS_OF = date(2024, 3, 5)


def _row(src=None, day: date = AS_OF) -> pd.Series:
    f = build_features(src or sources(), [day])
    return f.set_index("opportunity_id").loc["o2"]


def test_features_of_an_open_deal_are_read_as_of_the_day() -> None:
    r = _row()
    assert r["stage_order"] == 2 and r["days_in_stage"] == 24  # stage 2 since 10 Feb
    assert r["touch_count"] == 1  # 15 Feb; the 1 Apr touch is later
    assert r["days_since_activity"] == 19  # last touch 15 Feb
    assert r["partner_tier"] == "gold"  # gold from 1 March
    assert r["has_valid_certification"] == 1 and r["has_product_certification"] == 1
    assert r["was_certified_at_creation"] == 1
    assert r["registration_age_days"] == 40
    assert r["partner_win_rate"] == pytest.approx(1.0)  # o1 won on 1 March, the only closed deal
    # o1 closed on 1 March: not open on 5 March
    assert "o1" not in set(build_features(sources(), [AS_OF])["opportunity_id"])


def test_certification_expiry_and_tier_on_other_days() -> None:
    later = _row(day=date(2024, 3, 12))
    assert later["has_valid_certification"] == 0  # expired 10 March
    earlier = _row(day=date(2024, 2, 20))
    assert earlier["partner_tier"] == "silver"
    assert earlier["partner_closed_count"] == 0 and earlier["partner_win_rate"] == pytest.approx(
        0.25
    )


def test_changing_anything_after_the_as_of_day_changes_no_feature() -> None:
    base = _row()
    src = sources()
    future = D("2024-03-06")
    touches = pd.concat(
        [
            src.touches,
            pd.DataFrame(
                {
                    "opportunity_id": ["o2"] * 3,
                    "partner_id": ["p1"] * 3,
                    "touched_date": [future] * 3,
                }
            ),
        ],
        ignore_index=True,
    )
    stages = src.stage_changes.copy()
    stages.loc[stages["stage_entered_date"] > D(AS_OF), "stage_order"] = 5
    certs = pd.concat(
        [
            src.certifications,
            pd.DataFrame(
                {
                    "partner_id": ["p1"],
                    "course_id": ["c1"],
                    "certification_status": ["active"],
                    "certified_date": [future],
                    "expires_date": [pd.NaT],
                }
            ),
        ],
        ignore_index=True,
    )
    opps = src.opportunities.copy()
    opps.loc[1, ["is_closed", "is_won", "close_date"]] = [True, True, future]  # its own outcome
    changed = _row(
        sources(touches=touches, stage_changes=stages, certifications=certs, opportunities=opps)
    )
    cols = [c for c in features.FEATURES if c in base.index]
    pd.testing.assert_series_equal(base[cols], changed[cols], check_names=False)


def test_the_guard_fails_on_a_source_row_dated_after_the_as_of_day() -> None:
    frame = pd.DataFrame(
        {"as_of_date": [D("2024-03-05")] * 2, SRC + "touch": [D("2024-03-01"), D("2024-03-06")]}
    )
    with pytest.raises(LeakageError, match="touch"):
        assert_point_in_time(frame)
    assert_point_in_time(frame.iloc[:1])


def test_a_feature_computed_from_the_future_fails_the_build(monkeypatch) -> None:
    """A join that looks forward (the classic leak: the next stage, the final outcome) is caught."""
    honest = features.asof_join

    def leaky(left, right, right_date, by, name, left_date="as_of_date"):
        out = honest(left, right, right_date, by, name, left_date)
        if name == "touch":  # pretend the feature read the deal's last touch ever
            last = right.groupby(by)[right_date].max().rename("_last")
            out[SRC + name] = out.join(last, on=by)["_last"]
        return out

    monkeypatch.setattr(features, "asof_join", leaky)
    with pytest.raises(LeakageError, match="touch"):
        build_features(sources(), [AS_OF])


def test_without_lms_finance_or_tcma_the_features_are_null_not_zero() -> None:
    r = _row(sources(certifications=None, courses=None))
    assert pd.isna(r["has_valid_certification"]) and pd.isna(r["has_product_certification"])
    assert pd.isna(r["mdf_approved_365d"]) and pd.isna(r["days_since_partner_content_use"])
    assert r["stage_order"] == 2


def test_stall_labels_look_exactly_horizon_days_ahead() -> None:
    src = sources()
    f = build_features(src, [date(2024, 3, 1), date(2024, 3, 10)])
    lab = stall_labels(f, src, inactive_days=20, horizon_days=14, last_day=date(2024, 3, 20))
    lab = lab.set_index("as_of_date")
    # 1 March: last activity 15 Feb (15 days), not stalled; 15 March: 29 days idle -> stalls
    assert not lab.loc[D("2024-03-01"), "is_stalled"]
    assert lab.loc[D("2024-03-01"), "stalls_within_horizon"] == 1
    # 10 March: already stalled (24 days) -> no label; 24 March is also after last_day
    assert lab.loc[D("2024-03-10"), "is_stalled"]
    assert pd.isna(lab.loc[D("2024-03-10"), "stalls_within_horizon"])


def test_a_stage_change_inside_the_horizon_prevents_the_stall() -> None:
    src = sources()
    f = build_features(src, [date(2024, 3, 8)])
    lab = stall_labels(f, src, inactive_days=20, horizon_days=14, last_day=date(2024, 12, 31))
    # idle since 15 Feb (22 days on 8 March) -> already stalled
    assert bool(lab["is_stalled"].iloc[0])
    f = build_features(src, [date(2024, 3, 2)])
    lab = stall_labels(f, src, inactive_days=20, horizon_days=20, last_day=date(2024, 12, 31))
    # 22 March: the stage changed on 20 March -> not stalled
    assert lab["stalls_within_horizon"].iloc[0] == 0


def test_snapshot_grid_ends_on_the_reporting_date() -> None:
    days = snapshot_dates(date(2024, 3, 31), date(2024, 3, 1), 14)
    assert days == [date(2024, 3, 3), date(2024, 3, 17), date(2024, 3, 31)]


def test_the_order_the_warehouse_returns_rows_in_changes_nothing() -> None:
    """DuckDB scans in parallel: the same marts can come back in any order."""
    src = sources()
    days = [date(2024, 2, 20), AS_OF, date(2024, 3, 12)]
    shuffled = sources(
        **{
            name: getattr(src, name).sample(frac=1.0, random_state=1)
            for name in ("opportunities", "stage_changes", "touches", "tiers", "certifications")
        }
    )
    pd.testing.assert_frame_equal(build_features(src, days), build_features(shuffled, days))


def test_a_deal_without_stage_history_takes_the_crm_stage_on_the_reporting_day_only() -> None:
    """A Salesforce Opportunity export without OpportunityHistory: o2 has no stage changes. On the
    day the export describes it is in its current stage (3), days in stage unknown; on an earlier
    day its stage is unknown, since today's stage says nothing about February."""
    src = sources()
    src = sources(
        opportunities=src.opportunities.assign(stage_order=[6, 3]),
        stage_changes=src.stage_changes[src.stage_changes["opportunity_id"] != "o2"],
    )
    f = build_features(src, [date(2024, 2, 20), AS_OF]).set_index(["opportunity_id", "as_of_date"])
    today, earlier = f.loc[("o2", D(AS_OF))], f.loc[("o2", D("2024-02-20"))]
    assert today["stage_order"] == 3 and today["stage_source"] == "current_stage"
    assert pd.isna(today["days_in_stage"]) and pd.isna(today["stage_dwell_ratio"])
    assert pd.isna(earlier["stage_order"]) and earlier["stage_source"] is None
    # a deal with history keeps it, whatever the CRM's current stage says
    assert _row()["stage_source"] == "stage_history"
    assert (
        _row(sources(opportunities=sources().opportunities.assign(stage_order=[6, 5])))[
            "stage_order"
        ]
        == 2
    )
