"""Benchmark: aggregate a Berlin-size synthetic register extract (4 million persons, 542 units).

Each measured call runs in a fresh child process, so that its peak memory (``ru_maxrss``) is its own.
Targets (issue 2): ≤ 5 s and ≤ 2 GB on a 2-core machine, from CSV and from Parquet.
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from _child import run_in_child

N_PERSONS = 4_000_000
N_UNITS = 542
RUNS = 3


def _measure(path: str, conn: Connection) -> None:
    from sozialmonitor.ingest.register import aggregate_register
    from sozialmonitor.ingest.register_synthetic import SYNTHETIC_SPEC

    start = time.perf_counter()
    df = aggregate_register(Path(path), SYNTHETIC_SPEC, dt.date(2021, 12, 31))
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    conn.send((seconds, peak_kib * 1024, int(df["variable"].nunique()), int(df["unit_key"].nunique())))
    conn.close()


def _run_child(path: Path) -> tuple[float, int, int, int]:
    return run_in_child(_measure, str(path))


def main() -> int:
    from sozialmonitor.ingest.register_synthetic import synthetic_register

    ok = True
    with tempfile.TemporaryDirectory(prefix="bench_register_") as tmp:
        for fmt in ("csv", "parquet"):
            path = Path(tmp) / f"register.{fmt}"
            start = time.perf_counter()
            synthetic_register(path, N_PERSONS, N_UNITS, seed=42, fmt=fmt)
            gen = time.perf_counter() - start
            runs = [_run_child(path) for _ in range(RUNS)]
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            n_vars, n_units = runs[0][2], runs[0][3]
            size_mb = path.stat().st_size / 1e6
            within = seconds <= 5 and peak <= 2 * 1024**3
            ok = ok and within
            print(
                f"register {fmt:<7} {N_PERSONS:,} persons ({size_mb:.0f} MB, generated in {gen:.1f} s): "
                f"median {seconds:.2f} s of {RUNS}, peak RSS {peak / 1024**2:.0f} MiB, "
                f"{n_units} units × {n_vars} variables – {'ok' if within else 'OVER TARGET (5 s, 2 GB)'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
