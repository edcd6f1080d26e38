"""Weighting diagnostics: weight distribution, Kish design effect, effective n, shares before/after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.survey.weighting import level_key, margin_totals


@dataclass(frozen=True)
class WeightSummary:
    """Distribution of weights (zero weights left out) with Kish's design effect and effective n."""

    n: int
    sum: float
    mean: float
    sd: float
    min: float
    max: float
    q25: float
    q50: float
    q75: float
    max_min_ratio: float
    kish_deff: float
    kish_neff: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def weight_summary(weights: np.ndarray) -> WeightSummary:
    """Summary of the non-zero weights; quantiles as R's type 7; deff = n * sum(w^2) / sum(w)^2."""
    w = np.asarray(weights, dtype=float)
    w = w[w != 0]
    n = len(w)
    s = float(w.sum())
    s2 = float((w**2).sum())
    q25, q50, q75 = (float(v) for v in np.quantile(w, [0.25, 0.5, 0.75]))
    return WeightSummary(
        n=n,
        sum=s,
        mean=s / n,
        sd=float(w.std(ddof=1)) if n > 1 else 0.0,
        min=float(w.min()),
        max=float(w.max()),
        q25=q25,
        q50=q50,
        q75=q75,
        max_min_ratio=float(w.max() / w.min()),
        kish_deff=n * s2 / s**2,
        kish_neff=s**2 / s2,
    )


def compare_shares(
    data: pd.DataFrame,
    before: np.ndarray,
    after: np.ndarray,
    population: Mapping[str, Mapping[Any, float]],
) -> pd.DataFrame:
    """Sample shares (unweighted, before and after weighting) against population shares per margin."""
    rows = []
    unweighted = np.ones(len(data))
    for var, pop in population.items():
        pop_s = pd.Series({level_key(k): float(v) for k, v in pop.items()})
        pop_share = pop_s / pop_s.sum()
        parts = {
            "sample_share": margin_totals(data, unweighted, var),
            "before_share": margin_totals(data, before, var),
            "after_share": margin_totals(data, after, var),
        }
        levels = list(dict.fromkeys([*pop_share.index, *parts["sample_share"].index]))
        for lev in levels:
            row: dict[str, Any] = {"variable": var, "level": lev, "population_share": pop_share.get(lev, 0.0)}
            for name, tot in parts.items():
                row[name] = float(tot.get(lev, 0.0) / tot.sum())
            rows.append(row)
    out = pd.DataFrame(rows)
    out["deviation_before"] = out["before_share"] - out["population_share"]
    out["deviation_after"] = out["after_share"] - out["population_share"]
    return out
