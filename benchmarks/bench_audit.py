"""Benchmark of disclosure control and its audit (``.venv/bin/python benchmarks/bench_audit.py``).

A synthetic Berlin-size table: 542 planning areas → 60 district regions → 12 boroughs → the city
(615 units), 60 count variables (27 of them in additive groups: sex and age breakdowns of the residents,
breakdowns of the unemployed, households and SGB II recipients, some totals broken down twice),
20 reference dates, Poisson counts with many small ones. :func:`protect` hides ~5 % of the cells;
:func:`feasible_intervals` then attacks every hidden cell with a positive value. Target: the audit well
under 60 s on 2 cores.

Each measured call runs in a fresh child process (``_child.run_in_child``), so that its peak memory
(``ru_maxrss``) is its own; the median of several runs is printed.
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import sys
import time
from multiprocessing.connection import Connection

import numpy as np
import pandas as pd
from _child import run_in_child

RUNS = 3
TARGET_S = 60.0
N_LEAVES, N_MID, N_UPPER, N_DATES = 542, 60, 12, 20
AGES = ("a0_6", "a6_15", "a15_18", "a18_25", "a25_55", "a55_65", "a65_80", "a80plus")
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("residents", ("male", "female")),
    ("residents", AGES),
    ("foreigners", ("foreigners_male", "foreigners_female")),
    ("unemployed", ("unemployed_male", "unemployed_female")),
    ("unemployed", ("unemployed_u25", "unemployed_25plus")),
    ("households", ("hh1", "hh2", "hh3", "hh4plus")),
    ("sgb2", ("sgb2_u15", "sgb2_15plus")),
]
N_FREE = 60 - len({v for total, parts in GROUPS for v in (total, *parts)})


def synthetic_hierarchy() -> pd.DataFrame:
    """542 leaves → 60 → 12 → city."""
    leaves = [f"p{i:03d}" for i in range(N_LEAVES)]
    mids = [f"r{i:02d}" for i in range(N_MID)]
    uppers = [f"b{i:02d}" for i in range(N_UPPER)]
    rows = [(leaf, mids[i * N_MID // N_LEAVES]) for i, leaf in enumerate(leaves)]
    rows += [(mid, uppers[i * N_UPPER // N_MID]) for i, mid in enumerate(mids)]
    rows += [(upper, "berlin") for upper in uppers]
    return pd.DataFrame(rows, columns=["unit_key", "parent_key"])


def _split(rng: np.random.Generator, total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Multinomial split of every ``total`` by ``shares`` (one column per part)."""
    return np.stack([rng.multinomial(int(n), shares) for n in total])


def _leaves(rng: np.random.Generator, size: np.ndarray) -> pd.DataFrame:
    """Counts of the leaves for one date (``size``: expected residents per leaf)."""
    residents = rng.poisson(size)
    frame = pd.DataFrame({"residents": residents})
    frame[["male", "female"]] = _split(rng, residents, np.array([0.49, 0.51]))
    frame[list(AGES)] = _split(rng, residents, np.array([0.06, 0.08, 0.03, 0.08, 0.42, 0.13, 0.14, 0.06]))
    frame["foreigners"] = rng.binomial(residents, 0.15)
    frame[["foreigners_male", "foreigners_female"]] = _split(rng, frame["foreigners"], np.array([0.52, 0.48]))
    frame["unemployed"] = rng.binomial(residents, 0.04)
    frame[["unemployed_male", "unemployed_female"]] = _split(rng, frame["unemployed"], np.array([0.55, 0.45]))
    frame[["unemployed_u25", "unemployed_25plus"]] = _split(rng, frame["unemployed"], np.array([0.1, 0.9]))
    frame["households"] = rng.binomial(residents, 0.52)
    frame[["hh1", "hh2", "hh3", "hh4plus"]] = _split(rng, frame["households"], np.array([0.5, 0.3, 0.1, 0.1]))
    frame["sgb2"] = rng.binomial(residents, 0.09)
    frame[["sgb2_u15", "sgb2_15plus"]] = _split(rng, frame["sgb2"], np.array([0.3, 0.7]))
    rates = np.exp(np.linspace(np.log(4e-4), np.log(0.2), N_FREE))  # rare to common
    for i, rate in enumerate(rates):
        frame[f"v{i:02d}"] = rng.binomial(residents, rate)
    return frame


def synthetic_table(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long table ``ref_date, unit_key, variable, value`` (all levels summed up) and the hierarchy."""
    rng = np.random.default_rng(seed)
    hierarchy = synthetic_hierarchy()
    parent = hierarchy.set_index("unit_key")["parent_key"]
    leaves = hierarchy["unit_key"].iloc[:N_LEAVES].to_numpy()
    size = np.where(rng.random(N_LEAVES) < 0.06, rng.uniform(20, 300, N_LEAVES), rng.lognormal(8.6, 0.5))
    frames = []
    for d in range(N_DATES):
        level = _leaves(rng, size * (1 + 0.01 * d)).set_axis(leaves)
        levels = [level]
        for _ in range(3):
            level = level.groupby(parent.reindex(level.index).to_numpy()).sum()
            levels.append(level)
        wide = pd.concat(levels).rename_axis("unit_key").reset_index()
        long = wide.melt("unit_key", var_name="variable", value_name="value")
        frames.append(long.assign(ref_date=dt.date(2005 + d, 12, 31)))
    table = pd.concat(frames, ignore_index=True)[["ref_date", "unit_key", "variable", "value"]]
    return table.assign(value=table["value"].astype(float)), hierarchy


def _measure(conn: Connection) -> None:
    from sozialmonitor.stats.audit import exposed, feasible_intervals
    from sozialmonitor.stats.disclosure import protect

    table, hierarchy = synthetic_table()
    start = time.perf_counter()
    protected = protect(table, hierarchy, GROUPS)
    protect_s = time.perf_counter() - start
    peak_protect = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    audited = table.assign(published=protected["suppression"].eq("").to_numpy())
    start = time.perf_counter()
    intervals = feasible_intervals(audited, hierarchy, GROUPS)
    audit_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    stats = (
        len(table),
        int((~audited["published"]).sum()),
        len(intervals),
        int(intervals["exact"].sum()),
        int(exposed(intervals).sum()),
    )
    conn.send((protect_s, peak_protect, audit_s, peak, stats))
    conn.close()


def main() -> int:
    runs = [run_in_child(_measure) for _ in range(RUNS)]
    protect_s = statistics.median(r[0] for r in runs)
    audit_s = statistics.median(r[2] for r in runs)
    peak_protect = max(r[1] for r in runs)
    peak = max(r[3] for r in runs)
    n_cells, n_hidden, n_audited, n_exact, n_exposed = runs[0][4]
    print(
        f"table: {n_cells:,} cells (615 units x 60 variables x {N_DATES} dates), "
        f"{n_hidden:,} hidden ({n_hidden / n_cells:.1%}), {n_audited:,} audited, "
        f"{n_exact} exact, {n_exposed:,} below the protection level (2 persons, 25 %)"
    )
    print(f"{'case':<30} {'median s':>9} {'peak MiB':>9}  target")
    print(f"{'protect':<30} {protect_s:>9.2f} {peak_protect / 2**20:>9.0f}")
    verdict = f"<= {TARGET_S:g} s " + ("ok" if audit_s <= TARGET_S else "MISSED")
    print(f"{'feasible_intervals (audit)':<30} {audit_s:>9.2f} {peak / 2**20:>9.0f}  {verdict}")
    print("(peak: resident set size of the child process after the step)")
    return 0 if audit_s <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
