"""Change, trend and growth – only for units comparable in both periods."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.stats.timeseries import cagr, change, trend, year_fraction

DATES = [dt.date(y, 12, 31) for y in range(2015, 2021)]


def ind(values: dict[str, list[float]], status: dict[tuple[str, int], str] | None = None) -> pd.DataFrame:
    rows = []
    for unit, series in values.items():
        for i, (d, v) in enumerate(zip(DATES, series, strict=False)):
            rows.append(
                {
                    "indicator": "q",
                    "unit_key": unit,
                    "ref_date": d,
                    "value": v,
                    "status": (status or {}).get((unit, i), "ok"),
                }
            )
    return pd.DataFrame(rows)


def test_change_over_one_and_two_periods() -> None:
    data = ind({"a": [10, 12, 15, 15, 18, 20]})
    one = change(data, 1).table
    assert one["change_abs"].tolist() == [2, 3, 0, 3, 2]
    assert one.loc[0, "change_rel"] == pytest.approx(20.0)
    two = change(data, 2).table
    assert two.loc[0, ["base_date", "ref_date", "change_abs"]].tolist() == [DATES[0], DATES[2], 5]


def test_change_excludes_units_not_valid_in_both_periods_and_says_which() -> None:
    data = ind({"a": [10, 12], "b": [5, 6], "new": [np.nan, 3]})
    data = data.dropna()
    valid = {DATES[0]: {"a", "b"}, DATES[1]: {"a", "new"}}
    res = change(data, 1, valid_units=valid)
    assert res.table["unit_key"].tolist() == ["a"]
    assert sorted(zip(res.excluded["unit_key"], res.excluded["reason"], strict=True)) == [
        ("b", "not_valid"),
        ("new", "not_valid"),
    ]


def test_change_follows_lineage() -> None:
    data = pd.concat([ind({"old": [10]}), ind({"new": [np.nan, 14]}).iloc[[1]]])
    res = change(data, 1, lineage={"old": "new"})
    assert res.table.loc[0, ["unit_key", "change_abs"]].tolist() == ["new", 4]


def test_change_with_suppressed_value_is_excluded_not_zero() -> None:
    res = change(ind({"a": [10, np.nan]}, {("a", 1): "suppressed"}), 1)
    assert res.table.empty and res.excluded.loc[0, "reason"] == "no_value"


def test_trend_matches_scipy_linregress_and_kommonitor_t() -> None:
    values = [10.0, 11.0, 13.0, 12.5, 15.0, 16.0]
    res = trend(ind({"a": values}))
    row = res.table.iloc[0]
    ref = scipy_stats.linregress(year_fraction(pd.Series(DATES)), values)
    assert row["slope"] == pytest.approx(ref.slope) and row["r2"] == pytest.approx(ref.rvalue**2)
    assert row["trend_t"] == pytest.approx(100 * ref.slope / np.mean(values))
    first = trend(ind({"a": values}), base="first").table.iloc[0]
    t0 = year_fraction(pd.Series(DATES[:1]))[0]
    assert first["trend_t"] == pytest.approx(100 * ref.slope / (ref.intercept + ref.slope * t0))


def test_trend_needs_min_points() -> None:
    res = trend(ind({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0]}), min_points=3)
    assert res.table["unit_key"].tolist() == ["a"]
    assert res.excluded["unit_key"].tolist() == ["b"]


def test_cagr() -> None:
    res = cagr(ind({"a": [100, 0, 0, 0, 0, 161.051]}), DATES[0], DATES[5])
    assert res.table.loc[0, "cagr"] == pytest.approx(10.0, abs=0.01)
    with pytest.raises(SozialmonitorError, match="nicht nach Beginn"):
        cagr(ind({"a": [1]}), DATES[1], DATES[0])
