"""Stall risk (orchestration/intelligence/stall.py) and the next-best-action rules
(orchestration/intelligence/actions.py) on hand-made rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from orchestration.intelligence import actions, stall
from orchestration.intelligence.actions import Reference, next_best_action
from tests.intelligence.frames import D, synthetic


def _stall_truth(f: pd.DataFrame) -> pd.Series:
    return -4.0 + 0.12 * f["days_since_activity"] + 0.8 * (f["stage_order"] == 4)


def test_the_stall_model_ranks_idle_deals_first_and_beats_prevalence() -> None:
    f = synthetic(4000, 5, lambda f: f["stage_order"] * 0, _stall_truth)
    day = f["as_of_date"].max().date()
    cutoff = (f["as_of_date"].max() - pd.Timedelta(days=180)).date()
    rows, metrics = stall.score(f, day, cutoff, horizon_days=14, top_share=0.1, rounds=80)
    test = rows[rows["split_name"] == "test"]
    assert roc_auc_score(test[stall.LABEL], test["stall_probability"]) > 0.8
    m = metrics.set_index(["metric_name", metrics["baseline_name"].fillna("model")])["metric_value"]
    assert m[("precision_at_top_10pct", "model")] > 2 * m[("precision_at_top_10pct", "prevalence")]
    assert ("auc", "days_since_activity_rule") in m.index


def test_stall_on_shuffled_labels_scores_about_half_auc() -> None:
    f = synthetic(4000, 6, lambda f: f["stage_order"] * 0, _stall_truth)
    f[stall.LABEL] = np.random.default_rng(7).permutation(f[stall.LABEL].to_numpy())
    day = f["as_of_date"].max().date()
    cutoff = (f["as_of_date"].max() - pd.Timedelta(days=180)).date()
    rows, _ = stall.score(f, day, cutoff, horizon_days=14, top_share=0.1, rounds=80)
    test = rows[rows["split_name"] == "test"]
    assert abs(roc_auc_score(test[stall.LABEL], test["stall_probability"]) - 0.5) < 0.07


def test_already_stalled_deals_score_one_with_a_reason() -> None:
    f = synthetic(3000, 8, lambda f: f["stage_order"] * 0, _stall_truth)
    day = f["as_of_date"].max()
    f.loc[(f["as_of_date"] == day) & (f.index % 2 == 0), "is_stalled"] = True
    rows, _ = stall.score(f, day.date(), (day - pd.Timedelta(days=180)).date(), 14, 0.1, rounds=30)
    score = rows[rows["split_name"] == "score"]
    stalled = score[score["is_stalled"].astype(bool)]
    assert len(stalled) and (stalled["stall_probability"] == 1.0).all()
    assert stalled["top_factor_1"].str.startswith("already stalled").all()
    assert score.loc[~score["is_stalled"].astype(bool), "stall_probability"].lt(1).all()


def test_precision_at_top_share_per_day() -> None:
    t = pd.DataFrame(
        {
            "as_of_date": [D("2024-01-01")] * 4 + [D("2024-01-15")] * 2,
            "opportunity_id": list("abcdef"),
            "score": [0.9, 0.8, 0.1, 0.2, 0.3, 0.7],
            "y": [1.0, 0.0, 1.0, 0.0, 1.0, 0.0],
        }
    )
    # 50 %: day 1 flags a, b (1 of 2); day 2 flags f (0 of 1)
    assert stall.precision_at_k(t, "score", "y", 0.5) == (pytest.approx(1 / 3), 3)


# --- next best action rules -------------------------------------------------------------------


def _ref(**kw) -> Reference:
    base = dict(
        flash_triggers=pd.DataFrame(
            {
                "opportunity_id": ["late"],
                "suggested_bonus_amount": [750.0],
                "currency_code": ["USD"],
                "offer_expires_date": [D("2026-10-30")],
                "days_in_stage": [60],
                "deal_stage": ["contractsent"],
                "stall_days_threshold": [45],
                "product_line": ["security"],
            }
        ),
        content_lift=pd.DataFrame(
            {
                "asset_type": ["case_study", "datasheet", "all"],
                "deal_stage": ["qualifiedtobuy"] * 3,
                "closed_with_count": [12, 30, 40],
                "win_rate_lift": [1.6, 0.9, 1.2],
                "win_rate_with": [0.48, 0.27, 0.36],
                "win_rate_without": [0.30, 0.30, 0.30],
            }
        ),
        attachments=pd.DataFrame(
            {
                "opportunity_id": ["w1", "w2", "w3", "seen"],
                "asset_id": ["a1", "a1", "a2", "a9"],
                "asset_name": ["Bank case", "Bank case", "Retail case", "Sheet"],
                "asset_type": ["case_study", "case_study", "case_study", "datasheet"],
                "product_line": ["security"] * 4,
                "is_attached_after_close": [False] * 4,
                "is_won": [True, True, True, False],
            }
        ),
        courses=pd.DataFrame(
            {
                "course_id": ["c1", "c2", "c3"],
                "course_title": ["Security Pro", "Security in 2 minutes", "Intro"],
                "product_line": ["security", "security", "security"],
                "is_certification": [True, True, False],
                "duration_hours": [8.0, 0.5, 0.1],
            }
        ),
    )
    base.update(kw)
    return Reference(**base)


def _deal(**kw) -> pd.Series:
    d = dict(
        opportunity_id="d1",
        days_since_activity=3.0,
        has_product_certification=1.0,
        product_line="security",
        deal_stage="qualifiedtobuy",
    )
    d.update(kw)
    return pd.Series(d)


def test_each_rule_fires_on_its_driver_with_a_reason() -> None:
    ref = _ref()
    late = next_best_action(_deal(opportunity_id="late"), ref)
    assert late["action_rule"] == "flash_incentive"
    assert (
        late["next_best_action"]
        == "Offer a flash incentive of 750 USD if it closes won by 2026-10-30"
    )
    assert "60 days in contractsent, over the 45-day threshold" in late["action_reason"]
    idle = next_best_action(_deal(days_since_activity=20.0), ref)
    assert idle["action_rule"] == "cam_joint_call" and "20 days" in idle["action_reason"]
    uncert = next_best_action(_deal(has_product_certification=0.0), ref)
    assert uncert["next_best_action"] == "Enrol the partner in Security in 2 minutes (0.5 h)"
    content = next_best_action(_deal(), ref)
    assert content["next_best_action"] == "Send Bank case (case_study)"
    assert (
        content["action_reason"]
        == "deals with a case_study attached in qualifiedtobuy won 48% vs 30% without"
    )


def test_rules_apply_in_order_and_all_matches_are_listed() -> None:
    got = next_best_action(
        _deal(opportunity_id="late", days_since_activity=40.0, has_product_certification=0.0),
        _ref(),
    )
    assert got["action_rule"] == "flash_incentive"
    assert (
        got["matched_rules"] == "flash_incentive,cam_joint_call,certification_module,send_content"
    )
    assert actions.RULE_ORDER[0] == "flash_incentive"


def test_no_rule_means_on_track_and_missing_feeds_never_prescribe() -> None:
    quiet = _ref(
        content_lift=pd.DataFrame(
            columns=[
                "asset_type",
                "deal_stage",
                "closed_with_count",
                "win_rate_lift",
                "win_rate_with",
                "win_rate_without",
            ]
        )
    )
    assert next_best_action(_deal(), quiet)["action_rule"] == "none"
    # without the LMS there is no certification to miss
    no_lms = _ref(has_lms=False)
    assert (
        next_best_action(_deal(has_product_certification=np.nan), no_lms)["action_rule"]
        == "send_content"
    )
    # an asset type already attached to the deal is not sent again
    seen = _ref()
    seen.attachments.loc[len(seen.attachments)] = [
        "d1",
        "a1",
        "Bank case",
        "case_study",
        "security",
        False,
        False,
    ]
    assert next_best_action(_deal(), seen)["action_rule"] == "none"
