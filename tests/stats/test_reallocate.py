"""Carrying counts over a boundary reform (stats.reallocate)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sozialmonitor.stats.reallocate import reallocate

D = dt.date(2020, 12, 31)


def obs(values: dict[str, float | None], status: dict[str, str] | None = None) -> pd.DataFrame:
    status = status or {}
    return pd.DataFrame(
        {
            "unit_key": list(values),
            "ref_date": [D] * len(values),
            "variable": ["residents"] * len(values),
            "value": [float("nan") if v is None else v for v in values.values()],
            "status": [status.get(k, "ok") for k in values],
        }
    )


# old unit 1 is split 30/70 into A and B; B also takes all of old unit 2
LINEAGE = pd.DataFrame(
    {"unit_key": ["A", "B", "B"], "predecessor_key": ["1", "1", "2"], "share": [0.3, 0.7, 1.0]}
)


def values(frame: pd.DataFrame) -> dict[str, float]:
    return dict(zip(frame["unit_key"], frame["value"], strict=True))


def test_area_weighted_split_keeps_the_total() -> None:
    out = reallocate(obs({"1": 100.0, "2": 50.0}), LINEAGE)
    assert values(out) == pytest.approx({"A": 30.0, "B": 120.0})
    assert set(out["status"]) == {"estimated"}


def test_shares_are_normalised_per_old_unit() -> None:
    """Slivers below the lineage threshold leave an old unit's shares short of 1: the total is kept."""
    lineage = LINEAGE.assign(share=[0.297, 0.693, 0.99])
    out = reallocate(obs({"1": 100.0, "2": 50.0}), lineage)
    assert out["value"].sum() == pytest.approx(150.0)


def test_population_weights_follow_the_density_of_the_new_units() -> None:
    density = pd.Series({"A": 0.0, "B": 0.002})  # A is a park
    out = reallocate(obs({"1": 100.0, "2": 50.0}), LINEAGE, density)
    assert values(out) == pytest.approx({"A": 0.0, "B": 150.0})


def test_no_density_falls_back_to_area() -> None:
    density = pd.Series({"A": 0.0, "B": 0.0})
    out = reallocate(obs({"1": 100.0, "2": 50.0}), LINEAGE, density)
    assert values(out) == pytest.approx({"A": 30.0, "B": 120.0})


def test_a_missing_or_withheld_part_makes_the_new_unit_missing_or_withheld() -> None:
    out = reallocate(obs({"1": 100.0, "2": None}), LINEAGE).set_index("unit_key")
    assert out.loc["A", "status"] == "estimated" and out.loc["A", "value"] == pytest.approx(30.0)
    assert out.loc["B", "status"] == "missing" and pd.isna(out.loc["B", "value"])
    out = reallocate(obs({"1": 100.0, "2": None}, {"2": "suppressed"}), LINEAGE).set_index("unit_key")
    assert out.loc["B", "status"] == "suppressed"
    # an old unit without a row at that date: the new unit is incomplete
    out = reallocate(obs({"1": 100.0}), LINEAGE).set_index("unit_key")
    assert out.loc["B", "status"] == "missing"


def test_bad_input_names_the_missing_column() -> None:
    from sozialmonitor.errors import SozialmonitorError

    with pytest.raises(SozialmonitorError, match="share"):
        reallocate(obs({"1": 1.0}), LINEAGE.drop(columns="share"))
