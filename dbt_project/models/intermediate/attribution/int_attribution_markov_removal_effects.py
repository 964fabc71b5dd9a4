"""Removal effects of first-order Markov chains over the partner touch paths, at two levels.

Every closed opportunity (won or lost) with partner touches before close is one path: start ->
channel -> ... -> channel -> conversion (won) or null (lost). A channel is the touch's type
(level ``touch_type``: referral, co_sell, ...) or its partner (level ``partner``: the standard
channel-level model of Anderl et al. and the ChannelAttribution package, with partners as channels).
Transition probabilities are the observed shares of each state's outgoing transitions (a repeated
channel is a self-loop). P(conversion) is the absorption probability from start, solved exactly for
the absorbing chain: h = (I - Q)^-1 r. Removing a channel sends every transition into it to null;
its removal effect is 1 - P(conversion | channel removed) / P(conversion), and its share the removal
effect over the sum of the level's effects. The standard global allocation gives a channel
``share x`` the won conversions (``attributed_conversions``) and ``share x`` the won revenue
(``attributed_revenue``).

All removals of a level come from one solve: removing channel k zeroes column k of Q, a rank-one
change of I - Q, so by Sherman-Morrison h_k(start) = h(start) - Z[start, k] h(k) / (1 + Z[k, k])
with Z = (I - Q)^-1 Q. No sampling (ChannelAttribution simulates paths; this is the exact value
it estimates).
"""

from collections import Counter
from itertools import pairwise

import numpy as np
import pandas as pd

START = "__start__"
CONVERSION = "__conversion__"
NULL = "__null__"
LEVELS = {"touch_type": "touch_type", "partner": "partner_id"}

OUTPUT_COLUMNS = [
    "markov_level",
    "channel",
    "path_count",
    "converted_path_count",
    "transition_count",
    "conversion_probability",
    "removed_conversion_probability",
    "removal_effect",
    "removal_effect_share",
    "attributed_conversions",
    "attributed_revenue",
]

PathCounts = Counter  # (tuple of channels, is_won) -> number of paths


def paths_from_touches(touches: pd.DataFrame, channel_column: str) -> PathCounts:
    """Identical paths counted: (channels in touch order, is_won) -> opportunities."""
    ordered = touches.sort_values(["opportunity_id", "touch_position"])
    grouped = ordered.groupby("opportunity_id", sort=True)
    channels = grouped[channel_column].agg(tuple)
    won = grouped["is_won"].first().astype(bool)
    return Counter(zip(channels, won, strict=True))


def transition_counts(paths: PathCounts) -> Counter:
    """Counts of every observed transition, start and the two absorbing states included."""
    counts: Counter = Counter()
    for (channels, is_won), n in paths.items():
        states = [START, *channels, CONVERSION if is_won else NULL]
        for source, target in pairwise(states):
            counts[(source, target)] += n
    return counts


def absorbing_chain(counts: Counter, channels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Q (transient -> transient) and r (transient -> conversion); transient = start + channels."""
    index = {state: i for i, state in enumerate([START, *channels])}
    size = len(index)
    outgoing = np.zeros(size)
    for (source, _target), count in counts.items():
        outgoing[index[source]] += count
    q = np.zeros((size, size))
    r = np.zeros(size)
    for (source, target), count in sorted(counts.items()):
        probability = count / outgoing[index[source]]
        if target == CONVERSION:
            r[index[source]] += probability
        elif target != NULL:
            q[index[source], index[target]] += probability
    return q, r


def conversion_probabilities(counts: Counter, channels: list[str]) -> tuple[float, np.ndarray]:
    """P(conversion from start) in the full chain, and with each channel removed (in order)."""
    q, r = absorbing_chain(counts, channels)
    m = np.eye(len(r)) - q
    h = np.linalg.solve(m, r)  # absorption into conversion from every transient state
    z = np.linalg.solve(m, q)  # (I - Q)^-1 Q, for the rank-one removals
    k = np.arange(1, len(r))  # channel states (0 is start)
    removed = h[0] - z[0, k] * h[k] / (1 + z[k, k])
    # a probability: clip float noise of the order of 1e-16 around 0 and h
    return float(h[0]), np.clip(removed, 0.0, h[0])


def removal_effects(paths: PathCounts, won_revenue: float = 0.0) -> pd.DataFrame:
    """Removal effect, share and the global allocation per channel of one level's paths."""
    if not paths:
        return pd.DataFrame(columns=OUTPUT_COLUMNS[1:])
    counts = transition_counts(paths)
    channels = sorted({channel for path, _ in paths for channel in path})
    base, removed = conversion_probabilities(counts, channels)
    path_count: Counter = Counter()
    converted_path_count: Counter = Counter()
    for (path, is_won), n in paths.items():
        for channel in set(path):
            path_count[channel] += n
            converted_path_count[channel] += n if is_won else 0
    outgoing: Counter = Counter()
    for (source, _target), n in counts.items():
        outgoing[source] += n
    effects = pd.DataFrame(
        {
            "channel": channels,
            "path_count": [path_count[c] for c in channels],
            "converted_path_count": [converted_path_count[c] for c in channels],
            "transition_count": [outgoing[c] for c in channels],
            "conversion_probability": base,
            "removed_conversion_probability": removed,
            "removal_effect": 1 - removed / base if base > 0 else 0.0,
        }
    )
    total = effects["removal_effect"].sum()
    effects["removal_effect_share"] = effects["removal_effect"] / total if total > 0 else 0.0
    won_paths = sum(n for (_, won), n in paths.items() if won)
    effects["attributed_conversions"] = effects["removal_effect_share"] * won_paths
    effects["attributed_revenue"] = effects["removal_effect_share"] * won_revenue
    return effects


def model(dbt, session) -> pd.DataFrame:
    """dbt-duckdb entry point: both levels' removal effects from int_attribution_touch_paths."""
    dbt.config(materialized="table")
    touches = dbt.ref("int_attribution_touch_paths").df()
    won = touches[touches["is_won"].astype(bool)].drop_duplicates("opportunity_id")
    won_revenue = float(won["amount"].astype(float).sum())
    frames = []
    for level, column in LEVELS.items():
        effects = removal_effects(paths_from_touches(touches, column), won_revenue)
        frames.append(effects.assign(markov_level=level))
    effects = pd.concat(frames, ignore_index=True)[OUTPUT_COLUMNS]
    return effects.astype(
        {
            "markov_level": "string",
            "channel": "string",
            "path_count": "int32",
            "converted_path_count": "int32",
            "transition_count": "int32",
            "conversion_probability": "float64",
            "removed_conversion_probability": "float64",
            "removal_effect": "float64",
            "removal_effect_share": "float64",
            "attributed_conversions": "float64",
            "attributed_revenue": "float64",
        }
    )
