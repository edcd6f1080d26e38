"""Map classes and colours for the atlas: the indicator engine's classification plus palettes.

Sequential palettes run from light to dark in the direction of "worse" (polarity ``negative``: high values
dark red; ``positive``: low values dark red, high values light); diverging palettes are split at the city
value (forced as a class break), blue on the favourable side, red on the unfavourable side.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.fmt import number
from sozialmonitor.stats.classify import classify

Palette = Literal["sequential", "diverging"]
ClassMethod = Literal["quantiles", "equal_interval", "natural_breaks", "std_mean"]
NO_DATA = "#d9d9d9"
_SEQ = ("#fff5eb", "#fdae6b", "#e6550d", "#7f2704")  # light → dark (orange-brown)
_SEQ_NEUTRAL = ("#f7fbff", "#9ecae1", "#3182bd", "#08306b")
_GOOD = ("#08519c", "#c6dbef")  # strong → weak
_BAD = ("#fcbba1", "#a50f15")  # weak → strong


def _hex_to_rgb(h: str) -> tuple[int, int, int]:
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


def ramp(stops: tuple[str, ...], n: int) -> list[str]:
    """``n`` colours evenly spread over the colour stops (linear in RGB)."""
    if n <= 0:
        return []
    if n == 1:
        return [stops[len(stops) // 2]]
    rgb = np.array([_hex_to_rgb(s) for s in stops], dtype=float)
    pos = np.linspace(0, 1, len(stops))
    out = []
    for t in np.linspace(0, 1, n):
        c = [np.interp(t, pos, rgb[:, i]) for i in range(3)]
        out.append("#{:02x}{:02x}{:02x}".format(*(round(v) for v in c)))
    return out


@dataclass(frozen=True)
class Choropleth:
    classes: dict[str, int]
    colors: dict[str, str]
    legend: list[dict[str, object]]
    method: str
    palette: str


def choropleth(
    values: pd.Series,
    *,
    method: str = "quantiles",
    k: int = 5,
    palette: str = "sequential",
    pivot: float | None = None,
    polarity: str = "neutral",
    decimals: int = 1,
    unit: str = "",
    lang: str = "de",
) -> Choropleth:
    """Classes and colours of ``values`` (index: unit keys; NaN = no data)."""
    valid = values.dropna()
    if valid.empty:
        return Choropleth({}, {k_: NO_DATA for k_ in values.index}, [], method, palette)
    use_pivot = pivot if palette == "diverging" and pivot is not None else None
    try:
        cl = classify(valid, method, k=k, pivot=use_pivot, decimals=decimals, unit=unit)
    except SozialmonitorError:
        cl = classify(valid, "equal_interval", k=k, pivot=use_pivot, decimals=decimals, unit=unit)
    n = cl.k
    if palette == "diverging" and cl.n_below_pivot is not None:
        below, above = cl.n_below_pivot, n - cl.n_below_pivot
        low_side, high_side = (_GOOD, _BAD) if polarity != "positive" else (_BAD[::-1], _GOOD[::-1])
        colors = ramp(low_side, max(below, 1))[:below] + ramp(high_side, max(above, 1))[:above]
    else:
        stops = _SEQ if polarity != "neutral" else _SEQ_NEUTRAL
        colors = ramp(stops, n) if polarity != "positive" else ramp(stops, n)[::-1]
    classes = {str(u): int(c) for u, c in cl.classes.items()}
    color_of = {u: colors[c] for u, c in classes.items()}
    for u in values.index:
        color_of.setdefault(str(u), NO_DATA)
    labels = cl.labels if lang == "de" else _english_labels(cl.bins, decimals, unit)
    legend: list[dict[str, object]] = [
        {"label": lab, "color": col, "count": int(cnt), "upper": float(b)}
        for lab, col, cnt, b in zip(labels, colors, cl.counts, cl.bins, strict=True)
    ]
    if values.isna().any():
        legend.append(
            {
                "label": "keine Angabe / geheim" if lang == "de" else "no data / suppressed",
                "color": NO_DATA,
                "count": int(values.isna().sum()),
                "upper": None,
            }
        )
    return Choropleth(classes, color_of, legend, cl.method, palette)


def _english_labels(bins: np.ndarray, decimals: int, unit: str) -> list[str]:
    suffix = f" {unit}" if unit else ""
    out = [f"up to {number(float(bins[0]), decimals, 'en')}{suffix}"]
    out += [
        f"over {number(float(lo), decimals, 'en')} to {number(float(hi), decimals, 'en')}{suffix}"
        for lo, hi in itertools.pairwise(bins)
    ]
    return out
