"""Indicators, status propagation, aggregation up the hierarchy and comparison with the city."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.indicators.catalogue import IndicatorDef
from sozialmonitor.stats.indicators import aggregate, compare_to_reference, compute_indicators

D = dt.date(2020, 12, 31)
SHARE = IndicatorDef(
    "sgb2_share",
    "SGB-II-Quote",
    "SGB II share",
    "labour",
    ("unemployed_sgb2",),
    ("residents_main",),
    min_denominator=100,
)
FOREIGN = IndicatorDef(
    "foreign",
    "Ausländeranteil",
    "foreigners",
    "migration",
    ("residents_foreign",),
    ("residents_male", "residents_female"),
)
COUNT = IndicatorDef(
    "residents", "Einwohner", "residents", "demo", ("residents_main",), factor=1.0, unit="Anzahl"
)


def obs(rows: list[tuple[str, str, float, str]], date: dt.date = D) -> pd.DataFrame:
    return pd.DataFrame(
        [{"unit_key": u, "ref_date": date, "variable": v, "value": x, "status": s} for u, v, x, s in rows]
    )


def _one(ind: pd.DataFrame, key: str, unit: str) -> pd.Series:
    return ind[(ind["indicator"] == key) & (ind["unit_key"] == unit)].iloc[0]


def test_ratio_of_sums_with_factor() -> None:
    o = obs(
        [
            ("a", "unemployed_sgb2", 30, "ok"),
            ("a", "residents_main", 600, "ok"),
            ("a", "residents_foreign", 20, "ok"),
            ("a", "residents_male", 300, "ok"),
            ("a", "residents_female", 100, "ok"),
        ]
    )
    ind = compute_indicators(o, [SHARE, FOREIGN, COUNT])
    assert _one(ind, "sgb2_share", "a")["value"] == pytest.approx(5.0)
    assert _one(ind, "foreign", "a")[["numerator", "denominator", "value"]].tolist() == [20, 400, 5.0]
    assert _one(ind, "residents", "a")["value"] == 600 and np.isnan(
        _one(ind, "residents", "a")["denominator"]
    )


@pytest.mark.parametrize(
    ("num_status", "den_status", "expected"),
    [
        ("ok", "ok", "ok"),
        ("estimated", "ok", "estimated"),
        ("ok", "missing", "missing"),
        ("suppressed", "ok", "suppressed"),
        ("suppressed", "missing", "suppressed"),
        ("estimated", "suppressed", "suppressed"),
    ],
)
def test_status_propagates_to_the_worst_input(num_status: str, den_status: str, expected: str) -> None:
    o = obs([("a", "unemployed_sgb2", 3, num_status), ("a", "residents_main", 600, den_status)])
    row = _one(compute_indicators(o, [SHARE]), "sgb2_share", "a")
    assert row["status"] == expected
    assert np.isnan(row["value"]) == (expected in ("missing", "suppressed"))


def test_suppressed_or_absent_input_is_never_taken_as_zero() -> None:
    o = obs(
        [
            ("a", "residents_foreign", np.nan, "suppressed"),
            ("a", "residents_male", 300, "ok"),
            ("b", "residents_foreign", 5, "ok"),
            ("b", "residents_male", 300, "ok"),
            ("b", "residents_female", np.nan, "ok"),
        ]
    )
    ind = compute_indicators(o, [FOREIGN]).set_index("unit_key")
    assert ind.loc["a", "status"] == "suppressed" and np.isnan(ind.loc["a", "numerator"])
    assert ind.loc["b", "status"] == "missing" and np.isnan(ind.loc["b", "value"])


def test_zero_denominator_is_missing_and_small_denominator_flagged() -> None:
    o = obs(
        [
            ("a", "unemployed_sgb2", 0, "ok"),
            ("a", "residents_main", 0, "ok"),
            ("b", "unemployed_sgb2", 4, "ok"),
            ("b", "residents_main", 50, "ok"),
        ]
    )
    ind = compute_indicators(o, [SHARE]).set_index("unit_key")
    assert ind.loc["a", "status"] == "missing" and np.isnan(ind.loc["a", "value"])
    assert ind.loc["b", "flag_small"] and ind.loc["b", "value"] == pytest.approx(8.0)


def test_duplicate_observation_is_an_error() -> None:
    o = obs([("a", "residents_main", 1, "ok"), ("a", "residents_main", 2, "ok")])
    with pytest.raises(SozialmonitorError, match="Doppelte Beobachtung: Einheit 'a'"):
        compute_indicators(o, [COUNT])


def test_district_sums_equal_published_jena_population(
    jena_obs: pd.DataFrame, jena_totals: pd.DataFrame
) -> None:
    hierarchy = pd.DataFrame({"unit_key": jena_obs["unit_key"].unique(), "parent_key": "jena"})
    city = aggregate(jena_obs, hierarchy)
    assert len(city["ref_date"].unique()) == 11 and (city["source"] == "aggregated").all()
    merged = city.merge(jena_totals, on=["unit_key", "ref_date", "variable"], suffixes=("", "_published"))
    pop = merged[merged["variable"].isin(["residents_main", "residents_male", "residents_female"])]
    assert len(pop) == 33
    assert (pop["value"] == pop["value_published"]).all()
    # small district counts of foreigners/unemployed were published as 0: their sums fall short
    short = merged[merged["variable"].isin(["residents_foreign", "unemployed"])]
    assert (short["value"] <= short["value_published"]).all()


def test_published_city_value_is_preferred(jena_obs: pd.DataFrame, jena_totals: pd.DataFrame) -> None:
    hierarchy = pd.DataFrame({"unit_key": jena_obs["unit_key"].unique(), "parent_key": "jena"})
    city = aggregate(pd.concat([jena_obs, jena_totals]), hierarchy)
    unemployed = city[city["variable"] == "unemployed"].merge(
        jena_totals, on=["unit_key", "ref_date", "variable"]
    )
    assert (unemployed["source"] == "observed").all()
    assert (unemployed["value_x"] == unemployed["value_y"]).all()


def test_aggregate_with_suppressed_part_is_suppressed_unless_published() -> None:
    h = pd.DataFrame({"unit_key": ["d1", "d2", "d3"], "parent_key": ["o1", "o1", "o2"]})
    o = obs(
        [
            ("d1", "x", np.nan, "suppressed"),
            ("d2", "x", 10, "ok"),
            ("d3", "x", 5, "estimated"),
            ("d1", "y", 1, "ok"),
            ("d2", "y", 2, "ok"),
            ("o2", "y", 99, "ok"),
        ]
    )
    agg = aggregate(o, h).set_index(["unit_key", "variable"])
    assert agg.loc[("o1", "x"), "status"] == "suppressed" and np.isnan(agg.loc[("o1", "x"), "value"])
    assert agg.loc[("o2", "x"), ["value", "status"]].tolist() == [5, "estimated"]
    assert agg.loc[("o1", "y"), "value"] == 3
    # o2 has no child observation of y, but its own published value wins
    assert agg.loc[("o2", "y"), ["value", "source"]].tolist() == [99, "observed"]


def test_aggregate_with_absent_child_is_missing() -> None:
    h = pd.DataFrame({"unit_key": ["d1", "d2"], "parent_key": ["o1", "o1"]})
    agg = aggregate(obs([("d1", "x", 4, "ok")]), h)
    assert agg.loc[0, "status"] == "missing"


def test_rates_are_aggregated_from_counts_not_averaged() -> None:
    h = pd.DataFrame({"unit_key": ["a", "b"], "parent_key": ["city", "city"]})
    o = obs(
        [
            ("a", "unemployed_sgb2", 10, "ok"),
            ("a", "residents_main", 100, "ok"),
            ("b", "unemployed_sgb2", 10, "ok"),
            ("b", "residents_main", 900, "ok"),
        ]
    )
    city = compute_indicators(aggregate(o, h), [SHARE])
    assert city.loc[0, "value"] == pytest.approx(2.0)  # not (10 % + 1.11 %) / 2


def test_compare_to_reference_deviation_and_rank() -> None:
    o = obs(
        [
            (u, v, x, "ok")
            for u, n, d in [("a", 10, 200), ("b", 30, 300), ("c", 5, 50), ("d", 20, 400)]
            for v, x in [("unemployed_sgb2", n), ("residents_main", d)]
        ]
    )
    ind = compute_indicators(o, [SHARE])
    city = pd.DataFrame({"indicator": ["sgb2_share"], "ref_date": [D], "value": [6.5]})
    out = compare_to_reference(ind, city).set_index("unit_key")
    assert out.loc["b", "deviation_abs"] == pytest.approx(3.5)
    assert out.loc["b", "deviation_rel"] == pytest.approx(100 * (10 / 6.5 - 1))
    assert out.loc["b", "rank"] == 1 and out.loc["a", "rank"] == 2 and out.loc["d", "rank"] == 2
    assert pd.isna(out.loc["c", "rank"])  # denominator 50 < min_denominator 100
    assert (out["n_ranked"] == 3).all()
