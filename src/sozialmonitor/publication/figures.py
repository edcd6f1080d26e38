"""The public figure set: the only source of figures that reach the public.

Releases (:mod:`sozialmonitor.publication.release`) freeze protected counts as ``public_cell`` rows.
:func:`public_tables` turns the cells of the active releases into indicator tables for every public level:
rates are computed from the protected counts (a rate whose numerator or denominator is withheld is withheld),
and rates on small bases are withheld (``reason`` ``small_base``). Portal pages, the API, downloads and the
public edition of the report all read these tables; nothing public calls the raw indicator engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from sozialmonitor.db.engine import read_frame
from sozialmonitor.indicators.catalogue import Catalogue, IndicatorDef
from sozialmonitor.publication.models import PublicCell, Release
from sozialmonitor.publication.params import ProtectionParams
from sozialmonitor.publication.protection import SMALL_BASE
from sozialmonitor.stats.indicators import INDICATOR_COLUMNS, compute_indicators
from sozialmonitor.stats.status import SUPPRESSED

REASON_TEXT = {
    "de": {
        "primary": "gesperrt: kleine Fallzahl",
        "secondary": "gesperrt: Rückrechnung verhindern",
        "small_base": "gesperrt: zu kleine Basis",
        "source": "an der Quelle gesperrt oder fehlend",
    },
    "en": {
        "primary": "withheld: small count",
        "secondary": "withheld: prevents recalculation",
        "small_base": "withheld: base too small",
        "source": "withheld or missing at the source",
    },
}
PUBLIC_COLUMNS = (*INDICATOR_COLUMNS, "reason")


def reason_text(reason: str | None, lang: str = "de") -> str:
    return REASON_TEXT.get(lang, REASON_TEXT["de"]).get(reason or "", "")


@dataclass(frozen=True)
class ActiveRelease:
    id: int
    year: int
    indicators: tuple[str, ...] | None
    released_at: dt.datetime
    released_by: str
    params: ProtectionParams
    audit: dict[str, Any]

    def shows(self, indicator: str) -> bool:
        return self.indicators is None or indicator in self.indicators


def active_releases(session: Session) -> dict[int, ActiveRelease]:
    """The release in force for every year: the latest one that was not withdrawn."""
    rows = session.scalars(select(Release).where(Release.withdrawn_at.is_(None)).order_by(Release.id)).all()
    out: dict[int, ActiveRelease] = {}
    for r in rows:
        out[r.year] = ActiveRelease(
            r.id,
            r.year,
            tuple(r.indicators) if r.indicators is not None else None,
            r.released_at,
            r.released_by,
            ProtectionParams.from_dict(r.params or {}),
            dict(r.audit or {}),
        )
    return out


def public_cells(session: Session, releases: Mapping[int, ActiveRelease], level: str) -> pd.DataFrame:
    """The protected cells of the given releases on ``level``: ``level, unit_key, variable, ref_date, value,
    status, reason, release_id, year``."""
    ids = [r.id for r in releases.values()]
    cols = ["unit_key", "variable", "ref_date", "value", "status", "reason", "release_id"]
    if not ids:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ["level", *cols, "year"]})
    stmt = select(
        PublicCell.unit_key,
        PublicCell.variable,
        type_coerce(PublicCell.ref_date, String),
        PublicCell.value,
        PublicCell.status,
        PublicCell.reason,
        PublicCell.release_id,
    ).where(PublicCell.release_id.in_(ids), PublicCell.level == level)
    frame = read_frame(session, stmt, cols, dates=("ref_date",))
    frame["value"] = frame["value"].astype(float)
    year_of = {r.id: r.year for r in releases.values()}
    frame["year"] = frame["release_id"].map(year_of)
    frame.insert(0, "level", level)
    return frame


def _reasons(cells: pd.DataFrame, defs: list[IndicatorDef]) -> pd.DataFrame:
    """Why each withheld indicator value is withheld: the reason of its first withheld input."""
    hidden = cells[cells["reason"].fillna("") != ""]
    if hidden.empty:
        return pd.DataFrame(columns=["indicator", "unit_key", "ref_date", "reason"])
    hidden = hidden.drop_duplicates(["unit_key", "ref_date", "variable"])
    by_var = {str(v): part for v, part in hidden.groupby("variable", sort=False)}
    parts = []
    for d in defs:
        subs = [by_var[v] for v in d.variables if v in by_var]
        if subs:
            first = pd.concat(subs).drop_duplicates(["unit_key", "ref_date"]) if len(subs) > 1 else subs[0]
            parts.append(first[["unit_key", "ref_date", "reason"]].assign(indicator=d.key))
    if not parts:
        return pd.DataFrame(columns=["indicator", "unit_key", "ref_date", "reason"])
    return pd.concat(parts, ignore_index=True)


def indicators_from_cells(
    cells: pd.DataFrame,
    defs: list[IndicatorDef],
    params: ProtectionParams,
    population: pd.Series | None = None,
) -> pd.DataFrame:
    """Indicator table (``INDICATOR_COLUMNS`` + ``reason``) from protected cells of one level.

    Rates whose denominator is below ``max(params.min_denominator, indicator.min_denominator)`` or whose
    unit has fewer residents than ``params.min_population`` (``population``: (unit_key, year) → residents) are
    withheld with the reason ``small_base``.
    """
    if cells.empty or not defs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PUBLIC_COLUMNS})
    t = compute_indicators(cells[["unit_key", "ref_date", "variable", "value", "status"]], defs)
    # the reason of a withheld value: looked up only for the withheld rows (a few percent of them)
    withheld = (t["status"].eq(SUPPRESSED) | t["value"].isna()).to_numpy()
    keys = ["indicator", "unit_key", "ref_date"]
    why = t.loc[withheld, keys].merge(_reasons(cells, defs), on=keys, how="left")["reason"]
    reason = np.full(len(t), "", dtype=object)
    reason[withheld] = why.fillna("").to_numpy()
    t["reason"] = reason
    is_rate = t["indicator"].map({d.key: bool(d.denominator) for d in defs}).to_numpy(dtype=bool)
    min_den = t["indicator"].map({d.key: max(params.min_denominator, d.min_denominator) for d in defs})
    den = t["denominator"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        small = is_rate & ~np.isnan(den) & (den < min_den.to_numpy(dtype=float))
    if population is not None and params.min_population > 0:
        pop = _population_of(t, population)
        small |= is_rate & (np.isnan(pop) | (pop < params.min_population))  # a withheld population is small
    small &= t["value"].notna().to_numpy()
    t.loc[small, ["value", "numerator", "denominator"]] = np.nan
    t.loc[small, "status"] = SUPPRESSED
    t.loc[small, "reason"] = SMALL_BASE
    t["flag_small"] = t["flag_small"].astype(bool) | small
    return t


def _population_of(t: pd.DataFrame, population: pd.Series) -> np.ndarray:
    """Residents of each row's unit in its year (``population``: (unit_key, year) → residents); NaN where
    unknown or withheld."""
    date_codes, dates = pd.factorize(t["ref_date"])
    years = np.asarray([d.year for d in dates] + [-1])[date_codes]  # code −1 (no date) → no year
    keys = pd.MultiIndex.from_arrays([t["unit_key"], years])
    return np.asarray(population.reindex(keys).to_numpy(dtype=float))


def public_tables(
    session: Session,
    catalogue: Catalogue,
    published: frozenset[str],
    scope: list[str],
) -> tuple[dict[str, pd.DataFrame], dict[int, ActiveRelease]]:
    """The public indicator table of every level in ``scope`` from the active releases."""
    releases = active_releases(session)
    by_level = {lv: public_cells(session, releases, lv) for lv in scope}
    out: dict[str, pd.DataFrame] = {}
    # years released alike (same parameters, indicators and variables) are computed in one go
    variables_of: dict[int, set[str]] = {}
    for cells in by_level.values():
        per_year = cells.groupby("year")["variable"].unique()
        for year, names in zip(per_year.index.to_numpy(dtype=int), per_year.to_numpy(), strict=True):
            variables_of.setdefault(int(year), set()).update(names)
    batches: dict[tuple[ProtectionParams, tuple[str, ...] | None, frozenset[str]], list[int]] = {}
    for year, release in sorted(releases.items()):
        have = frozenset(variables_of.get(year, set()))
        batches.setdefault((release.params, release.indicators, have), []).append(year)
    for lv in scope:
        part = by_level[lv]
        frames = []
        for (_, _, seen), years in batches.items():
            sub = part[part["year"].isin(years)]
            if sub.empty:
                continue
            release = releases[years[0]]
            defs = [
                d
                for d in catalogue
                if d.key in published and release.shows(d.key) and set(d.variables) <= seen
            ]
            pop_cells = sub[sub["variable"] == release.params.population_variable]
            population = pop_cells.groupby(["unit_key", "year"])["value"].max() if len(pop_cells) else None
            frames.append(indicators_from_cells(sub, defs, release.params, population))
        frames = [f for f in frames if len(f)]
        out[lv] = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame({c: pd.Series(dtype=object) for c in PUBLIC_COLUMNS})
        )
    return out, releases
