"""Social index by the method of the Berlin *Monitoring Soziale Stadtentwicklung* (MSS).

1. Units below the minimum population, units explicitly excluded (e.g. outliers) and units with a missing
   index indicator are *not valid*; all statistics below use only the valid units.
2. Every status indicator is z-standardised over the valid units: ``z = (x − mean) / sd`` with the
   population standard deviation (``ddof = 0``), unweighted. Indicators listed in ``invert`` (a high value is
   *good*) enter with ``−z``.
3. Status sum = Σ wᵢ·zᵢ; the status index is the z-standardised status sum (again ``ddof = 0``).
   The same for the dynamic indicators (changes of the status indicators) → dynamics index.
4. Classes, as published by Berlin (a high index = a disadvantaged area):
   status 1 *hoch* (index < −1), 2 *mittel* (−1 ≤ index ≤ 1), 3 *niedrig* (1 < index ≤ 1.5),
   4 *sehr niedrig* (index > 1.5); dynamics *positiv* (< −1, code ``+``, 1), *stabil* (≤ 1, ``+/-``, 3),
   *negativ* (> 1, ``-``, 5).
5. Gesamtindex: the 4 × 3 combination, code e.g. ``2-``, number ``25`` (status class × 10 + dynamics
   number), label ``"Status mittel , Dynamik negativ"`` (with the blank before the comma, as published).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialmonitor.errors import ConfigError, SozialmonitorError

STATUS_CLASSES: tuple[str, ...] = ("hoch", "mittel", "niedrig", "sehr niedrig")
DYNAMICS_CLASSES: tuple[str, ...] = ("positiv", "stabil", "negativ")
DYNAMICS_CODES: tuple[str, ...] = ("+", "+/-", "-")
DYNAMICS_NUMBERS: tuple[int, ...] = (1, 3, 5)


@dataclass(frozen=True)
class MssConfig:
    """Configuration of an MSS-type social index. The defaults are those of Berlin MSS 2021."""

    status_indicators: tuple[str, ...] = ("S1", "S3", "S4")
    dynamic_indicators: tuple[str, ...] = ("D1", "D3", "D4")
    weights: Mapping[str, float] = field(default_factory=dict)
    """Weight per indicator (default 1)."""
    invert: tuple[str, ...] = ()
    """Indicators where a high value is good; they enter the sums with −z."""
    status_thresholds: tuple[float, float, float] = (-1.0, 1.0, 1.5)
    dynamics_thresholds: tuple[float, float] = (-1.0, 1.0)
    min_population: float = 300.0
    population_column: str = "EW"
    exclude: tuple[str, ...] = ()
    """Unit keys excluded explicitly (e.g. statistical outliers), with the reason "excluded"."""
    unassigned_label: str = "Planungsraum ohne Zuordnung"
    status_class_names: tuple[str, ...] = STATUS_CLASSES
    dynamics_class_names: tuple[str, ...] = DYNAMICS_CLASSES

    def __post_init__(self) -> None:
        if not self.status_indicators:
            raise ConfigError("Sozialindex: keine Statusindikatoren", "social index: no status indicators")
        t = self.status_thresholds
        d = self.dynamics_thresholds
        if list(t) != sorted(t) or list(d) != sorted(d):
            raise ConfigError(
                f"Sozialindex: Schwellenwerte müssen aufsteigend sein: {t}, {d}",
                f"social index: thresholds must be ascending: {t}, {d}",
            )
        if len(self.status_class_names) != 4 or len(self.dynamics_class_names) != 3:
            raise ConfigError(
                "Sozialindex: erwartet 4 Status- und 3 Dynamikklassen",
                "social index: expected 4 status and 3 dynamics class names",
            )

    def weight(self, indicator: str) -> float:
        return float(self.weights.get(indicator, 1.0))


@dataclass(frozen=True)
class MssResult:
    """``table``: one row per unit (index = unit key) with ``valid``, ``reason``, ``z_<indicator>``,
    ``status_sum``, ``status_index``, ``status_class_n`` (1–4), ``status_class``, ``dynamics_sum``,
    ``dynamics_index``, ``dynamics_class_n`` (1/3/5), ``dynamics_class_code``, ``dynamics_class``,
    ``gesamtindex`` (e.g. ``2-``), ``gesamtindex_n`` (e.g. 25), ``gesamtindex_label``.
    ``stats``: mean and population SD per indicator and sum over the valid units."""

    table: pd.DataFrame
    stats: pd.DataFrame
    config: MssConfig

    @property
    def valid(self) -> pd.DataFrame:
        return self.table[self.table["valid"]]


def zscore(x: pd.Series | np.ndarray) -> np.ndarray:
    """``(x − mean) / sd`` with the population SD (ddof = 0), NaN-aware."""
    arr = np.asarray(x, dtype=float)
    sd = np.nanstd(arr)
    if not np.isfinite(sd) or sd == 0:
        return np.full(arr.shape, np.nan)
    return (arr - np.nanmean(arr)) / sd


def classify_status(index: np.ndarray, thresholds: Sequence[float] = (-1.0, 1.0, 1.5)) -> np.ndarray:
    """Status class number 1–4 (0 for NaN): < t0 → 1, ≤ t1 → 2, ≤ t2 → 3, else 4."""
    lo, mid, hi = thresholds
    out = np.select([index < lo, index <= mid, index <= hi, index > hi], [1, 2, 3, 4], default=0)
    return out.astype(int)


def classify_dynamics(index: np.ndarray, thresholds: Sequence[float] = (-1.0, 1.0)) -> np.ndarray:
    """Dynamics class position 1–3 (0 for NaN): < t0 → 1 positiv, ≤ t1 → 2 stabil, else 3 negativ."""
    lo, hi = thresholds
    return np.select([index < lo, index <= hi, index > hi], [1, 2, 3], default=0).astype(int)


def _validity(data: pd.DataFrame, config: MssConfig) -> pd.Series:
    reason = pd.Series("", index=data.index, dtype=object)
    needed = list(config.status_indicators) + list(config.dynamic_indicators)
    reason[data[needed].isna().any(axis=1)] = "missing_values"
    if config.population_column in data.columns:
        pop = pd.to_numeric(data[config.population_column], errors="coerce").astype(float)
        reason[~(pop >= config.min_population)] = "below_min_population"
    reason[data.index.isin(config.exclude)] = "excluded"
    return reason


def _index(
    data: pd.DataFrame, indicators: Sequence[str], valid: np.ndarray, config: MssConfig, out: pd.DataFrame
) -> tuple[np.ndarray, list[dict[str, object]]]:
    total = np.zeros(len(data))
    stats: list[dict[str, object]] = []
    for ind in indicators:
        x = pd.to_numeric(data[ind], errors="coerce").to_numpy(dtype=float)
        z = np.full(len(x), np.nan)
        z[valid] = zscore(x[valid])
        if ind in config.invert:
            z = -z
        out[f"z_{ind}"] = z
        total = total + config.weight(ind) * z
        stats.append({"name": ind, "mean": float(np.mean(x[valid])), "sd": float(np.std(x[valid]))})
    total[~valid] = np.nan
    stats.append({"name": "sum", "mean": float(np.mean(total[valid])), "sd": float(np.std(total[valid]))})
    return total, stats


def mss_index(data: pd.DataFrame, config: MssConfig | None = None) -> MssResult:
    """Compute status and dynamics index and classes for every unit of ``data``.

    ``data``: one row per unit, the unit key as index, columns for every status and dynamic indicator
    (numeric) and, if present, ``config.population_column``.
    """
    config = config or MssConfig()
    missing = [c for c in (*config.status_indicators, *config.dynamic_indicators) if c not in data.columns]
    if missing:
        raise SozialmonitorError(
            f"Sozialindex: Indikatorspalten fehlen: {', '.join(missing)}",
            f"social index: indicator columns missing: {', '.join(missing)}",
        )
    if data.index.duplicated().any():
        dup = data.index[data.index.duplicated()][0]
        raise SozialmonitorError(f"Sozialindex: Einheit {dup!r} doppelt", f"social index: unit {dup!r} twice")
    reason = _validity(data, config)
    valid = (reason == "").to_numpy()
    if valid.sum() < 2:
        raise SozialmonitorError(
            f"Sozialindex: nur {int(valid.sum())} gültige Einheiten, mindestens 2 nötig",
            f"social index: only {int(valid.sum())} valid units, at least 2 needed",
        )
    out = pd.DataFrame(index=data.index)
    out["valid"] = valid
    out["reason"] = reason
    s_sum, s_stats = _index(data, config.status_indicators, valid, config, out)
    out["status_sum"] = s_sum
    out["status_index"] = np.where(valid, _z_valid(s_sum, valid), np.nan)
    sn = classify_status(out["status_index"].to_numpy(), config.status_thresholds)
    out["status_class_n"] = _int_or_na(sn, sn > 0)
    names = np.asarray(("", *config.status_class_names), dtype=object)
    out["status_class"] = _names_or_none(names, sn)
    d_stats: list[dict[str, object]] = []
    if config.dynamic_indicators:
        d_sum, d_stats = _index(data, config.dynamic_indicators, valid, config, out)
        out["dynamics_sum"] = d_sum
        out["dynamics_index"] = np.where(valid, _z_valid(d_sum, valid), np.nan)
        dn = classify_dynamics(out["dynamics_index"].to_numpy(), config.dynamics_thresholds)
    else:
        out["dynamics_sum"] = np.nan
        out["dynamics_index"] = np.nan
        dn = np.zeros(len(out), dtype=int)
    numbers = np.asarray((0, *DYNAMICS_NUMBERS))
    codes = np.asarray(("", *DYNAMICS_CODES), dtype=object)
    dnames = np.asarray(("", *config.dynamics_class_names), dtype=object)
    out["dynamics_class_n"] = _int_or_na(numbers[dn], dn > 0)
    out["dynamics_class_code"] = _names_or_none(codes, dn)
    out["dynamics_class"] = _names_or_none(dnames, dn)
    both = (sn > 0) & (dn > 0)
    out["gesamtindex"] = np.where(
        both, pd.Series(sn).astype(str).to_numpy() + codes[dn].astype(str), config.unassigned_label
    )
    out["gesamtindex_n"] = _int_or_na(sn * 10 + numbers[dn], both)
    out["gesamtindex_label"] = np.where(
        both,
        "Status " + names[sn].astype(str) + " , Dynamik " + dnames[dn].astype(str),
        config.unassigned_label,
    )
    stats = pd.DataFrame(
        [{"part": "status", **s} for s in s_stats] + [{"part": "dynamics", **s} for s in d_stats]
    )
    return MssResult(out, stats, config)


def _z_valid(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    z = np.full(len(values), np.nan)
    z[valid] = zscore(values[valid])
    return z


def _int_or_na(values: np.ndarray, mask: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(mask, values, 0).astype("int64"), ~np.asarray(mask, dtype=bool))


def _names_or_none(names: np.ndarray, positions: np.ndarray) -> list[str | None]:
    return [str(names[p]) if p > 0 else None for p in positions]
