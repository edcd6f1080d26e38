"""Time series of indicators: change over n periods, linear trend, compound annual growth.

Input is an indicator table as returned by :func:`sozialmonitor.stats.indicators.compute_indicators`
(``indicator, unit_key, ref_date, value, status``). Only values with status ``ok`` or ``estimated`` are used.

Units must exist *unchanged* in the periods compared. Pass ``valid_units`` (reference date → the unit keys
valid at that date, e.g. from the store's validity periods) and/or ``lineage`` (old key → new key for units
renamed or renumbered without boundary change). Units not comparable are listed in ``excluded`` with a reason:
``not_valid`` (not in ``valid_units`` of one of the dates), ``no_base_value`` / ``no_value`` (no usable
value at one of the dates), ``too_few_points`` (trend with fewer than ``min_points`` values).

Trend measure: the OLS slope ``b`` per year of the values over the period and KomMonitor's
``T = 100 · b / x̄₁``. We take ``x̄₁`` as the mean of the values over the analysed period (``base="mean"``; the
OLS line passes through it at the middle of the period), so ``T`` is the average yearly change in % of the
period's level. ``base="first"`` uses the fitted value at the first date instead (change in % of the start
level of the trend line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.stats.indicators import check_columns
from sozialmonitor.stats.status import ESTIMATED, OK, STATUSES, status_codes, status_names

_COLUMNS = ("indicator", "unit_key", "ref_date", "value", "status")
EXCLUDED_COLUMNS = ("indicator", "unit_key", "ref_date", "base_date", "reason")


@dataclass(frozen=True)
class SeriesResult:
    table: pd.DataFrame
    excluded: pd.DataFrame


def _usable(ind: pd.DataFrame) -> pd.DataFrame:
    check_columns(ind, _COLUMNS, "Indikatoren / indicators")
    return ind[ind["status"].isin([OK, ESTIMATED]) & ind["value"].notna()]


def _valid_pairs(
    frame: pd.DataFrame, valid_units: Mapping[dt.date, Collection[str]] | None, column: str, key: str
) -> np.ndarray:
    if valid_units is None:
        return np.ones(len(frame), dtype=bool)
    allowed = pd.MultiIndex.from_tuples(
        [(d, u) for d, units in valid_units.items() for u in units], names=[column, key]
    )
    return pd.MultiIndex.from_arrays([frame[column], frame[key]]).isin(allowed)


def year_fraction(dates: pd.Series) -> np.ndarray:
    """Dates as decimal years (``2020-12-31`` → 2020.997…), the time axis of trends and growth rates."""
    ts = pd.to_datetime(dates)
    return (ts.dt.year + (ts.dt.dayofyear - 1) / 365.25).to_numpy(dtype=float)


def change(
    ind: pd.DataFrame,
    periods: int = 1,
    valid_units: Mapping[dt.date, Collection[str]] | None = None,
    lineage: Mapping[str, str] | None = None,
) -> SeriesResult:
    """Change of every indicator and unit against the reference date ``periods`` steps earlier.

    ``table``: ``indicator, unit_key, ref_date, base_date, base_value, value, change_abs`` (in the
    indicator's unit; percentage points for % indicators), ``change_rel`` (``100·(value/base − 1)``, %),
    ``status`` (worse of the two). Dates are the distinct reference dates of ``ind``, in order.
    """
    if periods < 1:
        raise SozialmonitorError(f"Perioden = {periods}, erwartet ≥ 1", f"periods = {periods}, expected ≥ 1")
    check_columns(ind, _COLUMNS, "Indikatoren / indicators")
    dates = sorted(ind["ref_date"].unique())
    base_of = dict(zip(dates[periods:], dates[:-periods], strict=True)) if len(dates) > periods else {}
    later_of = {b: d for d, b in base_of.items()}
    current = ind[ind["ref_date"].isin(base_of)][list(_COLUMNS)].copy()
    current["base_date"] = current["ref_date"].map(base_of)
    base = ind[ind["ref_date"].isin(later_of)][list(_COLUMNS)].copy()
    base_valid = _valid_pairs(base, valid_units, "ref_date", "unit_key")
    base = base.assign(
        unit_key=base["unit_key"].map(lambda k: lineage.get(k, k)) if lineage else base["unit_key"],
        base_date=base["ref_date"],
        ref_date=base["ref_date"].map(later_of),
        _base_valid=base_valid,
    ).rename(columns={"value": "base_value", "status": "base_status"})
    merged = current.merge(
        base[["indicator", "unit_key", "ref_date", "base_date", "base_value", "base_status", "_base_valid"]],
        on=["indicator", "unit_key", "ref_date", "base_date"],
        how="left",
    )
    now_valid = _valid_pairs(merged, valid_units, "ref_date", "unit_key")
    good = {OK, ESTIMATED}
    reason = np.select(
        [
            ~(now_valid & merged["_base_valid"].eq(True).to_numpy()),
            ~merged["status"].isin(good) | merged["value"].isna(),
            ~merged["base_status"].isin(good) | merged["base_value"].isna(),
        ],
        ["not_valid", "no_value", "no_base_value"],
        default="",
    )
    merged["reason"] = reason
    excluded = merged.loc[merged["reason"] != "", list(EXCLUDED_COLUMNS)].reset_index(drop=True)
    table = merged[merged["reason"] == ""].copy()
    table["change_abs"] = table["value"] - table["base_value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = 100.0 * (table["value"].to_numpy(dtype=float) / table["base_value"].to_numpy(dtype=float) - 1)
    table["change_rel"] = np.where(table["base_value"].to_numpy(dtype=float) == 0, np.nan, rel)
    worst = np.maximum(status_codes(table["status"]), status_codes(table["base_status"]))
    table["status"] = status_names(worst.astype(np.int8))
    columns = [
        "indicator",
        "unit_key",
        "ref_date",
        "base_date",
        "base_value",
        "value",
        "change_abs",
        "change_rel",
        "status",
    ]
    return SeriesResult(table[columns].reset_index(drop=True), excluded)


def trend(
    ind: pd.DataFrame,
    start: dt.date | None = None,
    end: dt.date | None = None,
    min_points: int = 3,
    base: Literal["mean", "first"] = "mean",
    valid_units: Mapping[dt.date, Collection[str]] | None = None,
) -> SeriesResult:
    """Linear trend per indicator and unit over ``start``–``end`` (inclusive; default: all dates).

    ``table``: ``indicator, unit_key, n, start, end, slope`` (per year), ``intercept`` (at year 0),
    ``mean``, ``trend_t`` (``100·slope/x̄₁``, see the module docstring), ``r2``.
    """
    check_columns(ind, _COLUMNS, "Indikatoren / indicators")
    frame = ind
    if start is not None:
        frame = frame[frame["ref_date"] >= start]
    if end is not None:
        frame = frame[frame["ref_date"] <= end]
    all_units = frame[["indicator", "unit_key"]].drop_duplicates()
    usable = _usable(frame)
    usable = usable[_valid_pairs(usable, valid_units, "ref_date", "unit_key")]
    t = year_fraction(usable["ref_date"])
    y = usable["value"].to_numpy(dtype=float)
    work = pd.DataFrame(
        {
            "indicator": usable["indicator"].to_numpy(),
            "unit_key": usable["unit_key"].to_numpy(),
            "t": t,
            "y": y,
            "tt": t * t,
            "ty": t * y,
            "yy": y * y,
            "date": usable["ref_date"].to_numpy(),
        }
    )
    g = work.groupby(["indicator", "unit_key"], sort=True)
    s = g.agg(
        n=("t", "size"),
        st=("t", "sum"),
        sy=("y", "sum"),
        stt=("tt", "sum"),
        sty=("ty", "sum"),
        syy=("yy", "sum"),
        start=("date", "min"),
        end=("date", "max"),
        t0=("t", "min"),
    ).reset_index()
    n = s["n"].to_numpy(dtype=float)
    sxx = s["stt"] - s["st"] ** 2 / n
    sxy = s["sty"] - s["st"] * s["sy"] / n
    syy = s["syy"] - s["sy"] ** 2 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(sxx > 0, sxy / sxx, np.nan)
        mean = s["sy"] / n
        intercept = mean - slope * s["st"] / n
        level = mean if base == "mean" else intercept + slope * s["t0"]
        trend_t = np.where(level != 0, 100.0 * slope / level, np.nan)
        r2 = np.where((sxx > 0) & (syy > 0), sxy**2 / (sxx * syy), np.nan)
    table = pd.DataFrame(
        {
            "indicator": s["indicator"],
            "unit_key": s["unit_key"],
            "n": s["n"],
            "start": s["start"],
            "end": s["end"],
            "slope": slope,
            "intercept": intercept,
            "mean": mean,
            "trend_t": trend_t,
            "r2": r2,
        }
    )
    few = table["n"] < min_points
    enough = table.loc[~few, ["indicator", "unit_key"]]
    excluded = all_units.merge(enough, how="left", indicator=True)
    excluded = excluded[excluded["_merge"] == "left_only"].drop(columns="_merge")
    excluded = excluded.assign(ref_date=end, base_date=start, reason="too_few_points")
    return SeriesResult(
        table[~few].reset_index(drop=True), excluded[list(EXCLUDED_COLUMNS)].reset_index(drop=True)
    )


def cagr(
    ind: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    valid_units: Mapping[dt.date, Collection[str]] | None = None,
    lineage: Mapping[str, str] | None = None,
) -> SeriesResult:
    """Compound annual growth rate in % between ``start`` and ``end``:
    ``100·((v_end/v_start)^(1/years) − 1)``,
    with ``years`` the distance in decimal years. Needs positive values at both dates."""
    if not end > start:
        raise SozialmonitorError(
            f"Ende {end} liegt nicht nach Beginn {start}", f"end {end} is not after start {start}"
        )
    sub = ind[ind["ref_date"].isin([start, end])]
    res = change(sub, periods=1, valid_units=valid_units, lineage=lineage)
    table = res.table
    years = float(year_fraction(pd.Series([end]))[0] - year_fraction(pd.Series([start]))[0])
    ratio = table["value"].to_numpy(dtype=float) / table["base_value"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(
            (table["base_value"] > 0) & (table["value"] > 0),
            100.0 * (np.power(ratio, 1.0 / years) - 1.0),
            np.nan,
        )
    table = table.assign(years=years, cagr=growth)
    return SeriesResult(table.reset_index(drop=True), res.excluded)


__all__ = ["STATUSES", "SeriesResult", "cagr", "change", "trend", "year_fraction"]
