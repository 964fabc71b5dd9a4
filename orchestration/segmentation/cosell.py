"""Co-sell partner matching (docs/segmentation.md#co-sell-matching): for an open opportunity,
the partners whose capability complements the one already on the deal, with reasons, and a
held-out measure of whether such pairings won more often.

A candidate is scored on four signals, each with its reason:

- **account relationship**: it sourced or touched deals at the same customer (ultimate parent
  account) before;
- **technical complement**: it holds a current technical certification in the deal's product line
  while the sourcing partner holds none;
- **vertical**: its won deals are mostly in the account's industry;
- **pairing lift**: deals where a partner of the sourcing partner's segment was joined (co-sell or
  service touch) by a partner of the candidate's segment won more often than that segment's deals
  alone (win rates smoothed towards the baseline with ``PRIOR_DEALS`` pseudo-deals).

score = relationship + technical + VERTICAL_WEIGHT x vertical + (lift - 1); the top
``TOP_N`` candidates with a positive score are recommended.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TOP_N = 3
PRIOR_DEALS = 10.0
VERTICAL_WEIGHT = 0.5
HELPER_TOUCHES = ("co_sell", "service")
HOLDOUT_SHARE = 0.3  # the latest 30 % of closed deals (by close date) are held out


def helpers(opportunities: pd.DataFrame, touches: pd.DataFrame) -> pd.DataFrame:
    """(opportunity_id, helper_partner_id): partners other than the sourcing partner that joined
    the deal with a co-sell or service touch before it closed."""
    t = touches[touches["touch_type"].isin(HELPER_TOUCHES)][["opportunity_id", "partner_id"]]
    t = t.merge(opportunities[["opportunity_id", "sourced_partner_id"]], on="opportunity_id")
    t = t[t["partner_id"].notna() & (t["partner_id"] != t["sourced_partner_id"])]
    return (
        t.rename(columns={"partner_id": "helper_partner_id"})[
            ["opportunity_id", "helper_partner_id"]
        ]
        .drop_duplicates()
        .sort_values(["opportunity_id", "helper_partner_id"])
        .reset_index(drop=True)
    )


def pairing_lifts(closed: pd.DataFrame, helped: pd.DataFrame, segments: pd.Series) -> pd.DataFrame:
    """Per (sourcing segment, helper segment): deals, wins, smoothed win rate, the sourcing
    segment's win rate alone (deals without a helper) and the lift = smoothed / alone."""
    deals = closed[closed["sourced_partner_id"].notna()].assign(
        source_segment=lambda d: d["sourced_partner_id"].map(segments)
    )
    alone = deals[~deals["opportunity_id"].isin(helped["opportunity_id"])]
    base = alone.groupby("source_segment")["is_won"].agg(["sum", "count"])
    overall = float(deals["is_won"].mean()) if len(deals) else 0.0
    baseline = ((base["sum"] + PRIOR_DEALS * overall) / (base["count"] + PRIOR_DEALS)).rename(
        "baseline_win_rate"
    )
    pairs = helped.merge(deals, on="opportunity_id").assign(
        helper_segment=lambda d: d["helper_partner_id"].map(segments)
    )
    pairs = pairs.drop_duplicates(["opportunity_id", "helper_segment"])
    grouped = (
        pairs.groupby(["source_segment", "helper_segment"])["is_won"]
        .agg(pair_deals="count", pair_wins="sum")
        .reset_index()
    )
    grouped = grouped.merge(baseline, left_on="source_segment", right_index=True, how="left")
    grouped["baseline_win_rate"] = grouped["baseline_win_rate"].fillna(overall)
    grouped["pair_win_rate"] = (
        grouped["pair_wins"] + PRIOR_DEALS * grouped["baseline_win_rate"]
    ) / (grouped["pair_deals"] + PRIOR_DEALS)
    grouped["lift"] = grouped["pair_win_rate"] / grouped["baseline_win_rate"].replace(0, np.nan)
    grouped["lift"] = grouped["lift"].fillna(1.0)
    return grouped.sort_values(["source_segment", "helper_segment"]).reset_index(drop=True)


def recommend(
    deals: pd.DataFrame,
    candidates: pd.DataFrame,
    involvements: pd.DataFrame,
    technical: pd.DataFrame,
    lifts: pd.DataFrame,
    segments: pd.Series,
    segment_names: pd.Series,
) -> pd.DataFrame:
    """The top candidates for each deal. ``deals``: opportunity_id, sourced_partner_id,
    parent_account_id, industry, product_line, as_of (capability counted before that day);
    ``candidates``: partner_id, top_won_vertical; ``involvements``: partner_id,
    parent_account_id, involved_date; ``technical``: partner_id, product_line, certified_date,
    expires_date (the day it stops counting: the earlier of expiry and revocation)."""
    columns = ["opportunity_id", "partner_id", "recommendation_rank", "score",
               "has_account_relationship", "has_technical_complement", "has_vertical_match",
               "pairing_lift", "reasons"]  # fmt: skip
    if deals.empty or candidates.empty:
        return pd.DataFrame(columns=columns)
    deal_columns = ["opportunity_id", "sourced_partner_id", "parent_account_id", "industry",
                    "product_line", "as_of"]  # fmt: skip
    deals = deals[deal_columns]
    grid = deals.merge(candidates[["partner_id", "top_won_vertical"]], how="cross")
    grid = grid[grid["partner_id"] != grid["sourced_partner_id"]]
    # account relationship before the day
    inv = involvements.merge(
        deals[["opportunity_id", "parent_account_id", "as_of"]], on="parent_account_id"
    )
    inv = inv[inv["involved_date"] < inv["as_of"]]
    rel = inv.groupby(["opportunity_id", "partner_id"]).size().rename("account_deals")
    grid = grid.merge(rel, left_on=["opportunity_id", "partner_id"], right_index=True, how="left")
    grid["account_deals"] = grid["account_deals"].fillna(0).astype(int)
    # technical certifications in the deal's product line, valid on the day
    tech = technical.merge(deals[["opportunity_id", "product_line", "as_of"]], on="product_line")
    tech = tech[
        (tech["certified_date"] <= tech["as_of"])
        & (tech["expires_date"].isna() | (tech["expires_date"] > tech["as_of"]))
    ]
    certs = tech.groupby(["opportunity_id", "partner_id"]).size().rename("tech_certs")
    grid = grid.merge(certs, left_on=["opportunity_id", "partner_id"], right_index=True, how="left")
    grid["tech_certs"] = grid["tech_certs"].fillna(0).astype(int)
    source_certs = certs.rename("source_tech_certs").rename_axis(
        ["opportunity_id", "sourced_partner_id"]
    )
    grid = grid.merge(
        source_certs, left_on=["opportunity_id", "sourced_partner_id"], right_index=True, how="left"
    )
    grid["source_tech_certs"] = grid["source_tech_certs"].fillna(0).astype(int)
    # pairing lift of the two segments
    grid["source_segment"] = grid["sourced_partner_id"].map(segments)
    grid["helper_segment"] = grid["partner_id"].map(segments)
    grid = grid.merge(
        lifts[["source_segment", "helper_segment", "lift", "pair_deals"]],
        on=["source_segment", "helper_segment"],
        how="left",
    )
    grid["pairing_lift"] = grid["lift"].fillna(1.0)
    grid["has_account_relationship"] = grid["account_deals"] > 0
    grid["has_technical_complement"] = (grid["tech_certs"] > 0) & (grid["source_tech_certs"] == 0)
    grid["has_vertical_match"] = grid["top_won_vertical"].notna() & (
        grid["top_won_vertical"] == grid["industry"]
    )
    grid["score"] = (
        grid["has_account_relationship"].astype(float)
        + grid["has_technical_complement"].astype(float)
        + VERTICAL_WEIGHT * grid["has_vertical_match"].astype(float)
        + (grid["pairing_lift"] - 1.0)
    ).round(6)
    grid = grid[grid["score"] > 0].sort_values(
        ["opportunity_id", "score", "partner_id"], ascending=[True, False, True]
    )
    grid["recommendation_rank"] = grid.groupby("opportunity_id").cumcount() + 1
    grid = grid[grid["recommendation_rank"] <= TOP_N].copy()
    grid["reasons"] = [_reasons(r, segment_names) for r in grid.to_dict("records")]
    return grid[columns].reset_index(drop=True)


def _reasons(r: dict, segment_names: pd.Series) -> str:
    out = []
    if r["has_account_relationship"]:
        out.append(f"worked this customer before ({r['account_deals']} deals)")
    if r["has_technical_complement"]:
        out.append(
            f"technical strength in {r['product_line']} ({r['tech_certs']} current technical "
            "certifications) where the sourcing partner has none"
        )
    if r["has_vertical_match"]:
        out.append(f"wins mostly in {r['industry']}")
    if r["pairing_lift"] != 1.0 and not pd.isna(r.get("pair_deals")):
        source = segment_names.get(r["source_segment"], "direct")
        helper = segment_names.get(r["helper_segment"], "?")
        out.append(
            f"{helper} joining {source} deals won {r['pairing_lift']:.2f}x as often as alone "
            f"({int(r['pair_deals'])} deals)"
        )
    return "; ".join(out)


def holdout_split(closed: pd.DataFrame) -> pd.Timestamp:
    """The close date from which deals are held out (the latest HOLDOUT_SHARE of closed deals)."""
    dates = pd.to_datetime(closed["close_date"]).sort_values().reset_index(drop=True)
    return dates.iloc[int(len(dates) * (1 - HOLDOUT_SHARE))] if len(dates) else pd.NaT


def evaluate(
    closed: pd.DataFrame,
    helped: pd.DataFrame,
    candidates: pd.DataFrame,
    involvements: pd.DataFrame,
    technical: pd.DataFrame,
    segments: pd.Series,
    segment_names: pd.Series,
    cutoff: pd.Timestamp | None = None,
) -> dict[str, float | int | None]:
    """Held-out check: lifts learnt on deals closed before the cutoff (default
    ``holdout_split(closed)``); on the held-out helped deals, capability counted as of each deal's
    creation, did the deals whose actual helper was among the recommendations win more often than
    those whose helper was not? ``segments`` should be the ones known at the cutoff."""
    cutoff = holdout_split(closed) if cutoff is None else pd.Timestamp(cutoff)
    closed = closed.assign(close_date=pd.to_datetime(closed["close_date"]))
    train = closed[closed["close_date"] < cutoff]
    test = closed[(closed["close_date"] >= cutoff) & closed["sourced_partner_id"].notna()]
    lifts = pairing_lifts(
        train, helped[helped["opportunity_id"].isin(train["opportunity_id"])], segments
    )
    test_helped = helped[helped["opportunity_id"].isin(test["opportunity_id"])]
    deals = test[test["opportunity_id"].isin(test_helped["opportunity_id"])].assign(
        as_of=lambda d: pd.to_datetime(d["created_date"])
    )
    recs = recommend(deals, candidates, involvements, technical, lifts, segments, segment_names)
    hit = test_helped.merge(
        recs[["opportunity_id", "partner_id"]].rename(columns={"partner_id": "helper_partner_id"}),
        on=["opportunity_id", "helper_partner_id"],
    )["opportunity_id"].unique()
    outcome = deals.set_index("opportunity_id")["is_won"].astype(float)
    recommended = outcome[outcome.index.isin(hit)]
    other = outcome[~outcome.index.isin(hit)]
    alone = test[~test["opportunity_id"].isin(helped["opportunity_id"])]["is_won"].astype(float)

    def rate(s: pd.Series) -> float | None:
        return round(float(s.mean()), 4) if len(s) else None

    r, o = rate(recommended), rate(other)
    return {
        "holdout_from_date": None if pd.isna(cutoff) else cutoff.date(),
        "train_deal_count": len(train),
        "holdout_helped_deal_count": len(deals),
        "recommended_pairing_deal_count": len(recommended),
        "recommended_pairing_win_rate": r,
        "other_pairing_deal_count": len(other),
        "other_pairing_win_rate": o,
        "unpaired_deal_count": len(alone),
        "unpaired_win_rate": rate(alone),
        "win_rate_lift": round(r / o, 4) if r is not None and o else None,
    }


def prepare(
    opportunities: pd.DataFrame,
    accounts: pd.DataFrame,
    products: pd.DataFrame,
    touches: pd.DataFrame,
    segments: pd.DataFrame,
    certifications: pd.DataFrame,
    courses: pd.DataFrame,
) -> dict[str, pd.DataFrame | pd.Series]:
    """The frames the matcher needs, from the marts (sorted, so results do not depend on order)."""
    opps = opportunities.merge(
        accounts[["account_id", "ultimate_parent_account_id", "industry"]],
        on="account_id",
        how="left",
    ).merge(products[["product_id", "product_line"]], on="product_id", how="left")
    opps = opps.assign(
        parent_account_id=opps["ultimate_parent_account_id"].fillna(opps["account_id"]),
        created_date=pd.to_datetime(opps["created_date"]),
    ).sort_values("opportunity_id")
    helped = helpers(opps, touches)
    sourced = opps[opps["sourced_partner_id"].notna() & opps["parent_account_id"].notna()][
        ["sourced_partner_id", "parent_account_id", "created_date"]
    ].rename(columns={"sourced_partner_id": "partner_id", "created_date": "involved_date"})
    touched = (
        touches[touches["partner_id"].notna()]
        .merge(opps[["opportunity_id", "parent_account_id"]], on="opportunity_id")[
            ["partner_id", "parent_account_id", "touched_date"]
        ]
        .rename(columns={"touched_date": "involved_date"})
    )
    involvements = pd.concat([sourced, touched]).dropna(subset=["parent_account_id"])
    involvements["involved_date"] = pd.to_datetime(involvements["involved_date"])
    tech = certifications.merge(
        courses[["course_id", "target_role", "product_line"]], on="course_id", how="inner"
    )
    tech = tech[(tech["target_role"] == "technical") & tech["partner_id"].notna()]
    # valid until the earlier of expiry and revocation (fct_certifications.valid_until_date)
    ends = tech["valid_until_date"] if "valid_until_date" in tech else tech["expires_date"]
    tech = tech.assign(
        certified_date=pd.to_datetime(tech["certified_date"]),
        expires_date=pd.to_datetime(ends),
    )[["partner_id", "product_line", "certified_date", "expires_date"]]
    segs = segments.sort_values("partner_id")
    candidates = segs[segs["is_active"].fillna(False).astype(bool)][
        ["partner_id", "top_won_vertical"]
    ].reset_index(drop=True)
    return {
        "opportunities": opps,
        "helped": helped,
        "involvements": involvements.sort_values(
            ["partner_id", "parent_account_id", "involved_date"]
        ),
        "technical": tech.sort_values(["partner_id", "product_line", "certified_date"]),
        "candidates": candidates,
        "segments": segs.set_index("partner_id")["segment_id"],
        "segment_names": segs.drop_duplicates("segment_id").set_index("segment_id")["segment_name"],
    }


def recommend_open(inputs: dict, as_of: pd.Timestamp) -> pd.DataFrame:
    """Recommendations for every open opportunity, capability counted up to ``as_of``, lifts
    learnt on every closed deal."""
    opps = inputs["opportunities"]
    closed = opps[opps["is_closed"].fillna(False).astype(bool)]
    lifts = pairing_lifts(closed, inputs["helped"], inputs["segments"])
    open_deals = opps[opps["is_open"].fillna(False).astype(bool)].assign(as_of=pd.Timestamp(as_of))
    return recommend(
        open_deals, inputs["candidates"], inputs["involvements"], inputs["technical"], lifts,
        inputs["segments"], inputs["segment_names"],
    )  # fmt: skip


def evaluate_history(inputs: dict, cutoff: pd.Timestamp | None = None) -> pd.DataFrame:
    """``evaluate`` on the warehouse's closed deals, as a one-row frame."""
    opps = inputs["opportunities"]
    closed = opps[opps["is_closed"].fillna(False).astype(bool) & opps["close_date"].notna()]
    figures = evaluate(
        closed, inputs["helped"], inputs["candidates"], inputs["involvements"],
        inputs["technical"], inputs["segments"], inputs["segment_names"], cutoff,
    )  # fmt: skip
    return pd.DataFrame([figures])
