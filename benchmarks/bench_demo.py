"""Benchmark: build the full Jena demo database (issue 2; target ≤ 10 s).

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


def _measure(path: str, conn: Connection) -> None:
    start = time.perf_counter()
    from sozialmonitor.db.engine import make_engine
    from sozialmonitor.demo import JENA
    from sozialmonitor.demo.build import build_city

    report = build_city(JENA, make_engine(f"sqlite:///{path}"))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    conn.send((seconds, peak, report.observations))
    conn.close()


def _run(path: Path) -> tuple[float, int, int]:
    return run_in_child(_measure, str(path))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench_demo_") as tmp:
        runs = [_run(Path(tmp) / f"jena{i}.sqlite") for i in range(RUNS)]
    seconds = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(
        f"Jena demo build ({runs[0][2]} observations): median {seconds:.2f} s of {RUNS} runs "
        f"(min {min(r[0] for r in runs):.2f} s), peak memory {peak / 2**20:.0f} MiB "
        f"– target ≤ {TARGET_S:.0f} s: {'OK' if seconds <= TARGET_S else 'MISSED'}"
    )
    return 0 if seconds <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
