"""Bundled example data sets with a loader, in the style of ``mapclassify``/``libpysal`` examples.

``load_example("berlin-mss-2021")`` returns a :class:`BerlinMss2021` with

* ``units`` — one row per Berlin Planungsraum (LOR 2021, 542 rows): ``PLR_ID`` (8-character string, the unit
  key), ``PLR_NAME``, ``BEZ_ID`` (2-character Bezirk id), ``EW`` (inhabitants 31.12.2020, nullable integer),
  ``KOM`` (``gültig`` for the 536 valid PLR, otherwise the published reason);
* ``indicators`` — index = ``PLR_ID``; ``EW`` and the raw MSS index-indicator shares in % ``S1`` (unemployed),
  ``S3`` (transfer recipients), ``S4`` (children < 15 in transfer households) and their 2-year changes in
  percentage points ``D1``, ``D3``, ``D4``; NaN for the 6 PLR without assignment;
* ``published`` — index = ``PLR_ID``; published z-values (2 decimals), sums, ``status_index``,
  ``dynamics_index`` (2 decimals), classes ``SI_N``/``SI_V``, ``DI_N``/``DI_V`` and Gesamtindex ``SDI``,
  ``SDI_N``, ``SDI_V``;
* ``config`` — the :class:`~sozialmonitor.indices.mss.MssConfig` of MSS 2021 (outlier 10100205 excluded);
* ``geometry()`` — the PLR polygons as a GeoDataFrame in WGS84 (EPSG:4326), columns ``PLR_ID``,
  ``PLR_NAME``, ``BEZ_ID``, ``geometry`` (simplified with 10 m tolerance, 6 decimals).

Sources and licences: ``berlin_mss_2021/SOURCES.md``.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sozialmonitor.errors import NotFoundError
from sozialmonitor.indices.mss import MssConfig

HERE = Path(__file__).parent
EXAMPLES: dict[str, str] = {
    "berlin-mss-2021": "Berlin, Monitoring Soziale Stadtentwicklung 2021 (542 Planungsräume)",
    "berlin-lor": "Berlin, Einwohner je Planungsraum 2020–2024 über die LOR-Reform 2021 (Stadtordner)",
}
CITY_FOLDERS: dict[str, Path] = {"berlin-lor": HERE / "berlin_lor"}
"""Examples that are ordinary city folders (``city.yaml``): built by ``sozialmonitor build`` like any city."""
BERLIN_MSS_2021_CONFIG = MssConfig(exclude=("10100205",))
"""MSS 2021: status S1, S3, S4, dynamics D1, D3, D4, weights 1, min. 300 inhabitants, outlier 10100205."""


@dataclass(frozen=True)
class BerlinMss2021:
    name: str
    units: pd.DataFrame
    indicators: pd.DataFrame
    published: pd.DataFrame
    config: MssConfig
    folder: Path

    def geometry(self) -> Any:
        """PLR polygons (GeoDataFrame, EPSG:4326)."""
        import geopandas as gpd

        raw = gzip.decompress((self.folder / "plr_2021.geojson.gz").read_bytes())
        geo = gpd.read_file(io.BytesIO(raw))
        return geo.set_crs(4326, allow_override=True)


def load_example(name: str) -> BerlinMss2021:
    """Load a bundled example by name (see :data:`EXAMPLES`)."""
    if name not in EXAMPLES or name in CITY_FOLDERS:
        raise NotFoundError(
            f"Unbekanntes Beispiel {name!r}; vorhanden: {', '.join(EXAMPLES)}",
            f"unknown example {name!r}; available: {', '.join(EXAMPLES)}",
        )
    folder = HERE / "berlin_mss_2021"
    ids = {"PLR_ID": str, "BEZ_ID": str}
    raw = pd.read_csv(folder / "index_indicators.csv", dtype=ids, encoding="utf-8")
    raw["EW"] = raw["EW"].astype("Int64")
    units = raw[["PLR_ID", "PLR_NAME", "BEZ_ID", "EW", "KOM"]].copy()
    indicators = raw.set_index("PLR_ID")[["EW", "S1", "S3", "S4", "D1", "D3", "D4"]]
    published = pd.read_csv(folder / "published.csv", dtype={"PLR_ID": str}).set_index("PLR_ID")
    return BerlinMss2021(name, units, indicators, published, BERLIN_MSS_2021_CONFIG, folder)
