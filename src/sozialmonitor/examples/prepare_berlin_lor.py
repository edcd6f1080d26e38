"""Rebuild the data of the bundled example city ``berlin-lor`` from the upstream copies (maintainers only).

Run once after changing the recipe::

    python -m sozialmonitor.examples.prepare_berlin_lor /path/to/shared/data/external

It reads the files documented in ``berlin_lor/SOURCES.md``: the population tables are copied byte for
byte; the three boundary layers (Bezirke, Planungsräume until 2020, Planungsräume from 2021) are simplified
(10 m), rounded to 1e-6° and written as gzipped GeoJSON in WGS84. The city folder's ``city.yaml`` and
mappings are written by hand: they are the configuration a planner would write. Tests never call this.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import shapely

OUT = Path(__file__).parent / "berlin_lor"
YEARS = range(2020, 2025)


def _write_geojson(geo: gpd.GeoDataFrame, path: Path) -> None:
    geo = geo.to_crs(25833)
    geo["geometry"] = shapely.simplify(geo.geometry.values, 10.0, preserve_topology=True)
    geo = geo.to_crs(4326)
    data = json.loads(geo.to_json(drop_id=True))
    for feature in data["features"]:
        shape = shapely.set_precision(shapely.geometry.shape(feature["geometry"]), 1e-6)
        feature["geometry"] = shapely.geometry.mapping(shapely.make_valid(shape))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=list)
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(text)


def prepare(external: Path) -> None:
    geo_in = external / "berlin-lor-geo"
    districts = gpd.read_file(geo_in / "berlin-lor-districts_wgs84.geojson")[["id", "name", "geometry"]]
    _write_geojson(districts, OUT / "geo" / "bezirke.geojson.gz")
    old = gpd.read_file(geo_in / "berlin-lor-planning-areas-until-2020_wgs84.geojson")[
        ["id", "name", "geometry"]
    ]
    # upstream defect: "Schloßstraße" in Charlottenburg (04030417) carries the key of the Schloßstraße in
    # Steglitz (06010102); the population tables use 04030417. The feature inside Bezirk 04 gets its key back.
    bezirk_04 = districts.loc[districts["id"] == "04", "geometry"].iloc[0]
    wrong = (old["id"] == "06010102") & old.geometry.representative_point().within(bezirk_04)
    assert int(wrong.sum()) == 1, "expected exactly one mis-keyed Schloßstraße in Bezirk 04"
    old.loc[wrong, "id"] = "04030417"
    _write_geojson(old, OUT / "geo" / "planungsraeume_bis_2020.geojson.gz")
    new = gpd.read_file(geo_in / "plr_2021_shp" / "lor_planungsraeume_2021.shp")
    _write_geojson(
        new[["PLR_ID", "PLR_NAME", "BEZ", "geometry"]], OUT / "geo" / "planungsraeume_2021.geojson.gz"
    )

    pop = external / "berlin-population"
    (OUT / "data").mkdir(parents=True, exist_ok=True)
    names = [f"berlin-lor-population-{y}-02-{t}-planning-areas.csv" for y in YEARS for t in ("t1", "t2")]
    names.append("berlin-lor-population-2024-02-t2-districts.csv")
    for name in names:
        shutil.copyfile(pop / name, OUT / "data" / name)


if __name__ == "__main__":  # pragma: no cover
    prepare(Path(sys.argv[1]))
