"""The report's figures, collected from the store through the indicator service (no SQL of its own).

:func:`collect` returns a :class:`ReportData`: per chapter the indicators with data (values of every district
in the report year and the comparison year, the city value, the city's time series) and the catalogue
indicators without data (named in the report, not hidden).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.geo.units import units_frame
from sozialmonitor.indicators.catalogue import Catalogue, IndicatorDef
from sozialmonitor.indicators.kinds import ADDITIVE_KINDS, COUNT, indicator_kind
from sozialmonitor.indicators.service import indicator_table
from sozialmonitor.indicators.variables import variable_kinds
from sozialmonitor.publication.figures import public_tables
from sozialmonitor.publication.release import public_scope, published_indicators
from sozialmonitor.report.settings import ChapterSpec, ReportSettings, UnitTerm, term_for_level, with_rest
from sozialmonitor.stats.indicators import compare_to_reference, rows_with_dates
from sozialmonitor.stats.status import ESTIMATED, OK


@dataclass
class IndicatorData:
    """One indicator of a chapter: ``table`` has one row per district (index ``unit_key``) with ``name``,
    ``value``, ``status``, ``flag_small``, ``usable``, ``value_cmp``, ``usable_cmp``, ``change``, ``rank``."""

    defn: IndicatorDef
    kind: str
    """count | amount | rate | index | change (:func:`sozialmonitor.indicators.kinds.indicator_kind`)."""
    year: int
    compare_year: int | None
    table: pd.DataFrame
    city: float | None
    city_cmp: float | None
    series: pd.DataFrame
    """City value per year (``year``, ``city``) and the district minimum/maximum (``low``, ``high``)."""

    @property
    def n_usable(self) -> int:
        return int(self.table["usable"].sum())


@dataclass
class ChapterData:
    spec: ChapterSpec
    indicators: list[IndicatorData]
    missing: list[IndicatorDef]


@dataclass
class ReportData:
    settings: ReportSettings
    catalogue: Catalogue
    level: str
    level_name: str
    city_key: str | None
    city_name: str
    units: pd.DataFrame
    """Districts of the report level (``unit_key``, ``name``, ``has_geometry``) sorted by key."""
    chapters: list[ChapterData]
    years: list[int]
    compare_year: int | None
    long: pd.DataFrame = field(repr=False)
    """The full indicator table of the report level (all years up to the report year)."""

    @property
    def with_data(self) -> list[ChapterData]:
        return [c for c in self.chapters if c.indicators]

    @property
    def without_data(self) -> list[ChapterData]:
        return [c for c in self.chapters if not c.indicators]

    def indicator(self, key: str) -> IndicatorData | None:
        for c in self.chapters:
            for i in c.indicators:
                if i.defn.key == key:
                    return i
        return None


def _sort_key(key: str) -> tuple[int, str]:
    """Numeric keys in numeric order (2 before 10), others after them alphabetically."""
    return (int(key), "") if key.isdigit() else (10**12, key)


def latest_year(session: Session, edition: str) -> int:
    """The default report year: the latest released year (public edition) or the latest year with data."""
    from sqlalchemy import func, select

    from sozialmonitor.db.models import Observation
    from sozialmonitor.publication.figures import active_releases

    if edition == "public":
        years = sorted(active_releases(session))
        if not years:
            raise SozialmonitorError(
                "Noch kein Jahr freigegeben: erst `sozialmonitor release JAHR`, oder --edition internal",
                "no year released yet: first `sozialmonitor release YEAR`, or --edition internal",
            )
        return years[-1]
    last = session.scalar(select(func.max(Observation.ref_date)))
    if last is None:
        raise SozialmonitorError(
            "Die Datenbank enthält keine Daten (erst importieren)",
            "the database holds no data (import first)",
        )
    return int(last.year) if isinstance(last, dt.date) else int(str(last)[:4])


def report_level(units: pd.DataFrame, requested: str | None) -> str:
    """The requested level, or the finest level that has boundaries."""
    levels = units[["level", "rank"]].drop_duplicates().sort_values("rank")
    if requested:
        if requested not in set(levels["level"]):
            raise SozialmonitorError(
                f"Unbekannte Raumebene {requested!r} (vorhanden: {', '.join(levels['level'])})",
                f"unknown spatial level {requested!r} (present: {', '.join(levels['level'])})",
            )
        return requested
    with_geo = units[units["has_geometry"]]
    if with_geo.empty:
        raise SozialmonitorError(
            "Keine Raumebene mit Grenzen in der Datenbank", "no spatial level with boundaries in the database"
        )
    return str(with_geo.sort_values("rank")["level"].iloc[-1])


def assign_chapters(specs: tuple[ChapterSpec, ...], catalogue: Catalogue) -> dict[str, list[IndicatorDef]]:
    """Catalogue indicators per chapter: explicit lists first, then by catalogue theme, then the rest to the
    ``*`` chapter (each only once)."""
    taken: set[str] = set()
    out: dict[str, list[IndicatorDef]] = {s.key: [] for s in specs}
    for spec in specs:
        for key in spec.indicators:
            if key in catalogue.indicators and key not in taken:
                out[spec.key].append(catalogue.indicators[key])
                taken.add(key)
    for spec in specs:
        for d in catalogue:
            if d.theme in spec.themes and d.key not in taken:
                out[spec.key].append(d)
                taken.add(d.key)
    for spec in (s for s in specs if s.rest):
        out[spec.key] += [d for d in catalogue if d.key not in taken]
        taken |= {d.key for d in out[spec.key]}
    return out


def _usable(frame: pd.DataFrame) -> pd.Series:
    return frame["value"].notna() & frame["status"].isin([OK, ESTIMATED]) & ~frame["flag_small"].astype(bool)


def _city_value(city: pd.DataFrame, defn: IndicatorDef, kind: str, date: dt.date | None) -> float | None:
    """The city value; none for a sum of shares (indicators delivered as shares without denominator)."""
    if date is None or city.empty:
        return None
    if not defn.denominator and kind not in ADDITIVE_KINDS:
        return None
    row = city[(city["indicator"] == defn.key) & (city["ref_date"] == date)]
    if row.empty or not bool(_usable(row).iloc[0]):
        return None
    return float(row["value"].iloc[0])


def _indicator_data(
    defn: IndicatorDef,
    kind: str,
    ind: pd.DataFrame,
    city: pd.DataFrame,
    units: pd.DataFrame,
    year: int,
    compare_year: int | None,
) -> IndicatorData | None:
    own = ind[ind["indicator"] == defn.key]
    if own.empty:
        return None
    by_year = own.assign(year=[d.year for d in own["ref_date"]])
    with_values = by_year[_usable(by_year) & (by_year["year"] <= year)]
    if with_values.empty:
        return None
    used_year = int(with_values["year"].max())
    now = by_year[by_year["year"] == used_year]
    date = now["ref_date"].iloc[0]
    city_now = city[(city["indicator"] == defn.key) & (city["ref_date"] == date)]
    ranked = compare_to_reference(
        now, city_now[["indicator", "ref_date", "value"]] if not city_now.empty else city_now
    )
    table = units[["unit_key", "name"]].merge(
        ranked[["unit_key", "value", "status", "flag_small", "rank"]], on="unit_key", how="left"
    )
    table["status"] = table["status"].fillna("missing")
    table["flag_small"] = table["flag_small"].fillna(False).astype(bool)
    table["usable"] = _usable(table)
    cmp_year = compare_year if compare_year is not None and compare_year < used_year else None
    cmp_date = None
    if cmp_year is not None:
        then = by_year[by_year["year"] == cmp_year]
        if then.empty:
            cmp_year = None
        else:
            cmp_date = then["ref_date"].iloc[0]
            then = then.assign(usable_cmp=_usable(then)).rename(columns={"value": "value_cmp"})
            table = table.merge(then[["unit_key", "value_cmp", "usable_cmp"]], on="unit_key", how="left")
    if cmp_year is None:
        table["value_cmp"] = np.nan
        table["usable_cmp"] = False
    table["usable_cmp"] = table["usable_cmp"].fillna(False).astype(bool)
    both = table["usable"] & table["usable_cmp"]
    table["change"] = (table["value"] - table["value_cmp"]).where(both)
    table = table.set_index("unit_key")
    usable_all = with_values
    years = sorted(set(usable_all["year"]))
    low = usable_all.groupby("year")["value"].min()
    high = usable_all.groupby("year")["value"].max()
    city_dates = {d.year: d for d in by_year["ref_date"]}
    series = pd.DataFrame(
        {
            "year": years,
            "city": [_city_value(city, defn, kind, city_dates.get(y)) for y in years],
            "low": [float(low[y]) for y in years],
            "high": [float(high[y]) for y in years],
        }
    )
    return IndicatorData(
        defn=defn,
        kind=kind,
        year=used_year,
        compare_year=cmp_year,
        table=table,
        city=_city_value(city, defn, kind, date),
        city_cmp=_city_value(city, defn, kind, cmp_date),
        series=series,
    )


def _source(
    session: Session, settings: ReportSettings, catalogue: Catalogue, level: str, city_level: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """The indicator tables of the report level and the city level: the public figure set (released years,
    protected; the public edition) or the raw engine (internal edition)."""
    kinds = variable_kinds(session)
    if settings.internal:
        return (
            indicator_table(session, level, catalogue=catalogue),
            indicator_table(session, city_level, catalogue=catalogue),
            kinds,
        )
    scope = public_scope(session)
    if level not in scope.levels:
        raise SozialmonitorError(
            f"Die Ebene {level!r} gehört nicht zu den öffentlichen Ebenen ({', '.join(scope.levels)})",
            f"level {level!r} is not a public level ({', '.join(scope.levels)})",
        )
    levels = [lv for lv in scope.levels if lv in (level, city_level)]
    tables, releases = public_tables(session, catalogue, published_indicators(session), levels)
    if settings.year not in releases:
        released = ", ".join(map(str, sorted(releases))) or "–"
        raise SozialmonitorError(
            f"Das Berichtsjahr {settings.year} ist nicht freigegeben (freigegeben: {released}). "
            f"Geben Sie es mit `sozialmonitor release {settings.year}` frei oder schreiben Sie mit "
            "`--edition internal` einen internen Bericht.",
            f"the report year {settings.year} is not released (released: {released}). Release it with "
            f"`sozialmonitor release {settings.year}` or write an internal report with `--edition internal`.",
        )
    if settings.compare_year is not None and settings.compare_year not in releases:
        released = ", ".join(map(str, sorted(releases)))
        raise SozialmonitorError(
            f"Das Vergleichsjahr {settings.compare_year} ist nicht freigegeben (freigegeben: {released})",
            f"the comparison year {settings.compare_year} is not released (released: {released})",
        )
    return tables[level], tables.get(city_level, tables[level].iloc[0:0]), kinds


def default_compare_year(years: list[int], year: int) -> int | None:
    """Five years before the report year if data exist then, else the earliest earlier year."""
    earlier = [y for y in years if y < year]
    if not earlier:
        return None
    return year - 5 if year - 5 in earlier else min(earlier)


def _level_name_de(session: Session, level: str) -> str:
    from sqlalchemy import select

    from sozialmonitor.db.models import SpatialLevel

    name = session.scalar(select(SpatialLevel.name_de).where(SpatialLevel.key == level))
    return str(name or "")


def collect(session: Session, settings: ReportSettings) -> ReportData:
    """All figures of the report for ``settings.year`` (and the comparison year)."""
    catalogue = settings.catalogue()
    all_units = units_frame(session)
    level = report_level(all_units, settings.level)
    lv_units = all_units[all_units["level"] == level]
    if settings.districts_with_geometry_only and lv_units["has_geometry"].any():
        lv_units = lv_units[lv_units["has_geometry"]]
    order = sorted(lv_units["unit_key"], key=_sort_key)
    units = lv_units.set_index("unit_key").loc[order].reset_index()[["unit_key", "name", "has_geometry"]]
    city_level = settings.city_level or public_scope(session).city_level
    city_units = all_units[all_units["level"] == city_level]
    city_key = str(city_units["unit_key"].iloc[0]) if len(city_units) == 1 else None
    city_name = settings.city_name or (str(city_units["name"].iloc[0]) if city_key else "")
    if settings.unit_term == UnitTerm():  # not set in the report folder: the word of the level itself
        derived = term_for_level(_level_name_de(session, level))
        if derived is not None:
            settings = dataclasses.replace(settings, unit_term=derived)
    level_rows = all_units.loc[all_units["level"] == level, "level"]
    level_name = settings.unit_term.singular if len(level_rows) else level
    specs = with_rest(settings.chapters)
    assigned = assign_chapters(specs, catalogue)
    wanted = sorted({d.key for defs in assigned.values() for d in defs} | set(settings.profile_indicators))
    wanted = [k for k in wanted if k in catalogue.indicators]
    ind, city_all, kinds = _source(session, settings, catalogue, level, city_level)
    ind = ind[ind["indicator"].isin(wanted)]
    ind = rows_with_dates(ind, lambda d: d.year <= settings.year)
    ind = ind[ind["unit_key"].isin(set(units["unit_key"]))]
    years = sorted({d.year for d in ind["ref_date"]})
    if settings.year not in years:
        raise SozialmonitorError(
            f"Für {settings.year} liegen auf der Ebene {level!r} keine Daten vor "
            f"(vorhanden: {', '.join(map(str, years)) or '–'})",
            f"no data for {settings.year} on level {level!r} (present: {', '.join(map(str, years)) or '–'})",
        )
    compare_year = settings.compare_year
    if compare_year is None:
        compare_year = default_compare_year(years, settings.year)
    elif compare_year >= settings.year:
        raise SozialmonitorError(
            f"Vergleichsjahr {compare_year} muss vor dem Berichtsjahr {settings.year} liegen",
            f"comparison year {compare_year} must be before the report year {settings.year}",
        )
    if city_key is not None:
        city = city_all[(city_all["unit_key"] == city_key) & city_all["indicator"].isin(wanted)]
    else:
        city = pd.DataFrame(columns=ind.columns)
    chapters = []
    for spec in specs:
        have, missing = [], []
        for defn in assigned[spec.key]:
            kind = indicator_kind(defn.numerator, defn.denominator, kinds)
            data = _indicator_data(defn, kind, ind, city, units, settings.year, compare_year)
            (have.append(data) if data is not None else missing.append(defn))
        if spec.rest:  # the rest chapter shows what has data; the catalogue's others are not "missing"
            if not have:
                continue
            missing = []
        chapters.append(ChapterData(spec, have, missing))
    return ReportData(
        settings=settings,
        catalogue=catalogue,
        level=level,
        level_name=level_name,
        city_key=city_key,
        city_name=city_name,
        units=units,
        chapters=chapters,
        years=years,
        compare_year=compare_year,
        long=ind,
    )


FAR_SD = 1.5


def comparable(ind: IndicatorData) -> bool:
    """District values can be set against the city value (not for counts: a district is part of the city)."""
    return ind.kind != COUNT


def far_districts(ind: IndicatorData) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Districts more than 1.5 standard deviations (of the district values) above or below the city value."""
    if ind.city is None or not comparable(ind):
        return [], []
    t = ind.table[ind.table["usable"]]
    if len(t) < 3:
        return [], []
    sd = float(np.std(t["value"].to_numpy(dtype=float)))
    if sd == 0:
        return [], []
    dev = t["value"] - ind.city
    up, down = dev > FAR_SD * sd, dev < -FAR_SD * sd
    above = t[up].assign(d=dev[up].to_numpy()).sort_values(["d", "name"], ascending=[False, True])
    below = t[down].assign(d=dev[down].to_numpy()).sort_values(["d", "name"], ascending=[True, True])
    return (
        list(zip(above["name"], above["value"].astype(float), strict=True)),
        list(zip(below["name"], below["value"].astype(float), strict=True)),
    )
