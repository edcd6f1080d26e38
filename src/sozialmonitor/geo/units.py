"""Spatial levels and units in the store: boundary import, overlay, lineage, queries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from sozialmonitor.db.models import ImportRun, SpatialLevel, SpatialUnit, UnitLineage
from sozialmonitor.errors import ImportValidationError, NotFoundError, Problem
from sozialmonitor.geo.read import METRIC_CRS, STORAGE_CRS, check_boundaries, normalise_key, repair_geometries

OPEN_START = dt.date(1900, 1, 1)


def ensure_level(
    session: Session,
    key: str,
    name_de: str | None = None,
    name_en: str | None = None,
    rank: int | None = None,
) -> SpatialLevel:
    level = session.scalar(select(SpatialLevel).where(SpatialLevel.key == key))
    if level is None:
        if rank is None:
            ranks = session.scalars(select(SpatialLevel.rank)).all()
            rank = max(ranks, default=0) + 1
        level = SpatialLevel(key=key, name_de=name_de or key, name_en=name_en or name_de or key, rank=rank)
        session.add(level)
        session.flush()
    return level


def get_level(session: Session, key: str) -> SpatialLevel:
    level = session.scalar(select(SpatialLevel).where(SpatialLevel.key == key))
    if level is None:
        known = ", ".join(session.scalars(select(SpatialLevel.key)).all()) or "–"
        raise NotFoundError(
            f"Unbekannte Raumebene {key!r} (vorhanden: {known})",
            f"unknown spatial level {key!r} (present: {known})",
        )
    return level


def current_units(session: Session, level: SpatialLevel, at: dt.date | None = None) -> dict[str, SpatialUnit]:
    """Units of a level valid at a date (default: the open-ended current versions)."""
    stmt = select(SpatialUnit).where(SpatialUnit.level_id == level.id)
    units = session.scalars(stmt).all()
    out: dict[str, SpatialUnit] = {}
    for u in units:
        if at is None:
            if u.valid_to is None:
                out[u.key] = u
        elif u.valid_from <= at and (u.valid_to is None or at < u.valid_to):
            out[u.key] = u
    return out


@dataclass
class BoundaryImport:
    inserted: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    parents: dict[str, str] = field(default_factory=dict)
    parent_shares: dict[str, float] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    """Units of the level that a complete new grid no longer has (they end at ``valid_from``)."""
    lineage: int = 0
    """Lineage rows written (new unit ← old unit, with the share of the old unit's area)."""
    import_id: int | None = None


def _same_geometry(a: str | None, b: str) -> bool:
    if a is None:
        return False
    ga, gb = shape(json.loads(a)), shape(json.loads(b))
    if ga.is_empty or gb.is_empty:
        return ga.is_empty and gb.is_empty
    sym = ga.symmetric_difference(gb).area
    return bool(sym <= 1e-9 * max(ga.area, 1e-12))


def _overlay_parents(
    children: gpd.GeoDataFrame, parents: dict[str, SpatialUnit]
) -> tuple[dict[str, str], dict[str, float]]:
    """Parent of each child = the parent unit covering the largest part of its area."""
    rows = [(k, u.geometry) for k, u in parents.items() if u.geometry]
    if not rows:
        return {}, {}
    pg = gpd.GeoDataFrame(
        {"parent_key": [r[0] for r in rows]},
        geometry=[shape(json.loads(r[1])) for r in rows],
        crs=STORAGE_CRS,
    ).to_crs(METRIC_CRS)
    cg = children[["key", "geometry"]].to_crs(METRIC_CRS)
    cg = cg.assign(child_area=cg.geometry.area)
    inter = gpd.overlay(cg, pg, how="intersection", keep_geom_type=True)
    inter["share"] = inter.geometry.area / inter["child_area"]
    best = inter.sort_values("share", ascending=False).drop_duplicates("key")
    return dict(zip(best["key"], best["parent_key"], strict=True)), dict(
        zip(best["key"], best["share"], strict=True)
    )


def import_boundaries(
    session: Session,
    gdf: gpd.GeoDataFrame,
    *,
    file_name: str,
    file_hash: str,
    level_key: str,
    key_field: str,
    name_field: str | None,
    parent_level: str | None = None,
    parent_field: str | None = None,
    valid_from: dt.date | None = None,
    complete: bool = False,
    repair: bool = False,
    dry_run: bool = False,
) -> BoundaryImport:
    """Validate, then write all units of one boundary file in the caller's transaction.

    A unit whose key exists with a different geometry is not overwritten: the old
    version is closed at ``valid_from`` and lineage rows record which old units the
    new one arose from (with the share of the old unit's area).

    ``repair``: invalid polygons are made valid first (else they are refused).

    ``complete``: the file is the level's whole new grid from ``valid_from`` on (a boundary reform with new
    keys, e.g. Berlin's Planungsräume 2021): units of the level missing from it end at ``valid_from``, and
    every new or changed unit gets lineage from the units it overlaps. Data of earlier dates stay with the
    units valid then; sums of earlier dates never change.
    """
    if complete and valid_from is None:
        raise ImportValidationError(
            [
                Problem(
                    file_name,
                    None,
                    None,
                    None,
                    "ein Gültigkeitsdatum (--valid-from) für ein vollständiges neues Raster",
                    "a valid-from date (--valid-from) for a complete new grid",
                )
            ]
        )
    if repair:
        gdf = repair_geometries(gdf)
    problems = check_boundaries(gdf, file_name, key_field, name_field)
    if parent_field and parent_field not in gdf.columns:
        problems.append(
            Problem(
                file_name,
                None,
                parent_field,
                None,
                "Attribut mit dem Schlüssel der Obereinheit (parent_field); vorhanden: "
                + ", ".join(str(c) for c in gdf.columns if c != "geometry"),
                "attribute holding the parent key (parent_field); present: "
                + ", ".join(str(c) for c in gdf.columns if c != "geometry"),
            )
        )
    if problems:
        raise ImportValidationError(problems)
    level = ensure_level(session, level_key)
    gdf = gdf.to_crs(STORAGE_CRS)
    gdf = gdf.assign(key=[normalise_key(k) for k in gdf[key_field]])
    areas = gdf.geometry.to_crs(METRIC_CRS).area
    result = BoundaryImport()
    if parent_level:
        plevel = session.scalar(select(SpatialLevel).where(SpatialLevel.key == parent_level))
        punits = current_units(session, plevel, valid_from) if plevel is not None else {}
        if not punits:
            raise NotFoundError(
                f"Die Ebene {parent_level!r} (--parent-level) hat noch keine Einheiten: importieren Sie "
                f"zuerst ihre Grenzen (sozialmonitor import geo DATEI --level {parent_level} …) oder lassen "
                "Sie --parent-level weg",
                f"level {parent_level!r} (--parent-level) has no units yet: import its boundaries first "
                f"(sozialmonitor import geo FILE --level {parent_level} …) or leave out --parent-level",
            )
        if parent_field:
            parent_keys = {k: normalise_key(p) for k, p in zip(gdf["key"], gdf[parent_field], strict=True)}
            unknown = [(i, p) for i, p in enumerate(parent_keys.values(), start=1) if p not in punits]
            if unknown:
                raise ImportValidationError(
                    Problem(
                        file_name,
                        i,
                        parent_field,
                        p,
                        f"Schlüssel einer Einheit der Ebene {parent_level!r}",
                        f"key of a unit on level {parent_level!r}",
                    )
                    for i, p in unknown
                )
            result.parents = parent_keys
        else:
            result.parents, result.parent_shares = _overlay_parents(gdf, punits)
    else:
        punits = {}
    existing = current_units(session, level)
    start = valid_from or OPEN_START
    run = ImportRun(
        kind="geo",
        file_name=file_name,
        file_hash=file_hash,
        started_at=dt.datetime.now(),
        rows_read=len(gdf),
        options={"level": level_key, "key_field": key_field},
    )
    if not dry_run:
        session.add(run)
        session.flush()
        result.import_id = run.id
    added: list[SpatialUnit] = []
    for row, area in zip(gdf.itertuples(index=False), areas, strict=True):
        key = str(row.key)
        geojson = json.dumps(mapping(row.geometry), separators=(",", ":"))
        name = normalise_key(getattr(row, name_field)) if name_field else key
        parent = punits.get(result.parents.get(key, "")) if parent_level else None
        old = existing.get(key)
        if old is not None and _same_geometry(old.geometry, geojson):
            result.unchanged.append(key)
            if not dry_run:
                old.name = name
                if parent is not None:
                    old.parent_id = parent.id
            continue
        if dry_run:
            (result.replaced if old is not None else result.inserted).append(key)
            continue
        unit = SpatialUnit(
            level_id=level.id,
            key=key,
            name=name,
            geometry=geojson,
            area_m2=float(area),
            valid_from=start if old is None else (valid_from or dt.date.today()),
            # a new boundary of a unit keeps its place in the hierarchy unless the file says otherwise
            parent_id=parent.id if parent else (old.parent_id if old is not None else None),
            import_id=run.id,
        )
        session.add(unit)
        if old is not None:
            if old.valid_from >= unit.valid_from:
                raise ImportValidationError(
                    [
                        Problem(
                            file_name,
                            None,
                            key_field,
                            key,
                            f"ein Gültigkeitsdatum nach {old.valid_from} (neue Grenze von {key})",
                            f"a valid-from date after {old.valid_from} (new boundary of {key})",
                        )
                    ]
                )
            old.valid_to = unit.valid_from
            result.replaced.append(key)
        else:
            result.inserted.append(key)
        added.append(unit)
    if complete:
        keys = {str(k) for k in gdf["key"]}
        # units without boundaries (the city, "not assigned") are not part of the grid
        gone = [u for k, u in existing.items() if k not in keys and u.geometry]
        result.closed = sorted(u.key for u in gone)
        if not dry_run:
            for u in gone:
                u.valid_to = valid_from
    if not dry_run and added:
        session.flush()
        # a changed unit arose from the units it overlaps; after a reform every new unit did
        targets = added if complete else [u for u in added if u.key in set(result.replaced)]
        result.lineage = _record_lineage(session, targets, list(existing.values()))
        if complete and result.closed and result.lineage == 0:
            raise ImportValidationError(
                [
                    Problem(
                        file_name,
                        None,
                        "geometry",
                        f"{len(result.closed)} alte, {len(added)} neue Einheiten / old, new units",
                        "ein neues Raster, das die alten Einheiten überdeckt – keine einzige Überschneidung: "
                        "stimmt das KBS?",
                        "a new grid that covers the old units – not a single overlap: is the CRS right?",
                    )
                ]
            )
    if not dry_run:
        run.inserted = len(result.inserted)
        run.updated = len(result.replaced)
        run.unchanged = len(result.unchanged)
        session.flush()
    return result


LINEAGE_MIN_SHARE = 0.01
"""Overlaps below 1 % of the old unit's area are digitising slivers, not lineage."""


def _record_lineage(session: Session, new: list[SpatialUnit], old: list[SpatialUnit]) -> int:
    """Lineage rows new ← old with ``share`` = the part of the old unit's area that lies in the new one
    (one spatial join for all pairs); returns the number of rows written."""
    new = [u for u in new if u.geometry]
    old = [u for u in old if u.geometry and u not in new]
    if not new or not old:
        return 0

    def frame(units: list[SpatialUnit]) -> gpd.GeoDataFrame:
        geoms = [shape(json.loads(u.geometry or "null")) for u in units]
        return gpd.GeoDataFrame({"i": range(len(units))}, geometry=geoms, crs=STORAGE_CRS).to_crs(METRIC_CRS)

    a, b = frame(new), frame(old)
    pairs = gpd.sjoin(a, b, predicate="intersects", how="inner", lsuffix="new", rsuffix="old")
    if pairs.empty:
        return 0
    new_geom = a.geometry.to_numpy()[pairs["i_new"].to_numpy()]
    old_geom = b.geometry.to_numpy()[pairs["i_old"].to_numpy()]
    inter = shapely.area(shapely.intersection(shapely.make_valid(new_geom), shapely.make_valid(old_geom)))
    old_area = shapely.area(old_geom)
    share = np.divide(inter, old_area, out=np.zeros(len(inter)), where=old_area > 0)
    written = 0
    for i_new, i_old, sh in zip(pairs["i_new"], pairs["i_old"], share, strict=True):
        if sh > LINEAGE_MIN_SHARE:
            session.add(UnitLineage(unit_id=new[i_new].id, predecessor_id=old[i_old].id, share=float(sh)))
            written += 1
    return written


def add_unit(
    session: Session,
    level_key: str,
    key: str,
    name: str,
    parent: SpatialUnit | None = None,
    import_id: int | None = None,
) -> SpatialUnit:
    """A unit without geometry (e.g. the whole city, or 'not assigned')."""
    level = get_level(session, level_key)
    unit = current_units(session, level).get(key)
    if unit is None:
        unit = SpatialUnit(
            level_id=level.id,
            key=key,
            name=name,
            parent_id=parent.id if parent else None,
            valid_from=OPEN_START,
            import_id=import_id,
        )
        session.add(unit)
        session.flush()
    return unit


def units_frame(session: Session, level_key: str | None = None) -> pd.DataFrame:
    """All current units as a table: level, key, name, parent level and key, area, geometry flag."""
    levels = {lv.id: lv for lv in session.scalars(select(SpatialLevel)).all()}
    stmt = select(
        SpatialUnit.id,
        SpatialUnit.level_id,
        SpatialUnit.key,
        SpatialUnit.name,
        SpatialUnit.parent_id,
        SpatialUnit.area_m2,
        SpatialUnit.geometry.is_not(None),
    ).where(SpatialUnit.valid_to.is_(None))  # columns only: the geometries are not needed here
    units = session.execute(stmt).all()
    by_id = {u[0]: u for u in units}
    rows = []
    for _uid, level_id, key, name, parent_id, area, has_geometry in units:
        lv = levels[level_id]
        if level_key and lv.key != level_key:
            continue
        p = by_id.get(parent_id) if parent_id else None
        rows.append(
            {
                "level": lv.key,
                "rank": lv.rank,
                "unit_key": key,
                "name": name,
                "parent_level": levels[p[1]].key if p else None,
                "parent_key": p[2] if p else None,
                "area_m2": area,
                "has_geometry": bool(has_geometry),
            }
        )
    cols = ["level", "rank", "unit_key", "name", "parent_level", "parent_key", "area_m2", "has_geometry"]
    return pd.DataFrame(rows, columns=cols).sort_values(["rank", "unit_key"]).reset_index(drop=True)


def units_history(session: Session) -> pd.DataFrame:
    """Every version of every unit: ``level, unit_key, parent_level, parent_key, valid_from, valid_to, id``
    (``valid_to`` None while current). A version's parent is the parent version it was linked to."""
    levels = {lv.id: lv.key for lv in session.scalars(select(SpatialLevel)).all()}
    stmt = select(
        SpatialUnit.id,
        SpatialUnit.level_id,
        SpatialUnit.key,
        SpatialUnit.parent_id,
        SpatialUnit.valid_from,
        SpatialUnit.valid_to,
    )
    units = session.execute(stmt).all()
    by_id = {u[0]: u for u in units}
    rows = []
    for uid, level_id, key, parent_id, valid_from, valid_to in units:
        p = by_id.get(parent_id) if parent_id else None
        rows.append(
            (
                levels[level_id],
                key,
                levels[p[1]] if p else None,
                p[2] if p else None,
                valid_from,
                valid_to,
                uid,
            )
        )
    cols = ["level", "unit_key", "parent_level", "parent_key", "valid_from", "valid_to", "id"]
    return pd.DataFrame(rows, columns=cols)


def lineage_frame(session: Session) -> pd.DataFrame:
    """Every lineage row: ``unit_id`` (the newer version) arose from ``predecessor_id`` with ``share`` = the
    part of the predecessor's area that lies in it."""
    rows = session.execute(select(UnitLineage.unit_id, UnitLineage.predecessor_id, UnitLineage.share)).all()
    return pd.DataFrame(rows, columns=["unit_id", "predecessor_id", "share"])


def valid_at(history: pd.DataFrame, date: dt.date) -> pd.DataFrame:
    """The rows of :func:`units_history` valid at ``date``."""
    start = history["valid_from"].to_numpy()
    end = history["valid_to"].to_numpy()
    mask = [f <= date and (t is None or pd.isna(t) or date < t) for f, t in zip(start, end, strict=True)]
    return history[mask]


def hierarchy_periods(history: pd.DataFrame, dates: list[dt.date]) -> list[tuple[dt.date, list[dt.date]]]:
    """``dates`` grouped by the spatial structure valid at them: each group lies between two boundary
    changes, so one hierarchy holds for all its dates. Returns (a date of the group, the group's dates)."""
    import bisect

    changes = sorted(
        {d for d in history["valid_from"] if d is not None}
        | {d for d in history["valid_to"] if d is not None and not pd.isna(d)}
    )
    groups: dict[int, list[dt.date]] = {}
    for d in sorted(set(dates)):
        groups.setdefault(bisect.bisect_right(changes, d), []).append(d)
    return [(ds[0], ds) for ds in groups.values()]


def geometries(session: Session, level_key: str) -> gpd.GeoDataFrame:
    level = get_level(session, level_key)
    units = [u for u in current_units(session, level).values() if u.geometry]
    return gpd.GeoDataFrame(
        {"unit_key": [u.key for u in units], "name": [u.name for u in units]},
        geometry=[shape(json.loads(u.geometry)) for u in units if u.geometry],
        crs=STORAGE_CRS,
    )


def stable_units(session: Session, level_key: str, start: dt.date, end: dt.date) -> set[str]:
    """Keys of units whose boundary did not change between ``start`` and ``end`` (one version covers both).

    Changes over time are only meaningful for these units; the others are reported as excluded.
    """
    level = get_level(session, level_key)
    units = session.scalars(select(SpatialUnit).where(SpatialUnit.level_id == level.id)).all()
    return {u.key for u in units if u.valid_from <= start and (u.valid_to is None or end < u.valid_to)}


def finest_level(session: Session) -> str:
    """Key of the finest spatial level (highest rank) – the default level of the commands."""
    level = session.scalar(select(SpatialLevel).order_by(SpatialLevel.rank.desc()))
    if level is None:
        raise NotFoundError(
            "Die Datenbank hat noch keine Raumebenen", "the database has no spatial levels yet"
        )
    return level.key


def choose_city_level(levels: Mapping[str, tuple[int, int]]) -> str:
    """The city level: the finest level with a single unit (else the coarsest). ``levels``: key → (rank,
    number of units). Everything public is the city and the levels below it; levels above it (a Land of
    comparison values) are not the city's own."""
    single = [k for k, (_, n) in levels.items() if n == 1]
    if single:
        return max(single, key=lambda k: levels[k][0])
    return min(levels, key=lambda k: levels[k][0])


def city_levels(session: Session) -> set[str]:
    """The city level and every level below it (levels with units only; empty on an empty database)."""
    from sqlalchemy import func

    counts: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(SpatialUnit.level_id, func.count(SpatialUnit.id))
            .where(SpatialUnit.valid_to.is_(None))
            .group_by(SpatialUnit.level_id)
        ).all()
    )
    levels = {lv.key: (lv.rank, int(counts.get(lv.id, 0))) for lv in session.scalars(select(SpatialLevel))}
    levels = {k: v for k, v in levels.items() if v[1] > 0}
    if not levels:
        return set()
    city = choose_city_level(levels)
    return {k for k, (rank, _) in levels.items() if rank >= levels[city][0]}
