"""The bundled example has the documented shape."""

from __future__ import annotations

import pytest

from sozialmonitor.errors import NotFoundError
from sozialmonitor.examples import load_example


def test_berlin_example_shape() -> None:
    ex = load_example("berlin-mss-2021")
    assert list(ex.units.columns) == ["PLR_ID", "PLR_NAME", "BEZ_ID", "EW", "KOM"]
    assert len(ex.units) == 542 and ex.units["PLR_ID"].str.len().eq(8).all()
    assert ex.units["BEZ_ID"].str.len().eq(2).all() and ex.units["BEZ_ID"].nunique() == 12
    assert (ex.units["KOM"] == "gültig").sum() == 536
    assert list(ex.indicators.columns) == ["EW", "S1", "S3", "S4", "D1", "D3", "D4"]
    assert ex.indicators.index.name == "PLR_ID" and ex.indicators["S1"].notna().sum() == 536
    assert ex.published.loc["01100101", "SDI_V"] == "Status mittel , Dynamik negativ"


def test_berlin_geometry_is_wgs84_and_complete() -> None:
    geo = load_example("berlin-mss-2021").geometry()
    assert geo.crs.to_epsg() == 4326 and len(geo) == 542
    assert set(geo["PLR_ID"]) == set(load_example("berlin-mss-2021").units["PLR_ID"])
    assert geo.is_valid.all()
    minx, miny, maxx, maxy = geo.total_bounds
    assert 13.0 < minx < maxx < 13.8 and 52.3 < miny < maxy < 52.7


def test_unknown_example() -> None:
    with pytest.raises(NotFoundError, match="Unbekanntes Beispiel"):
        load_example("paris")
