"""Segregation of a group across districts: the index of dissimilarity (Duncan & Duncan 1955).

``D = ½ · Σᵢ |aᵢ/A − bᵢ/B|`` with ``aᵢ`` the group (e.g. SGB II recipients) in district *i*, ``bᵢ`` the rest
of the population there (``total − group``), ``A``, ``B`` the city sums. ``D`` lies between 0 (the group is
spread like everybody else) and 1 (complete separation); it is the share of the group that would have to move
for an even distribution. This is the same definition as PySAL ``segregation.singlegroup.Dissim`` (which takes
the group and the total population per unit). Districts with a missing or suppressed count are left out and
reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.stats.status import ESTIMATED, OK


def dissimilarity(group: np.ndarray | pd.Series, total: np.ndarray | pd.Series) -> float:
    """Index of dissimilarity of ``group`` against ``total − group``."""
    a = np.asarray(group, dtype=float)
    t = np.asarray(total, dtype=float)
    if a.shape != t.shape or np.isnan(a).any() or np.isnan(t).any():
        raise SozialmonitorError(
            "Dissimilaritätsindex: Gruppe und Gesamtzahl müssen vollständig und gleich lang sein",
            "index of dissimilarity: group and total must be complete and of equal length",
        )
    if (a < 0).any() or (a > t).any():
        raise SozialmonitorError(
            "Dissimilaritätsindex: erwartet 0 ≤ Gruppe ≤ Gesamtzahl in jedem Gebiet",
            "index of dissimilarity: expected 0 ≤ group ≤ total in every area",
        )
    b = t - a
    big_a, big_b = a.sum(), b.sum()
    if big_a == 0 or big_b == 0:
        return float("nan")
    return float(0.5 * np.abs(a / big_a - b / big_b).sum())


@dataclass(frozen=True)
class DissimilarityResult:
    table: pd.DataFrame
    """``ref_date, d, n_units, n_excluded``."""
    excluded: pd.DataFrame
    """``ref_date, unit_key`` of units left out (missing or suppressed counts)."""


def dissimilarity_by_date(obs: pd.DataFrame, group_variable: str, total_variable: str) -> DissimilarityResult:
    """Index of dissimilarity for every reference date of the long observation table ``obs``."""
    sub = obs[obs["variable"].isin([group_variable, total_variable])]
    usable = sub["status"].isin([OK, ESTIMATED]) & sub["value"].notna()
    wide = sub.assign(value=sub["value"].where(usable)).pivot_table(
        index=["ref_date", "unit_key"], columns="variable", values="value", aggfunc="first", dropna=False
    )
    wide = wide.reindex(columns=[group_variable, total_variable])
    bad = wide.isna().any(axis=1)
    excluded = wide[bad].reset_index()[["ref_date", "unit_key"]]
    good = wide[~bad]
    rows = []
    for date, part in good.groupby(level="ref_date"):
        d = dissimilarity(part[group_variable].to_numpy(), part[total_variable].to_numpy())
        rows.append(
            {
                "ref_date": date,
                "d": d,
                "n_units": len(part),
                "n_excluded": int((excluded["ref_date"] == date).sum()),
            }
        )
    return DissimilarityResult(
        pd.DataFrame(rows, columns=["ref_date", "d", "n_units", "n_excluded"]), excluded
    )
