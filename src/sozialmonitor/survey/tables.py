"""Result tables for the CLI, the web app and exports (one row per domain and estimate)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.survey import estimation as est
from sozialmonitor.survey.estimation import Design

GERMAN_HEADERS = {
    "domain": "Domäne",
    "name": "Merkmal",
    "estimate": "Schätzwert",
    "se": "Standardfehler",
    "ci_low": "KI unten",
    "ci_high": "KI oben",
    "n": "n",
    "n_eff": "effektives n",
    "cv": "VK",
    "publishable": "veröffentlichbar",
}
STATISTICS = ("mean", "total", "proportion", "ratio")


def estimate_table(
    design: Design,
    variable: str,
    statistic: str = "mean",
    domain: str | None = None,
    denominator: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Estimates with SE, t interval (design or domain df; logit interval for proportions), n, n_eff, CV."""
    if statistic not in STATISTICS:
        raise SozialmonitorError(
            f"Unbekannte Statistik {statistic!r} (mean, total, proportion, ratio).",
            f"Unknown statistic {statistic!r} (mean, total, proportion, ratio).",
        )
    if statistic == "ratio" and not denominator:
        raise SozialmonitorError("Für ein Verhältnis fehlt der Nenner.", "A ratio needs a denominator.")
    groups: list[tuple[str, np.ndarray | None]] = [("Gesamt", None)]
    if domain:
        col = design.data[domain] if domain in design.data.columns else None
        if col is None:
            raise SozialmonitorError(
                f"Domänenvariable {domain!r} fehlt.", f"Domain variable {domain!r} is missing."
            )
        groups += [(str(lev), (col == lev).to_numpy()) for lev in est.levels_of(col[design.weights > 0])]
    frames = []
    for label, mask in groups:
        e = _estimate(design, variable, statistic, denominator, mask)
        frame = e.to_frame(level, dist="t")
        if statistic == "proportion":
            lows, highs = [], []
            for name, p in zip(e.names, e.estimate, strict=True):
                if 0 < p < 1:
                    value = _level_value(design, variable, name)
                    r = est.ciprop(design, variable, value, method="logit", level=level, mask=mask)
                    lows.append(r.ci_low)
                    highs.append(r.ci_high)
                else:
                    lows.append(float("nan"))
                    highs.append(float("nan"))
            frame["ci_low"], frame["ci_high"] = lows, highs
        frame.insert(0, "domain", label)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    return out[list(GERMAN_HEADERS)]


def _estimate(
    design: Design, variable: str, statistic: str, denominator: str | None, mask: np.ndarray | None
) -> est.SurveyEstimate:
    if statistic == "mean":
        return est.mean(design, variable, mask=mask)
    if statistic == "total":
        return est.total(design, variable, mask=mask)
    if statistic == "proportion":
        return est.proportion(design, variable, mask=mask)
    assert denominator is not None
    return est.ratio(design, variable, denominator, mask=mask)


def _level_value(design: Design, variable: str, name: str) -> Any:
    for lev in est.levels_of(design.data[variable]):
        if str(lev) == name:
            return lev
    return name


def format_de(value: Any, decimals: int = 1) -> str:
    """German number format: 1.234,5; NaN as '–'; booleans as ja/nein."""
    if isinstance(value, bool | np.bool_):
        return "ja" if value else "nein"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}".replace(",", ".")
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return "–"
        text = f"{float(value):,.{decimals}f}"
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return str(value)


def decimals_for(values: pd.Series) -> int:
    """Decimals that show about four significant digits of the typical value."""
    finite = values[np.isfinite(values.astype(float))].abs()
    if finite.empty or finite.median() == 0:
        return 3
    return int(np.clip(3 - np.floor(np.log10(finite.median())), 0, 4))
