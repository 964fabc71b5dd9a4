"""Capability segmentation on hand-made partners: planted groups are found, named from their
profile, reproducible, and new partners get a segment from their application answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orchestration.segmentation.clustering import (
    application_accuracy,
    choose_k,
    feature_frame,
    name_segments,
    segment_partners,
)

FEEDS = ("crm", "lms", "tcma", "finance")


def _partner(i: int, kind: str, rng: np.random.Generator) -> dict:
    """A partner of a planted kind: technical implementers (healthcare MSPs), services-led SIs,
    or referrers (resellers without certifications)."""
    noise = rng.uniform(-0.05, 0.05)
    base = {
        "partner_id": f"p{i:03d}",
        "region": "NA",
        "top_won_vertical": None,
        "won_vertical_count": 2,
        "registration_count": 12,
        "registration_month_count": 6,
        "touch_month_count": 6,
        "touch_count": 20,
        "course_completion_count": 4,
        "months_in_programme": 24,
        "is_active": True,
    }
    kinds = {
        "technical": {
            "partner_type": "msp", "vertical": "healthcare", "won_deal_count": 8,
            "own_vertical_won_share": 0.45 + noise,
            "services_attach_rate": 0.1 + noise, "co_sell_touch_share": 0.2,
            "referral_touch_share": 0.1, "certified_product_line_count": 2,
            "technical_certification_count": 9, "sales_certification_count": 1,
            "technical_certification_share": 0.9 + noise,
        },
        "services": {
            "partner_type": "si", "vertical": "technology", "won_deal_count": 6,
            "own_vertical_won_share": 0.3 + noise,
            "services_attach_rate": 0.8 + noise, "co_sell_touch_share": 0.6 + noise,
            "referral_touch_share": 0.1, "certified_product_line_count": 2,
            "technical_certification_count": 2, "sales_certification_count": 2,
            "technical_certification_share": 0.5,
        },
        "referral": {
            "partner_type": "referral", "vertical": "retail", "won_deal_count": 3,
            "own_vertical_won_share": 0.6 + noise,
            "services_attach_rate": 0.0, "co_sell_touch_share": 0.05,
            "referral_touch_share": 0.9 + noise, "certified_product_line_count": 0,
            "technical_certification_count": 0, "sales_certification_count": 0,
            "technical_certification_share": None,
        },
    }  # fmt: skip
    return {**base, **kinds[kind]}


def _features(per_kind: int = 8, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        _partner(i * 3 + j, kind, rng)
        for i in range(per_kind)
        for j, kind in enumerate(("technical", "services", "referral"))
    ]
    return pd.DataFrame(rows)


def _newcomer(partner_id: str, partner_type: str, vertical: str) -> dict:
    row = {
        c: 0 for c in _features(1).columns if c not in ("partner_id", "partner_type", "vertical")
    }
    return {**row, "partner_id": partner_id, "partner_type": partner_type, "vertical": vertical,
            "region": "NA", "top_won_vertical": None, "technical_certification_share": None,
            "own_vertical_won_share": None, "services_attach_rate": None,
            "co_sell_touch_share": None, "referral_touch_share": None,
            "months_in_programme": 1, "is_active": True}  # fmt: skip


def test_planted_capability_groups_are_found_and_named_from_their_profile() -> None:
    segments = segment_partners(_features(), FEEDS, min_history=3)
    assert segments["chosen_k"].iloc[0] == 3
    assert segments["assignment_basis"].eq("capability").all()
    by_partner = segments.set_index("partner_id")["segment_name"]
    kinds = {f"p{i * 3 + j:03d}": k for i in range(8) for j, k in enumerate(("t", "s", "r"))}
    # each planted kind is one segment, and no segment mixes kinds
    assert by_partner.groupby(pd.Series(kinds)).nunique().eq(1).all()
    assert by_partner.nunique() == 3
    names = dict(zip(pd.Series(kinds)[by_partner.index], by_partner, strict=True))
    assert names["t"].startswith("Technical implementers")
    assert names["s"].startswith("Services-led deliverers")
    assert names["r"].startswith("Referrers")
    assert segments["segment_size"].eq(8).all()
    description = segments.loc[segments["segment_name"] == names["t"], "segment_description"].iloc[
        0
    ]
    assert description.startswith("8 partners; ")
    assert "mostly msp (100%), healthcare the largest vertical (100%)" in description


def test_the_same_input_in_any_order_gives_the_same_segments() -> None:
    features = _features()
    first = segment_partners(features, FEEDS, min_history=3)
    shuffled = segment_partners(features.sample(frac=1, random_state=7), FEEDS, min_history=3)
    pd.testing.assert_frame_equal(first, shuffled)


def test_k_is_chosen_by_the_best_silhouette() -> None:
    x = feature_frame(_features(), FEEDS).to_numpy()
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) == 0, 1, x.std(axis=0))
    k, scores = choose_k(x)
    assert k == max(scores, key=scores.get) == 3
    assert set(scores) == {2, 3, 4, 5, 6}


def test_a_new_healthcare_msp_gets_the_segment_of_established_healthcare_msps() -> None:
    features = pd.DataFrame(
        [*_features().to_dict("records"), _newcomer("z001", "msp", "healthcare"),
         _newcomer("z002", "reseller", "energy")]
    )  # fmt: skip
    segments = segment_partners(features, FEEDS, min_history=3).set_index("partner_id")
    assert segments.loc["z001", "assignment_basis"] == "application"
    assert segments.loc["z001", "segment_name"].startswith("Technical implementers")
    assert segments.loc["z001", "segment_id"] == segments.loc["p000", "segment_id"]
    # no established partner shares its answers: the largest segment (id 1)
    assert segments.loc["z002", "segment_id"] == 1
    # established partners are not moved by newcomers
    assert segments.loc["p000", "assignment_basis"] == "capability"


def test_application_answers_predict_the_planted_segments_leave_one_out() -> None:
    features = _features()
    segments = segment_partners(features, FEEDS, min_history=3)
    accuracy, baseline = application_accuracy(segments, features.set_index("partner_id"))
    assert accuracy == 1.0 and baseline == pytest.approx(1 / 3)


def test_without_lms_the_certification_features_are_left_out() -> None:
    matrix = feature_frame(_features(), ("crm", "tcma", "finance"))
    assert "technical_certification_share" not in matrix
    assert "services_attach_rate" in matrix
    segments = segment_partners(_features(), ("crm", "tcma", "finance"), min_history=3)
    assert segments["segment_name"].notna().all()


def test_too_few_partners_make_one_segment_and_no_partners_an_empty_frame() -> None:
    few = segment_partners(_features(1), FEEDS, min_history=3)
    assert few["chosen_k"].eq(1).all() and few["segment_id"].eq(1).all()
    assert segment_partners(_features().iloc[:0], FEEDS, min_history=3).empty


def test_without_any_established_partner_everyone_is_in_one_segment() -> None:
    """A new programme (or a thin CRM export): nobody has the history to cluster on."""
    newcomers = pd.DataFrame([_newcomer(f"n{i}", "msp", "healthcare") for i in range(4)])
    segments = segment_partners(newcomers, FEEDS, min_history=3)
    assert segments["segment_id"].eq(1).all() and len(segments) == 4
    assert segments["assignment_basis"].eq("application").all()
    assert segments["segment_name"].str.startswith("Not segmented yet").all()


def test_a_segment_without_a_standout_feature_is_low_engagement_and_names_are_unique() -> None:
    z = pd.DataFrame(
        {"co_sell_touch_share": [1.0, 0.9, -0.5], "referral_touch_share": [0.2, 0.5, -0.4]},
        index=[1, 2, 3],
    )
    names = name_segments(z)
    assert names[3][0] == "Low-engagement partners"
    assert names[1][0] == "Co-sellers"
    assert names[2][0] != names[1][0] and names[2][0].startswith("Co-sellers")
