"""Indicator tables from the store: the one entry point the CLI, the web app and the report call."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from sozialmonitor.errors import NotFoundError
from sozialmonitor.geo.units import units_frame
from sozialmonitor.indicators.catalogue import Catalogue, IndicatorDef, load_catalogue
from sozialmonitor.indicators.store import observations_frame


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
    from sozialmonitor.stats.indicators import aggregate

    for child_level in reversed(finer):
        child = observations_of(child_level)
        if child.empty:
            continue
        hierarchy = _ancestor_map(units, child_level, level)
        if hierarchy.empty:
            continue
        child = child[
            child["unit_key"].isin(hierarchy["unit_key"])
            & child["variable"].isin(additive_variables(session))
        ]
        # keys are unique per level only (Ortsteil 11 ≠ district 11): qualify them while aggregating
        cols = ["unit_key", "ref_date", "variable", "value", "status"]
        both = pd.concat(
            [
                own[cols].assign(unit_key="P:" + own["unit_key"]),
                child[cols].assign(unit_key="C:" + child["unit_key"]),
            ],
            ignore_index=True,
        )
        qualified = pd.DataFrame(
            {"unit_key": "C:" + hierarchy["unit_key"], "parent_key": "P:" + hierarchy["parent_key"]}
        )
        summed = aggregate(both, qualified)
        summed["unit_key"] = summed["unit_key"].str.slice(2)
        summed = summed.assign(level=level, import_id=None)
        summed["source"] = (
            summed["source"].map({"aggregated": "Summe der Untereinheiten"}).fillna(summed["source"])
        )
        have = set(zip(summed["unit_key"], summed["ref_date"], summed["variable"], strict=True))
        rest = own[
            [
                (u, d, v) not in have
                for u, d, v in zip(own["unit_key"], own["ref_date"], own["variable"], strict=True)
            ]
        ]
        return pd.concat([rest, summed], ignore_index=True)
    return own


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
        obs = obs[[d.year in years for d in obs["ref_date"]]]
    present = set(obs["variable"])
    defs = [d for d in defs if set(d.variables) <= present] if not indicators else defs
    if obs.empty or not defs:
        return pd.DataFrame(columns=list(INDICATOR_COLUMNS))
    return compute_indicators(obs[["unit_key", "ref_date", "variable", "value", "status"]], defs)
