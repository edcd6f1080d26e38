"""Zeros that hide small counts: proven true zeros stay, unresolvable zeros become suppressed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sozialmonitor.indicators.source_zeros import (
    AdditiveGroup,
    ZeroRule,
    group_variables,
    resolve_source_zeros,
)

D = dt.date(2017, 12, 31)
RULE = ZeroRule(
    variables=frozenset({"total", "men", "women", "german", "foreign"}),
    groups=(AdditiveGroup("total", ("men", "women")), AdditiveGroup("total", ("german", "foreign"))),
)


def frame(values: dict[str, float], unit: str = "1") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_key": unit,
            "ref_date": D,
            "variable": list(values),
            "value": list(values.values()),
            "status": "ok",
        }
    )


def statuses(df: pd.DataFrame) -> dict[str, str]:
    return dict(zip(df["variable"], df["status"], strict=True))


def test_zero_part_of_an_exact_sum_is_a_true_zero() -> None:
    out = resolve_source_zeros(frame({"total": 10, "men": 10, "women": 0, "german": 10, "foreign": 0}), RULE)
    assert statuses(out) == {"total": "ok", "men": "ok", "women": "ok", "german": "ok", "foreign": "ok"}


def test_zero_part_of_a_short_sum_hides_a_small_count() -> None:
    out = resolve_source_zeros(frame({"total": 12, "men": 10, "women": 0, "german": 12, "foreign": 0}), RULE)
    st = statuses(out)
    assert st["women"] == "suppressed" and np.isnan(out.loc[out.variable == "women", "value"].iloc[0])
    assert st["foreign"] == "ok"


def test_zero_without_any_check_stays_unknown_and_is_suppressed() -> None:
    out = resolve_source_zeros(frame({"total": 0, "men": 0, "women": 0}), RULE)
    assert set(statuses(out).values()) == {"suppressed"}


def test_total_is_taken_from_the_store_when_the_file_has_only_the_parts() -> None:
    context = frame({"total": 7})
    out = resolve_source_zeros(frame({"men": 7, "women": 0}), RULE, context)
    assert statuses(out) == {"men": "ok", "women": "ok"}
    out = resolve_source_zeros(frame({"men": 5, "women": 0}), RULE, context)
    assert statuses(out)["women"] == "suppressed"


def test_variables_outside_the_rule_and_non_zero_values_are_untouched() -> None:
    df = pd.concat([frame({"total": 5, "men": 5, "women": 0}), frame({"area": 0.0})])
    out = resolve_source_zeros(df, RULE)
    assert statuses(out)["area"] == "ok"
    assert out.loc[out.variable == "men", "value"].iloc[0] == 5


def test_group_variables_names_the_related_variables() -> None:
    assert group_variables(RULE, {"men"}) == {"total", "men", "women"}
