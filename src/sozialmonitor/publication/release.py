"""Releases: imports stay internal until a planner releases a reference year for the public.

:func:`release_year` protects everything the year publishes together (:mod:`.protection`), audits it,
and — only if no withheld cell is exposed — stores the protected cells as a release with who, when, the
protection parameters and the audit result. :func:`withdraw` takes a release
back (the record stays). :func:`audit_year` runs the same protection and audit without writing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sozialmonitor.db.models import SpatialLevel
from sozialmonitor.errors import NotFoundError, SozialmonitorError
from sozialmonitor.geo.units import choose_city_level, units_frame, units_history, valid_at
from sozialmonitor.indicators.catalogue import Catalogue, IndicatorDef, load_catalogue
from sozialmonitor.indicators.service import level_observations
from sozialmonitor.indicators.variables import relations, variable_kinds
from sozialmonitor.publication.models import IndicatorPublication, PublicCell, Release
from sozialmonitor.publication.params import ProtectionParams
from sozialmonitor.publication.protection import Protected, protect_year

Progress = Callable[[str], None]


class ReleaseRefused(SozialmonitorError):
    """The audit found withheld cells that an attacker could narrow down too far."""


@dataclass
class Scope:
    city_level: str
    levels: list[str]  # the city level and every level below it, coarse to fine
    units: pd.DataFrame


def public_scope(session: Session) -> Scope:
    units = units_frame(session)
    levels = {
        lv.key: (lv.rank, int((units["level"] == lv.key).sum()))
        for lv in session.scalars(select(SpatialLevel))
    }
    levels = {k: v for k, v in levels.items() if v[1] > 0}
    if not levels:
        raise NotFoundError("Die Datenbank enthält keine Raumeinheiten", "the database holds no units")
    city = choose_city_level(levels)
    scope = sorted((k for k, (r, _) in levels.items() if r >= levels[city][0]), key=lambda k: levels[k][0])
    return Scope(city, scope, units)


def published_indicators(session: Session) -> frozenset[str]:
    rows = session.scalars(
        select(IndicatorPublication.indicator).where(IndicatorPublication.published.is_(True))
    )
    return frozenset(rows.all())


def set_published(session: Session, keys: list[str], published: bool, user: str) -> None:
    """Publish (or withdraw) catalogue indicators; the change is recorded with user and time."""
    now = dt.datetime.now()
    for key in keys:
        row = session.get(IndicatorPublication, key)
        if row is None:
            session.add(
                IndicatorPublication(indicator=key, published=published, changed_at=now, changed_by=user)
            )
        else:
            row.published, row.changed_at, row.changed_by = published, now, user
    session.flush()


def released_defs(session: Session, catalogue: Catalogue, indicators: list[str] | None) -> list[IndicatorDef]:
    """The catalogue indicators a release covers: the published ones (restricted to ``indicators``)."""
    published = published_indicators(session)
    if indicators:
        unknown = sorted(set(indicators) - set(catalogue.indicators))
        if unknown:
            raise SozialmonitorError(
                f"Unbekannte Indikatoren: {', '.join(unknown)}", f"unknown indicators: {', '.join(unknown)}"
            )
        not_public = sorted(set(indicators) - published)
        if not_public:
            raise SozialmonitorError(
                f"Nicht veröffentlichte Indikatoren können nicht freigegeben werden: {', '.join(not_public)} "
                "(zuerst `sozialmonitor publish`)",
                f"indicators that are not published cannot be released: {', '.join(not_public)} "
                "(run `sozialmonitor publish` first)",
            )
    keys = set(indicators) if indicators else published
    defs = [d for d in catalogue if d.key in keys]
    if not defs:
        raise SozialmonitorError(
            "Keine veröffentlichten Indikatoren: nichts freizugeben (zuerst `sozialmonitor publish`)",
            "no published indicators: nothing to release (run `sozialmonitor publish` first)",
        )
    return defs


def year_observations(session: Session, scope: Scope, variables: list[str], year: int) -> pd.DataFrame:
    """Observations of ``year`` on every public level, unit keys qualified as ``level:key``."""
    frames = []
    read: dict[str, pd.DataFrame] = {}
    for lv in scope.levels:
        obs = level_observations(session, lv, variables, years=[year], read=read)
        frames.append(obs.assign(unit_key=lv + ":" + obs["unit_key"].astype(str)))
    cols = ["unit_key", "variable", "ref_date", "value", "status"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def known_cells(session: Session, year: int) -> pd.DataFrame:
    """Every cell an earlier release of ``year`` published (withdrawn releases too: once public, known)."""
    stmt = (
        select(
            PublicCell.level, PublicCell.unit_key, PublicCell.variable, PublicCell.ref_date, PublicCell.value
        )
        .join(Release, Release.id == PublicCell.release_id)
        .where(Release.year == year, PublicCell.reason == "", PublicCell.value.is_not(None))
    )
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=["level", "unit_key", "variable", "ref_date", "value"])
    return frame.assign(unit_key=frame["level"] + ":" + frame["unit_key"])[
        ["unit_key", "variable", "ref_date", "value"]
    ]


def in_force(session: Session, year: int) -> Release | None:
    return session.scalars(
        select(Release)
        .where(Release.year == year, Release.withdrawn_at.is_(None))
        .order_by(Release.id.desc())
    ).first()


def hierarchy_of(session: Session, scope: Scope, year: int) -> pd.DataFrame:
    """Parent links among the public levels as they were at the end of ``year`` (after a boundary reform,
    an earlier year's cells add up along the units of that year, and are protected along them)."""
    u = valid_at(units_history(session), dt.date(year, 12, 31))
    u = u[u["level"].isin(scope.levels) & u["parent_level"].isin(scope.levels)]
    return pd.DataFrame(
        {
            "unit_key": u["level"] + ":" + u["unit_key"],
            "parent_key": u["parent_level"] + ":" + u["parent_key"],
        }
    )


def audit_year(
    session: Session,
    year: int,
    params: ProtectionParams | None = None,
    indicators: list[str] | None = None,
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
    allow_partial: bool = False,
) -> tuple[Protected, list[IndicatorDef], Scope]:
    """Protect and audit what releasing ``year`` would publish; writes nothing."""
    params = params or ProtectionParams.from_settings()
    catalogue = catalogue or load_catalogue()
    defs = released_defs(session, catalogue, indicators)
    scope = public_scope(session)
    variables = sorted({v for d in defs for v in d.variables})
    if progress:
        progress(f"Daten {year} lesen / reading {year}")
    obs = year_observations(session, scope, variables, year)
    if obs.empty or obs["value"].notna().sum() == 0:
        raise SozialmonitorError(
            f"Für {year} liegen keine Daten der veröffentlichten Indikatoren vor",
            f"there are no data of the published indicators for {year}",
        )
    if not allow_partial:
        _check_complete(obs, scope, year)
    protected = protect_year(
        obs,
        hierarchy_of(session, scope, year),
        relations(session),
        variable_kinds(session),
        defs,
        params,
        progress,
        known=known_cells(session, year),
    )
    return protected, defs, scope


MIN_COVERAGE = 0.5


def _check_complete(obs: pd.DataFrame, scope: Scope, year: int) -> None:
    """Refuse a year that holds data for fewer than half of the units of the finest public level (a partial
    import): the portal would show a year with gaps and without city values."""
    finest = scope.levels[-1]
    units = scope.units[scope.units["level"] == finest]
    with_data = obs[obs["unit_key"].str.startswith(finest + ":") & obs["value"].notna()]
    have = with_data["unit_key"].nunique()
    if len(units) and have < MIN_COVERAGE * len(units):
        raise SozialmonitorError(
            f"{year} ist unvollständig: Daten für {have} von {len(units)} Einheiten der Ebene {finest!r}. "
            "Importieren Sie das ganze Jahr oder geben Sie es mit --partial trotzdem frei.",
            f"{year} is incomplete: data for {have} of {len(units)} units of level {finest!r}. Import the "
            "whole year, or release it anyway with --partial.",
        )


def exposure_lines(protected: Protected, limit: int = 20) -> list[str]:
    rows = protected.exposed.head(limit)
    out = []
    for r in rows.itertuples():
        upper = "∞" if r.upper == float("inf") else f"{r.upper:g}"
        out.append(f"{r.unit_key} · {r.variable} · {r.ref_date}: [{r.lower:g}, {upper}]")
    return out


def release_indicators(session: Session, year: int, indicators: list[str] | None) -> list[str] | None:
    """The indicators a release of ``year`` covers: a list adds to the release in force (None: all)."""
    current = in_force(session, year)
    if indicators and current is not None:
        return None if current.indicators is None else sorted(set(current.indicators) | set(indicators))
    return indicators


def release_year(
    session: Session,
    year: int,
    user: str,
    params: ProtectionParams | None = None,
    indicators: list[str] | None = None,
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
    note: str | None = None,
    allow_partial: bool = False,
    audited: Protected | None = None,
) -> Release:
    """Protect, audit and store a release of ``year`` (in the caller's transaction).

    A release with a list of indicators adds to the release in force for the year (the new release covers
    both lists, protected together); the audit counts every cell an earlier release of the year published.
    ``audited``: the audit already computed for these arguments (e.g. by
    :func:`sozialmonitor.publication.parallel.audit_years` for several years at once).
    """
    params = params or ProtectionParams.from_settings()
    indicators = release_indicators(session, year, indicators)
    protected = audited
    if protected is None:
        protected, _, _ = audit_year(session, year, params, indicators, catalogue, progress, allow_partial)
    if len(protected.exposed):
        lines = "\n".join(exposure_lines(protected))
        n = len(protected.exposed)
        raise ReleaseRefused(
            f"Freigabe {year} verweigert: {n} gesperrte Zellen wären zu genau rückrechenbar:\n{lines}",
            f"release of {year} refused: {n} withheld cells could be recalculated too closely:\n{lines}",
        )
    rel = Release(
        year=year,
        indicators=sorted(indicators) if indicators else None,
        released_at=dt.datetime.now().replace(microsecond=0),
        released_by=user,
        params=params.to_dict(),
        audit={**protected.summary, "rounds": protected.rounds},
        note=note,
    )
    session.add(rel)
    session.flush()
    cells = protected.cells
    split = cells["unit_key"].str.split(":", n=1, expand=True)
    rows = [
        {
            "release_id": rel.id,
            "level": lv,
            "unit_key": key,
            "variable": var,
            "ref_date": date,
            "value": None if pd.isna(value) else float(value),
            "status": status,
            "reason": reason,
        }
        for lv, key, var, date, value, status, reason in zip(
            split[0],
            split[1],
            cells["variable"],
            cells["ref_date"],
            cells["value"],
            cells["status"],
            cells["reason"],
            strict=True,
        )
    ]
    if progress:
        progress(f"{len(rows)} Zellen speichern / storing {len(rows)} cells")
    session.bulk_insert_mappings(PublicCell.__mapper__, rows)
    session.flush()
    return rel


def withdraw(session: Session, year: int, user: str) -> Release:
    """Withdraw the release in force for ``year``; the year's figures leave the portal at once."""
    rel = in_force(session, year)
    if rel is None:
        raise NotFoundError(f"Keine gültige Freigabe für {year}", f"no release in force for {year}")
    rel.withdrawn_at = dt.datetime.now().replace(microsecond=0)
    rel.withdrawn_by = user
    session.flush()
    return rel


def list_releases(session: Session) -> list[Release]:
    return list(session.scalars(select(Release).order_by(Release.year, Release.id)).all())


def data_years(session: Session) -> list[int]:
    """Years with observations (candidates for a release)."""
    from sozialmonitor.db.models import Observation

    rows = session.execute(select(Observation.ref_date).distinct()).scalars().all()
    return sorted({d.year for d in rows})
