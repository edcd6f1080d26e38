"""Benchmark: the Lebenslagenbericht (issue 5).

* Jena demo (41 districts, 2007–2017), all formats (HTML, PDF, DOCX) – target ≤ 30 s, median of 3 runs.
* Berlin MSS 2021 example (542 Planungsräume, one profile page each), PDF only – target ≤ 5 min, one run.

The databases are built first into a temporary folder (not timed). Every measured run is a fresh child
process, so its peak memory is its own (the larger of the process and the PDF child it forks).
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from _child import run_in_child

if TYPE_CHECKING:
    from sozialmonitor.report.settings import ReportSettings

JENA_RUNS = 3
JENA_TARGET_S = 30.0
BERLIN_TARGET_S = 300.0


def _build_dbs(tmp: Path) -> tuple[str, str]:
    from sozialmonitor.db.engine import make_engine
    from sozialmonitor.demo import JENA
    from sozialmonitor.demo.berlin import build_berlin
    from sozialmonitor.demo.build import build_city

    jena, berlin = f"sqlite:///{tmp / 'jena.sqlite'}", f"sqlite:///{tmp / 'berlin.sqlite'}"
    build_city(JENA, make_engine(jena))
    build_berlin(make_engine(berlin))
    return jena, berlin


def _settings(city: str) -> ReportSettings:
    from sozialmonitor.demo import JENA
    from sozialmonitor.report.settings import IndexSpec, ReportSettings, UnitTerm

    if city == "jena":
        return ReportSettings(year=2017, sources=(JENA / "SOURCES.md",))
    return ReportSettings(
        year=2020,
        level="plr",
        unit_term=UnitTerm("Planungsraum", "Planungsräume", "Planungsräumen"),
        index=IndexSpec(status=("mss_s1", "mss_s3", "mss_s4"), dynamics_given=("mss_d1", "mss_d3", "mss_d4")),
    )


def _measure(city: str, url: str, out: str, formats: list[str], conn: Connection) -> None:
    start = time.perf_counter()
    from sozialmonitor.db.engine import make_engine, session_scope
    from sozialmonitor.report.write import write_report

    with session_scope(make_engine(url)) as s:
        files = write_report(s, _settings(city), Path(out), formats)
    seconds = time.perf_counter() - start
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    pages = 0
    if "pdf" in files:
        from pypdf import PdfReader

        pages = len(PdfReader(files["pdf"]).pages)
    conn.send((seconds, peak * 1024, pages))
    conn.close()


def _run(city: str, url: str, out: Path, formats: list[str]) -> tuple[float, int, int]:
    return run_in_child(_measure, city, url, str(out), formats)


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        jena, berlin = _build_dbs(Path(tmp))
        runs = [_run("jena", jena, Path(tmp) / f"jena{i}", ["html", "pdf", "docx"]) for i in range(JENA_RUNS)]
        seconds = statistics.median(r[0] for r in runs)
        ok &= seconds <= JENA_TARGET_S
        print(
            f"Jena report 2017 (41 districts, HTML+PDF+DOCX, {runs[0][2]} PDF pages): "
            f"median {seconds:.1f} s of {JENA_RUNS} runs (min {min(r[0] for r in runs):.1f} s), peak memory "
            f"{max(r[1] for r in runs) / 2**20:.0f} MiB – target ≤ {JENA_TARGET_S:.0f} s: "
            f"{'OK' if seconds <= JENA_TARGET_S else 'MISSED'}"
        )
        seconds, peak, pages = _run("berlin", berlin, Path(tmp) / "berlin", ["pdf"])
        ok &= seconds <= BERLIN_TARGET_S
        print(
            f"Berlin report (542 Planungsräume, PDF only, {pages} pages): {seconds:.1f} s (one run), "
            f"peak memory {peak / 2**20:.0f} MiB – target ≤ {BERLIN_TARGET_S:.0f} s: "
            f"{'OK' if seconds <= BERLIN_TARGET_S else 'MISSED'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
