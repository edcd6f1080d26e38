"""Map classes for choropleths (wrapping ``mapclassify``), with German legend labels.

Methods: ``quantiles``, ``equal_interval``, ``natural_breaks`` (Fisher-Jenks), ``std_mean`` (standard
deviation classes around the mean) and ``manual`` (breaks given by the user).

Classes are right-closed as in ``mapclassify``: class *i* holds the values ``bins[i-1] < x ≤ bins[i]``, the
first class everything ``≤ bins[0]``. Legend labels follow that: ``"bis 12,5"``, ``"über 12,5 bis 15,0"``.

For diverging palettes a ``pivot`` (0, or the city value) can be forced as an additional break, so that no
class straddles it; ``n_below_pivot`` tells the palette how many classes lie at or below the pivot.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import mapclassify
import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError

Method = Literal["quantiles", "equal_interval", "natural_breaks", "std_mean", "manual"]
METHODS: tuple[str, ...] = ("quantiles", "equal_interval", "natural_breaks", "std_mean", "manual")


@dataclass(frozen=True)
class Classification:
    method: str
    k: int
    """Number of classes (may be lower than requested when there are fewer distinct values)."""
    bins: np.ndarray
    """Upper bounds of the classes; the last one is the maximum."""
    minimum: float
    counts: np.ndarray
    classes: pd.Series
    """Class number per unit (0-based, same index as the input; ``<NA>`` for missing values)."""
    labels: list[str]
    n_below_pivot: int | None = None

    def table(self) -> pd.DataFrame:
        """Legend as a table: class, lower, upper, label, count."""
        lower = np.concatenate([[self.minimum], self.bins[:-1]])
        return pd.DataFrame(
            {
                "class": range(len(self.bins)),
                "lower": lower,
                "upper": self.bins,
                "label": self.labels,
                "count": self.counts,
            }
        )


def format_number(x: float, decimals: int = 1) -> str:
    """German number format: ``12345.678`` → ``"12.345,7"``."""
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def legend_labels(bins: Sequence[float], decimals: int = 1, unit: str = "") -> list[str]:
    """``["bis 10,0", "über 10,0 bis 12,5", …]`` for right-closed classes."""
    suffix = f" {unit}" if unit else ""
    labels = [f"bis {format_number(bins[0], decimals)}{suffix}"] if len(bins) else []
    labels += [
        f"über {format_number(lo, decimals)} bis {format_number(hi, decimals)}{suffix}"
        for lo, hi in itertools.pairwise(bins)
    ]
    return labels


def _scheme_bins(
    y: np.ndarray, method: str, k: int, breaks: Sequence[float] | None, multiples: Sequence[float]
) -> np.ndarray:
    if method == "quantiles":
        return np.asarray(mapclassify.Quantiles(y, k=k).bins, dtype=float)
    if method == "equal_interval":
        return np.asarray(mapclassify.EqualInterval(y, k=k).bins, dtype=float)
    if method == "natural_breaks":
        with warnings.catch_warnings():  # the pure-Python Fisher-Jenks is exact, only slower than numba's
            warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
            return np.asarray(mapclassify.FisherJenks(y, k=k).bins, dtype=float)
    if method == "std_mean":
        return np.asarray(mapclassify.StdMean(y, multiples=list(multiples)).bins, dtype=float)
    if method == "manual":
        if not breaks:
            raise SozialmonitorError(
                "Klassenbildung 'manual': keine Grenzen angegeben", "classification 'manual': no breaks given"
            )
        b = np.asarray(sorted(breaks), dtype=float)
        return b if b[-1] >= y.max() else np.append(b, y.max())
    raise SozialmonitorError(
        f"Unbekanntes Klassifikationsverfahren {method!r}; erwartet eines von {', '.join(METHODS)}",
        f"unknown classification method {method!r}; expected one of {', '.join(METHODS)}",
    )


def classify(
    values: pd.Series | Sequence[float] | np.ndarray,
    method: Method | str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    pivot: float | None = None,
    decimals: int = 1,
    unit: str = "",
    multiples: Sequence[float] = (-2, -1, 1, 2),
) -> Classification:
    """Classify ``values`` (NaN = no class) by ``method``; see the module docstring."""
    series = pd.Series(values, dtype=float) if not isinstance(values, pd.Series) else values.astype(float)
    y = series.dropna().to_numpy()
    if len(y) == 0:
        raise SozialmonitorError("Klassenbildung: keine Werte", "classification: no values")
    if k < 1:
        raise SozialmonitorError(
            f"Klassenbildung: k = {k}, erwartet ≥ 1", f"classification: k = {k}, expected ≥ 1"
        )
    k = min(k, len(np.unique(y)))  # mapclassify would warn and lower k itself
    bins = _scheme_bins(y, method, k, breaks, multiples)
    if bins[-1] < y.max():
        bins = np.append(bins, y.max())
    n_below: int | None = None
    if pivot is not None:
        if y.min() < pivot < y.max() and not np.isclose(bins, pivot).any():
            bins = np.sort(np.append(bins, pivot))
        n_below = int((bins <= pivot + 1e-12 * max(1.0, abs(pivot))).sum())
    yb = np.searchsorted(bins, y, side="left")
    classes = pd.Series(pd.NA, index=series.index, dtype="Int64")
    classes[series.notna()] = yb
    counts = np.bincount(yb, minlength=len(bins))
    return Classification(
        method=str(method),
        k=len(bins),
        bins=bins,
        minimum=float(y.min()),
        counts=counts,
        classes=classes,
        labels=legend_labels(list(bins), decimals, unit),
        n_below_pivot=n_below,
    )
