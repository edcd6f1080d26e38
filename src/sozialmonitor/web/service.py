"""The numbers behind every page and API response: one cached snapshot of the store per data state.

Two views of the same store:

* **internal** (signed-in users): :func:`~sozialmonitor.indicators.service.indicator_table` as is, every
  catalogue indicator, published or not;
* **public** (no sign-in): only the public figure set of :mod:`sozialmonitor.publication.figures` — the
  protected counts of the released years, rates computed from them, published indicators only. Nothing
  public reads the raw engine; an import stays internal until its year is released.

A snapshot is rebuilt when an import, an undo, a publication or a release changes the store (checked at
most once a second), so pages and API always show the same figures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sozialmonitor.db.engine import session_scope
from sozialmonitor.db.models import ImportRun, SpatialLevel
from sozialmonitor.errors import NotFoundError
from sozialmonitor.geo.units import choose_city_level, units_frame
from sozialmonitor.indicators.catalogue import Catalogue, IndicatorDef, load_catalogue
from sozialmonitor.indicators.service import indicator_table
from sozialmonitor.publication.figures import ActiveRelease, public_tables
from sozialmonitor.publication.models import IndicatorPublication, Release
from sozialmonitor.publication.release import published_indicators, set_published

__all__ = ["DataService", "LevelInfo", "Snapshot", "data_stamp", "published_indicators", "set_published"]

STAMP_TTL = 1.0
T = TypeVar("T")


@dataclass(frozen=True)
class LevelInfo:
    key: str
    name_de: str
    name_en: str
    rank: int
    n_units: int
    mappable: bool

    def name(self, lang: str) -> str:
        return self.name_de if lang == "de" else self.name_en


@dataclass
class Snapshot:
    """Units, levels and indicator tables of one data state."""

    engine: Engine
    stamp: tuple[object, ...]
    catalogue: Catalogue
    units: pd.DataFrame
    levels: dict[str, LevelInfo]
    city_level: str
    city_key: str
    city_name: str
    published: frozenset[str]
    releases: dict[int, ActiveRelease] = field(default_factory=dict)
    """The release in force per year (filled with the public tables)."""
    _tables: dict[tuple[str, bool], pd.DataFrame] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _memo: dict[tuple[object, ...], object] = field(default_factory=dict)

    def memo(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """Cache a derived result (e.g. the social index) for the lifetime of this snapshot."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    @property
    def scope(self) -> list[str]:
        """Levels from the city down, coarse to fine."""
        city_rank = self.levels[self.city_level].rank
        return [k for k, lv in sorted(self.levels.items(), key=lambda x: x[1].rank) if lv.rank >= city_rank]

    @property
    def map_levels(self) -> list[str]:
        return [k for k in self.scope if self.levels[k].mappable and k != self.city_level]

    def level(self, key: str) -> LevelInfo:
        if key not in self.scope:
            raise NotFoundError(
                f"Unbekannte Raumebene {key!r} (vorhanden: {', '.join(self.scope)})",
                f"unknown spatial level {key!r} (available: {', '.join(self.scope)})",
            )
        return self.levels[key]

    def unit_names(self, level: str) -> dict[str, str]:
        u = self.units[self.units["level"] == level]
        return dict(zip(u["unit_key"], u["name"], strict=True))

    def unit_parents(self, level: str) -> dict[str, str | None]:
        u = self.units[self.units["level"] == level]
        return dict(zip(u["unit_key"], u["parent_key"], strict=True))

    def indicator(self, key: str, public: bool) -> IndicatorDef:
        if key not in self.catalogue.indicators or (public and key not in self.published):
            raise NotFoundError(f"Unbekannter Indikator {key!r}", f"unknown indicator {key!r}")
        return self.catalogue.indicators[key]

    def table(self, level: str, public: bool) -> pd.DataFrame:
        """Indicator table of a level (columns of ``indicator_table`` plus ``year``)."""
        self.level(level)
        key = (level, public)
        with self._lock:
            if key not in self._tables:
                if public:
                    for lv, t in self._public_tables().items():
                        self._tables[(lv, True)] = t
                else:
                    self._tables[key] = self._internal_table(level)
            return self._tables[key]

    def release_info(self) -> dict[int, ActiveRelease]:
        """The release in force per year (what the public sees)."""
        self.table(self.city_level, True)
        return self.releases

    def indicators(self, public: bool) -> list[IndicatorDef]:
        """Catalogue indicators with data (on any level), published only for the public."""
        have: set[str] = set()
        for lv in self.scope:
            have |= set(self.table(lv, public)["indicator"].unique())
        return [d for d in self.catalogue if d.key in have]

    def years(self, indicator: str, level: str, public: bool) -> list[int]:
        t = self.table(level, public)
        sub = t[(t["indicator"] == indicator) & t["value"].notna()]
        return sorted({int(y) for y in sub["year"].unique()})

    def values(self, indicator: str, level: str, year: int, public: bool) -> pd.DataFrame:
        """One indicator, one level, one year: unit_key, ref_date, numerator, denominator, value, status."""
        t = self.table(level, public)
        sub = t[(t["indicator"] == indicator) & (t["year"] == year)]
        if sub.empty:
            return sub
        last = sub["ref_date"].max()
        return sub[sub["ref_date"] == last]

    def city_value(self, indicator: str, year: int, public: bool) -> float | None:
        v = self.values(indicator, self.city_level, year, public)
        v = v[v["unit_key"] == self.city_key]
        if v.empty or pd.isna(v["value"].iloc[0]):
            return None
        return float(v["value"].iloc[0])

    # -- building the tables ---------------------------------------------------------------------------

    def _internal_table(self, level: str) -> pd.DataFrame:
        with session_scope(self.engine) as s:
            t = indicator_table(s, level, catalogue=self.catalogue)
        return _with_year(t)

    def _public_tables(self) -> dict[str, pd.DataFrame]:
        with session_scope(self.engine) as s:
            tables, releases = public_tables(s, self.catalogue, self.published, self.scope)
        self.releases = releases
        return {lv: _with_year(t) for lv, t in tables.items()}


def _empty_indicators() -> pd.DataFrame:
    cols = ["indicator", "unit_key", "ref_date", "numerator", "denominator", "value", "status", "flag_small"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


def _with_year(t: pd.DataFrame) -> pd.DataFrame:
    t = t.copy()
    t["year"] = np.asarray([d.year for d in t["ref_date"]], dtype=int)
    t["value"] = t["value"].astype(float)
    t["numerator"] = t["numerator"].astype(float)
    t["denominator"] = t["denominator"].astype(float)
    return t.reset_index(drop=True)


def data_stamp(session: Session) -> tuple[object, ...]:
    """Changes whenever an import, an undo, a publication or a release changes what the figures are."""
    imports = session.execute(
        select(func.max(ImportRun.id), func.count(ImportRun.undone_at), func.max(ImportRun.undone_at))
    ).one()
    pubs = session.execute(
        select(func.count(IndicatorPublication.indicator), func.max(IndicatorPublication.changed_at))
    ).one()
    releases = session.execute(
        select(func.max(Release.id), func.count(Release.withdrawn_at), func.max(Release.withdrawn_at))
    ).one()
    return (*imports, *pubs, *releases)


class DataService:
    """Hands out the current :class:`Snapshot` of one database, rebuilding it when the data change."""

    def __init__(self, engine: Engine, catalogue: Catalogue | None = None) -> None:
        self.engine = engine
        self.catalogue = catalogue or load_catalogue()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0

    def snapshot(self) -> Snapshot:
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked < STAMP_TTL:
            return snap
        with self._lock:
            with session_scope(self.engine) as s:
                stamp = data_stamp(s)
                if self._snapshot is None or self._snapshot.stamp != stamp:
                    self._snapshot = self._build(s, stamp)
            self._checked = time.monotonic()
            return self._snapshot

    def _build(self, s: Session, stamp: tuple[object, ...]) -> Snapshot:
        units = units_frame(s)
        levels: dict[str, LevelInfo] = {}
        for lv in s.scalars(select(SpatialLevel)).all():
            u = units[units["level"] == lv.key]
            levels[lv.key] = LevelInfo(
                lv.key, lv.name_de, lv.name_en, lv.rank, len(u), bool(u["has_geometry"].any())
            )
        if not levels or units.empty:
            raise NotFoundError("Die Datenbank enthält keine Raumeinheiten", "the database holds no units")
        city_level = choose_city_level({k: (lv.rank, lv.n_units) for k, lv in levels.items() if lv.n_units})
        city = units[units["level"] == city_level].iloc[0]
        return Snapshot(
            engine=self.engine,
            stamp=stamp,
            catalogue=self.catalogue,
            units=units,
            levels=levels,
            city_level=city_level,
            city_key=str(city["unit_key"]),
            city_name=str(city["name"]),
            published=published_indicators(s),
        )
