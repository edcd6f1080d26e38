"""Benchmark of releases and the public figure set (``.venv/bin/python benchmarks/bench_publication.py``).

Two cities, both through the real store, so that the release code runs unchanged:

* **Jena** (real demo data, 41 statistical districts › 30 Ortsteile › city, 2007–2017), every catalogue
  indicator published;
* **Berlin size** (synthetic): 542 planning areas → 60 district regions → 12 boroughs → the city, 61 count
  variables (``residents_main`` and ``v00``–``v59``; seven additive groups total = male + female), Poisson
  counts with some small ones, 20 years imported at the finest level (one import per year), and a temporary
  catalogue folder of 60 indicators (30 counts, 30 shares of ``residents_main``), all published.

Measured for each city:

* **audit**: all years audited as ``release --all-years`` does it, one process per core
  (:func:`sozialmonitor.publication.parallel.audit_years`), from start to the last result – the target;
  and :func:`sozialmonitor.publication.release.audit_year` for every year one after the other, summed;
* **release**: :func:`~sozialmonitor.publication.release.release_year` for every year, one transaction each
  (includes the audit, which a release runs first, and writes ``public_cell``);
* **figure set**: :func:`sozialmonitor.publication.figures.public_tables` over all released years.

The audit is timed as the ``audit_year`` call that ``release_year`` makes (the same function with the same
arguments; the release adds writing the cells), so one pass over the years yields both figures. Each pass
starts from an unreleased copy of the database and runs in a fresh child process (``_child.run_in_child``),
so that its peak memory (``ru_maxrss``) is its own. At Berlin size one pass takes far longer than the time
budget of ``make bench`` allows for repetitions: it runs once (the output says so).

Targets (issue): figure set ≤ 5 s, audit ≤ 60 s at Berlin size. ``--profile`` adds a cProfile of one Berlin
audit year and of the Berlin figure set (top 15 by cumulative time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import resource
import shutil
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _child import run_in_child

if TYPE_CHECKING:  # imported where used: the parent process stays small (see below)
    import numpy as np
    import pandas as pd

AUDIT_TARGET_S = 60.0
FIGURES_TARGET_S = 5.0
JENA_YEARS = tuple(range(2007, 2018))
JENA_RELEASE_RUNS = 3
JENA_FIGURE_RUNS = 5
BERLIN_RELEASE_RUNS = 1  # one pass over the 20 years takes many minutes
BERLIN_FIGURE_RUNS = 3

N_LEAVES, N_MID, N_UPPER = 542, 60, 12
BERLIN_YEARS = tuple(range(2002, 2022))
POPULATION = "residents_main"
VARIABLES = tuple(f"v{i:02d}" for i in range(60))
GROUPS = tuple((VARIABLES[k], (VARIABLES[k + 1], VARIABLES[k + 2])) for k in range(0, 60, 9))
"""total = male + female for 21 of the 60 variables (spread over the count and the share indicators)."""
LEVELS = (
    ("stadt", "Stadt", "City"),
    ("bezirk", "Bezirk", "Borough"),
    ("region", "Bezirksregion", "District region"),
    ("plr", "Planungsraum", "Planning area"),
)


# ---- building the databases (not timed by the measurements) --------------------------------------------
# Also in child processes: on Linux a spawned child starts with ru_maxrss = the parent's resident set size
# (it survives fork and exec), so the parent must stay small for the children's peaks to be their own.


def build_jena(url: str, conn: Connection) -> None:
    """The Jena demo with every catalogue indicator published; sends the number of units per level."""
    from sozialmonitor.db.engine import make_engine, session_scope
    from sozialmonitor.demo import JENA
    from sozialmonitor.demo.build import build_city
    from sozialmonitor.geo.units import units_frame
    from sozialmonitor.indicators.catalogue import load_catalogue
    from sozialmonitor.web.service import set_published

    engine = make_engine(url)
    build_city(JENA, engine)
    with session_scope(engine) as s:
        set_published(s, list(load_catalogue().indicators), True, "bench")
        units = units_frame(s)["level"].value_counts().to_dict()
    engine.dispose()
    conn.send({str(k): int(v) for k, v in units.items()})
    conn.close()


def _leaves(rng: np.random.Generator, size: np.ndarray) -> pd.DataFrame:
    """Counts of the planning areas for one year (``size``: expected residents per area)."""
    import numpy as np
    import pandas as pd

    population = rng.poisson(size)
    rates = np.exp(np.linspace(np.log(1.5e-3), np.log(0.3), len(VARIABLES)))  # rare to common
    rng.shuffle(rates)
    frame = pd.DataFrame({POPULATION: population})
    for variable, rate in zip(VARIABLES, rates, strict=True):
        frame[variable] = rng.poisson(population * rate)
    for total, (male, female) in GROUPS:
        frame[male] = rng.binomial(frame[total], 0.49)
        frame[female] = frame[total] - frame[male]
    return frame


def write_catalogue(folder: Path) -> list[str]:
    """A catalogue file of 60 indicators on the synthetic variables; returns their keys."""
    import yaml

    indicators: list[dict[str, Any]] = [
        {"key": f"bench_count_{i:02d}", "name_de": f"Anzahl {v}", "name_en": f"Count {v}", "numerator": v}
        for i, v in enumerate(VARIABLES[:30])
    ]
    indicators += [
        {
            "key": f"bench_share_{i:02d}",
            "name_de": f"Anteil {v}",
            "name_en": f"Share {v}",
            "numerator": v,
            "denominator": POPULATION,
        }
        for i, v in enumerate(VARIABLES[30:])
    ]
    raw = {"theme": "bench", "theme_de": "Benchmark", "theme_en": "Benchmark", "order": 99}
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump({**raw, "indicators": indicators}, allow_unicode=True, sort_keys=False)
    (folder / "bench.yaml").write_text(text, encoding="utf-8")
    return [i["key"] for i in indicators]


def build_berlin_size(url: str, catalogue_dir: Path, conn: Connection, seed: int = 7) -> None:
    """Levels, units, variables, relations and 20 yearly imports of the planning areas, through the store;
    sends the build time, the number of observations and the share of small counts."""
    import numpy as np

    from sozialmonitor.db.engine import make_engine, session_scope, upgrade
    from sozialmonitor.geo.units import add_unit, ensure_level
    from sozialmonitor.indicators.store import import_observations
    from sozialmonitor.indicators.variables import set_relations, upsert_variables
    from sozialmonitor.web.service import set_published

    start = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)
    leaves = [f"p{i:03d}" for i in range(N_LEAVES)]
    with session_scope(engine) as s:
        for rank, (key, name_de, name_en) in enumerate(LEVELS, start=1):
            ensure_level(s, key, name_de, name_en, rank)
        city = add_unit(s, "stadt", "berlin", "Berlin")
        uppers = [add_unit(s, "bezirk", f"b{i:02d}", f"Bezirk {i}", city) for i in range(N_UPPER)]
        mids = [
            add_unit(s, "region", f"r{i:02d}", f"Region {i}", uppers[i * N_UPPER // N_MID])
            for i in range(N_MID)
        ]
        for i, leaf in enumerate(leaves):
            add_unit(s, "plr", leaf, f"Planungsraum {i}", mids[i * N_MID // N_LEAVES])
        upsert_variables(s, [{"key": v, "name_de": v, "kind": "count"} for v in (POPULATION, *VARIABLES)])
        set_relations(s, [(total, list(parts)) for total, parts in GROUPS], source="bench")
        keys = write_catalogue(catalogue_dir)
        set_published(s, keys, True, "bench")
    units_s = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    small = rng.random(N_LEAVES) < 0.05
    size = np.where(small, rng.uniform(20, 300, N_LEAVES), rng.lognormal(8.6, 0.5, N_LEAVES))
    n_obs = n_small = 0
    for i, year in enumerate(BERLIN_YEARS):
        wide = _leaves(rng, size * (1 + 0.01 * i)).assign(unit_key=leaves)
        long = wide.melt("unit_key", var_name="variable", value_name="value")
        df = long.assign(ref_date=dt.date(year, 12, 31), value=long["value"].astype(float), status="ok")
        n_obs += len(df)
        n_small += int((df["value"] <= 2).sum())
        with session_scope(engine) as s:
            import_observations(
                s,
                df,
                level_key="plr",
                file_name=f"berlin_size_{year}.csv",
                file_hash=hashlib.sha256(f"berlin_size_{seed}_{year}".encode()).hexdigest(),
            )
    engine.dispose()
    conn.send(
        {
            "seconds": time.perf_counter() - start,
            "units_s": units_s,
            "observations": n_obs,
            "small_share": n_small / n_obs,
        }
    )
    conn.close()


# ---- measurements (each in a fresh child process) ------------------------------------------------------


def _catalogue(catalogue_dir: str | None) -> Any:
    from sozialmonitor.indicators.catalogue import load_catalogue

    return load_catalogue([Path(catalogue_dir)]) if catalogue_dir else load_catalogue()


def _release_pass(url: str, catalogue_dir: str | None, years: tuple[int, ...], conn: Connection) -> None:
    """Release every year (one transaction each), timing the ``audit_year`` call inside each release."""
    from sozialmonitor.db.engine import make_engine, session_scope
    from sozialmonitor.publication import release as rel

    catalogue = _catalogue(catalogue_dir) if catalogue_dir else None  # None: the release loads the default
    audit_s: dict[int, float] = {}
    summaries: dict[int, dict[str, Any]] = {}
    audit_year = rel.audit_year

    def timed_audit(session: Any, year: int, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        out = audit_year(session, year, *args, **kwargs)
        audit_s[year] = time.perf_counter() - start
        summaries[year] = {**out[0].summary, "rounds": out[0].rounds}
        return out

    rel.audit_year = timed_audit  # release_year calls the module's audit_year
    engine = make_engine(url)
    release_s: dict[int, float] = {}
    refused: list[int] = []
    for year in years:
        start = time.perf_counter()
        try:
            with session_scope(engine) as s:
                rel.release_year(s, year, "bench", catalogue=catalogue)
        except rel.ReleaseRefused:
            refused.append(year)
        release_s[year] = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    conn.send((audit_s, release_s, peak, summaries, refused))
    conn.close()


def _parallel_audit(url: str, catalogue_dir: str | None, years: tuple[int, ...], conn: Connection) -> None:
    """The audit of every year as ``release --all-years`` runs it: one process per core
    (:func:`sozialmonitor.publication.parallel.audit_years`), timed from start to the last result."""
    from sozialmonitor.db.engine import make_engine
    from sozialmonitor.publication.parallel import audit_years, workers_for
    from sozialmonitor.publication.params import ProtectionParams

    catalogue = _catalogue(catalogue_dir) if catalogue_dir else None
    engine = make_engine(url)
    start = time.perf_counter()
    out = audit_years(engine, [(y, None) for y in years], ProtectionParams.from_settings(), catalogue)
    seconds = time.perf_counter() - start
    own, workers = (
        resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    peak = max(own, workers) * 1024  # the largest single process (each worker holds one year)
    exposed = sum(len(p.exposed) for p in out.values())
    conn.send((seconds, peak, workers_for(len(years)), exposed))
    conn.close()


def _figures(url: str, catalogue_dir: str | None, conn: Connection) -> None:
    """``public_tables`` over every active release (scope and published indicators read first)."""
    from sozialmonitor.db.engine import make_engine, session_scope
    from sozialmonitor.publication.figures import public_tables
    from sozialmonitor.publication.release import public_scope, published_indicators

    catalogue = _catalogue(catalogue_dir)
    with session_scope(make_engine(url)) as s:
        scope = public_scope(s)
        published = published_indicators(s)
        start = time.perf_counter()
        tables, releases = public_tables(s, catalogue, published, scope.levels)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    values = sum(len(t) for t in tables.values())
    withheld = sum(int(t["value"].isna().sum()) for t in tables.values())
    conn.send((seconds, peak, len(releases), values, withheld))
    conn.close()


def _profile(url: str, catalogue_dir: str, year: int, conn: Connection) -> None:
    import cProfile
    import pstats

    from sozialmonitor.db.engine import make_engine, session_scope
    from sozialmonitor.publication.figures import public_tables
    from sozialmonitor.publication.release import audit_year, public_scope, published_indicators

    catalogue = _catalogue(catalogue_dir)
    texts = []
    with session_scope(make_engine(url)) as s:
        scope = public_scope(s)
        published = published_indicators(s)
        calls = (
            (f"audit_year({year})", lambda: audit_year(s, year, catalogue=catalogue)),
            ("public_tables", lambda: public_tables(s, catalogue, published, scope.levels)),
        )
        for name, call in calls:
            profiler = cProfile.Profile()
            profiler.runcall(call)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(15)
            texts.append(f"-- cProfile {name} at Berlin size, top 15 by cumulative time\n{out.getvalue()}")
    conn.send("\n".join(texts))
    conn.close()


# ---- reporting -------------------------------------------------------------------------------------------


def print_summaries(summaries: dict[int, dict[str, Any]], audit_s: dict[int, float]) -> None:
    """One line per year: cells, withheld by reason, checked, exposed, narrowest interval, rounds."""
    print(
        f"  {'year':<5}{'cells':>7}{'publ.':>7}{'prim.':>6}{'sec.':>6}{'base':>6}{'source':>7}"
        f"{'checked':>8}{'exposed':>8}{'rounds':>7}{'audit s':>8}  narrowest interval"
    )
    for year, sm in sorted(summaries.items()):
        w = sm["withheld"]
        n = sm.get("narrowest")
        narrowest = "–"
        if n:
            upper = "∞" if n["upper"] is None else f"{n['upper']:g}"
            narrowest = f"{n['unit']} {n['variable']} = {n['value']:g} in [{n['lower']:g}, {upper}]"
        print(
            f"  {year:<5}{sm['cells']:>7,}{sm['published']:>7,}{w['primary']:>6,}{w['secondary']:>6,}"
            f"{w['small_base']:>6,}{w['source']:>7,}{sm['checked']:>8,}{sm['exposed']:>8,}{sm['rounds']:>7}"
            f"{audit_s[year]:>8.1f}  {narrowest}"
        )


def release_runs(
    url: str, catalogue_dir: str | None, years: tuple[int, ...], runs: int, tmp: Path
) -> tuple[float, float, int, dict[int, dict[str, Any]], dict[int, float], list[int]]:
    """``runs`` release passes, each on an unreleased copy (the last one on ``url`` itself, which then holds
    the releases for the figure set); returns the medians of the summed audit and release seconds, the peak,
    and the summaries, audit seconds per year and refused years of the first pass."""
    path = Path(url.removeprefix("sqlite:///"))
    results = []
    for i in range(runs):
        run_url = url
        if i < runs - 1:
            copy = tmp / f"{path.stem}_run{i}.sqlite"
            shutil.copy(path, copy)
            run_url = f"sqlite:///{copy}"
        results.append(run_in_child(_release_pass, run_url, catalogue_dir, years))
        if run_url != url:
            Path(run_url.removeprefix("sqlite:///")).unlink()
    audit = statistics.median(sum(r[0].values()) for r in results)
    release = statistics.median(sum(r[1].values()) for r in results)
    peak = max(r[2] for r in results)
    return audit, release, peak, results[0][3], results[0][0], results[0][4]


def figure_runs(url: str, catalogue_dir: str | None, runs: int) -> tuple[float, int, int, int, int]:
    results = [run_in_child(_figures, url, catalogue_dir) for _ in range(runs)]
    seconds = statistics.median(r[0] for r in results)
    return seconds, max(r[1] for r in results), results[0][2], results[0][3], results[0][4]


def _verdict(seconds: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"<= {target:g} s " + ("PASS" if seconds <= target else "OVER TARGET")


def main() -> int:
    profile = "--profile" in sys.argv[1:]
    rows: list[tuple[str, int, float, float, float | None]] = []
    with tempfile.TemporaryDirectory(prefix="bench_publication_") as tmp_name:
        tmp = Path(tmp_name)
        jena = f"sqlite:///{tmp / 'jena.sqlite'}"
        start = time.perf_counter()
        units = run_in_child(build_jena, jena)
        print(
            f"Jena demo built in {time.perf_counter() - start:.1f} s "
            f"({', '.join(f'{n} {lv}' for lv, n in units.items())}), every catalogue indicator published",
            flush=True,
        )
        audit, release, peak, summaries, audit_s, refused = release_runs(
            jena, None, JENA_YEARS, JENA_RELEASE_RUNS, tmp
        )
        print(f"Jena, audit of each year (first of {JENA_RELEASE_RUNS} runs):")
        print_summaries(summaries, audit_s)
        if refused:
            print(f"  release refused (exposed cells) for {refused}")
        years = f"{len(JENA_YEARS)} years"
        rows.append((f"Jena audit_year ({years})", JENA_RELEASE_RUNS, audit, peak, None))
        rows.append((f"Jena release_year ({years}, incl. audit)", JENA_RELEASE_RUNS, release, peak, None))
        seconds, peak, n_rel, values, withheld = figure_runs(jena, None, JENA_FIGURE_RUNS)
        rows.append(
            (f"Jena public_tables ({n_rel} releases)", JENA_FIGURE_RUNS, seconds, peak, FIGURES_TARGET_S)
        )
        print(f"Jena figure set: {values:,} indicator values, {withheld:,} withheld", flush=True)

        berlin = f"sqlite:///{tmp / 'berlin.sqlite'}"
        catalogue_dir = tmp / "catalogue"
        built = run_in_child(build_berlin_size, berlin, catalogue_dir)
        print(
            f"Berlin size built in {built['seconds']:.0f} s (units {built['units_s']:.1f} s): "
            f"{N_LEAVES} planning areas → {N_MID} → {N_UPPER} → city, {len(VARIABLES) + 1} count variables "
            f"({len(GROUPS)} groups total = male + female), 60 indicators, {len(BERLIN_YEARS)} years, "
            f"{built['observations']:,.0f} observations ({built['small_share']:.1%} of them 0–2), "
            "one import per year",
            flush=True,
        )
        berlin_copy = f"sqlite:///{tmp / 'berlin_parallel.sqlite'}"
        shutil.copy(tmp / "berlin.sqlite", tmp / "berlin_parallel.sqlite")
        audit, release, peak, summaries, audit_s, refused = release_runs(
            berlin, str(catalogue_dir), BERLIN_YEARS, BERLIN_RELEASE_RUNS, tmp
        )
        par = run_in_child(_parallel_audit, berlin_copy, str(catalogue_dir), BERLIN_YEARS)
        print(f"Berlin size, audit of each year ({BERLIN_RELEASE_RUNS} run):")
        print_summaries(summaries, audit_s)
        if refused:
            print(f"  release refused (exposed cells) for {refused}")
        years = f"{len(BERLIN_YEARS)} years"
        runs = BERLIN_RELEASE_RUNS
        rows.append(
            (
                f"Berlin size audit, {years} in {par[2]} processes (release --all-years)",
                1,
                par[0],
                par[1],
                AUDIT_TARGET_S,
            )
        )
        rows.append(
            (f"Berlin size audit_year ({years}, one after the other, summed)", runs, audit, peak, None)
        )
        rows.append((f"Berlin size release_year ({years}, incl. audit)", runs, release, peak, None))
        seconds, peak, n_rel, values, withheld = figure_runs(berlin, str(catalogue_dir), BERLIN_FIGURE_RUNS)
        rows.append(
            (
                f"Berlin size public_tables ({n_rel} releases)",
                BERLIN_FIGURE_RUNS,
                seconds,
                peak,
                FIGURES_TARGET_S,
            )
        )
        print(f"Berlin size figure set: {values:,} indicator values, {withheld:,} withheld")
        profiles = run_in_child(_profile, berlin, str(catalogue_dir), BERLIN_YEARS[-1]) if profile else ""

    parent_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"{'case':<72} {'runs':>4} {'median s':>9} {'peak MiB':>9}  target")
    for name, runs, seconds, peak, target in rows:
        print(f"{name:<72} {runs:>4} {seconds:>9.2f} {peak / 2**20:>9.0f}  {_verdict(seconds, target)}")
    print(
        "(audit: the audit_year calls inside the release passes, summed over the years; peak: resident set "
        f"size of the child process – the audit and the release share one child per pass; it includes the "
        f"parent's {parent_mib:.0f} MiB)"
    )
    print(
        f"(Berlin size: {BERLIN_RELEASE_RUNS} release pass instead of 3 – one pass over {len(BERLIN_YEARS)} "
        "years takes many minutes; the size is not reduced)"
    )
    if profiles:
        print()
        print(profiles)
    return 0  # the table above says PASS or OVER TARGET; make bench goes on with the other benches


if __name__ == "__main__":
    sys.exit(main())
