"""Survey indicators per planning area (or any unit) for the monitoring, with uncertainty."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.survey import estimation as est
from sozialmonitor.survey.estimation import Design

COLUMNS = ["unit_key", "indicator", "estimate", "se", "ci_low", "ci_high", "n", "n_eff", "cv", "publishable"]


@dataclass(frozen=True)
class IndicatorSpec:
    """``statistic="mean"`` of a numeric variable, or ``"proportion"`` of rows with ``variable == value``."""

    variable: str
    statistic: str = "mean"
    value: Any = 1


def area_indicators(
    design: Design,
    unit: str,
    indicators: Mapping[str, IndicatorSpec],
    level: float = 0.95,
    include_total: str | None = None,
) -> pd.DataFrame:
    """One row per unit and indicator: estimate, SE, CI, n, effective n, CV, publishable.

    Means get a t interval with the domain's degrees of freedom; proportions the logit interval
    of R's ``svyciprop`` (stays inside 0–1). ``publishable`` is False when n < 30 or CV > 30 %.
    ``include_total``: unit key for an extra row with the whole population (e.g. the city).
    """
    rows: list[dict[str, Any]] = []
    col = design.data[unit] if unit in design.data.columns else None
    if col is None:
        raise SozialmonitorError(f"Variable {unit!r} fehlt in den Daten.", f"Variable {unit!r} is missing.")
    levels: list[tuple[str, np.ndarray | None]] = [
        (str(lev), (col == lev).to_numpy()) for lev in est.levels_of(col[design.weights > 0])
    ]
    if include_total is not None:
        levels.append((include_total, None))
    for key, mask in levels:
        for name, spec in indicators.items():
            rows.append(_one(design, key, name, spec, mask, level))
    return pd.DataFrame(rows, columns=COLUMNS)


def _one(
    design: Design, key: str, name: str, spec: IndicatorSpec, mask: np.ndarray | None, level: float
) -> dict[str, Any]:
    if spec.statistic == "mean":
        e = est.mean(design, spec.variable, mask=mask)
        low, high = e.confint(level, dist="t")
        ci = (float(low[0]), float(high[0]))
    elif spec.statistic == "proportion":
        col = design.data[spec.variable]
        y = (col == spec.value).astype(float).where(col.notna())
        tmp = _with_column(design, "__indicator__", y)
        e = est.mean(tmp, "__indicator__", mask=mask)
        p = float(e.estimate[0])
        if 0 < p < 1 and e.se[0] > 0:
            r = est.ciprop(tmp, "__indicator__", 1.0, method="logit", level=level, mask=mask)
            ci = (r.ci_low, r.ci_high)
        else:
            ci = (float("nan"), float("nan"))
    else:
        raise SozialmonitorError(
            f"Unbekannte Statistik {spec.statistic!r} (mean oder proportion).",
            f"Unknown statistic {spec.statistic!r} (mean or proportion).",
        )
    return {
        "unit_key": key,
        "indicator": name,
        "estimate": float(e.estimate[0]),
        "se": float(e.se[0]),
        "ci_low": ci[0],
        "ci_high": ci[1],
        "n": int(e.n[0]),
        "n_eff": float(e.n_eff[0]),
        "cv": float(e.cv[0]),
        "publishable": bool(e.publishable()[0]),
    }


def _with_column(design: Design, name: str, values: pd.Series) -> Design:
    data = design.data.copy()
    data[name] = values.to_numpy()
    return replace(design, data=data)
