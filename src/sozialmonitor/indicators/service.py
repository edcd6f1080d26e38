"""Indicator tables from the store: the one entry point the CLI, the web app and the report call."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from sozialmonitor.errors import NotFoundError
from sozialmonitor.geo.units import hierarchy_periods, units_frame, units_history, valid_at
from sozialmonitor.indicators.catalogue import Catalogue, IndicatorDef, load_catalogue
from sozialmonitor.indicators.store import observations_frame
from sozialmonitor.stats.indicators import rows_with_dates


def additive_variables(session: Session) -> set[str]:
    """Variables whose values add up over units: counts and amounts (by their kind, never by unit text)."""
    from sozialmonitor.indicators.kinds import is_additive
    from sozialmonitor.indicators.variables import variable_kinds

    kinds = variable_kinds(session)
    return {k for k in kinds if is_additive(kinds, k)}


def level_observations(
    session: Session,
    level: str,
    variables: list[str] | None = None,
    years: list[int] | None = None,
    read: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Observations of a level; if the level has none of a variable, summed up from the finest level below.

    Published observations of the level itself (e.g. the city total) win over sums, so a
    suppressed district value never hides a published city figure. Only additive variables are summed:
    shares and changes delivered as such (kind ``rate``, ``change``, ``index``) are not.

    ``read``: observations already read per level for the same ``variables`` and ``years``; filled as levels
    are read, so that a caller asking for several levels reads each level from the store once.
    """
    frames = {} if read is None else read

    def observations_of(lv: str) -> pd.DataFrame:
        if lv not in frames:
            frames[lv] = observations_frame(session, variables=variables, level_key=lv, years=years)
        return frames[lv]

    own = observations_of(level)
    units = units_frame(session)
    levels = units[["level", "rank"]].drop_duplicates().sort_values("rank")
    if level not in set(levels["level"]):
        raise NotFoundError(
            f"Unbekannte Raumebene {level!r} (vorhanden: {', '.join(levels['level']) or '–'})",
            f"unknown spatial level {level!r} (present: {', '.join(levels['level']) or '–'})",
        )
    rank = int(levels.loc[levels["level"] == level, "rank"].iloc[0])
    finer = [lv for lv, r in zip(levels["level"], levels["rank"], strict=True) if r > rank]
    if not finer:
        return own
    history = units_history(session)
    for child_level in reversed(finer):
        child = observations_of(child_level)
        if child.empty:
            continue
        child = child[child["variable"].isin(additive_variables(session))]
        summed = _aggregate_over_time(own, child, history, child_level, level)
        if summed is None:
            continue
        have = set(zip(summed["unit_key"], summed["ref_date"], summed["variable"], strict=True))
        keep = np.fromiter(
            (
                (u, d, v) not in have
                for u, d, v in zip(own["unit_key"], own["ref_date"], own["variable"], strict=True)
            ),
            dtype=bool,
            count=len(own),
        )
        rest = own[keep]
        return pd.concat([rest, summed], ignore_index=True)
    return own


def _aggregate_over_time(
    own: pd.DataFrame, child: pd.DataFrame, history: pd.DataFrame, child_level: str, level: str
) -> pd.DataFrame | None:
    """Sums of ``child`` observations to ``level``, each reference date with the units and parents valid
    at it: a boundary reform (new units from a date on) never changes the sums of earlier dates, and a
    parent's sum counts only the children that existed at that date. None if no child maps to ``level``."""
    from sozialmonitor.stats.indicators import aggregate

    cols = ["unit_key", "ref_date", "variable", "value", "status"]
    parts = []
    for at, dates in hierarchy_periods(history, list(child["ref_date"].unique())):
        hierarchy = _ancestor_map(valid_at(history, at), child_level, level)
        if hierarchy.empty:
            continue
        sub = child[child["ref_date"].isin(dates) & child["unit_key"].isin(hierarchy["unit_key"])]
        mine = own[own["ref_date"].isin(dates)]
        # keys are unique per level only (Ortsteil 11 ≠ district 11): qualify them while aggregating
        both = pd.concat(
            [
                mine[cols].assign(unit_key="P:" + mine["unit_key"]),
                sub[cols].assign(unit_key="C:" + sub["unit_key"]),
            ],
            ignore_index=True,
        )
        qualified = pd.DataFrame(
            {"unit_key": "C:" + hierarchy["unit_key"], "parent_key": "P:" + hierarchy["parent_key"]}
        )
        parts.append(aggregate(both, qualified))
    if not parts:
        return None
    summed = pd.concat(parts, ignore_index=True)
    summed["unit_key"] = summed["unit_key"].str.slice(2)
    summed = summed.assign(level=level, import_id=None)
    summed["source"] = (
        summed["source"].map({"aggregated": "Summe der Untereinheiten"}).fillna(summed["source"])
    )
    return summed


def observations_on_grid(
    session: Session,
    level: str,
    variables: list[str] | None = None,
    at: dt.date | None = None,
    weight_variable: str | None = None,
) -> pd.DataFrame:
    """Observations of ``level`` at every date, on the units valid at ``at`` (default: the current ones).

    Values of dates before a boundary reform belong to units that no longer exist; their counts are carried
    onto the units valid at ``at`` through lineage (:func:`sozialmonitor.stats.reallocate.reallocate`,
    area-weighted, status ``estimated``). Units unchanged since keep their own values. Non-additive
    variables (shares, changes delivered as such) of vanished units cannot be carried over and are left out.
    One reform step is carried (lineage from the units valid at a date to those valid at ``at``).

    ``weight_variable`` (e.g. ``residents_main``): population-weighted instead of area-weighted; the density
    of each new unit is that variable at the first date the new grid has it, divided by the unit's area.
    """
    from sozialmonitor.errors import SozialmonitorError
    from sozialmonitor.geo.units import lineage_frame
    from sozialmonitor.stats.reallocate import reallocate

    additive = additive_variables(session)
    if weight_variable and weight_variable not in additive:
        raise SozialmonitorError(
            f"Gewichtungsvariable {weight_variable!r}: keine bekannte Zählvariable (z. B. residents_main)",
            f"weight variable {weight_variable!r}: not a known count variable (e.g. residents_main)",
        )

    wanted = sorted({*variables, weight_variable}) if variables and weight_variable else variables
    obs = level_observations(session, level, wanted)
    history = units_history(session)
    units = history[history["level"] == level]
    target = valid_at(units, at) if at else units[units["valid_to"].isna()]
    target_ids = set(target["id"])
    key_of = dict(zip(units["id"], units["unit_key"], strict=True))
    lineage = lineage_frame(session)
    density = _density(obs, target, units_frame(session, level), weight_variable) if weight_variable else None
    cols = ["unit_key", "ref_date", "variable", "value", "status"]
    parts = []
    for day, dates in hierarchy_periods(units, list(obs["ref_date"].unique())):
        here = valid_at(units, day)
        part = obs[obs["ref_date"].isin(dates)]
        parts.append(part[part["unit_key"].isin(here.loc[here["id"].isin(target_ids), "unit_key"])][cols])
        gone = here[~here["id"].isin(target_ids)]
        if gone.empty:
            continue
        lin = lineage[lineage["predecessor_id"].isin(gone["id"]) & lineage["unit_id"].isin(target_ids)]
        carried = part[part["unit_key"].isin(gone["unit_key"]) & part["variable"].isin(additive)]
        links = pd.DataFrame(
            {
                "unit_key": lin["unit_id"].map(key_of),
                "predecessor_key": lin["predecessor_id"].map(key_of),
                "share": lin["share"],
            }
        )
        if weight_variable and density is None:
            raise SozialmonitorError(
                f"Gewichtungsvariable {weight_variable!r} hat keine Werte auf den neuen Einheiten",
                f"weight variable {weight_variable!r} has no values on the new units",
            )
        parts.append(reallocate(carried[cols], links, density))
    frames = [p for p in parts if len(p)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out = pd.concat(frames, ignore_index=True)
    return out[out["variable"].isin(variables)] if variables else out


def _density(
    obs: pd.DataFrame, target: pd.DataFrame, units: pd.DataFrame, variable: str | None
) -> pd.Series | None:
    """Residents per m² of each unit of the target grid at the first date it has ``variable``."""
    if not variable:
        return None
    first = target["valid_from"].min()
    own = obs[
        (obs["variable"] == variable)
        & obs["unit_key"].isin(target["unit_key"])
        & (obs["ref_date"] >= first)
        & obs["value"].notna()
    ]
    if own.empty:
        return None
    earliest = own[own["ref_date"] == own["ref_date"].min()].set_index("unit_key")["value"]
    area = units.set_index("unit_key")["area_m2"].astype(float)
    return (earliest / area.reindex(earliest.index)).replace([float("inf")], float("nan"))


def _ancestor_map(units: pd.DataFrame, child_level: str, level: str) -> pd.DataFrame:
    """Map each unit of ``child_level`` to its ancestor on ``level`` (following parent links)."""
    parent = {
        (lv, k): (pl, pk)
        for lv, k, pl, pk in zip(
            units["level"], units["unit_key"], units["parent_level"], units["parent_key"], strict=True
        )
    }
    rows = []
    for key in units.loc[units["level"] == child_level, "unit_key"]:
        node = (child_level, key)
        while node in parent and node[0] != level:
            nxt = parent[node]
            if nxt[0] is None:
                break
            node = nxt
        if node[0] == level:
            rows.append((key, node[1]))
    return pd.DataFrame(rows, columns=["unit_key", "parent_key"])


def indicator_table(
    session: Session,
    level: str,
    indicators: list[str] | None = None,
    years: list[int] | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Every requested catalogue indicator for every unit of ``level`` and every reference date."""
    from sozialmonitor.stats.indicators import INDICATOR_COLUMNS, compute_indicators

    cat = catalogue or load_catalogue()
    defs: list[IndicatorDef] = [cat.get(k) for k in indicators] if indicators else list(cat)
    variables = sorted({v for d in defs for v in d.variables})
    obs = level_observations(session, level, variables)
    if years:
        obs = rows_with_dates(obs, lambda d: d.year in years)
    present = set(obs["variable"])
    defs = [d for d in defs if set(d.variables) <= present] if not indicators else defs
    if obs.empty or not defs:
        return pd.DataFrame(columns=list(INDICATOR_COLUMNS))
    return compute_indicators(obs[["unit_key", "ref_date", "variable", "value", "status"]], defs)
