"""Releases on both stores (SQLite and the PostgreSQL server): protect, audit, store, read, withdraw.

A small made-up city (another city than Jena, no demo data): six districts in two quarters, residents and
unemployed by sex, an area; one district has a single unemployed person.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.geo.units import add_unit, ensure_level
from sozialmonitor.indicators.catalogue import Catalogue, IndicatorDef
from sozialmonitor.indicators.store import import_observations
from sozialmonitor.indicators.variables import set_relations, upsert_variables
from sozialmonitor.publication.figures import public_tables
from sozialmonitor.publication.models import PublicCell, Release
from sozialmonitor.publication.release import public_scope, published_indicators, release_year, withdraw
from sozialmonitor.web.service import set_published

CAT = Catalogue(
    themes={},
    indicators={
        "pop": IndicatorDef(
            "pop", "Einwohner", "Residents", "t", ("residents_main",), factor=1, unit="Anzahl", decimals=0
        ),
        "unemp": IndicatorDef(
            "unemp", "Arbeitslose", "Unemployed", "t", ("unemployed",), factor=1, unit="Anzahl", decimals=0
        ),
        "ushare": IndicatorDef("ushare", "Anteil", "Share", "t", ("unemployed",), ("residents_main",)),
        "area": IndicatorDef("area", "Fläche", "Area", "t", ("area_total",), factor=1, unit="ha"),
    },
)
DISTRICTS = {"1": ("A", 900, 1, 1, 0), "2": ("A", 1200, 40, 22, 18), "3": ("A", 800, 30, 10, 20)}
DISTRICTS |= {"4": ("B", 1500, 60, 30, 30), "5": ("B", 700, 25, 12, 13), "6": ("B", 1100, 35, 20, 15)}


def _city(engine: Engine) -> None:
    with session_scope(engine) as s:
        ensure_level(s, "stadt", "Stadt", "City", 1)
        ensure_level(s, "viertel", "Viertel", "Quarter", 2)
        ensure_level(s, "bezirk", "Bezirk", "District", 3)
        city = add_unit(s, "stadt", "0", "Musterstadt")
        quarters = {q: add_unit(s, "viertel", q, f"Viertel {q}", city) for q in ("A", "B")}
        for key, (q, *_rest) in DISTRICTS.items():
            add_unit(s, "bezirk", key, f"Bezirk {key}", quarters[q])
        upsert_variables(
            s,
            [
                {"key": k, "name_de": k}
                for k in ("residents_main", "unemployed", "unemployed_male", "unemployed_female")
            ]
            + [{"key": "area_total", "name_de": "Fläche", "unit": "ha", "kind": "amount"}],
        )
        set_relations(s, [("unemployed", ["unemployed_male", "unemployed_female"])], "test")
        rows = []
        for key, (_q, pop, un, male, female) in DISTRICTS.items():
            for var, value in (
                ("residents_main", pop),
                ("unemployed", un),
                ("unemployed_male", male),
                ("unemployed_female", female),
                ("area_total", 1.5),
            ):
                rows.append((key, dt.date(2020, 12, 31), var, float(value), "ok"))
        df = pd.DataFrame(rows, columns=["unit_key", "ref_date", "variable", "value", "status"])
        import_observations(s, df, level_key="bezirk", file_name="m.csv", file_hash="m")
        set_published(s, list(CAT.indicators), True, "test")


def test_release_protects_stores_and_withdraws_on_both_stores(engine: Engine) -> None:
    _city(engine)
    with session_scope(engine) as s:
        assert public_tables(s, CAT, published_indicators(s), public_scope(s).levels)[1] == {}
        rel = release_year(s, 2020, "anna", catalogue=CAT)
        assert rel.audit["exposed"] == 0 and rel.audit["withheld"]["primary"] >= 1
    with session_scope(engine) as s:
        scope = public_scope(s)
        assert scope.city_level == "stadt" and scope.levels == ["stadt", "viertel", "bezirk"]
        tables, releases = public_tables(s, CAT, published_indicators(s), scope.levels)
        assert list(releases) == [2020] and releases[2020].released_by == "anna"
        district = tables["bezirk"].set_index(["indicator", "unit_key"])
        assert pd.isna(district.loc[("unemp", "1"), "value"])
        assert district.loc[("unemp", "1"), "reason"] == "primary"
        assert pd.isna(district.loc[("ushare", "1"), "value"])
        # the quarter's total would reveal district 1 if its siblings were all published
        hidden = district.xs("unemp", level="indicator")["value"].isna().sum()
        assert hidden >= 2
        # amounts are not counts: published as they are, and summed up
        assert tables["stadt"].set_index("indicator").loc["area", "value"] == pytest.approx(9.0)
        assert tables["stadt"].set_index("indicator").loc["pop", "value"] == 6200
        n_cells = len(s.scalars(select(PublicCell).where(PublicCell.release_id == rel.id)).all())
        assert n_cells == 3 * 9  # residents, unemployed, area for 1 city + 2 quarters + 6 districts
    with session_scope(engine) as s:
        withdraw(s, 2020, "ben")
    with session_scope(engine) as s:
        tables, releases = public_tables(s, CAT, published_indicators(s), public_scope(s).levels)
        assert releases == {} and all(t.empty for t in tables.values())
        row = s.scalars(select(Release)).one()
        assert row.withdrawn_by == "ben" and row.params["threshold"] == 3
        with pytest.raises(SozialmonitorError, match="Keine gültige Freigabe"):
            withdraw(s, 2020, "ben")
