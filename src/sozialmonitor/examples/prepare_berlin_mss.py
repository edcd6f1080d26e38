"""Rebuild the bundled example ``berlin-mss-2021`` from the upstream copies (maintainers only).

Run once after changing the recipe::

    python -m sozialmonitor.examples.prepare_berlin_mss /path/to/shared/data/external

It reads the files documented in ``berlin_mss_2021/SOURCES.md`` and writes ``index_indicators.csv``,
``published.csv`` and ``plr_2021.geojson.gz`` into the package. Tests never call it.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

OUT = Path(__file__).parent / "berlin_mss_2021"


def prepare(external: Path) -> None:
    mss = external / "berlin-mss"
    ids = {"PLR_ID": str, "BEZ_ID": str}
    raw = pd.read_csv(mss / "tesch-ch" / "mss_2021_index_indikatoren_wfs.csv", dtype=ids)
    raw = raw[["PLR_ID", "PLR_NAME", "BEZ_ID", "EW", "S1", "S3", "S4", "D1", "D3", "D4", "KOM"]]
    raw["EW"] = raw["EW"].astype("Int64")
    shares = ["S1", "S3", "S4", "D1", "D3", "D4"]
    raw[shares] = raw[shares].mask(raw[shares] == -9999)  # -9999 = "Planungsraum ohne Zuordnung"
    raw.to_csv(OUT / "index_indicators.csv", index=False, float_format="%.5f")

    cls = pd.read_csv(mss / "tesch-ch" / "mss_2021_indizes_wfs.csv", dtype=ids)
    cls = cls[["PLR_ID", "SI_N", "SI_V", "DI_N", "DI_V", "SDI", "SDI_N", "SDI_V"]]
    z = pd.read_csv(
        mss / "jascha-je" / "mss_2021_index-indikatoren_z-werte_plr.csv",
        sep=";",
        encoding="utf-8-sig",
        dtype={"PLR-ID": str},
    )
    z.columns = [c.strip() for c in z.columns]
    z = z.rename(
        columns={
            "PLR-ID": "PLR_ID",
            "Status-summe": "status_sum",
            "Status-Index (standardisierte Statussumme)": "status_index",
            "Dynamik-summe": "dynamics_sum",
            "Dynamik-Index (standardisierte Dynamik-summe)": "dynamics_index",
        }
    )
    z = z[
        [
            "PLR_ID",
            "zS1",
            "zS3",
            "zS4",
            "status_sum",
            "status_index",
            "zD1",
            "zD3",
            "zD4",
            "dynamics_sum",
            "dynamics_index",
        ]
    ]
    pub = z.merge(cls, on="PLR_ID", how="outer", validate="1:1")
    pub.to_csv(OUT / "published.csv", index=False)

    geo = gpd.read_file(external / "berlin-lor-geo" / "plr_2021_shp" / "lor_planungsraeume_2021.shp")
    geo = geo[["PLR_ID", "PLR_NAME", "BEZ", "geometry"]].rename(columns={"BEZ": "BEZ_ID"})
    geo["geometry"] = shapely.simplify(geo.geometry.values, 10.0, preserve_topology=True)
    geo = geo.to_crs(4326)
    data = json.loads(geo.to_json(drop_id=True))
    for feature in data["features"]:
        feature["geometry"] = json.loads(
            json.dumps(
                shapely.geometry.mapping(
                    shapely.set_precision(shapely.geometry.shape(feature["geometry"]), 1e-6)
                )
            )
        )
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    with gzip.open(OUT / "plr_2021.geojson.gz", "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(text)


if __name__ == "__main__":  # pragma: no cover
    prepare(Path(sys.argv[1]))
