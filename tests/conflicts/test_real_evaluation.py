"""The real-name evaluation set is well formed, and its scoring can fail."""

from __future__ import annotations

from orchestration.conflicts.real_evaluation import (
    OUT_OF_SCOPE,
    load_real_set,
)


def test_the_real_set_is_big_enough_and_labelled() -> None:
    accounts, names = load_real_set()
    assert accounts["account_id"].is_unique
    assert set(names["split"]) == {"tune", "holdout"}
    present = names[names["true_account_id"] != ""]
    in_scope = present[~present["kind"].isin(OUT_OF_SCOPE)]
    assert len(in_scope) >= 2000
    assert (names["kind"] == "absent").sum() >= 500
    # every label names an account of its own source
    keys = set(zip(accounts["source"], accounts["account_id"], strict=True))
    assert all(k in keys for k in zip(present["source"], present["true_account_id"], strict=True))
    # absent organisations are absent: none is an account (a few share a name with another
    # organisation that is one: homonyms, e.g. two ETH Zurich records, are real and kept)
    absent = names[names["kind"] == "absent"]
    assert not set(absent["org_id"]) & set(accounts["account_id"])
    assert absent["query"].isin(accounts["account_name"]).mean() < 0.02
    # every organisation's names fall on one side of the split
    assert names.groupby(["source", "org_id"])["split"].nunique().max() == 1
