"""Loading the bundled Berlin MSS 2021 example (542 Planungsräume) into a database.

Levels: Stadt (Berlin) › Bezirk › Planungsraum. Observations on 31.12.2020: inhabitants
(``residents_main``) and the MSS index-indicator shares S1, S3, S4 and changes D1, D3, D4,
all through the same store functions as every other import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine

from sozialmonitor.db.engine import session_scope, upgrade
from sozialmonitor.geo.units import add_unit, ensure_level, import_boundaries
from sozialmonitor.indicators.store import import_observations
from sozialmonitor.indicators.variables import upsert_variables

REF_DATE = dt.date(2020, 12, 31)
BERLIN_KEY = "11000000"
VARIABLES = [
    {
        "key": "residents_main",
        "name_de": "Einwohner (Hauptwohnung) insgesamt",
        "name_en": "Residents (main residence), total",
        "unit": "Anzahl",
        "theme": "Demografie",
        "source": "Amt für Statistik Berlin-Brandenburg",
    },
    *(
        {
            "key": f"mss_{k.lower()}",
            "name_de": f"MSS-Indexindikator {k}",
            "name_en": f"MSS index indicator {k}",
            "unit": "%" if k.startswith("S") else "Prozentpunkte",
            "kind": "rate" if k.startswith("S") else "change",
            "theme": "MSS",
            "source": "SenSBW, Monitoring Soziale Stadtentwicklung 2021",
        }
        for k in ("S1", "S3", "S4", "D1", "D3", "D4")
    ),
]


def build_berlin(engine: Engine, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Build the example database; returns the number of observations written."""
    from sozialmonitor.examples import load_example

    ex = load_example("berlin-mss-2021")
    upgrade(engine)
    with session_scope(engine) as s:
        ensure_level(s, "stadt", "Stadt", "City", 1)
        ensure_level(s, "bezirk", "Bezirk", "Borough", 2)
        ensure_level(s, "plr", "Planungsraum", "Planning area", 3)
        berlin = add_unit(s, "stadt", BERLIN_KEY, "Berlin")
        for bez in sorted(ex.units["BEZ_ID"].unique()):
            add_unit(s, "bezirk", bez, f"Bezirk {bez}", berlin)
        upsert_variables(s, VARIABLES)
    if progress:
        progress("Einheiten", 1, 3)
    geo = ex.geometry()
    digest = hashlib.sha256(geo.to_json().encode()).hexdigest()
    with session_scope(engine) as s:
        import_boundaries(
            s,
            geo,
            file_name="plr_2021.geojson.gz",
            file_hash=digest,
            level_key="plr",
            key_field="PLR_ID",
            name_field="PLR_NAME",
            parent_level="bezirk",
            parent_field="BEZ_ID",
        )
    if progress:
        progress("Planungsräume", 2, 3)
    ind = ex.indicators.reset_index()
    long = ind.melt(
        id_vars="PLR_ID",
        value_vars=["EW", "S1", "S3", "S4", "D1", "D3", "D4"],
        var_name="column",
        value_name="value",
    )
    long["variable"] = long["column"].map(lambda c: "residents_main" if c == "EW" else f"mss_{c.lower()}")
    long["value"] = pd.to_numeric(long["value"], errors="coerce").astype(float)
    long["status"] = ["ok" if v == v else "missing" for v in long["value"]]
    df = pd.DataFrame(
        {
            "unit_key": long["PLR_ID"],
            "ref_date": REF_DATE,
            "variable": long["variable"],
            "value": long["value"],
            "status": long["status"],
            "source_row": 0,
            "source_column": long["column"],
        }
    )
    with session_scope(engine) as s:
        res = import_observations(
            s,
            df,
            level_key="plr",
            file_name="index_indicators.csv",
            file_hash=hashlib.sha256(df.to_csv().encode()).hexdigest(),
            source="SenSBW, Monitoring Soziale Stadtentwicklung 2021",
        )
    if progress:
        progress("Beobachtungen", 3, 3)
    return res.inserted
