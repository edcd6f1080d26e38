"""Counts of one spatial grid carried onto another through lineage (boundary reforms).

When a city redraws its small areas (Berlin's Planungsräume 2021: 448 old, 542 new), values of the dates
before the reform exist only for the old units. :func:`reallocate` estimates them for the new units from
the lineage the boundary import recorded: every old unit's count is split among the new units it overlaps,
in proportion to the overlapping area (the shares of an old unit are normalised to sum to 1, so the total
of the city is kept exactly).

Area weighting assumes that people are spread evenly over each old unit's area. Where an old unit is split
into parts of different density (a park and a housing estate), the estimate is off. Population weighting
uses the new grid's own later counts as the density of each part (``density``) and is much closer; the
error of both is measured in the tests and the docs (``docs/gebietsreform.md``). Only additive counts can be
reallocated; shares are computed afterwards from the reallocated counts. Every reallocated value has the
status ``estimated``; a missing or withheld part makes the new unit's value missing or withheld.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialmonitor.stats.indicators import check_columns
from sozialmonitor.stats.status import ESTIMATED, MISSING, STATUSES, status_codes, status_names

_OBS = ("unit_key", "ref_date", "variable", "value", "status")
_LINEAGE = ("unit_key", "predecessor_key", "share")
_ESTIMATED, _MISSING = STATUSES.index(ESTIMATED), STATUSES.index(MISSING)


def reallocate(obs: pd.DataFrame, lineage: pd.DataFrame, density: pd.Series | None = None) -> pd.DataFrame:
    """Counts of the old units in ``obs`` carried onto the new units of ``lineage``.

    ``density`` (new unit → residents per m² on the new grid, e.g. at the first date after the reform):
    population-weighted instead of area-weighted; an old unit's count is split in proportion to
    ``share × density`` (the residents the new grid shows in each overlap). Where all successors of an old
    unit have density 0 or none, its split stays area-weighted.

    ``obs``: ``unit_key`` (old unit), ``ref_date``, ``variable``, ``value``, ``status``; ``lineage``:
    ``unit_key`` (new unit), ``predecessor_key`` (old unit), ``share`` (part of the old unit's area in the
    new one). Returns ``unit_key`` (new unit), ``ref_date``, ``variable``, ``value``, ``status``. A new unit
    gets a value only if all its predecessors have one at that date; an old unit without any lineage is
    dropped (its count cannot be placed).
    """
    check_columns(obs, _OBS, "Beobachtungen / observations")
    check_columns(lineage, _LINEAGE, "Herkunft / lineage")
    lin = lineage[list(_LINEAGE)].copy()
    lin = lin[lin["share"] > 0]
    lin["weight"] = lin["share"] / lin.groupby("predecessor_key")["share"].transform("sum")
    if density is not None:
        dens = density.reindex(lin["unit_key"]).to_numpy(dtype=float)
        mass = lin["share"].to_numpy() * np.nan_to_num(dens, nan=0.0)
        total = pd.Series(mass).groupby(lin["predecessor_key"].to_numpy()).transform("sum").to_numpy()
        lin["weight"] = np.where(total > 0, mass / np.where(total > 0, total, 1.0), lin["weight"])
    parts = obs[list(_OBS)].merge(lin, left_on="unit_key", right_on="predecessor_key", suffixes=("_old", ""))
    if parts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _OBS})
    codes = status_codes(parts["status"])
    codes = np.where(parts["value"].isna() & (codes < _MISSING), _MISSING, codes)  # no value: missing
    parts = parts.assign(
        _weighted=parts["value"].to_numpy(dtype=float) * parts["weight"].to_numpy(dtype=float), _code=codes
    )
    grouped = parts.groupby(["unit_key", "ref_date", "variable"], sort=False)
    out = grouped.agg(
        value=("_weighted", lambda v: v.sum(min_count=len(v))),
        _code=("_code", "max"),
        _have=("predecessor_key", "nunique"),
    ).reset_index()
    # a new unit is complete only if every old unit it arose from has a value at that date
    expected = lin.groupby("unit_key")["predecessor_key"].nunique()
    incomplete = out["_have"].to_numpy() < expected.reindex(out["unit_key"]).to_numpy()
    code = np.where(incomplete, np.maximum(out["_code"].to_numpy(), _MISSING), out["_code"].to_numpy())
    code = np.maximum(code, _ESTIMATED)  # an estimate at best
    value = np.where(code >= _MISSING, np.nan, out["value"].to_numpy(dtype=float))
    return pd.DataFrame(
        {
            "unit_key": out["unit_key"],
            "ref_date": out["ref_date"],
            "variable": out["variable"],
            "value": value,
            "status": status_names(code.astype(np.int8)),
        }
    )
