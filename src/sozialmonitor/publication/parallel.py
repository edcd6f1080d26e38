"""Auditing several years at once, one process per core.

The audit of a year depends only on that year's data and on what earlier releases *of that year*
published, so the years of ``release --all-years`` are independent: they are audited in parallel processes
(each with its own database connection; spawned, so nothing of the caller's process is shared) and then
released one after the other in the caller's process, one transaction per year, exactly as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context

from sqlalchemy import Engine

from sozialmonitor.indicators.catalogue import Catalogue
from sozialmonitor.publication.params import ProtectionParams
from sozialmonitor.publication.protection import Protected


def _audit_one(
    url: str,
    year: int,
    params: ProtectionParams,
    indicators: list[str] | None,
    catalogue: Catalogue | None,
    allow_partial: bool,
) -> Protected:
    from sozialmonitor.db.engine import make_engine, session_scope
    from sozialmonitor.publication.release import audit_year

    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            protected, _, _ = audit_year(s, year, params, indicators, catalogue, None, allow_partial)
            s.rollback()
        return protected
    finally:
        engine.dispose()


def workers_for(years: int) -> int:
    """Processes for auditing ``years`` years: one per core, at most one per year."""
    return max(1, min(years, os.cpu_count() or 1))


def audit_years(
    engine: Engine,
    jobs: Sequence[tuple[int, list[str] | None]],
    params: ProtectionParams,
    catalogue: Catalogue | None = None,
    allow_partial: bool = False,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> dict[int, Protected]:
    """The audit of every ``(year, indicators)`` job, computed in parallel processes.

    An error in one year (no data, an incomplete year) is raised here, after the other audits finished or
    were cancelled; nothing is written by any of them.
    """
    n = workers or workers_for(len(jobs))
    url = engine.url.render_as_string(hide_password=False)
    if n <= 1 or len(jobs) <= 1:
        return {year: _audit_one(url, year, params, keys, catalogue, allow_partial) for year, keys in jobs}
    out: dict[int, Protected] = {}
    with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn")) as pool:
        pending: dict[Future[Protected], int] = {
            pool.submit(_audit_one, url, year, params, keys, catalogue, allow_partial): year
            for year, keys in jobs
        }
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    year = pending.pop(future)
                    out[year] = future.result()
                    if progress:
                        progress(f"Prüfung {year} fertig / audit of {year} done ({len(out)}/{len(jobs)})")
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return out
