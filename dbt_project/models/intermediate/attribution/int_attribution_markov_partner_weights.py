"""The partner-level Markov model's global allocation brought down to won opportunities.

The standard (global) Markov attribution gives partner p the total T_p = removal-effect share of p x
the won revenue of the touched won opportunities (int_attribution_markov_removal_effects, level
partner). A partner that touched only lost deals can have a removal effect too (it leads into
converting partners) but has no won deal to take credit on, so the targets use the shares of the
partners on won deals renormalised to sum to 1. fct_attribution_credits needs the allocation per
opportunity, summing to each opportunity's amount. This model finds weights w(o, p) >= 0, only where
partner p touched won opportunity o, with sum_p w(o, p) = 1 for every opportunity and
sum_o amount(o) w(o, p) = T_p for every partner, by iterative proportional fitting (raking): start
from the removal-effect shares of the partners on the opportunity, normalised, then alternately
scale each partner's column to its total and each opportunity's row back to 1, until the partner
totals are met to 1e-9 of the revenue (deterministic, no sampling).

When no such weights exist (a partner's target is more than the revenue of the deals it touched, or
less than the revenue of the deals only it touched, which it must take in full), raking stops after
MAX_ITERATIONS with every opportunity still exact; such partners then sit at that bound and the
others move towards their targets. ``target_gap`` is the partner's credited total minus its target.
"""

import numpy as np
import pandas as pd

MAX_ITERATIONS = 2000
TOLERANCE = 1e-9  # of the total won revenue

OUTPUT_COLUMNS = [
    "opportunity_id",
    "partner_id",
    "partner_touch_count",
    "removal_effect_share",
    "credit_weight",
    "partner_target_amount",
    "target_gap",
]


def rake(
    pairs: pd.DataFrame, shares: pd.Series, amounts: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Weights per (opportunity, partner) pair meeting each partner's global total.

    ``pairs`` has columns opportunity_id and partner_id (one row per pair, sorted); ``shares`` is
    the removal-effect share by partner id, ``amounts`` the amount by opportunity id. Returns, per
    pair, the weight (rows summing to 1), the partner's target total and its credited total minus
    the target (the partner's values repeated on its pairs), and the iterations used.
    """
    opportunity_codes, opportunities = pd.factorize(pairs["opportunity_id"], sort=True)
    partner_codes, partners = pd.factorize(pairs["partner_id"], sort=True)
    amount = amounts.reindex(opportunities).to_numpy(dtype=float)
    share = shares.reindex(partners).fillna(0.0).to_numpy(dtype=float)
    revenue = amount.sum()
    target = share / share.sum() * revenue if share.sum() > 0 else np.zeros(len(partners))

    credit = share[partner_codes]
    row = np.bincount(opportunity_codes, credit, len(opportunities))
    # an opportunity whose partners all have no removal effect: equal shares (kept out of raking)
    fixed = row[opportunity_codes] <= 0
    credit = np.where(fixed, 1.0, credit)
    credit *= (
        amount[opportunity_codes]
        / np.bincount(opportunity_codes, credit, len(opportunities))[opportunity_codes]
    )
    iterations = 0
    while iterations < MAX_ITERATIONS:
        column = np.bincount(partner_codes, credit, len(partners))
        if np.abs(column - target).max() <= TOLERANCE * max(revenue, 1.0):
            break
        iterations += 1
        scale = np.divide(target, column, out=np.ones_like(target), where=column > 0)
        credit = np.where(fixed, credit, credit * scale[partner_codes])
        row = np.bincount(opportunity_codes, credit, len(opportunities))
        credit *= np.divide(amount, row, out=np.zeros_like(amount), where=row > 0)[
            opportunity_codes
        ]
    column = np.bincount(partner_codes, credit, len(partners))
    weight = np.divide(
        credit,
        amount[opportunity_codes],
        out=np.zeros_like(credit),
        where=amount[opportunity_codes] > 0,
    )
    # a zero-amount opportunity keeps the removal-effect shares of its partners
    zero = amount[opportunity_codes] <= 0
    if zero.any():
        seed = np.where(fixed, 1.0, share[partner_codes])
        weight[zero] = (
            seed / np.bincount(opportunity_codes, seed, len(opportunities))[opportunity_codes]
        )[zero]
    return weight, target[partner_codes], (column - target)[partner_codes], iterations


def partner_weights(touches: pd.DataFrame, effects: pd.DataFrame) -> pd.DataFrame:
    """One row per won opportunity and touching partner: its raked share of the opportunity."""
    won = touches[touches["is_won"].astype(bool)]
    if won.empty:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    pairs = (
        won.groupby(["opportunity_id", "partner_id"], sort=True)
        .size()
        .rename("partner_touch_count")
        .reset_index()
    )
    shares = effects.set_index("channel")["removal_effect_share"].astype(float)
    amounts = (
        won.drop_duplicates("opportunity_id").set_index("opportunity_id")["amount"].astype(float)
    )
    weight, target, gap, _ = rake(pairs, shares, amounts)
    return pairs.assign(
        removal_effect_share=shares.reindex(pairs["partner_id"]).fillna(0.0).to_numpy(),
        credit_weight=weight,
        partner_target_amount=target,
        target_gap=gap,
    )[OUTPUT_COLUMNS]


def model(dbt, session) -> pd.DataFrame:
    """dbt-duckdb entry point: raked partner weights for fct_attribution_credits."""
    dbt.config(materialized="table")
    touches = dbt.ref("int_attribution_touch_paths").df()
    effects = dbt.ref("int_attribution_markov_removal_effects").df()
    weights = partner_weights(
        touches[["opportunity_id", "partner_id", "is_won", "amount"]],
        effects[effects["markov_level"] == "partner"],
    )
    return weights.astype(
        {
            "opportunity_id": "string",
            "partner_id": "string",
            "partner_touch_count": "int32",
            "removal_effect_share": "float64",
            "credit_weight": "float64",
            "partner_target_amount": "float64",
            "target_gap": "float64",
        }
    )
