"""Catalogue indicators from observations: ratios of sums, aggregation up the hierarchy, city comparison.

Observations are a long DataFrame with the columns ``unit_key``, ``ref_date``, ``variable``, ``value`` and
``status`` (see :mod:`sozialmonitor.stats.status`). An indicator is
``factor * sum(numerator variables) / sum(denominator variables)``; without denominator it is
``factor * sum(numerator variables)``.

Rules (documented in ``docs/indicators.md``):

* the result takes the worst status of its inputs: any suppressed input → ``suppressed``, else any missing
  input (absent row or NaN value) → ``missing``, else any estimated input → ``estimated``; a suppressed or
  missing result has ``value`` NaN — it is never computed with 0;
* a denominator of 0 gives ``missing``;
* ``flag_small`` is set when the denominator is below the indicator's ``min_denominator``; such units stay in
  the table but are left out of rankings and indices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.indicators.catalogue import IndicatorDef
from sozialmonitor.stats.status import (
    ESTIMATED,
    MISSING,
    OK,
    STATUSES,
    SUPPRESSED,
    status_codes,
    status_names,
)

OBS_COLUMNS: tuple[str, ...] = ("unit_key", "ref_date", "variable", "value", "status")
INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator",
    "unit_key",
    "ref_date",
    "numerator",
    "denominator",
    "value",
    "status",
    "flag_small",
)
_MISSING = STATUSES.index(MISSING)
_SUPPRESSED = STATUSES.index(SUPPRESSED)


def check_columns(frame: pd.DataFrame, required: Iterable[str], what: str) -> None:
    """Raise a bilingual error naming the missing columns of ``frame``."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SozialmonitorError(
            f"{what}: Spalten fehlen: {', '.join(missing)}; vorhanden: {', '.join(map(str, frame.columns))}",
            f"{what}: missing columns: {', '.join(missing)}; present: {', '.join(map(str, frame.columns))}",
        )


def _wide(obs: pd.DataFrame, variables: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Unit×date rows, one column per variable: values (NaN = absent) and status codes (absent = missing)."""
    check_columns(obs, OBS_COLUMNS, "Beobachtungen / observations")
    unit_codes, units = pd.factorize(obs["unit_key"])
    date_codes, dates = pd.factorize(obs["ref_date"])
    row_codes, pairs = pd.factorize(unit_codes.astype(np.int64) * len(dates) + date_codes)
    var_codes = pd.Index(variables).get_indexer(pd.Index(obs["variable"]))
    dup = pd.Series(row_codes * (len(variables) + 1) + var_codes)[var_codes >= 0].duplicated()
    if dup.any():
        first = obs[var_codes >= 0][dup.to_numpy()].iloc[0]
        raise SozialmonitorError(
            f"Doppelte Beobachtung: Einheit {first.unit_key!r}, Stichtag {first.ref_date}, "
            f"Variable {first.variable!r}",
            f"duplicate observation: unit {first.unit_key!r}, date {first.ref_date}, "
            f"variable {first.variable!r}",
        )
    keep = var_codes >= 0
    values = np.full((len(pairs), len(variables)), np.nan)
    status = np.full((len(pairs), len(variables)), _MISSING, dtype=np.int8)
    values[row_codes[keep], var_codes[keep]] = obs["value"].to_numpy(dtype=float)[keep]
    status[row_codes[keep], var_codes[keep]] = status_codes(obs["status"])[keep]
    # a value that is not available is missing even if flagged ok/estimated
    status = np.where(np.isnan(values) & (status < _MISSING), _MISSING, status).astype(np.int8)
    rows = pd.DataFrame(
        {
            "unit_key": np.asarray(units)[pairs // len(dates)],
            "ref_date": np.asarray(dates)[pairs % len(dates)],
        }
    )
    return rows, values, status


def rows_with_dates(frame: pd.DataFrame, keep: Callable[[dt.date], bool]) -> pd.DataFrame:
    """The rows whose ``ref_date`` passes ``keep``. (A plain list as mask, ``frame[[…]]``, selects *columns*
    when the frame is empty and then loses them all.)"""
    mask = np.fromiter((bool(keep(d)) for d in frame["ref_date"]), dtype=bool, count=len(frame))
    return frame[mask]


def compute_indicators(obs: pd.DataFrame, defs: Iterable[IndicatorDef]) -> pd.DataFrame:
    """Every indicator × unit × reference date present in ``obs``.

    Returns the columns ``indicator, unit_key, ref_date, numerator, denominator, value, status,
    flag_small`` (``denominator`` NaN for count indicators). Vectorised over units and dates.
    """
    defs = list(defs)
    variables = sorted({v for d in defs for v in d.variables})
    rows, values, status = _wide(obs, variables)
    col = {v: i for i, v in enumerate(variables)}
    nums, dens, vals, states, flags = [], [], [], [], []
    for d in defs:
        num_idx = [col[v] for v in d.numerator]
        num = values[:, num_idx].sum(axis=1)
        st = status[:, num_idx].max(axis=1)
        if d.denominator:
            den_idx = [col[v] for v in d.denominator]
            den = values[:, den_idx].sum(axis=1)
            st = np.maximum(st, status[:, den_idx].max(axis=1))
            zero = den == 0
            st = np.where(zero & (st < _MISSING), _MISSING, st)
            with np.errstate(divide="ignore", invalid="ignore"):
                val = np.where(zero, np.nan, d.factor * num / den)
            flag = ~np.isnan(den) & (den < d.min_denominator)
        else:
            den = np.full(len(num), np.nan)
            val = d.factor * num
            flag = np.zeros(len(num), dtype=bool)
        bad = st >= _MISSING
        num_hidden = status[:, num_idx].max(axis=1) == _SUPPRESSED
        nums.append(np.where(num_hidden, np.nan, num))
        dens.append(den)
        vals.append(np.where(bad, np.nan, val))
        states.append(st.astype(np.int8))
        flags.append(flag)
    if not defs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in INDICATOR_COLUMNS})
    n = len(rows)
    # one frame built at once (indicator by indicator, each over all unit × date rows)
    out = pd.DataFrame(
        {
            "indicator": np.repeat(np.asarray([d.key for d in defs], dtype=object), n),
            "unit_key": np.tile(rows["unit_key"].to_numpy(dtype=object), len(defs)),
            "ref_date": np.tile(rows["ref_date"].to_numpy(dtype=object), len(defs)),
            "numerator": np.concatenate(nums),
            "denominator": np.concatenate(dens).astype(float),
            "value": np.concatenate(vals).astype(float),
            "status": status_names(np.concatenate(states)),
            "flag_small": np.concatenate(flags).astype(bool),
        }
    )
    # the denominator of a suppressed denominator input is not shown either
    out.loc[out["status"].eq(SUPPRESSED) & out["numerator"].notna(), "denominator"] = np.nan
    return out


def aggregate(obs: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Sum every variable from the child level to the parent level of ``hierarchy``.

    ``hierarchy`` has the columns ``unit_key`` (child) and ``parent_key``. Counts are summed, never rates:
    compute indicators on the aggregated counts afterwards. The aggregate takes the worst status of its
    parts; a child without an observation makes it ``missing``. If ``obs`` already holds a published
    ``ok``/``estimated`` observation of the parent, that one is returned instead (``source`` =
    ``observed``), since the statistics office's own total may contain units not in the child level.
    Returns ``unit_key, ref_date, variable, value, status, source`` for the parent units.
    """
    check_columns(obs, OBS_COLUMNS, "Beobachtungen / observations")
    check_columns(hierarchy, ("unit_key", "parent_key"), "Hierarchie / hierarchy")
    h = hierarchy[["unit_key", "parent_key"]].drop_duplicates()
    if h["unit_key"].duplicated().any():
        key = h.loc[h["unit_key"].duplicated(), "unit_key"].iloc[0]
        raise SozialmonitorError(
            f"Hierarchie: Einheit {key!r} hat mehrere übergeordnete Einheiten",
            f"hierarchy: unit {key!r} has more than one parent",
        )
    n_children = h.groupby("parent_key").size().rename("n_children")
    child = obs.merge(h, on="unit_key", how="inner")
    codes = status_codes(child["status"])
    codes = np.where(child["value"].isna() & (codes < _MISSING), _MISSING, codes)
    child = child.assign(_code=codes)
    g = child.groupby(["parent_key", "ref_date", "variable"], sort=False)
    agg = g.agg(value=("value", "sum"), _code=("_code", "max"), _n=("value", "size")).reset_index()
    agg = agg.merge(n_children, left_on="parent_key", right_index=True)
    agg.loc[agg["_n"] < agg["n_children"], "_code"] = np.maximum(
        agg.loc[agg["_n"] < agg["n_children"], "_code"], _MISSING
    )
    agg.loc[agg["_code"] >= _MISSING, "value"] = np.nan
    agg = agg.rename(columns={"parent_key": "unit_key"})
    agg["status"] = status_names(agg["_code"].to_numpy(dtype=np.int8))
    agg["source"] = "aggregated"
    agg = agg[["unit_key", "ref_date", "variable", "value", "status", "source"]]

    parents = obs[obs["unit_key"].isin(n_children.index)]
    if parents.empty:
        return agg.reset_index(drop=True)
    published = parents[parents["status"].isin([OK, ESTIMATED]) & parents["value"].notna()]
    published = published[list(OBS_COLUMNS)].assign(source="observed")
    keys = ["unit_key", "ref_date", "variable"]
    agg_good = agg[agg["status"].isin([OK, ESTIMATED])]
    rest_parents = parents[list(OBS_COLUMNS)].assign(source="observed")
    # preference: published parent value > computable aggregate > parent row as published > aggregate
    ordered = pd.concat([published, agg_good, rest_parents, agg], ignore_index=True)
    return ordered.drop_duplicates(keys, keep="first").reset_index(drop=True)


def compare_to_reference(ind: pd.DataFrame, city_values: pd.DataFrame) -> pd.DataFrame:
    """Deviation of every unit from the reference (city) value, and the rank among units.

    ``ind``: output of :func:`compute_indicators`; ``city_values``: ``indicator, ref_date, value`` (the
    reference, usually the city row of :func:`compute_indicators` on aggregated observations).
    Adds ``reference``, ``deviation_abs`` (value − reference, in the indicator's unit: percentage points
    for % indicators), ``deviation_rel`` (100·(value/reference − 1), in %), ``rank`` and ``n_ranked``.
    Rank 1 = highest value, ties share the smallest rank ("min" method); units that are flagged
    (``flag_small``), suppressed or missing get no rank and do not count in ``n_ranked``.
    """
    check_columns(ind, ("indicator", "unit_key", "ref_date", "value", "status", "flag_small"), "Indikatoren")
    check_columns(city_values, ("indicator", "ref_date", "value"), "Referenzwerte / reference values")
    ref = city_values[["indicator", "ref_date", "value"]].rename(columns={"value": "reference"})
    out = ind.merge(ref, on=["indicator", "ref_date"], how="left")
    out["deviation_abs"] = out["value"] - out["reference"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = 100.0 * (out["value"].to_numpy(dtype=float) / out["reference"].to_numpy(dtype=float) - 1.0)
    out["deviation_rel"] = np.where(out["reference"].to_numpy(dtype=float) == 0, np.nan, rel)
    rankable = out["value"].notna() & ~out["flag_small"].astype(bool) & out["status"].isin([OK, ESTIMATED])
    ranked = out["value"].where(rankable)
    grp = ranked.groupby([out["indicator"], out["ref_date"]])
    out["rank"] = grp.rank(method="min", ascending=False).astype("Int64")
    out["n_ranked"] = grp.transform("count").astype("Int64")
    return out
