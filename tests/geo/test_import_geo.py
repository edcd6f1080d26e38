"""Boundary import: formats and CRS, overlay parents, boundary changes with lineage, bad files."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import Point, Polygon, box, shape
from sqlalchemy import Engine, select

from sozialmonitor.db.engine import session_scope
from sozialmonitor.db.models import SpatialUnit, UnitLineage
from sozialmonitor.errors import ImportValidationError, SozialmonitorError
from sozialmonitor.geo.read import read_boundaries
from sozialmonitor.geo.units import ensure_level, import_boundaries, units_frame
from sozialmonitor.indicators.store import undo_import

# squares of 1 km in ETRS89 / UTM 33N (EPSG:25833) near Jena
X0, Y0 = 261_000, 5_650_000


def squares(keys: list[str], parent: list[str] | None = None) -> gpd.GeoDataFrame:
    geoms = [box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000) for i in range(len(keys))]
    data = {"schluessel": keys, "name": [f"Bezirk {k}" for k in keys]}
    if parent:
        data["ot"] = parent
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:25833")


def write(gdf: gpd.GeoDataFrame, tmp_path: Path, fmt: str) -> Path:
    if fmt == "geojson":
        path = tmp_path / "bezirke.geojson"
        gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    elif fmt == "gpkg":
        path = tmp_path / "bezirke.gpkg"
        gdf.to_file(path, driver="GPKG", layer="bezirke", engine="pyogrio")
    else:
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        gdf.to_file(shp_dir / "bezirke.shp", engine="pyogrio")
        path = tmp_path / "bezirke.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for f in shp_dir.iterdir():
                zf.write(f, f.name)
    return path


def do_import(engine: Engine, gdf: gpd.GeoDataFrame, level: str = "bezirk", **kw):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return import_boundaries(
            s,
            gdf,
            file_name="bezirke.geojson",
            file_hash="h",
            level_key=level,
            key_field="schluessel",
            name_field="name",
            **kw,
        )


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shpzip"])
def test_formats_and_crs_are_read_reprojected_and_areas_are_metric(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    path = write(squares(["1", "2"]), tmp_path, fmt)
    gdf = read_boundaries(path)
    res = do_import(engine, gdf)
    assert sorted(res.inserted) == ["1", "2"]
    with session_scope(engine) as s:
        units = s.scalars(select(SpatialUnit).order_by(SpatialUnit.key)).all()
        assert [u.key for u in units] == ["1", "2"]
        stored = shape(json.loads(units[0].geometry or ""))
        true_area = abs(Geod(ellps="GRS80").geometry_area_perimeter(stored)[0])  # on the ellipsoid
        assert units[0].area_m2 == pytest.approx(true_area, rel=1e-5)
        assert units[0].area_m2 == pytest.approx(1_000_000, rel=2e-3)  # a 1 km UTM grid square
        lon, lat = stored.centroid.coords[0]
        assert 11.0 < lon < 12.5 and 50.5 < lat < 51.5  # stored in WGS84


def test_parent_by_overlay_takes_the_largest_shared_area(engine: Engine) -> None:
    parents = gpd.GeoDataFrame(
        {"schluessel": ["A", "B"], "name": ["Nord", "Süd"]},
        geometry=[box(X0, Y0, X0 + 1600, Y0 + 1000), box(X0 + 1600, Y0, X0 + 3000, Y0 + 1000)],
        crs="EPSG:25833",
    )
    do_import(engine, parents, level="ortsteil")
    res = do_import(engine, squares(["1", "2", "3"]), parent_level="ortsteil")
    assert res.parents == {"1": "A", "2": "A", "3": "B"}  # square 2 lies 60 % in A
    assert res.parent_shares["2"] == pytest.approx(0.6, abs=0.01)
    with session_scope(engine) as s:
        df = units_frame(s, "bezirk")
    assert dict(zip(df["unit_key"], df["parent_key"], strict=True)) == {"1": "A", "2": "A", "3": "B"}


def test_boundary_change_keeps_the_old_version_and_records_lineage(engine: Engine) -> None:
    do_import(engine, squares(["1", "2"]))
    new = gpd.GeoDataFrame(
        {"schluessel": ["1"], "name": ["Bezirk 1 neu"]},
        geometry=[box(X0, Y0, X0 + 1500, Y0 + 1000)],
        crs="EPSG:25833",
    )
    res = do_import(engine, new, valid_from=dt.date(2015, 1, 1))
    assert res.replaced == ["1"]
    with session_scope(engine) as s:
        versions = s.scalars(select(SpatialUnit).where(SpatialUnit.key == "1").order_by(SpatialUnit.id)).all()
        assert [(v.valid_to, v.name) for v in versions] == [
            (dt.date(2015, 1, 1), "Bezirk 1"),
            (None, "Bezirk 1 neu"),
        ]
        lineage = {(lin.predecessor_id, round(lin.share or 0, 2)) for lin in s.scalars(select(UnitLineage))}
        old1, old2 = versions[0].id, s.scalar(select(SpatialUnit.id).where(SpatialUnit.key == "2"))
        assert lineage == {(old1, 1.0), (old2, 0.5)}


def test_reimporting_identical_boundaries_changes_nothing(engine: Engine) -> None:
    do_import(engine, squares(["1", "2"]))
    res = do_import(engine, squares(["1", "2"]))
    assert res.inserted == [] and res.replaced == [] and sorted(res.unchanged) == ["1", "2"]


def test_dry_run_writes_nothing(engine: Engine) -> None:
    with session_scope(engine) as s:
        ensure_level(s, "bezirk")
    res = do_import(engine, squares(["1"]), dry_run=True)
    assert res.inserted == ["1"]
    with session_scope(engine) as s:
        assert s.scalars(select(SpatialUnit)).all() == []


@pytest.mark.parametrize(
    ("gdf", "expected"),
    [
        (squares(["1", "1"]), "eindeutigen Schlüssel"),
        (
            gpd.GeoDataFrame(
                {"schluessel": ["1"], "name": ["x"]}, geometry=[Point(X0, Y0)], crs="EPSG:25833"
            ),
            "Polygon oder MultiPolygon",
        ),
        (squares(["1"]).rename(columns={"schluessel": "id"}), "Attribut 'schluessel'"),
        (squares([]), "mindestens eine Fläche"),
        (squares(["1"]).set_crs("EPSG:4326", allow_override=True), "die Zahlen sind wohl Meter"),
        (
            gpd.GeoDataFrame(
                {"schluessel": ["1"], "name": ["x"]},
                geometry=[Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])],
                crs="EPSG:25833",
            ),
            "eine gültige Fläche",
        ),
        (
            squares(["1"]).to_crs("EPSG:4326").set_crs("EPSG:25833", allow_override=True),
            "wohl Längen-/Breiten",
        ),
    ],
    ids=[
        "duplicate-key",
        "point",
        "missing-key-field",
        "empty",
        "metres-declared-wgs84",
        "bow-tie",
        "degrees-declared-metres",
    ],
)
def test_bad_boundary_files_are_rejected_and_nothing_is_written(
    engine: Engine, gdf: gpd.GeoDataFrame, expected: str
) -> None:
    with pytest.raises(ImportValidationError) as info:
        do_import(engine, gdf)
    assert expected in info.value.de
    with session_scope(engine) as s:
        assert s.scalars(select(SpatialUnit)).all() == []


def test_undo_of_a_boundary_import_reopens_the_previous_version(engine: Engine) -> None:
    do_import(engine, squares(["1"]))
    new = gpd.GeoDataFrame(
        {"schluessel": ["1"], "name": ["neu"]}, geometry=[box(X0, Y0, X0 + 1500, Y0 + 1000)], crs="EPSG:25833"
    )
    res = do_import(engine, new, valid_from=dt.date(2015, 1, 1))
    with session_scope(engine) as s:
        assert res.import_id is not None
        undo_import(s, res.import_id)
    with session_scope(engine) as s:
        units = s.scalars(select(SpatialUnit)).all()
        assert [(u.name, u.valid_to) for u in units] == [("Bezirk 1", None)]
        assert s.scalars(select(UnitLineage)).all() == []
        with pytest.raises(SozialmonitorError, match="bereits"):
            undo_import(s, res.import_id)


def test_stable_units_leave_out_units_whose_boundary_changed(engine: Engine) -> None:
    from sozialmonitor.geo.units import stable_units

    do_import(engine, squares(["1", "2"]), valid_from=dt.date(2010, 1, 1))
    new = gpd.GeoDataFrame(
        {"schluessel": ["1"], "name": ["neu"]}, geometry=[box(X0, Y0, X0 + 1500, Y0 + 1000)], crs="EPSG:25833"
    )
    do_import(engine, new, valid_from=dt.date(2015, 1, 1))
    with session_scope(engine) as s:
        assert stable_units(s, "bezirk", dt.date(2012, 12, 31), dt.date(2016, 12, 31)) == {"2"}
        assert stable_units(s, "bezirk", dt.date(2016, 12, 31), dt.date(2017, 12, 31)) == {"1", "2"}
        assert stable_units(s, "bezirk", dt.date(2005, 12, 31), dt.date(2011, 12, 31)) == set()


def _city_with_two_districts(engine: Engine) -> None:
    """City › two districts (1 km squares) with residents 2019: 100 and 300."""
    import pandas as pd

    from sozialmonitor.geo.units import add_unit
    from sozialmonitor.indicators.store import import_observations
    from sozialmonitor.indicators.variables import upsert_variables

    with session_scope(engine) as s:
        ensure_level(s, "stadt", "Stadt", "City", 1)
        ensure_level(s, "bezirk", "Bezirk", "District", 2)
        city = add_unit(s, "stadt", "c", "Stadt")
        upsert_variables(s, [{"key": "residents_main", "name_de": "Einwohner", "kind": "count"}])
        s.flush()
        city_id = city.id
    do_import(engine, squares(["1", "2"]))
    with session_scope(engine) as s:
        for u in s.scalars(select(SpatialUnit).where(SpatialUnit.key.in_(["1", "2"]))):
            u.parent_id = city_id
    obs = pd.DataFrame(
        {
            "unit_key": ["1", "2"],
            "ref_date": [dt.date(2019, 12, 31)] * 2,
            "variable": ["residents_main"] * 2,
            "value": [100.0, 300.0],
            "status": ["ok", "ok"],
        }
    )
    with session_scope(engine) as s:
        import_observations(s, obs, level_key="bezirk", file_name="t.csv", file_hash="t")


def _city_total(engine: Engine, day: dt.date) -> float:
    from sozialmonitor.indicators.service import level_observations

    with session_scope(engine) as s:
        city = level_observations(s, "stadt")
    row = city[(city["ref_date"] == day) & (city["variable"] == "residents_main")]
    assert row["status"].tolist() == ["ok"], row
    return float(row["value"].iloc[0])


def test_a_new_boundary_keeps_the_parent_and_earlier_totals_never_change(engine: Engine) -> None:
    """The reviewers' case: a new version of one district imported without a parent level lost its parent,
    and every historical city total silently dropped that district."""
    _city_with_two_districts(engine)
    assert _city_total(engine, dt.date(2019, 12, 31)) == 400
    new = gpd.GeoDataFrame(
        {"schluessel": ["1"], "name": ["Bezirk 1 neu"]},
        geometry=[box(X0, Y0, X0 + 1200, Y0 + 1000)],
        crs="EPSG:25833",
    )
    do_import(engine, new, valid_from=dt.date(2021, 1, 1))
    assert _city_total(engine, dt.date(2019, 12, 31)) == 400
    with session_scope(engine) as s:
        current = units_frame(s, "bezirk").set_index("unit_key")
    assert current.loc["1", "parent_key"] == "c"


def test_a_complete_new_grid_closes_vanished_units_and_links_every_new_one(engine: Engine) -> None:
    """A reform with new keys (as Berlin 2021): two districts become three; sums of 2019 stay on the old
    grid; counts carried over through lineage keep the city total."""
    from sozialmonitor.indicators.service import observations_on_grid

    _city_with_two_districts(engine)
    reform = gpd.GeoDataFrame(
        {"schluessel": ["A", "B", "C"], "name": ["A", "B", "C"]},
        geometry=[
            box(X0, Y0, X0 + 500, Y0 + 1000),
            box(X0 + 500, Y0, X0 + 1500, Y0 + 1000),
            box(X0 + 1500, Y0, X0 + 2000, Y0 + 1000),
        ],
        crs="EPSG:25833",
    )
    with pytest.raises(ImportValidationError, match="valid-from"):
        do_import(engine, reform, complete=True)
    res = do_import(engine, reform, valid_from=dt.date(2021, 1, 1), complete=True, parent_level="stadt")
    assert sorted(res.inserted) == ["A", "B", "C"] and res.closed == ["1", "2"]
    assert res.lineage == 4  # A ← 1, B ← 1 and 2, C ← 2
    with session_scope(engine) as s:
        assert sorted(units_frame(s, "bezirk")["unit_key"]) == ["A", "B", "C"]
        shares = {
            (s.get(SpatialUnit, lin.unit_id).key, s.get(SpatialUnit, lin.predecessor_id).key): lin.share
            for lin in s.scalars(select(UnitLineage))
        }
    expected = {("A", "1"): 0.5, ("B", "1"): 0.5, ("B", "2"): 0.5, ("C", "2"): 0.5}
    assert shares == pytest.approx(expected, abs=1e-4)  # areas in an equal-area CRS after reprojection
    assert _city_total(engine, dt.date(2019, 12, 31)) == 400
    with session_scope(engine) as s:
        grid = observations_on_grid(s, "bezirk", ["residents_main"])
    carried = grid.set_index("unit_key")["value"].to_dict()
    assert carried == pytest.approx({"A": 50.0, "B": 200.0, "C": 150.0}, abs=0.01)
    assert set(grid["status"]) == {"estimated"}


def test_a_bow_tie_is_repaired_on_request(engine: Engine) -> None:
    bow_tie = Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    gdf = gpd.GeoDataFrame({"schluessel": ["1"], "name": ["x"]}, geometry=[bow_tie], crs="EPSG:25833")
    res = do_import(engine, gdf, repair=True)
    assert res.inserted == ["1"]
    with session_scope(engine) as s:
        unit = s.scalars(select(SpatialUnit)).one()
        geom = shape(json.loads(unit.geometry or "null"))
    assert geom.is_valid and geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert unit.area_m2 == pytest.approx(500_000, rel=0.01)  # two triangles of a quarter square each


def test_the_crs_can_be_stated_for_a_file_in_metres(tmp_path: Path) -> None:
    path = tmp_path / "metres.geojson"
    data = json.loads(squares(["1"]).to_json())
    data.pop("crs", None)  # as many tools write it: metres, no crs member
    path.write_text(json.dumps(data), encoding="utf-8")
    from sozialmonitor.geo.read import check_boundaries

    problems = check_boundaries(read_boundaries(path), path.name, "schluessel", "name")
    assert [p.column for p in problems] == ["crs"]  # GDAL assumes WGS84 for GeoJSON: refused
    gdf = read_boundaries(path, crs="EPSG:25833")
    assert check_boundaries(gdf, path.name, "schluessel", "name") == []
    assert gdf.crs.to_epsg() == 25833
    with pytest.raises(ImportValidationError, match="KBS wie EPSG"):
        read_boundaries(path, crs="EPSG:999999")


def test_a_complete_grid_that_overlaps_nothing_is_refused(engine: Engine) -> None:
    """A new grid in the wrong CRS (e.g. EPSG:25832 stated for a file in 25833) lands kilometres away:
    no old unit overlaps it, which a reform cannot be."""
    _city_with_two_districts(engine)
    far = squares(["A", "B"])
    far = far.set_geometry(far.geometry.translate(xoff=500_000))
    with pytest.raises(ImportValidationError, match="stimmt das KBS"):
        do_import(engine, far, valid_from=dt.date(2021, 1, 1), complete=True)
    with session_scope(engine) as s:
        assert sorted(units_frame(s, "bezirk")["unit_key"]) == ["1", "2"]
