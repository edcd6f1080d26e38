"""Protect everything a release publishes together, and audit it as an attacker would.

:func:`protect_year` takes every observation of the released variables on every public level (the city and
all levels below it) for one year and:

1. marks **small bases**: a share of 0 % or 100 % whose denominator is below ``min_denominator`` tells the
   public something about every person of the group, so the counts of its numerator are withheld; in a
   unit with fewer residents than ``min_population`` (but some), every count is withheld;
2. runs :func:`sozialmonitor.stats.disclosure.protect` on all counts together — the spatial hierarchy and
   every stored additive relation between variables (also relations that reach variables nobody
   publishes);
3. runs the **audit** (:func:`sozialmonitor.stats.audit.feasible_intervals`): for every withheld cell its
   feasible interval by linear programming; while a cell is exposed (interval narrower than the protection
   interval), more cells are withheld (:func:`sozialmonitor.stats.audit.widen`) and protection runs again.

Only counts (kind ``count``) are protected; amounts, rates, indices and changes delivered as such pass with
their source status. Every withheld cell carries its reason: ``primary`` (small count), ``secondary``
(withheld so that a small count cannot be recomputed), ``small_base`` or ``source`` (withheld or missing at
the source).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialmonitor.indicators.catalogue import IndicatorDef
from sozialmonitor.indicators.kinds import is_protected
from sozialmonitor.publication.params import ProtectionParams
from sozialmonitor.stats.audit import BlockCache, ProtectionLevel, exposed, feasible_intervals, widen
from sozialmonitor.stats.disclosure import SECONDARY, build_equations, eliminate_unseen, protect
from sozialmonitor.stats.status import MISSING, SUPPRESSED

PRIMARY = "primary"
SMALL_BASE = "small_base"
SOURCE = "source"
REASONS: tuple[str, ...] = (PRIMARY, SECONDARY, SMALL_BASE, SOURCE)
MAX_ROUNDS = 12
ESCALATE_AFTER = 3
Relations = Sequence[tuple[str, Sequence[str]]]


@dataclass
class Protected:
    """The protected cells of one release and what the audit found."""

    cells: pd.DataFrame
    """``unit_key`` (level-qualified ``level:key``), ``variable``, ``ref_date``, ``value`` (NaN where
    withheld), ``status``, ``reason``."""
    intervals: pd.DataFrame
    """The audit's feasible interval of every withheld cell it checked (``lower``, ``upper``, ``exposed``)."""
    rounds: int = 0
    summary: dict[str, object] = field(default_factory=dict)

    @property
    def exposed(self) -> pd.DataFrame:
        if self.intervals.empty:
            return self.intervals
        return self.intervals[self.intervals["exposed"]]


def small_base_cells(
    counts: pd.DataFrame, defs: Sequence[IndicatorDef], params: ProtectionParams
) -> pd.Series:
    """Counts to withhold because they make a share of 0 % or 100 % from a small base (bool per row)."""
    flag = pd.Series(False, index=counts.index)
    if counts.empty:
        return flag
    # a unit with only a handful of residents (but not none) shows nothing but its existence: every count
    # of it would describe a few identifiable people, and a release cannot protect them one by one
    pop = counts[counts["variable"] == params.population_variable]
    tiny = pop[(pop["value"] > 0) & (pop["value"] < params.min_population)]
    rows = pd.MultiIndex.from_frame(counts[["unit_key", "ref_date"]])
    if len(tiny):
        flag |= pd.Series(
            rows.isin(pd.MultiIndex.from_frame(tiny[["unit_key", "ref_date"]])), index=counts.index
        )
    cell = ["unit_key", "ref_date", "variable"]
    wide = counts.drop_duplicates(cell).set_index(cell)["value"].unstack("variable")
    for d in defs:
        if not d.denominator or not set(d.variables) <= set(wide.columns):
            continue
        num = wide[list(d.numerator)].sum(axis=1, min_count=len(d.numerator))
        den = wide[list(d.denominator)].sum(axis=1, min_count=len(d.denominator))
        small = den.notna() & num.notna() & (den < max(params.min_denominator, d.min_denominator))
        extreme = small & (den > 0) & ((num == 0) | (num >= den))
        if not extreme.any():
            continue
        at = pd.MultiIndex.from_tuples(extreme[extreme].index.tolist(), names=["unit_key", "ref_date"])
        flag |= pd.Series(rows.isin(at), index=counts.index) & counts["variable"].isin(d.numerator)
    return flag


def _reasons(result: pd.DataFrame, small: np.ndarray, source: np.ndarray, extra: np.ndarray) -> np.ndarray:
    supp = result["suppression"].to_numpy()
    return np.select(
        [small, source, extra, supp == PRIMARY, supp == SECONDARY],
        [SMALL_BASE, SOURCE, SECONDARY, PRIMARY, SECONDARY],
        default="",
    )


def protect_year(
    obs: pd.DataFrame,
    hierarchy: pd.DataFrame,
    relations: Relations,
    kinds: dict[str, str],
    defs: Sequence[IndicatorDef],
    params: ProtectionParams,
    progress: Callable[[str], None] | None = None,
    known: pd.DataFrame | None = None,
) -> Protected:
    """Protect ``obs`` (``unit_key, variable, ref_date, value, status``; unit keys unique over all levels).

    ``known``: cells the public already saw (earlier releases of the year, withdrawn ones too: what was
    published once stays known) with ``unit_key, variable, ref_date, value``; the audit counts them as
    published where their value is still the true one.
    """
    obs = obs.reset_index(drop=True)
    protected_kind = _protected_rows(obs, kinds)
    counts = obs[protected_kind].reset_index(drop=True)
    others = obs[~protected_kind].assign(
        reason=np.where(obs.loc[~protected_kind, "status"].isin([SUPPRESSED, MISSING]), SOURCE, "")
    )
    level = ProtectionLevel(params.protection_absolute, params.protection_relative)
    if counts.empty:
        return Protected(others, _no_intervals(), 0, {})
    truth = counts["value"].to_numpy(dtype=float)
    seen_before = _known_mask(counts, known)
    source = counts["status"].isin([SUPPRESSED, MISSING]).to_numpy()
    small = small_base_cells(counts, defs, params).to_numpy()
    extra = np.zeros(len(counts), dtype=bool)  # withheld by the audit's widening
    groups = [(t, list(p)) for t, p in relations]
    # protect works on the relations among what is published (variables nobody sees eliminated); the
    # audit keeps those variables as unknowns ≥ 0, as an attacker would
    seen_groups = eliminate_unseen(groups, set(counts["variable"]))
    solved: BlockCache = {}  # blocks of withheld cells the audit solved in an earlier round
    rounds = 0
    while True:
        rounds += 1
        status = np.where(small | extra, SUPPRESSED, counts["status"].to_numpy())
        result = protect(
            counts.assign(status=status, _pos=np.arange(len(counts))),
            hierarchy=hierarchy,
            variable_groups=seen_groups,
            threshold=params.threshold,
        )
        # protect returns its input rows grouped by reference date: back to the order of ``counts``
        result = (
            result.iloc[np.argsort(result["_pos"].to_numpy())].drop(columns="_pos").reset_index(drop=True)
        )
        published = result["suppression"].eq("").to_numpy() & ~np.isnan(result["value"].to_numpy(dtype=float))
        reasons = _reasons(result, small, source, extra)
        # zero cells are not checked: a hidden 0 (a 0 % share from a small base) next to published zeros
        # only (e.g. a district of an Ortsteil with no unemployed foreigners at all) cannot be hidden
        check = (~published) & ~source & (truth > 0) & ~seen_before
        table = counts[["unit_key", "variable", "ref_date"]].assign(
            value=truth, published=published | seen_before
        )
        if progress:
            progress(f"Prüfung / audit, Runde / round {rounds}")
        iv = feasible_intervals(
            table,
            hierarchy=hierarchy,
            variable_groups=groups,
            by=("ref_date",),
            audit=pd.Series(check),
            cache=solved,
        )
        iv = _exposure(iv, table[check], reasons[check], level) if len(iv) else _no_intervals()
        if not iv["exposed"].any() or rounds >= MAX_ROUNDS:
            break
        stuck = iv[iv["exposed"]]
        if rounds >= ESCALATE_AFTER:
            # the gentle widening did not open these cells up: hide in every equation of each of them
            widened = escalate(table, stuck, hierarchy, groups, level)
        else:
            widened = widen(table, stuck, hierarchy, groups, by=("ref_date",), level=level)
        # widen and escalate return the rows of ``table`` in its order
        newly = published & ~widened["published"].to_numpy(dtype=bool)
        if not newly.any():
            break
        extra |= newly
    cells = result[["unit_key", "variable", "ref_date", "value", "status"]].assign(reason=reasons)
    cells.loc[~published, "value"] = np.nan
    cells.loc[~published, "status"] = SUPPRESSED
    cells.loc[~published & source, "status"] = counts.loc[~published & source, "status"].to_numpy()
    out = pd.concat([cells, others[cells.columns]], ignore_index=True)
    return Protected(out, iv, rounds, summarise(out, iv, kinds))


def escalate(
    table: pd.DataFrame,
    stuck: pd.DataFrame,
    hierarchy: pd.DataFrame,
    groups: Relations,
    level: ProtectionLevel,
) -> pd.DataFrame:
    """Hide one more cell in *every* equation of every stuck cell: a published part (before a total) with the
    smallest value that still covers the protection interval, else the largest part."""
    out = table.copy()
    published = out["published"].to_numpy(dtype=bool).copy()
    for date, cells in stuck.groupby("ref_date"):
        rows = np.flatnonzero((table["ref_date"] == date).to_numpy())
        part = table.iloc[rows]
        eq = build_equations(part, hierarchy, groups)
        index = pd.MultiIndex.from_frame(part[["unit_key", "variable"]])
        to_row = index.get_indexer(pd.MultiIndex.from_frame(eq.cells[["unit_key", "variable"]]))
        values = eq.cells["value"].to_numpy(dtype=float)
        csc, csr = eq.matrix.tocsc(), eq.matrix.tocsr()
        pos = pd.MultiIndex.from_frame(eq.cells[["unit_key", "variable"]]).get_indexer(
            pd.MultiIndex.from_frame(cells[["unit_key", "variable"]])
        )
        for cell, value in zip(pos, cells["value"].to_numpy(dtype=float), strict=True):
            if cell < 0:
                continue
            required = level.required(0.0 if np.isnan(value) else value)
            for e in csc.indices[csc.indptr[cell] : csc.indptr[cell + 1]]:
                members = csr.indices[csr.indptr[e] : csr.indptr[e + 1]]
                signs = csr.data[csr.indptr[e] : csr.indptr[e + 1]]
                rows_of = np.where(to_row[members] >= 0, rows[np.maximum(to_row[members], 0)], -1)
                ok = (rows_of >= 0) & (values[members] > 0) & (members != cell)
                ok[ok] &= published[rows_of[ok]]
                if not ok.any():
                    continue
                vals, sg = values[members][ok], signs[ok]
                big = vals >= required
                # parts first; then cells that cover the interval, smallest first; else the largest
                order = np.lexsort((np.where(big, vals, -vals), ~big, sg > 0))
                published[rows_of[ok][order[0]]] = False
    out["published"] = published
    return out


def _exposure(
    iv: pd.DataFrame, table: pd.DataFrame, reasons: np.ndarray, level: ProtectionLevel
) -> pd.DataFrame:
    """Mark exposed cells (``table`` and ``reasons``: the rows of the audited cells, or more): a sensitive
    cell (small count, small base) needs the full protection interval ``max(absolute, relative · value)``;
    a cell withheld only to protect others (secondary) must not be narrowed below ± ``absolute`` persons."""
    keyed = table[["unit_key", "variable", "ref_date"]].assign(reason=reasons)
    iv = iv.merge(keyed, on=["unit_key", "variable", "ref_date"], how="left")
    sensitive = iv["reason"].isin([PRIMARY, SMALL_BASE]).to_numpy()
    secondary_level = ProtectionLevel(level.absolute, 0.0)
    flag = np.where(sensitive, exposed(iv, level).to_numpy(), exposed(iv, secondary_level).to_numpy())
    return iv.drop(columns="reason").assign(exposed=flag)


def _protected_rows(frame: pd.DataFrame, kinds: dict[str, str]) -> np.ndarray:
    """Rows whose variable is of a protected kind (counts; unknown variables too: fail closed)."""
    protected = [v for v in frame["variable"].unique() if is_protected(kinds, v)]
    return np.asarray(frame["variable"].isin(protected).to_numpy(), dtype=bool)


def _known_mask(counts: pd.DataFrame, known: pd.DataFrame | None) -> np.ndarray:
    """Rows of ``counts`` whose true value the public already knows from an earlier release."""
    if known is None or known.empty:
        return np.zeros(len(counts), dtype=bool)
    keys = ["unit_key", "variable", "ref_date"]
    merged = counts[keys].merge(
        known[[*keys, "value"]].drop_duplicates(keys).rename(columns={"value": "_known"}), on=keys, how="left"
    )
    old = merged["_known"].to_numpy(dtype=float)
    return np.asarray(
        ~np.isnan(old) & (np.abs(old - counts["value"].to_numpy(dtype=float)) < 1e-9), dtype=bool
    )


def _no_intervals() -> pd.DataFrame:
    cols = ["unit_key", "variable", "ref_date", "value", "lower", "upper", "exact", "exposed"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


def summarise(cells: pd.DataFrame, intervals: pd.DataFrame, kinds: dict[str, str]) -> dict[str, object]:
    """Counts of published and withheld cells by reason, and the narrowest feasible interval."""
    prot = cells[_protected_rows(cells, kinds)]
    reasons = prot["reason"].value_counts().to_dict()
    out: dict[str, object] = {
        "cells": len(prot),
        "published": int((prot["reason"] == "").sum()),
        "withheld": {r: int(reasons.get(r, 0)) for r in REASONS},
        "checked": len(intervals),
        "exposed": int(intervals["exposed"].sum()) if len(intervals) else 0,
    }
    if len(intervals):
        width = (intervals["upper"].astype(float) - intervals["lower"].astype(float)).to_numpy()
        i = int(np.argmin(width))
        row = intervals.iloc[i]
        out["narrowest"] = {
            "unit": str(row["unit_key"]),
            "variable": str(row["variable"]),
            "ref_date": str(row["ref_date"]),
            "value": float(row["value"]),
            "lower": float(row["lower"]),
            "upper": float(row["upper"]) if np.isfinite(float(row["upper"])) else None,
            "width": float(width[i]),
        }
    return out
