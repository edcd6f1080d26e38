"""Benchmark: raking to 10 margins plus estimation (mean, domain means) for 2,500 and 250,000
respondents; median of 5 runs and peak memory; the same in R's survey package if available.

Run: .venv/bin/python benchmarks/bench_survey.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from sozialmonitor.survey import estimation as est
from sozialmonitor.survey.design import survey_design
from sozialmonitor.survey.weighting import rake

LEVELS = [2, 2, 2, 3, 3, 3, 4, 4, 5, 10]  # 10 margins; the last one is the planning area
RUNS = 5

R_SCRIPT = r"""
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
args <- commandArgs(TRUE)
d <- read.csv(args[1]); for (v in paste0("m", 0:9)) d[[v]] <- factor(d[[v]])
pops <- lapply(0:9, function(j) { t <- read.csv(args[2]); t <- t[t$var == paste0("m", j), c("level", "Freq")];
  names(t) <- c(paste0("m", j), "Freq"); t[[1]] <- factor(t[[1]], levels = levels(d[[paste0("m", j)]])); t })
fml <- lapply(0:9, function(j) as.formula(paste0("~m", j)))
times <- numeric(as.integer(args[3]))
for (i in seq_along(times)) {
  times[i] <- system.time({
    des <- svydesign(id = ~1, strata = ~m9, weights = ~w, data = d)
    rk <- rake(des, fml, pops, control = list(maxit = 100, epsilon = 1e-8))
    m <- svymean(~y, rk); b <- svyby(~y, ~m9, rk, svymean)
  })[["elapsed"]]
}
cat(median(times), "\n")
"""


def make_data(n: int, seed: int = 1) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    rng = np.random.default_rng(seed)
    cols = {}
    margins: dict[str, dict[str, float]] = {}
    total = 100.0 * n
    y = rng.normal(50, 10, n)
    for j, k in enumerate(LEVELS):
        p = rng.dirichlet(np.full(k, 5.0))
        codes = rng.choice(k, size=n, p=np.roll(p, 1))  # sample shares differ from population shares
        cols[f"m{j}"] = codes
        y += codes * 0.5
        margins[f"m{j}"] = {str(lev): float(total * p[lev]) for lev in range(k)}
    frame = pd.DataFrame(cols)
    frame["w"] = 100.0
    frame["y"] = y
    return frame, margins


def run_python(frame: pd.DataFrame, margins: dict[str, dict[str, float]]) -> None:
    design = survey_design(frame, strata="m9", weights="w")
    raked = rake(design, margins, max_iter=100, epsilon=1e-8).design
    est.mean(raked, "y")
    est.by_domain(raked, "m9", est.mean, "y")


def time_python(n: int) -> tuple[float, float]:
    frame, margins = make_data(n)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        run_python(frame, margins)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    run_python(frame, margins)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def time_r(n: int, runs: int) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    check = subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True)
    if check.returncode != 0:
        return None
    frame, margins = make_data(n)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "d.csv"
        pops = Path(tmp) / "p.csv"
        script = Path(tmp) / "bench.R"
        frame.to_csv(data, index=False)
        pd.DataFrame(
            [{"var": v, "level": k, "Freq": f} for v, m in margins.items() for k, f in m.items()]
        ).to_csv(pops, index=False)
        script.write_text(R_SCRIPT)
        out = subprocess.run(
            ["Rscript", str(script), str(data), str(pops), str(runs)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if out.returncode != 0:
            print("R failed:", out.stderr.strip()[-300:])
            return None
        return float(out.stdout.split()[-1])


def main() -> None:
    print("survey benchmark: rake (10 margins) + svymean + svyby (10 domains)")
    for n in (2_500, 250_000):
        median, peak = time_python(n)
        line = f"n={n:>7,}: python median {median:7.3f} s (of {RUNS}), peak memory {peak:7.1f} MiB"
        r = time_r(n, RUNS if n < 10_000 else 1)
        if r is not None:
            line += f" | R survey median {r:7.3f} s | ratio python/R {median / r:5.2f}"
        else:
            line += " | R survey not available"
        print(line, flush=True)


if __name__ == "__main__":
    main()
