"""Benchmarks of the indicator engine (``make bench``; ``.venv/bin/python benchmarks/bench_indicators.py``).

Prints, for each case, the median wall time of several runs and the peak memory of one extra run
(``tracemalloc``, Python and NumPy allocations):

* the whole shipped catalogue on a synthetic Jena-size input (41 units × 11 years) — target ≤ 1 s;
* 60 indicators on a synthetic Berlin-size input (542 units × 20 years) — target ≤ 5 s;
* the MSS index for the 542 Berlin PLR (bundled example);
* LISA with 999 permutations on the Berlin PLR geometry.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.examples import load_example
from sozialmonitor.indicators.catalogue import IndicatorDef, load_catalogue
from sozialmonitor.indices.mss import mss_index
from sozialmonitor.stats.indicators import compute_indicators
from sozialmonitor.stats.spatial import contiguity_weights, lisa


def synthetic_obs(units: int, years: int, variables: list[str], seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    keys = [f"{i:08d}" for i in range(units)]
    dates = [dt.date(2000 + y, 12, 31) for y in range(years)]
    index = pd.MultiIndex.from_product([keys, dates, variables], names=["unit_key", "ref_date", "variable"])
    frame = index.to_frame(index=False)
    frame["value"] = rng.integers(0, 5000, len(frame)).astype(float)
    status = np.array(["ok", "estimated", "suppressed", "missing"])
    frame["status"] = status[rng.choice(4, len(frame), p=[0.97, 0.01, 0.015, 0.005])]
    frame.loc[frame["status"].isin(["suppressed", "missing"]), "value"] = np.nan
    return frame


def synthetic_defs(n: int, n_variables: int, seed: int = 2) -> tuple[list[IndicatorDef], list[str]]:
    rng = np.random.default_rng(seed)
    variables = [f"v{i:03d}" for i in range(n_variables)]
    defs = []
    for i in range(n):
        num = tuple(rng.choice(variables, rng.integers(1, 4), replace=False))
        den = tuple(rng.choice(variables, rng.integers(1, 3), replace=False))
        defs.append(IndicatorDef(f"i{i:02d}", f"I{i}", f"I{i}", "t", num, den, min_denominator=100))
    return defs, variables


def measure(func: Callable[[], Any], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def main() -> None:
    catalogue = list(load_catalogue(extra_dirs=[]))
    jena_vars = sorted({v for d in catalogue for v in d.variables})
    jena = synthetic_obs(41, 11, jena_vars)
    berlin_defs, berlin_vars = synthetic_defs(60, 100)
    berlin = synthetic_obs(542, 20, berlin_vars)
    example = load_example("berlin-mss-2021")
    status = mss_index(example.indicators, example.config).table["status_index"]
    weights = contiguity_weights(example.geometry(), "PLR_ID")

    cases: list[tuple[str, Callable[[], Any], int, float | None]] = [
        (
            f"catalogue Jena ({len(catalogue)} indicators, 41 units x 11 years, {len(jena):,} obs)",
            lambda: compute_indicators(jena, catalogue),
            7,
            1.0,
        ),
        (
            f"60 indicators Berlin (542 units x 20 years, {len(berlin):,} obs)",
            lambda: compute_indicators(berlin, berlin_defs),
            5,
            5.0,
        ),
        ("MSS index, 542 PLR", lambda: mss_index(example.indicators, example.config), 7, None),
        ("LISA 999 permutations, 542 PLR", lambda: lisa(status, weights, permutations=999), 3, None),
    ]
    print(f"{'case':<75} {'median s':>9} {'peak MiB':>9}  target")
    for name, func, runs, target in cases:
        median, peak = measure(func, runs)
        verdict = "" if target is None else (f"<= {target:g} s " + ("ok" if median <= target else "MISSED"))
        print(f"{name:<75} {median:>9.3f} {peak:>9.1f}  {verdict}")


if __name__ == "__main__":
    main()
