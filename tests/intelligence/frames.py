"""Small hand-made marts for the intelligence tests (one partner world, dates in 2024)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from orchestration.intelligence.features import CATEGORICAL, FEATURES, Sources

D = pd.Timestamp


def sources(**overrides: pd.DataFrame | None) -> Sources:
    """Partner p1 (silver, gold from 1 March), one won deal o1 (Jan-Mar) and one open deal o2
    (created 1 Feb; stage 1 -> 2 on 10 Feb -> 3 on 20 Mar; touches 15 Feb and 1 Apr); a security
    certification valid 15 Jan - 10 Mar."""
    opportunities = pd.DataFrame(
        {
            "opportunity_id": ["o1", "o2"],
            "partner_id": ["p1", "p1"],
            "product_id": ["pr1", "pr1"],
            "deal_source": ["partner_referral", "partner_registration"],
            "amount": [10000.0, 50000.0],
            "created_date": [D("2024-01-01"), D("2024-02-01")],
            "close_date": [D("2024-03-01"), pd.NaT],
            "is_closed": [True, False],
            "is_won": [True, False],
            "registration_submitted_at": [pd.NaT, D("2024-01-25 10:00")],
        }
    )
    stage_changes = pd.DataFrame(
        {
            "opportunity_id": ["o1", "o1", "o2", "o2", "o2"],
            "stage_order": [1, 6, 1, 2, 3],
            "stage_entered_date": [
                D("2024-01-01"),
                D("2024-03-01"),
                D("2024-02-01"),
                D("2024-02-10"),
                D("2024-03-20"),
            ],
            "stage_dwell_days": [60.0, np.nan, 9.0, 39.0, np.nan],
            "is_closing_stage": [False, True, False, False, False],
            "stage_exited_at": [D("2024-03-01"), pd.NaT, D("2024-02-10"), D("2024-03-20"), pd.NaT],
        }
    )
    touches = pd.DataFrame(
        {
            "opportunity_id": ["o1", "o2", "o2"],
            "partner_id": ["p1", "p1", "p1"],
            "touched_date": [D("2024-01-20"), D("2024-02-15"), D("2024-04-01")],
        }
    )
    products = pd.DataFrame({"product_id": ["pr1"], "product_line": ["security"]})
    partners = pd.DataFrame({"partner_id": ["p1"], "region": ["EMEA"]})
    tiers = pd.DataFrame(
        {
            "partner_id": ["p1", "p1"],
            "partner_tier": ["silver", "gold"],
            "valid_from_date": [pd.Timestamp("1900-01-01").date(), D("2024-03-01").date()],
            "valid_to_date": [D("2024-03-01").date(), date(9999, 12, 31)],
        }
    )
    certifications = pd.DataFrame(
        {
            "partner_id": ["p1"],
            "course_id": ["c1"],
            "certification_status": ["active"],
            "certified_date": [D("2024-01-15")],
            "expires_date": [D("2024-03-10")],
        }
    )
    courses = pd.DataFrame(
        {
            "course_id": ["c1", "c2"],
            "course_title": ["Security Pro", "Security in 2 minutes"],
            "product_line": ["security", "security"],
            "is_certification": [True, True],
            "duration_hours": [8.0, 0.5],
        }
    )
    kw = dict(
        opportunities=opportunities,
        stage_changes=stage_changes,
        touches=touches,
        products=products,
        partners=partners,
        tiers=tiers,
        certifications=certifications,
        courses=courses,
        content_usage=None,
        mdf_requests=None,
    )
    kw.update(overrides)
    return Sources(**kw)


def synthetic(n: int, seed: int, win_logit, stall_logit=None) -> pd.DataFrame:
    """Random feature rows over 2 years of as-of days with labels drawn from known logits
    (functions of the frame): the model-recovery and shuffled-label tests."""
    rng = np.random.default_rng(seed)
    f = pd.DataFrame({c: rng.normal(size=n) for c in FEATURES if c not in CATEGORICAL})
    f["stage_order"] = rng.integers(1, 6, n).astype(float)
    f["days_in_stage"] = rng.exponential(20, n)
    f["days_since_activity"] = rng.exponential(15, n)
    for c in ("has_valid_certification", "has_product_certification", "was_certified_at_creation"):
        f[c] = (rng.random(n) < 0.5).astype(float)
    f["partner_tier"] = rng.choice(["gold", "silver", "registered"], n)
    f["product_line"] = rng.choice(["security", "platform"], n)
    f["deal_source"] = rng.choice(["partner_referral", "partner_registration"], n)
    f["region"] = rng.choice(["EMEA", "NA"], n)
    days = rng.integers(0, 730 // 14, n) * 14
    f["as_of_date"] = D("2023-01-01") + pd.to_timedelta(days, unit="D")
    f["opportunity_id"] = [f"o{i:05d}" for i in range(n)]
    f["closed_date"] = f["as_of_date"] + pd.Timedelta(days=20)
    p = 1 / (1 + np.exp(-win_logit(f)))
    f["is_won"] = rng.random(n) < p
    if stall_logit is not None:
        q = 1 / (1 + np.exp(-stall_logit(f)))
        f["stalls_within_horizon"] = (rng.random(n) < q).astype(float)
        f["is_stalled"] = False
    return f
