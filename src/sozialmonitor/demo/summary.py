"""The short text summary printed after building a database (until the web app shows more)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sozialmonitor.fmt import number
from sozialmonitor.geo.units import units_frame
from sozialmonitor.indicators.catalogue import load_catalogue
from sozialmonitor.indicators.service import indicator_table

HEADLINE = [
    "residents",
    "share_children_0_6",
    "share_elderly_65",
    "share_foreigners",
    "unemployment_share_sgb2",
    "share_single_parent_households",
    "share_one_person_60plus",
    "dwellings_per_1000",
]


def headline(
    session: Session,
) -> tuple[str, int, list[tuple[str, str]], tuple[str, list[tuple[str, str]]] | None]:
    """City name, latest year, headline indicator values and the top five units of the SGB II share."""
    cat = load_catalogue()
    units = units_frame(session)
    city_level = units.loc[units["rank"] == units["rank"][units["rank"] >= 1].min(), "level"].iloc[0]
    city = units.loc[units["level"] == city_level].iloc[0]
    wanted = [k for k in HEADLINE if k in cat.indicators]
    ind = indicator_table(session, str(city_level), indicators=None, catalogue=cat)
    ind = ind[ind["indicator"].isin(wanted) & (ind["unit_key"] == city["unit_key"])]
    if ind.empty:
        return str(city["name"]), 0, [], None
    ind = ind[ind["value"].notna()]
    year = max(d.year for d in ind["ref_date"])
    rows = []
    for key in wanted:
        r = ind[ind["indicator"] == key]
        if r.empty:
            continue
        r = r.loc[[max(r.index, key=lambda i: r.at[i, "ref_date"])]]
        d = cat.get(key)
        unit = "" if d.unit in ("Personen", "Anzahl") else f" {d.unit}"
        y = r["ref_date"].iloc[0].year
        note = "" if y == year else f" ({y})"
        rows.append((d.name_de, number(float(r["value"].iloc[0]), d.decimals) + unit + note))
    finest = units.loc[units["rank"] == units["rank"].max(), "level"].iloc[0]
    key = "unemployment_share_sgb2"
    if key not in cat.indicators:
        return str(city["name"]), year, rows, None
    fine = indicator_table(session, str(finest), indicators=[key], years=[year], catalogue=cat)
    fine = fine[(fine["status"] == "ok") & ~fine["flag_small"].astype(bool)]
    if fine.empty:
        return str(city["name"]), year, rows, None
    fine = fine.assign(value=fine["value"].astype(float)).nlargest(5, "value")
    names = dict(zip(units["unit_key"], units["name"], strict=False))
    d = cat.get(key)
    top = [
        (names.get(u, u), number(v, d.decimals) + f" {d.unit}")
        for u, v in zip(fine["unit_key"], fine["value"], strict=True)
    ]
    return str(city["name"]), year, rows, (f"{d.name_de} {year}: höchste Werte", top)
