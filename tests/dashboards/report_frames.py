"""Fixture report frames with the columns the dbt report models produce, for the page tests."""

from __future__ import annotations

from datetime import date

import pandas as pd

MODELS = {
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "linear": "Linear",
    "u_shaped": "U-shaped",
    "w_shaped": "W-shaped",
    "time_decay": "Time decay",
    "markov_touch_type": "Markov by touch type",
    "markov_partner": "Markov by partner",
}


def attribution_over_time(direct_won: float = 50_000) -> pd.DataFrame:
    """24 months to Sep 2026. Sourced pipeline grows from 100k to 120k a month in Oct 2025; sourced
    revenue from 40k to 60k a month in Jan 2026; influenced 10k and direct ``direct_won`` a month."""
    rows = []
    for month in pd.date_range("2024-10-01", "2026-09-01", freq="MS"):
        quarter = date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
        for kind, pipeline, won in (
            ("partner_sourced", 120_000 if month >= pd.Timestamp("2025-10-01") else 100_000,
             60_000 if month.year == 2026 else 40_000),
            ("partner_influenced", 50_000, 10_000),
            ("direct_unattributed", 150_000, direct_won),
        ):  # fmt: skip
            rows.append(
                {
                    "attribution_type": kind,
                    "opportunity_count": 10,
                    "won_opportunity_count": 3,
                    "credited_partner_count": 0 if kind == "direct_unattributed" else 4,
                    "pipeline_amount": pipeline,
                    "won_revenue": won,
                    "period_month": month.date(),
                    "period_quarter": quarter,
                }
            )
    return pd.DataFrame(rows)


def attribution_model_comparison(markov_leader: str = "Globex") -> pd.DataFrame:
    """Touch-type shares per model (referral is the most contested: 60 % first touch, 10 % last
    touch) and partner credit (Acme first under every model but Markov by partner)."""
    touch_shares = {
        "first_touch": (0.6, 0.2, 0.1, 0.1),
        "last_touch": (0.1, 0.5, 0.1, 0.3),
    }
    rows = []
    for model, label in MODELS.items():
        for touch, share in zip(
            ("referral", "co_sell", "content_share", "service"),
            touch_shares.get(model, (0.3, 0.3, 0.2, 0.2)),
            strict=True,
        ):
            rows.append((model, label, "touch_type", touch, share * 1_000_000, share))
        credit = {"Acme": 500_000, "Globex": 300_000, "Initech": 200_000}
        if model == "markov_partner":
            credit = {
                "Acme": 300_000,
                "Globex": 200_000,
                "Initech": 200_000,
                markov_leader: 500_000,
            }
        for partner, amount in credit.items():
            rows.append((model, label, "partner", partner, amount, amount / 1_000_000))
    return pd.DataFrame(
        rows,
        columns=[
            "attribution_model",
            "model_label",
            "dimension",
            "dimension_value",
            "credit_amount",
            "share_of_model_total",
        ],
    )


def partner_scorecard(partners: int = 30) -> pd.DataFrame:
    """Partner i earns 1M/i; ranks 1-5 platinum (40 % win rate), 6-12 gold (30 %), 13-20 silver
    (20 %), the rest registered (10 %); EES falls with rank; the top 20 are active sellers."""
    rows = []
    for i in range(1, partners + 1):
        tier, win = (
            ("platinum", 0.4) if i <= 5 else ("gold", 0.3) if i <= 12 else ("silver", 0.2)
            if i <= 20 else ("registered", 0.1)
        )  # fmt: skip
        rows.append(
            {
                "partner_id": f"p{i}",
                "partner_name": f"Partner {i:02d}",
                "partner_tier": tier,
                "partner_type": "reseller" if i % 2 else "msp",
                "region": "EMEA",
                "vertical": "retail",
                "league_rank": i,
                "t12m_revenue": 1_000_000 / i,
                "t12m_psp": 2_000_000 / i,
                "t12m_pip": 500_000 / i,
                "win_rate_by_count": win,
                "win_rate_by_amount": win + 0.05,
                "apds": 50_000 / i,
                "avg_days_registration_to_close": 60.0 + i,
                "ttpp_days_to_first_qualified": 30.0 + i,
                "ttpp_days_to_first_revenue": None if i == 30 else 90.0 + i,
                "ees_score": 100.0 - 3 * i,
                "certified_people_count": max(0, 10 - i // 3),
                "is_active_seller": i <= 20,
                "revenue_band": "A" if i <= 5 else "B" if i <= 20 else "C",
                "plv_next_12m_amount": None if i > 25 else 800_000 / i,
                "open_pipeline_health_score": None if i == 30 else 60.0 - i,
            }
        )
    return pd.DataFrame(rows)


def revenue_concentration(revenues_k: tuple[float, ...] = (40, 25, 10, 8, 6, 5, 3, 2, 1, 0)):
    """Partners ranked by trailing-12-month revenue (in thousands), shares 0-100."""
    total = sum(revenues_k)
    frame = pd.DataFrame(
        {
            "partner_rank": range(1, len(revenues_k) + 1),
            "partner_id": [f"p{i}" for i in range(1, len(revenues_k) + 1)],
            "partner_name": [f"Partner {i}" for i in range(1, len(revenues_k) + 1)],
            "t12m_revenue": [r * 1000 for r in revenues_k],
            "partner_share_pct": [r / total * 100 for r in revenues_k],
        }
    )
    frame["cumulative_revenue_share_pct"] = frame["partner_share_pct"].cumsum()
    frame["revenue_band"] = ["A", "A", "B", "B", "B", "C", "C", "C", "C", "C"][: len(frame)]
    return frame


def active_seller_bands() -> pd.DataFrame:
    """Bands of the revenue_concentration fixture: A 2 partners 65 %, B 3 24 %, C 5 11 %."""
    return pd.DataFrame(
        {
            "revenue_band": ["A", "B", "C"],
            "band_order": [1, 2, 3],
            "partner_count": [2, 3, 5],
            "active_seller_count": [2, 3, 2],
            "t12m_revenue": [65_000.0, 24_000.0, 11_000.0],
            "revenue_share_pct": [65.0, 24.0, 11.0],
        }
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def mdf_roi_summary(
    event_attributed_q1: float = 50_000,
    incremental_scale: float = 1.0,
    zero_spend_quarter: bool = False,
) -> pd.DataFrame:
    """Two closed cohort quarters of event and webinar MDF: spend 300k, attributed 100k (0.33x);
    incremental 400k on 250k paid to matched partners (1.6x), cohort intervals +-150k and +-200k
    (combined +-250k: 0.6x to 2.6x). ``zero_spend_quarter`` adds 2026-Q3 with nothing paid, its
    post window still open and an incremental -200k."""
    quarters = [
        # quarter, start, {type: (spend, attributed)}, incremental (spend, revenue, half-width), closed
        ("2026-Q1", date(2026, 1, 1),
         {"event": (100_000, event_attributed_q1), "webinar": (100_000, 10_000)},
         (150_000, 300_000, 150_000), True),
        ("2026-Q2", date(2026, 4, 1),
         {"event": (50_000, 40_000), "webinar": (50_000, 0)},
         (100_000, 100_000, 200_000), True),
    ]  # fmt: skip
    if zero_spend_quarter:
        quarters.append(
            (
                "2026-Q3",
                date(2026, 7, 1),
                {"event": (0, 0), "webinar": (0, 0)},
                (0, -200_000, 100_000),  # would pull the total to 0.8x if counted
                False,
            )
        )
    rows = []
    for quarter, start, by_type, (inc_spend, inc_revenue, half), closed in quarters:
        inc_revenue *= incremental_scale
        spend_all = sum(spend for spend, _ in by_type.values())
        attributed_all = sum(attributed for _, attributed in by_type.values())
        for kind, (spend, attributed) in [*by_type.items(), ("all", (spend_all, attributed_all))]:
            gross = _ratio(attributed, spend)
            is_all = kind == "all"
            inc_gross = _ratio(inc_revenue, inc_spend) if is_all else None
            rows.append(
                {
                    "mdf_roi_summary_id": f"{quarter}|{kind}",
                    "fiscal_quarter": quarter,
                    "activity_type": kind,
                    "attribution_model": "linear",
                    "currency_code": "USD",
                    "activity_count": 4 if is_all else 2,
                    "lead_count": 20,
                    "opportunity_count": 4,
                    "won_opportunity_count": 1,
                    "approved_amount": spend * 1.5,
                    "spend_amount": float(spend),
                    "tracked_spend_amount": spend / 2,
                    "lead_sourced_revenue_amount": float(attributed),
                    "attributed_revenue_amount": float(attributed),
                    "roi_net": None if gross is None else gross - 1,
                    "roi_gross": gross,
                    "tracked_roi_gross": _ratio(attributed, spend / 2),
                    "incremental_spend_amount": inc_spend if is_all else None,
                    "incremental_revenue_amount": inc_revenue if is_all else None,
                    "incremental_revenue_ci_lower_amount": inc_revenue - half if is_all else None,
                    "incremental_revenue_ci_upper_amount": inc_revenue + half if is_all else None,
                    "incremental_roi_gross": inc_gross,
                    "incremental_roi_net": None if inc_gross is None else inc_gross - 1,
                    "is_post_window_complete": closed if is_all else None,
                    "fiscal_quarter_start_date": start,
                }
            )
    frame = pd.DataFrame(rows)
    frame["is_post_window_complete"] = frame["is_post_window_complete"].astype("boolean")
    return frame


def mdf_reallocation_dry_run() -> pd.DataFrame:
    """Four partner x activity lines for 2026-Q4: run rate 75k -> recommended 60k (-20 %), 12k
    releasable; Acme's events cut 40k -> 20k, Globex's events raised, two held (one unmeasured)."""
    lines = [
        # partner, tier, activity, band, measured gross ROI, current, recommended, releasable
        ("Acme", "gold", "event", "cut", 0.2, 40_000, 20_000, 10_000),
        ("Acme", "gold", "webinar", "hold", 1.5, 10_000, 10_000, 0),
        ("Globex", "platinum", "event", "grow", 3.5, 20_000, 25_000, 0),
        ("Initech", "silver", "webinar", "unmeasured", None, 5_000, 5_000, 2_000),
    ]
    rows = []
    for partner, tier, kind, band, roi, current, recommended, releasable in lines:
        change = recommended - current
        rows.append(
            {
                "mdf_allocation_recommendation_id": f"{partner}|{kind}",
                "partner_id": partner.lower(),
                "partner_name": partner,
                "partner_tier": tier,
                "partner_type": "reseller",
                "region": "EMEA",
                "activity_type": kind,
                "recommendation_fiscal_quarter": "2026-Q4",
                "roi_band": band,
                "recommendation_reason": f"{band} band",
                "currency_code": "USD",
                "activity_count": 2,
                "measured_spend_amount": None if roi is None else 10_000.0,
                "attributed_revenue_amount": None if roi is None else 10_000.0 * roi,
                "measured_roi_gross": roi,
                "measured_roi_net": None if roi is None else roi - 1,
                "current_quarterly_amount": float(current),
                "recommended_amount": float(recommended),
                "change_amount": float(change),
                "change_rate": change / current,
                "releasable_amount": float(releasable),
                "change_direction": "decrease" if change < 0 else "increase" if change else "hold",
                "is_floored": False,
                "is_capped": False,
            }
        )
    return pd.DataFrame(rows)


def certification_lift(
    security_after: float = 0.35, course_without_comparables: bool = False
) -> pd.DataFrame:
    """Security Sales: certified win rate 20 % -> ``security_after``, comparable partners flat at 25 %
    (lift +15 points by default), revenue per partner +60k against +20k; Networking Technical:
    30 % -> 25 % against 25 % -> 28 % (-8 points), revenue -10k against +10k.
    ``course_without_comparables`` adds Platform Sales, which has no comparable partners."""
    courses = {
        # course: (certified win before, after, comparable before, after; revenue the same)
        "Security Sales": ((0.20, security_after, 0.25, 0.25), (100_000, 160_000, 80_000, 100_000)),
        "Networking Technical": ((0.30, 0.25, 0.25, 0.28), (120_000, 110_000, 90_000, 100_000)),
    }
    if course_without_comparables:
        courses["Platform Sales"] = ((0.10, 0.20, None, None), (50_000, 70_000, None, None))
    rows = []
    for number, (course, (win, revenue)) in enumerate(courses.items()):
        measured = win[2] is not None
        win_lift = (win[1] - win[0]) - (win[3] - win[2]) if measured else None
        revenue_lift = (revenue[1] - revenue[0]) - (revenue[3] - revenue[2]) if measured else None
        for index, (group, period) in enumerate(
            (
                ("certified", "before"),
                ("certified", "after"),
                ("comparable", "before"),
                ("comparable", "after"),
            )
        ):
            rows.append(
                {
                    "course_id": f"c{number}",
                    "course_title": course,
                    "target_role": "sales" if "Sales" in course else "technical",
                    "product_line": "security",
                    "partner_group": group,
                    "period": period,
                    "period_order": 1 if period == "before" else 2,
                    "partner_count": 10,
                    "win_rate": win[index],
                    "avg_deal_size": 30_000.0 if group == "certified" else None,
                    "revenue_per_partner": revenue[index],
                    "win_rate_lift": win_lift,
                    "revenue_per_partner_lift": revenue_lift,
                }
            )
    return pd.DataFrame(rows)


def content_lift(pdf_win_rate_with: float = 0.5) -> pd.DataFrame:
    """Any asset: 40 % won with against 25 % without (lift 1.6); pdf ``pdf_win_rate_with`` against
    25 % (lift 2.0), video 1.2; by stage the lift runs from 0.8 at Contract sent to 1.0 at Qualified
    to buy; no pdf attached at Contract sent (lift null)."""
    stages = {"all": ("Any open stage", 0), "qualifiedtobuy": ("Qualified to buy", 2),
              "contractsent": ("Contract sent", 5)}  # fmt: skip
    cells = [
        # asset, stage, closed with, closed without, win rate with, win rate without
        ("all", "all", 100, 900, 0.40, 0.25),
        ("all", "qualifiedtobuy", 60, 700, 0.30, 0.30),
        ("all", "contractsent", 5, 300, 0.60, 0.75),
        ("pdf", "all", 50, 950, pdf_win_rate_with, 0.25),
        ("pdf", "qualifiedtobuy", 30, 730, 0.40, 0.30),
        ("pdf", "contractsent", 0, 305, None, 0.75),
        ("video", "all", 50, 950, 0.30, 0.25),
        ("video", "qualifiedtobuy", 30, 730, 0.20, 0.30),
        ("video", "contractsent", 5, 300, 0.60, 0.75),
    ]
    return pd.DataFrame(
        [
            {
                "asset_type": asset,
                "deal_stage": stage,
                "deal_stage_label": stages[stage][0],
                "stage_order": stages[stage][1],
                "closed_with_count": with_,
                "closed_without_count": without,
                "attachment_rate": with_ / (with_ + without),
                "win_rate_with": rate_with,
                "win_rate_without": rate_without,
                "win_rate_lift": None if rate_with is None else rate_with / rate_without,
            }
            for asset, stage, with_, without, rate_with, rate_without in cells
        ]
    )


FUNNEL_STEPS = (
    "applied",
    "approved",
    "agreements_signed",
    "first_certification",
    "first_registration",
    "first_won_deal",
)


def onboarding_funnel(second_cohort_won: int = 0) -> pd.DataFrame:
    """2026-Q1: 10 applicants -> 9 -> 6 -> 5 -> 4 -> 3 won a first deal; 2026-Q2: 5 -> 5 -> 3 -> 2
    -> 1 -> ``second_cohort_won``; 'all' sums them. Median TTPP 200 days."""
    cohorts = {"2026-Q1": (10, 9, 6, 5, 4, 3), "2026-Q2": (5, 5, 3, 2, 1, second_cohort_won)}
    cohorts["all"] = tuple(a + b for a, b in zip(*cohorts.values(), strict=True))
    rows = []
    for cohort, reached in cohorts.items():
        for step, (name, count) in enumerate(zip(FUNNEL_STEPS, reached, strict=True), start=1):
            previous = reached[step - 2] if step > 1 else None
            rows.append(
                {
                    "cohort_quarter": cohort,
                    "step_number": step,
                    "funnel_step": name,
                    "cohort_partner_count": reached[0],
                    "partners_reached_count": count,
                    "conversion_from_previous_step": count / previous if previous else None,
                    "conversion_from_applied": count / reached[0],
                    "median_days_from_applied": 30.0 * (step - 1) if count else None,
                    "cohort_median_ttpp_days": 200.0,
                }
            )
    return pd.DataFrame(rows)


def feed_schema_drift() -> pd.DataFrame:
    """A Latin-1 file quarantined whole and a Salesforce export with a custom field."""
    columns = ["feed_name", "entity_name", "source_ref", "drift_kind", "drift_severity"]
    columns += ["encoding", "unknown_columns", "missing_columns", "type_changes", "file_reason"]
    columns += ["rows_in", "rows_loaded", "rows_quarantined", "values_nulled"]
    rows = [
        (
            "crm",
            "companies",
            "crm_export/accounts/accounts_2026-03-31.csv",
            "unknown columns",
            "warning",
            "utf-8",
            "Region__c",
            None,
            None,
            None,
            7,
            7,
            0,
            2,
        ),
        (
            "lms",
            "courses",
            "lms/courses/2026-03-31.csv",
            "file quarantined",
            "error",
            None,
            None,
            None,
            None,
            "invalid UTF-8 at byte 1,204 (line 12): declare encoding: cp1252",
            0,
            0,
            0,
            0,
        ),
    ]
    return pd.DataFrame(rows, columns=columns)


def pipeline_health_distribution() -> pd.DataFrame:
    """Open deals by tier x region x health band (issue 15): more gold deals in the low bands."""
    rows = []
    for tier, shift in (("gold", 2), ("silver", 0)):
        for region in ("EMEA", "NA"):
            for b, band in enumerate(("01-19", "20-39", "40-59", "60-79", "80-99")):
                n = 1 + (b + shift) % 5
                rows.append(
                    {
                        "pipeline_health_distribution_id": f"{tier}|{region}|{band}",
                        "partner_tier": tier,
                        "region": region,
                        "health_band": band,
                        "currency_code": "USD",
                        "open_deal_count": n,
                        "model_scored_deal_count": n,
                        "open_pipeline_amount": 10_000.0 * n,
                        "mean_health_score": 10.0 + 20 * b + 2 * shift,
                        "as_of_date": pd.Timestamp("2026-09-30"),
                    }
                )
    return pd.DataFrame(rows)


def pipeline_health_riskiest_deals(deals: int = 3) -> pd.DataFrame:
    """The riskiest big deals with their actions (issue 15)."""
    rules = ("cam_joint_call", "cam_joint_call", "flash_incentive")
    return pd.DataFrame(
        [
            {
                "opportunity_id": f"o{i}",
                "partner_id": f"p{i}",
                "partner_name": f"Partner {i}",
                "partner_tier": "gold",
                "region": "EMEA",
                "deal_stage": "contractsent",
                "product_line": "security",
                "currency_code": "USD",
                "top_factor_1": "days in stage = 90 (-0.80)",
                "action_rule": rules[i % 3],
                "next_best_action": "Schedule a CAM joint call with the partner",
                "action_reason": "no stage change and no partner touch for 40 days",
                "risk_rank": i + 1,
                "amount": 100_000.0 * (i + 1),
                "big_deal_amount": 100_000.0,
                "health_score": 10 + i,
                "win_probability": 0.1 + i / 100,
                "stall_risk_score": 80,
                "is_stalled": i == 0,
                "as_of_date": pd.Timestamp("2026-09-30"),
            }
            for i in range(deals)
        ]
    )


def model_performance(model_auc: float = 0.8) -> pd.DataFrame:
    """Models against their baselines (issue 15)."""
    rows = [
        ("pipeline_health", "model", model_auc),
        ("pipeline_health", "crm_stage_probability", 0.70),
        ("pipeline_health", "stage_tier_win_rate", 0.75),
        ("stall_risk", "model", 0.95),
        ("stall_risk", "days_since_activity_rule", 0.93),
        ("stall_risk", "prevalence", None),
    ]
    return pd.DataFrame(
        [
            {
                "model_performance_id": f"{m}|{s}",
                "model_name": m,
                "scored_by": s,
                "auc": a,
                "brier": 0.2,
                "expected_calibration_error": 0.05,
                "precision_at_top_k": 0.4 if m == "stall_risk" else None,
                "base_rate": 0.3,
                "test_rows": 200,
                "as_of_date": pd.Timestamp("2026-09-30"),
            }
            for m, s, a in rows
        ]
    )


def all_reports() -> dict[str, pd.DataFrame]:
    """Every report the new leadership pages read."""
    return {
        "rpt_attribution_over_time": attribution_over_time(),
        "rpt_attribution_model_comparison": attribution_model_comparison(),
        "rpt_partner_scorecard": partner_scorecard(),
        "rpt_revenue_concentration": revenue_concentration(),
        "rpt_active_seller_bands": active_seller_bands(),
        "rpt_mdf_roi_summary": mdf_roi_summary(),
        "rpt_mdf_reallocation_dry_run": mdf_reallocation_dry_run(),
        "rpt_certification_lift": certification_lift(),
        "rpt_content_lift": content_lift(),
        "rpt_onboarding_funnel": onboarding_funnel(),
        "rpt_feed_schema_drift": feed_schema_drift(),
        "rpt_channel_outlook": channel_outlook(),
        "rpt_partner_lifetime_value": partner_lifetime_value(),
        "rpt_pipeline_health_distribution": pipeline_health_distribution(),
        "rpt_pipeline_health_riskiest_deals": pipeline_health_riskiest_deals(),
        "rpt_model_performance": model_performance(),
    }


def channel_outlook(model_error: float = 0.1, baseline_error: float = 0.3) -> pd.DataFrame:
    """Eight backtested quarters to 2026 Q2 (actual 1M; model off by ``model_error``, the pipeline
    by ``baseline_error``; intervals from the fifth) and the forecast for 2026 Q3 and Q4."""
    rows = []
    for i, quarter in enumerate(pd.date_range("2024-07-01", "2026-04-01", freq="QS")):
        sign = 1 if i % 2 else -1
        rows.append(
            {
                "quarter_start_date": quarter.date(),
                "row_kind": "backtest",
                "currency_code": "USD",
                "horizon_quarters": 1,
                "actual_amount": 1_000_000.0,
                "forecast_amount": 1_000_000.0 * (1 + sign * model_error),
                "lower_amount": 800_000.0 if i >= 4 else None,
                "upper_amount": 1_250_000.0 if i >= 4 else None,
                "baseline_amount": 1_000_000.0 * (1 - baseline_error),
                "won_to_date_amount": None,
            }
        )
    for h, quarter in ((1, date(2026, 7, 1)), (2, date(2026, 10, 1))):
        rows.append(
            {
                "quarter_start_date": quarter,
                "row_kind": "forecast",
                "currency_code": "USD",
                "horizon_quarters": h,
                "actual_amount": None,
                "forecast_amount": 1_100_000.0,
                "lower_amount": 900_000.0,
                "upper_amount": 1_400_000.0,
                "baseline_amount": 700_000.0 if h == 1 else None,
                "won_to_date_amount": 400_000.0 if h == 1 else 0.0,
            }
        )
    return pd.DataFrame(rows)


def partner_lifetime_value() -> pd.DataFrame:
    """Six partners: Acme core, Globex at risk (big last year, little ahead), Initech rising."""
    rows = [
        ("p1", "Acme", "platinum", 900_000, 1_000_000, "core: keep investing", False),
        ("p2", "Globex", "gold", 800_000, 100_000, "at risk: retain", False),
        ("p3", "Initech", "silver", 50_000, 700_000, "rising: develop", True),
        ("p4", "Umbrella", "silver", 40_000, 60_000, "long tail: automate", False),
        ("p5", "Hooli", "gold", 500_000, 600_000, "core: keep investing", False),
        ("p6", "Stark", "registered", 10_000, 20_000, "long tail: automate", True),
    ]
    return pd.DataFrame(
        [
            {
                "partner_id": pid,
                "partner_name": name,
                "partner_tier": tier,
                "plv_status": "thin_history" if thin else "modelled",
                "currency_code": "USD",
                "t12m_sourced_won_amount": float(t12m),
                "expected_revenue_next_12m_amount": float(plv),
                "expected_deals_next_12m": plv / 100_000,
                "probability_alive": 0.9 if plv > t12m else 0.3,
                "quadrant": quadrant,
                "is_thin_history": thin,
            }
            for pid, name, tier, t12m, plv, quadrant, thin in rows
        ]
    )
