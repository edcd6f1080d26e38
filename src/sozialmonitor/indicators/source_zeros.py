"""Telling suppressed small counts from true zeros in sources that print them as 0.

Many municipal sources (e.g. Jena's Stadtbezirksstatistik) protect counts of 1 and 2
by printing 0. A 0 from such a source therefore means "0, 1 or 2". The rule:

1. Additive groups are declared in the configuration (``total = part_1 + … + part_k``,
   e.g. unemployed = men + women).
2. Where the parts add up exactly to a total that is itself exact (not an
   unresolved 0), every 0 among the parts is a true zero (status ``ok``).
3. Where the parts add up to less than the total, the zeros among the parts hide
   the difference: they are marked ``suppressed`` (value unknown, between 1 and
   ``threshold - 1`` for at least one of them).
4. A 0 that no group resolves stays ``suppressed`` — the source cannot tell it
   apart from 1 or 2, and indicators must not be computed with it as 0.

Totals may come from another file already in the store (``context``), e.g. the
residents total for the age bands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class AdditiveGroup:
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class ZeroRule:
    """Configuration: which variables print small counts as 0, and the additive checks."""

    variables: frozenset[str]
    groups: tuple[AdditiveGroup, ...]
    threshold: int = 3

    @classmethod
    def from_config(cls, raw: dict[str, Any]) -> ZeroRule:
        groups = tuple(
            AdditiveGroup(str(g["total"]), tuple(str(p) for p in g["parts"])) for g in raw.get("groups") or []
        )
        variables = frozenset(str(v) for v in raw.get("variables") or [])
        return cls(variables=variables, groups=groups, threshold=int(raw.get("threshold", 3)))


def group_variables(rule: ZeroRule, variables: set[str]) -> set[str]:
    """All variables that share an additive group with any of ``variables`` (for the store lookup)."""
    out = set(variables)
    for g in rule.groups:
        members = {g.total, *g.parts}
        if members & variables:
            out |= members
    return out


def resolve_source_zeros(
    df: pd.DataFrame, rule: ZeroRule, context: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return ``df`` with unresolvable zeros of the rule's variables marked ``suppressed`` (value NaN).

    ``df`` and ``context`` are long tables (unit_key, ref_date, variable, value, status).
    """
    out = df.copy()
    affected = out["variable"].isin(rule.variables) & (out["value"] == 0) & (out["status"] == "ok")
    if not affected.any():
        return out
    frames = [out[["unit_key", "ref_date", "variable", "value"]]]
    if context is not None and len(context):
        frames.insert(0, context[["unit_key", "ref_date", "variable", "value"]])
    allv = pd.concat(frames).drop_duplicates(["unit_key", "ref_date", "variable"], keep="last")
    wide = allv.pivot(index=["unit_key", "ref_date"], columns="variable", values="value")
    col = {c: i for i, c in enumerate(wide.columns)}
    values = wide.to_numpy(dtype=float)
    zero = values == 0
    candidates = np.zeros_like(zero)
    for v in rule.variables & set(col):
        candidates[:, col[v]] = zero[:, col[v]]
    proven = np.zeros_like(zero)
    hidden = np.zeros_like(zero)
    groups = [
        (col[g.total], [col[p] for p in g.parts])
        for g in rule.groups
        if g.total in col and all(p in col for p in g.parts)
    ]
    for _ in range(3):  # a total proven zero can prove its parts in another group
        for t, parts in groups:
            total = values[:, t]
            part_vals = values[:, parts]
            s = part_vals.sum(axis=1)  # NaN if any part is NaN
            with np.errstate(invalid="ignore"):
                total_exact = (total > 0) | proven[:, t] | ~candidates[:, t]
                exact = total_exact & np.isclose(s, total) & ~np.isnan(total)
                short = total_exact & (s < total)
                parts_exact = ((part_vals > 0) | proven[:, parts] | ~candidates[:, parts]).all(axis=1)
            for p in parts:
                proven[:, p] |= exact & zero[:, p]
                hidden[:, p] |= short & zero[:, p]
            proven[:, t] |= parts_exact & zero[:, t] & np.isclose(s, 0)
    suppressed = candidates & (~proven | hidden)
    rows, cols = np.nonzero(suppressed)
    index = list(wide.index)
    columns = list(wide.columns)
    keys = {(*index[int(r)], columns[int(c)]) for r, c in zip(rows, cols, strict=True)}
    idx = [
        (u, d, v) in keys for u, d, v in zip(out["unit_key"], out["ref_date"], out["variable"], strict=True)
    ]
    mask = pd.Series(idx, index=out.index) & affected
    out.loc[mask, "status"] = "suppressed"
    out.loc[mask, "value"] = np.nan
    return out
