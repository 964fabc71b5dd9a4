"""Next best action for an open partner opportunity: explicit rules over the drivers, tried in
order; the first that matches is the action, with a reason that quotes the figures behind it
(docs/pipeline_health.md#next-best-action). Every rule is a plain function of one deal's row and
the reference frames, so each can be tested on a hand-made row.

1. flash_incentive       late stage and stalled past the product line's threshold
                         (marts.fct_flash_incentive_triggers, seeds/flash_incentive_rules.csv)
2. cam_joint_call        no stage change and no partner touch for >= joint_call_days
3. certification_module  the partner holds no valid certification for the deal's product line
                         (LMS feed only): the shortest certification course of that line
4. send_content          an asset type attached in this stage wins more often
                         (marts.fct_content_deal_lift, lift > 1) and none is attached yet:
                         the asset of that type and product line attached to the most won deals
5. none                  on track
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

RULE_ORDER = ("flash_incentive", "cam_joint_call", "certification_module", "send_content")
MIN_LIFT_DEALS = 5  # closed deals with the asset type attached before a lift counts


@dataclass
class Reference:
    """Reference frames the rules read (any may be empty)."""

    flash_triggers: pd.DataFrame  # fct_flash_incentive_triggers
    content_lift: pd.DataFrame  # fct_content_deal_lift
    attachments: pd.DataFrame  # int_opportunity_content_attachments (+ is_won of the deal)
    courses: pd.DataFrame  # dim_courses
    has_lms: bool = True
    joint_call_days: int = 14
    _cache: dict = field(default_factory=dict)

    def trigger(self, opportunity_id: str) -> pd.Series | None:
        if "trig" not in self._cache:
            self._cache["trig"] = (
                self.flash_triggers.set_index("opportunity_id")
                if len(self.flash_triggers)
                else None
            )
        t = self._cache["trig"]
        return t.loc[opportunity_id] if t is not None and opportunity_id in t.index else None

    def course(self, product_line: str) -> pd.Series | None:
        key = ("course", product_line)
        if key not in self._cache:
            self._cache[key] = self._course(product_line)
        return self._cache[key]

    def _course(self, product_line: str) -> pd.Series | None:
        c = self.courses
        if not len(c):
            return None
        c = c[c["is_certification"].astype(bool) & (c["product_line"] == product_line)]
        if not len(c):
            return None
        return c.sort_values(["duration_hours", "course_id"], kind="stable").iloc[0]

    def best_asset_type(self, deal_stage: str, attached_types: set[str]) -> pd.Series | None:
        key = ("lift", deal_stage, frozenset(attached_types))
        if key not in self._cache:
            self._cache[key] = self._best_asset_type(deal_stage, attached_types)
        return self._cache[key]

    def _best_asset_type(self, deal_stage: str, attached_types: set[str]) -> pd.Series | None:
        cl = self.content_lift
        if not len(cl):
            return None
        cl = cl[
            (cl["deal_stage"] == deal_stage)
            & (cl["asset_type"] != "all")
            & (cl["closed_with_count"] >= MIN_LIFT_DEALS)
            & (cl["win_rate_lift"] > 1)
            & ~cl["asset_type"].isin(attached_types)
        ]
        if not len(cl):
            return None
        return cl.sort_values(
            ["win_rate_lift", "asset_type"], ascending=[False, True], kind="stable"
        ).iloc[0]

    def best_asset(self, asset_type: str, product_line: str) -> pd.Series | None:
        key = ("asset", asset_type, product_line)
        if key not in self._cache:
            self._cache[key] = self._best_asset(asset_type, product_line)
        return self._cache[key]

    def _best_asset(self, asset_type: str, product_line: str) -> pd.Series | None:
        a = self.attachments
        if not len(a):
            return None
        a = a[(a["asset_type"] == asset_type) & ~a["is_attached_after_close"].astype(bool)]
        same_line = a[a["product_line"] == product_line]
        a = same_line if len(same_line) else a
        won = a[a["is_won"].fillna(False).astype(bool)]
        if not len(won):
            return None
        counts = won.groupby(["asset_id", "asset_name"], as_index=False)["opportunity_id"].nunique()
        return counts.sort_values(
            ["opportunity_id", "asset_id"], ascending=[False, True], kind="stable"
        ).iloc[0]

    def attached_types(self, opportunity_id: str) -> set[str]:
        if "att" not in self._cache:
            a = self.attachments
            self._cache["att"] = (
                a.groupby("opportunity_id")["asset_type"].agg(set).to_dict() if len(a) else {}
            )
        return self._cache["att"].get(opportunity_id, set())


def _money(v: float) -> str:
    return f"{float(v):,.0f}"


def rule_flash_incentive(deal: pd.Series, ref: Reference) -> tuple[str, str] | None:
    t = ref.trigger(deal["opportunity_id"])
    if t is None:
        return None
    return (
        f"Offer a flash incentive of {_money(t['suggested_bonus_amount'])} {t['currency_code']} "
        f"if it closes won by {pd.Timestamp(t['offer_expires_date']).date()}",
        f"{int(t['days_in_stage'])} days in {t['deal_stage']}, over the {int(t['stall_days_threshold'])}-day "
        f"threshold for {t['product_line']}",
    )


def rule_cam_joint_call(deal: pd.Series, ref: Reference) -> tuple[str, str] | None:
    days = deal.get("days_since_activity")
    if pd.isna(days) or days < ref.joint_call_days:
        return None
    return (
        "Schedule a CAM joint call with the partner",
        f"no stage change and no partner touch for {int(days)} days",
    )


def rule_certification_module(deal: pd.Series, ref: Reference) -> tuple[str, str] | None:
    if (
        not ref.has_lms
        or pd.isna(deal.get("has_product_certification"))
        or deal["has_product_certification"] >= 1
    ):
        return None
    c = ref.course(deal["product_line"])
    if c is None:
        return None
    return (
        f"Enrol the partner in {c['course_title']} ({float(c['duration_hours']):g} h)",
        f"no valid {deal['product_line']} certification at the partner today",
    )


def rule_send_content(deal: pd.Series, ref: Reference) -> tuple[str, str] | None:
    stage = deal.get("deal_stage")
    if not isinstance(stage, str):
        return None
    lift = ref.best_asset_type(stage, ref.attached_types(deal["opportunity_id"]))
    if lift is None:
        return None
    asset = ref.best_asset(lift["asset_type"], deal["product_line"])
    if asset is None:
        return None
    return (
        f"Send {asset['asset_name']} ({lift['asset_type']})",
        f"deals with a {lift['asset_type']} attached in {stage} won {lift['win_rate_with']:.0%} "
        f"vs {lift['win_rate_without']:.0%} without",
    )


RULES = {
    "flash_incentive": rule_flash_incentive,
    "cam_joint_call": rule_cam_joint_call,
    "certification_module": rule_certification_module,
    "send_content": rule_send_content,
}


def next_best_action(deal: pd.Series, ref: Reference) -> dict:
    """The first matching rule's action and reason, and every rule that matched."""
    matched = {}
    for name in RULE_ORDER:
        hit = RULES[name](deal, ref)
        if hit is not None:
            matched[name] = hit
    if not matched:
        return {
            "action_rule": "none",
            "next_best_action": "No action: on track",
            "action_reason": "recent activity, certified for the product line, no late-stage stall",
            "matched_rules": "",
        }
    first = next(iter(matched))
    action, reason = matched[first]
    return {
        "action_rule": first,
        "next_best_action": action,
        "action_reason": reason,
        "matched_rules": ",".join(matched),
    }


def prescribe(deals: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """One row per deal: opportunity_id, action_rule, next_best_action, action_reason, matched_rules."""
    cols = ["opportunity_id", "action_rule", "next_best_action", "action_reason", "matched_rules"]
    rows = [
        {"opportunity_id": d["opportunity_id"]} | next_best_action(d, ref)
        for _, d in deals.iterrows()
    ]
    return pd.DataFrame(rows, columns=cols)
