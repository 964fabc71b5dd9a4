"""Removal effect of each partner touch type in a first-order Markov chain over touch paths.

Every closed opportunity (won or lost) with partner touches before close is one path:
start -> touch_type -> ... -> touch_type -> conversion (won) or null (lost). Transition
probabilities are the observed transition shares between those states (repeats of a type are
kept as self-loops). The probability of reaching conversion from start is solved exactly for the
absorbing chain; removing a touch type sends every transition into it to null instead. The removal
effect of a type is 1 - P(conversion | type removed) / P(conversion); its share is the removal
effect normalised over all types, which fct_attribution_credits uses as the type's Markov weight.
"""

from itertools import pairwise

import numpy as np
import pandas as pd

START = "__start__"
CONVERSION = "__conversion__"
NULL = "__null__"

OUTPUT_COLUMNS = [
    "touch_type",
    "path_count",
    "converted_path_count",
    "transition_count",
    "conversion_probability",
    "removed_conversion_probability",
    "removal_effect",
    "removal_effect_share",
]


def paths_from_touches(touches: pd.DataFrame) -> list[tuple[list[str], bool]]:
    """One (ordered touch types, is_won) pair per opportunity."""
    ordered = touches.sort_values(["opportunity_id", "touch_position"])
    return [
        (list(group["touch_type"]), bool(group["is_won"].iloc[0]))
        for _, group in ordered.groupby("opportunity_id", sort=False)
    ]


def transition_counts(paths: list[tuple[list[str], bool]]) -> dict[tuple[str, str], int]:
    """Counts of every observed transition, start and the two absorbing states included."""
    counts: dict[tuple[str, str], int] = {}
    for types, is_won in paths:
        states = [START, *types, CONVERSION if is_won else NULL]
        for source, target in pairwise(states):
            counts[(source, target)] = counts.get((source, target), 0) + 1
    return counts


def conversion_probability(
    counts: dict[tuple[str, str], int], touch_types: list[str], removed: str | None = None
) -> float:
    """P(reaching conversion from start); transitions into `removed` go to null instead."""
    transient = [START, *touch_types]
    index = {state: i for i, state in enumerate(transient)}
    q = np.zeros((len(transient), len(transient)))
    r = np.zeros(len(transient))  # transient -> conversion
    outgoing = np.zeros(len(transient))
    for (source, _target), count in counts.items():
        outgoing[index[source]] += count
    for (source, target), count in counts.items():
        probability = count / outgoing[index[source]]
        if target == CONVERSION:
            r[index[source]] += probability
        elif target in (NULL, removed):
            continue
        else:
            q[index[source], index[target]] += probability
    absorbed = np.linalg.solve(np.eye(len(transient)) - q, r)
    return float(absorbed[index[START]])


def removal_effects(touches: pd.DataFrame) -> pd.DataFrame:
    """Removal effect and its normalised share per touch type."""
    if touches.empty:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    paths = paths_from_touches(touches)
    counts = transition_counts(paths)
    touch_types = sorted(touches["touch_type"].unique())
    base = conversion_probability(counts, touch_types)
    rows = []
    for touch_type in touch_types:
        removed = conversion_probability(counts, touch_types, removed=touch_type)
        rows.append(
            {
                "touch_type": touch_type,
                "path_count": sum(touch_type in types for types, _ in paths),
                "converted_path_count": sum(touch_type in types and won for types, won in paths),
                "transition_count": sum(c for (s, _), c in counts.items() if s == touch_type),
                "conversion_probability": base,
                "removed_conversion_probability": removed,
                "removal_effect": 1 - removed / base if base > 0 else 0.0,
            }
        )
    effects = pd.DataFrame(rows, columns=OUTPUT_COLUMNS[:-1])
    total = effects["removal_effect"].sum()
    effects["removal_effect_share"] = effects["removal_effect"] / total if total > 0 else 0.0
    return effects


def model(dbt, session) -> pd.DataFrame:
    """dbt-duckdb entry point: removal effects from int_attribution_touch_paths."""
    dbt.config(materialized="table")
    touches = dbt.ref("int_attribution_touch_paths").df()
    effects = removal_effects(touches[["opportunity_id", "touch_position", "touch_type", "is_won"]])
    return effects.astype(
        {
            "touch_type": "string",
            "path_count": "int32",
            "converted_path_count": "int32",
            "transition_count": "int32",
            "conversion_probability": "float64",
            "removed_conversion_probability": "float64",
            "removal_effect": "float64",
            "removal_effect_share": "float64",
        }
    )
