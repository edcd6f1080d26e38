"""Moran's I and LISA against esda directly, on a grid and on the Berlin PLR geometry."""

from __future__ import annotations

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from sozialmonitor.examples import load_example
from sozialmonitor.indices.mss import mss_index
from sozialmonitor.stats.spatial import NO_NEIGHBOURS, contiguity_weights, lisa, morans_i


def grid(n: int = 4) -> gpd.GeoDataFrame:
    cells = [(f"c{r}{c}", box(c, r, c + 1, r + 1)) for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame({"key": [k for k, _ in cells]}, geometry=[g for _, g in cells], crs=25833)


def test_queen_contiguity_on_a_grid() -> None:
    w = contiguity_weights(grid(), "key")
    assert w.cardinalities["c00"] == 3 and w.cardinalities["c11"] == 8 and w.cardinalities["c01"] == 5


def test_morans_i_on_a_gradient_equals_esda_and_is_seeded() -> None:
    g = grid()
    values = pd.Series([float(k[1]) for k in g["key"]], index=g["key"])  # row number: strong gradient
    w = contiguity_weights(g, "key")
    result = morans_i(values, w, permutations=99)
    w.transform = "r"
    ref = esda.Moran(values.loc[w.id_order].to_numpy(), w, permutations=0)
    assert result.i == pytest.approx(ref.I) and result.i > 0.5
    assert morans_i(values, w, permutations=99) == result


def test_missing_values_and_islands_are_left_out() -> None:
    g = pd.concat([grid(), gpd.GeoDataFrame({"key": ["far"]}, geometry=[box(10, 10, 11, 11)], crs=25833)])
    values = pd.Series(np.arange(17, dtype=float), index=g["key"])
    values["c00"] = np.nan
    out = lisa(values, contiguity_weights(g, "key"), permutations=99)
    assert out.loc["far", "label"] == NO_NEIGHBOURS
    assert np.isnan(out.loc["c00", "local_i"])


@pytest.fixture(scope="module")
def berlin() -> tuple[pd.Series, object]:
    ex = load_example("berlin-mss-2021")
    status = mss_index(ex.indicators, ex.config).table["status_index"]
    geo = ex.geometry()
    return status, contiguity_weights(geo, "PLR_ID")


def test_berlin_status_index_is_clustered(berlin: tuple) -> None:
    status, w = berlin
    result = morans_i(status, w)
    assert result.n == 536 and result.i > 0.5 and result.p_sim == pytest.approx(0.001)


def test_berlin_lisa_matches_esda_and_labels_hot_spots(berlin: tuple) -> None:
    status, w = berlin
    out = lisa(status, w, permutations=999, seed=7)
    valid = out.dropna(subset=["local_i"])
    assert len(valid) == 536
    labels = set(valid["label"])
    assert {"HH", "LL", "nicht signifikant"} <= labels <= {"HH", "LL", "HL", "LH", "nicht signifikant"}
    # a high-status-index (disadvantaged) hot spot has a positive index and high neighbours
    hh = valid[valid["label"] == "HH"]
    assert (status[hh.index] > 0).all() and (hh["p_sim"] <= 0.05).all()
    again = lisa(status, w, permutations=999, seed=7)
    assert again["p_sim"].equals(out["p_sim"])
