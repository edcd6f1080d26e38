"""Benchmark: build the full Jena demo database (issue 2; target ≤ 10 s) and the Berlin LOR example city
(issue 11: 542 + 448 Planungsräume, 2020–2024, target ≤ 30 s and ≤ 1 GB).

Each build runs in a fresh child process so that its peak memory (``ru_maxrss``) is its own; the time
includes importing the package, creating the schema and every import of the demo.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from _child import run_in_child

RUNS = 5
TARGET_S = 10.0
BERLIN_RUNS = 3
BERLIN_TARGET_S = 30.0
BERLIN_TARGET_BYTES = 2**30


def _measure(path: str, city: str, conn: Connection) -> None:
    start = time.perf_counter()
    from sozialmonitor.db.engine import make_engine
    from sozialmonitor.demo import JENA
    from sozialmonitor.demo.build import build_city
    from sozialmonitor.examples import CITY_FOLDERS

    folder = JENA if city == "jena" else CITY_FOLDERS[city]
    report = build_city(folder, make_engine(f"sqlite:///{path}"))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    conn.send((seconds, peak, report.observations))
    conn.close()


def _run(path: Path, city: str) -> tuple[float, int, int]:
    return run_in_child(_measure, str(path), city)


def main() -> int:
    ok = True
    for city, runs_wanted, target_s, target_bytes in (
        ("jena", RUNS, TARGET_S, None),
        ("berlin-lor", BERLIN_RUNS, BERLIN_TARGET_S, BERLIN_TARGET_BYTES),
    ):
        with tempfile.TemporaryDirectory(prefix="bench_demo_") as tmp:
            runs = [_run(Path(tmp) / f"{city}{i}.sqlite", city) for i in range(runs_wanted)]
        seconds = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        met = seconds <= target_s and (target_bytes is None or peak <= target_bytes)
        ok &= met
        memory = f" and ≤ {target_bytes / 2**30:.0f} GiB" if target_bytes else ""
        print(
            f"{city} build ({runs[0][2]} observations): median {seconds:.2f} s of {runs_wanted} runs "
            f"(min {min(r[0] for r in runs):.2f} s), peak memory {peak / 2**20:.0f} MiB "
            f"– target ≤ {target_s:.0f} s{memory}: {'OK' if met else 'MISSED'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
