"""Co-sell matching on hand-made deals: helpers, smoothed pairing lifts, scored candidates with
reasons, capability counted only before the day, and the held-out evaluation."""

from __future__ import annotations

import pandas as pd
import pytest

from orchestration.segmentation import cosell

SEGMENTS = pd.Series({"s1": 1, "s2": 1, "h1": 2, "h2": 3})
NAMES = pd.Series({1: "Referrers", 2: "Technical implementers", 3: "Co-sellers"})


def _deal(i: int, source: str, won: bool, day: str) -> dict:
    return {"opportunity_id": f"o{i:03d}", "sourced_partner_id": source, "is_won": won,
            "close_date": pd.Timestamp(day), "created_date": pd.Timestamp(day) - pd.Timedelta(days=60),
            "parent_account_id": f"a{i % 4}", "industry": "healthcare", "product_line": "security"}  # fmt: skip


def test_helpers_are_other_partners_joining_with_co_sell_or_service() -> None:
    deals = pd.DataFrame([_deal(1, "s1", True, "2025-01-01")])
    touches = pd.DataFrame(
        {"opportunity_id": ["o001"] * 4, "partner_id": ["s1", "h1", "h2", "h2"],
         "touch_type": ["co_sell", "service", "referral", "co_sell"]}
    )  # fmt: skip
    assert cosell.helpers(deals, touches).to_dict("records") == [
        {"opportunity_id": "o001", "helper_partner_id": "h1"},
        {"opportunity_id": "o001", "helper_partner_id": "h2"},
    ]


def _history() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Referrer-sourced deals win 1 in 4 alone, 3 in 4 with a technical implementer (h1), 1 in 4
    with a co-seller (h2); spread over two years."""
    rows, helped, i = [], [], 0
    for month in range(24):
        day = f"{2024 + month // 12}-{month % 12 + 1:02d}-15"
        for helper, won in ((None, month % 4 == 0), ("h1", month % 4 != 0), ("h2", month % 4 == 0)):
            i += 1
            rows.append(_deal(i, "s1" if i % 2 else "s2", won, day))
            if helper:
                helped.append({"opportunity_id": f"o{i:03d}", "helper_partner_id": helper})
    return pd.DataFrame(rows), pd.DataFrame(helped)


def test_pairing_lift_is_smoothed_towards_the_segment_alone() -> None:
    closed, helped = _history()
    lifts = cosell.pairing_lifts(closed, helped, SEGMENTS).set_index("helper_segment")
    assert lifts.loc[2, "pair_deals"] == 24 and lifts.loc[2, "pair_wins"] == 18
    base = (6 + 10 * (30 / 72)) / (24 + 10)
    assert lifts.loc[2, "baseline_win_rate"] == pytest.approx(base)
    assert lifts.loc[2, "lift"] == pytest.approx((18 + 10 * base) / 34 / base)
    assert lifts.loc[2, "lift"] > 1.5 and lifts.loc[3, "lift"] < 1.0


def test_candidates_are_scored_with_reasons_and_only_past_capability_counts() -> None:
    closed, helped = _history()
    lifts = cosell.pairing_lifts(closed, helped, SEGMENTS)
    deal = pd.DataFrame(
        [{**_deal(999, "s1", False, "2026-06-01"), "as_of": pd.Timestamp("2026-06-01")}]
    )
    candidates = pd.DataFrame({"partner_id": ["s1", "s2", "h1", "h2"],
                               "top_won_vertical": [None, None, None, "healthcare"]})  # fmt: skip
    involvements = pd.DataFrame(
        {"partner_id": ["h2", "h1"], "parent_account_id": ["a3", "a3"],
         "involved_date": pd.to_datetime(["2026-01-01", "2026-07-01"])}  # h1's is after the day
    )  # fmt: skip
    technical = pd.DataFrame(
        {"partner_id": ["h1"], "product_line": ["security"],
         "certified_date": pd.to_datetime(["2025-01-01"]), "expires_date": pd.to_datetime([None])}
    )  # fmt: skip
    recs = cosell.recommend(deal, candidates, involvements, technical, lifts, SEGMENTS, NAMES)
    assert list(recs["partner_id"]) == ["h1", "h2"]  # never the sourcing partner; s2 scores 0
    h1, h2 = recs.to_dict("records")
    assert h1["has_technical_complement"] and not h1["has_account_relationship"]
    assert h1["reasons"].startswith(
        "technical strength in security (1 current technical certifications) where the sourcing "
        "partner has none; Technical implementers joining Referrers deals won"
    )
    assert h2["has_account_relationship"] and h2["has_vertical_match"]
    assert h2["reasons"].startswith(
        "worked this customer before (1 deals); wins mostly in healthcare"
    )


def test_held_out_recommended_pairings_win_more_when_the_history_says_so() -> None:
    closed, helped = _history()
    candidates = pd.DataFrame({"partner_id": ["h1", "h2"], "top_won_vertical": [None, None]})
    empty_inv = pd.DataFrame(columns=["partner_id", "parent_account_id", "involved_date"])
    empty_tech = pd.DataFrame(
        columns=["partner_id", "product_line", "certified_date", "expires_date"]
    )
    figures = cosell.evaluate(closed, helped, candidates, empty_inv, empty_tech, SEGMENTS, NAMES)
    assert figures["holdout_helped_deal_count"] == 16 and figures["train_deal_count"] == 48
    assert figures["recommended_pairing_win_rate"] == 0.75
    assert figures["other_pairing_win_rate"] == 0.25 and figures["win_rate_lift"] == 3.0


def test_a_certification_stops_counting_on_the_day_it_ends() -> None:
    """Expiry or revocation on the deal's day (fct_certifications.valid_until_date): no longer a
    technical strength, the same rule as certification_valid_on."""
    deal = pd.DataFrame(
        [{**_deal(999, "s1", False, "2026-06-01"), "as_of": pd.Timestamp("2026-06-01")}]
    )
    candidates = pd.DataFrame({"partner_id": ["h1", "h2"], "top_won_vertical": [None, None]})
    empty_inv = pd.DataFrame(columns=["partner_id", "parent_account_id", "involved_date"])
    technical = pd.DataFrame(
        {"partner_id": ["h1", "h2"], "product_line": ["security", "security"],
         "certified_date": pd.to_datetime(["2025-01-01", "2025-01-01"]),
         "expires_date": pd.to_datetime(["2026-06-01", "2026-06-02"])}
    )  # fmt: skip
    no_lifts = pd.DataFrame(
        {
            c: pd.Series(dtype=float)
            for c in ("source_segment", "helper_segment", "lift", "pair_deals")
        }
    )
    recs = cosell.recommend(deal, candidates, empty_inv, technical, no_lifts, SEGMENTS, NAMES)
    assert list(recs["partner_id"]) == ["h2"]


def test_the_held_out_evaluation_takes_the_cutoff_it_is_given() -> None:
    """rpt_cosell_evaluation passes the day after the point-in-time features' day: the split
    follows it, not a recomputation."""
    closed, helped = _history()
    candidates = pd.DataFrame({"partner_id": ["h1", "h2"], "top_won_vertical": [None, None]})
    empty_inv = pd.DataFrame(columns=["partner_id", "parent_account_id", "involved_date"])
    empty_tech = pd.DataFrame(
        columns=["partner_id", "product_line", "certified_date", "expires_date"]
    )
    default = cosell.evaluate(closed, helped, candidates, empty_inv, empty_tech, SEGMENTS, NAMES)
    later = pd.Timestamp(default["holdout_from_date"]) + pd.Timedelta(days=1)
    moved = cosell.evaluate(
        closed, helped, candidates, empty_inv, empty_tech, SEGMENTS, NAMES, cutoff=later
    )
    assert moved["holdout_from_date"] == later.date()
    assert moved["train_deal_count"] > default["train_deal_count"]
