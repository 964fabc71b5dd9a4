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
    "markov": "Markov",
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
    touch) and partner credit (Acme first under every model but Markov)."""
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
        if model == "markov":
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


def all_reports() -> dict[str, pd.DataFrame]:
    """Every report the new leadership pages read."""
    return {
        "rpt_attribution_over_time": attribution_over_time(),
        "rpt_attribution_model_comparison": attribution_model_comparison(),
        "rpt_partner_scorecard": partner_scorecard(),
        "rpt_revenue_concentration": revenue_concentration(),
        "rpt_active_seller_bands": active_seller_bands(),
    }
