"""Evaluation of goal attainment: status per target indicator from the latest value and the trend.

Plain functions on plain data (no database). The rule, precisely (also in docs/strategy.md):

1. Series: the values of the unit in the years from the baseline year up to the evaluation year; missing,
   suppressed and small-denominator values are left out. Baseline ``b`` = the adopted baseline value, or
   the value observed in the baseline year. Target ``τ`` = ``target_value``, or ``b + target_change``.
   "Meets" means ``v ≤ τ`` for direction *decrease* and ``v ≥ τ`` for *increase*.
2. ``no_data`` if ``b`` is unknown or there is no value after the baseline year.
3. ``achieved`` if the latest value ``L`` meets ``τ`` – for survey targets only if, in addition, the
   confidence interval of ``L`` lies entirely on the favourable side of ``b`` (never "achieved" when the
   interval contains the baseline).
4. ``off_track`` if the data reach the target year (latest year ≥ target year) and the target is not achieved.
5. Otherwise the trend: ordinary least squares of value on year over the baseline point and all later
   points (needs ≥ 3 points, else ``no_data``), projected to the target year ``T`` with an 80 % prediction
   interval ``ŷ(T) ± t(0.9; n−2) · s · √(1 + 1/n + (T − x̄)²/Sxx)``.
   ``on_track`` if ``ŷ(T)`` meets ``τ`` **and** the whole interval lies on the favourable side of ``L``
   (the improvement until the target year is larger than the year-to-year noise); else ``off_track``.

District targets: each unit is assessed by this rule; of the assessed units (status not ``no_data``)
at least the share ``quorum`` must be ``achieved`` for the target to be achieved, or ``achieved`` or
``on_track`` for it to be on track; else off track; no assessed unit → ``no_data``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd
from scipy import stats

from sozialmonitor.fmt import number
from sozialmonitor.strategy.spec import TargetSpec

STATUSES: tuple[str, ...] = ("achieved", "on_track", "off_track", "no_data")
STATUS_DE: dict[str, str] = {
    "achieved": "erreicht",
    "on_track": "auf Kurs",
    "off_track": "nicht auf Kurs",
    "no_data": "keine ausreichenden Daten",
}
STATUS_EN: dict[str, str] = {
    "achieved": "achieved",
    "on_track": "on track",
    "off_track": "off track",
    "no_data": "no (sufficient) data",
}
# order for summarising several targets: the most worrying first
SEVERITY: dict[str, int] = {"off_track": 0, "no_data": 1, "on_track": 2, "achieved": 3}
PI_LEVEL = 0.80
MIN_POINTS = 3


@dataclass(frozen=True)
class Assessment:
    """The status of one unit's series, with the numbers behind it."""

    status: str
    reason_de: str
    reason_en: str
    baseline: float | None = None
    target: float | None = None
    latest_year: int | None = None
    latest: float | None = None
    latest_ci: tuple[float, float] | None = None
    projection: float | None = None
    pi_low: float | None = None
    pi_high: float | None = None
    slope: float | None = None
    n_points: int = 0


def meets(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "decrease" else value >= target


def _better(a: float, b: float, direction: str) -> bool:
    """``a`` strictly better than ``b``."""
    return a < b if direction == "decrease" else a > b


def assess_series(
    years: Sequence[int],
    values: Sequence[float | None],
    *,
    baseline_year: int,
    target_year: int,
    direction: str,
    target_value: float | None = None,
    target_change: float | None = None,
    baseline_value: float | None = None,
    eval_year: int | None = None,
    ci: Sequence[tuple[float, float] | None] | None = None,
) -> Assessment:
    """Apply the status rule (module docstring) to one series; ``ci`` given = survey target."""
    survey = ci is not None
    cis = list(ci) if ci is not None else [None] * len(years)
    points: dict[int, tuple[float, tuple[float, float] | None]] = {}
    for y, v, c in zip(years, values, cis, strict=True):
        if v is None or not math.isfinite(float(v)) or (eval_year is not None and int(y) > eval_year):
            continue
        points[int(y)] = (float(v), c)
    b = baseline_value if baseline_value is not None else points.get(baseline_year, (None, None))[0]
    if b is None:
        return Assessment(
            "no_data", f"kein Basiswert für {baseline_year}", f"no baseline value for {baseline_year}"
        )
    tau = target_value if target_value is not None else b + (target_change or 0.0)
    later = sorted((y, v, c) for y, (v, c) in points.items() if y > baseline_year)
    if not later:
        return Assessment(
            "no_data",
            "keine Werte nach dem Basisjahr",
            "no values after the baseline year",
            baseline=b,
            target=tau,
        )
    ly, lv, lc = later[-1]
    base = Assessment(
        "no_data",
        "",
        "",
        baseline=b,
        target=tau,
        latest_year=ly,
        latest=lv,
        latest_ci=lc,
        n_points=len(later) + 1,
    )
    if meets(lv, tau, direction):
        if not survey:
            return replace(
                base, status="achieved", reason_de="Zielwert erreicht", reason_en="target value reached"
            )
        if lc is not None and _better(lc[1] if direction == "decrease" else lc[0], b, direction):
            return replace(
                base,
                status="achieved",
                reason_de="Zielwert erreicht, Konfidenzintervall schließt den Basiswert aus",
                reason_en="target value reached, confidence interval excludes the baseline",
            )
    if ly >= target_year:
        return replace(
            base,
            status="off_track",
            reason_de=f"Zieljahr {target_year} erreicht, Ziel nicht erreicht",
            reason_en=f"target year {target_year} reached, target not achieved",
        )
    if base.n_points < MIN_POINTS:
        return replace(
            base,
            reason_de=f"weniger als {MIN_POINTS} Zeitpunkte seit dem Basisjahr – kein Trend",
            reason_en=f"fewer than {MIN_POINTS} points since the baseline year – no trend",
        )
    xs = [float(baseline_year)] + [float(y) for y, _, _ in later]
    ys = [b] + [v for _, v, _ in later]
    proj, lo, hi, slope = project(xs, ys, float(target_year))
    trend = replace(base, projection=proj, pi_low=lo, pi_high=hi, slope=slope)
    reaches = meets(proj, tau, direction)
    certain = hi < lv if direction == "decrease" else lo > lv
    if reaches and certain:
        return replace(
            trend,
            status="on_track",
            reason_de=f"Trend erreicht das Ziel bis {target_year} (Prognose {number(proj, 2)})",
            reason_en=f"trend reaches the target by {target_year} (projection {proj:.2f})",
        )
    why_de = "Trend nicht gesichert" if reaches else "Prognose verfehlt den Zielwert"
    why_en = "trend not certain" if reaches else "projection misses the target"
    return replace(
        trend,
        status="off_track",
        reason_de=(
            f"{why_de} (Prognose {target_year}: {number(proj, 2)}, "
            f"80-%-Intervall {number(lo, 2)} bis {number(hi, 2)})"
        ),
        reason_en=f"{why_en} (projection {target_year}: {proj:.2f}, 80 % interval {lo:.2f} to {hi:.2f})",
    )


def project(xs: Sequence[float], ys: Sequence[float], at: float) -> tuple[float, float, float, float]:
    """OLS line through (xs, ys), evaluated at ``at``: (prediction, PI low, PI high, slope); PI_LEVEL PI."""
    n = len(xs)
    mx = sum(xs) / n
    my = sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = my - slope * mx
    ssr = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    s = math.sqrt(ssr / (n - 2))
    pred = intercept + slope * at
    half = float(stats.t.ppf(0.5 + PI_LEVEL / 2, n - 2)) * s * math.sqrt(1 + 1 / n + (at - mx) ** 2 / sxx)
    return pred, pred - half, pred + half, slope


@dataclass(frozen=True)
class TargetResult:
    """The status of one target indicator; for district targets with the count per status."""

    goal: str
    target: TargetSpec
    status: str
    reason_de: str
    reason_en: str
    units: dict[str, Assessment] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for a in self.units.values() if a.status == status)

    @property
    def single(self) -> Assessment | None:
        return next(iter(self.units.values())) if len(self.units) == 1 else None


def select_units(target: TargetSpec, baseline: dict[str, float], city_value: float | None) -> list[str]:
    """The units a district target applies to (explicit keys, all, or those worse than the city)."""
    if target.units:
        return list(target.units)
    if target.select == "worse_than_city":
        if city_value is None:
            return []
        return sorted(k for k, v in baseline.items() if _better(city_value, v, target.direction))
    return sorted(baseline) if baseline else []


def evaluate_target(
    goal: str,
    target: TargetSpec,
    data: pd.DataFrame,
    eval_year: int | None = None,
    city_value: float | None = None,
) -> TargetResult:
    """``data``: unit_key, year, value (and ci_low, ci_high for survey targets) on the target's level."""
    survey = target.source == "survey"
    columns = ["unit_key", "year", "value", "ci_low", "ci_high"]
    frame = data.reindex(columns=columns) if not data.empty else pd.DataFrame(columns=columns)
    frame = frame[frame["value"].notna()].assign(unit_key=frame["unit_key"].astype(str))
    at_base = frame[frame["year"] == target.baseline_year]
    baseline = {str(k): float(v) for k, v in zip(at_base["unit_key"], at_base["value"], strict=True)}
    if target.units or target.select == "worse_than_city":
        units = select_units(target, baseline, city_value)
    else:
        units = sorted(set(frame["unit_key"]))
    single = len(units) == 1
    results: dict[str, Assessment] = {}
    for unit in units:
        rows = frame[frame["unit_key"] == unit].sort_values("year")
        results[unit] = assess_series(
            [int(y) for y in rows["year"]],
            [float(v) for v in rows["value"]],
            baseline_year=target.baseline_year,
            target_year=target.target_year,
            direction=target.direction,
            target_value=target.target_value,
            target_change=target.target_change,
            baseline_value=target.baseline_value if single else None,
            eval_year=eval_year,
            ci=[_ci(lo, hi) for lo, hi in zip(rows["ci_low"], rows["ci_high"], strict=True)]
            if survey
            else None,
        )
    return _summarise(goal, target, results)


def _ci(low: object, high: object) -> tuple[float, float] | None:
    if low is None or high is None or pd.isna(low) or pd.isna(high):  # type: ignore[call-overload]
        return None
    return float(low), float(high)  # type: ignore[arg-type]


def _summarise(goal: str, target: TargetSpec, results: dict[str, Assessment]) -> TargetResult:
    if not results:
        return TargetResult(goal, target, "no_data", "keine Einheiten mit Werten", "no units with values")
    if len(results) == 1:
        a = next(iter(results.values()))
        return TargetResult(goal, target, a.status, a.reason_de, a.reason_en, results)
    assessed = [a for a in results.values() if a.status != "no_data"]
    n = len(assessed)
    reached = sum(1 for a in assessed if a.status == "achieved")
    on_track = sum(1 for a in assessed if a.status == "on_track")
    if n == 0:
        status = "no_data"
    elif reached / n >= target.quorum:
        status = "achieved"
    elif (reached + on_track) / n >= target.quorum:
        status = "on_track"
    else:
        status = "off_track"
    q = f"{target.quorum:.0%}"
    return TargetResult(
        goal,
        target,
        status,
        f"{reached} von {n} Einheiten erreichen das Ziel, {on_track} auf Kurs (Quorum {q})",
        f"{reached} of {n} units reach the target, {on_track} on track (quorum {q})",
        results,
    )


def summary_status(statuses: Sequence[str]) -> str | None:
    """The most worrying of several statuses (off track › no data › on track › achieved); None if empty."""
    return min(statuses, key=lambda s: SEVERITY[s]) if statuses else None
