"""``sozialmonitor release …`` – release reference years for the public, audit, withdraw, list."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer

from sozialmonitor.cli.common import DbOption, engine_for, err, handle_errors, out
from sozialmonitor.errors import ConfigError
from sozialmonitor.publication.params import ProtectionParams

ACTIONS = ("audit", "withdraw", "list")

Threshold = Annotated[
    int | None,
    typer.Option("--threshold", help="Kleinste veröffentlichte Fallzahl / smallest published count"),
]
MinDen = Annotated[
    float | None,
    typer.Option("--min-denominator", help="Kleinste Bezugsgröße für Anteile / smallest denominator"),
]
MinPop = Annotated[
    float | None,
    typer.Option("--min-population", help="Kleinste Einwohnerzahl für Anteile / smallest population"),
]
ProtAbs = Annotated[
    float | None,
    typer.Option("--protection-absolute", help="Schutzintervall ± Personen / protection ± persons"),
]
ProtRel = Annotated[
    float | None,
    typer.Option("--protection-relative", help="Schutzintervall ± Anteil (0,25) / protection ± share"),
]


def _params(
    threshold: int | None,
    min_den: float | None,
    min_pop: float | None,
    prot_abs: float | None,
    prot_rel: float | None,
) -> ProtectionParams:
    return ProtectionParams.from_settings(
        threshold=threshold,
        min_denominator=min_den,
        min_population=min_pop,
        protection_absolute=prot_abs,
        protection_relative=prot_rel,
    )


def _years(years: list[str], all_years: bool, available: list[int]) -> list[int]:
    if all_years:
        if not available:
            raise ConfigError("Die Datenbank enthält keine Daten", "the database holds no data")
        return available
    if not years:
        raise ConfigError("Bitte ein Jahr angeben (oder --all-years)", "please give a year (or --all-years)")
    out_years = []
    for y in years:
        if not y.isdigit() or not 1900 <= int(y) <= 2200:
            raise ConfigError(f"Jahr {y!r}: erwartet z. B. 2017", f"year {y!r}: expected e.g. 2017")
        out_years.append(int(y))
    return out_years


def _print_summary(year: int, summary: dict[str, Any], rounds: int) -> None:
    from sozialmonitor.fmt import number

    w = summary.get("withheld", {})
    out.print(
        f"{year}: {number(summary.get('published', 0), 0)} Zellen veröffentlicht / cells published; "
        f"gesperrt / withheld: primär/primary {number(w.get('primary', 0), 0)}, "
        f"sekundär/secondary {number(w.get('secondary', 0), 0)}, "
        f"kleine Basis/small base {number(w.get('small_base', 0), 0)}, "
        f"Quelle/source {number(w.get('source', 0), 0)}; "
        f"geprüft/checked {number(summary.get('checked', 0), 0)}, "
        f"zu eng/exposed {number(summary.get('exposed', 0), 0)} ({rounds} Runde(n)/rounds)",
        highlight=False,
    )
    n = summary.get("narrowest")
    if isinstance(n, dict):
        upper = "∞" if n.get("upper") is None else number(n["upper"], 1)
        out.print(
            f"  engstes Intervall / narrowest interval: {n['unit']} · {n['variable']} · {n['ref_date']}: "
            f"[{number(n['lower'], 1)}; {upper}]",
            highlight=False,
        )


@handle_errors
def release(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="JAHR … | audit JAHR … | withdraw JAHR | list  /  "
            "YEAR … | audit YEAR … | withdraw YEAR | list",
            show_default=False,
        ),
    ] = None,
    all_years: Annotated[bool, typer.Option("--all-years", help="alle Jahre mit Daten / all years")] = False,
    indicators: Annotated[
        str | None, typer.Option("--indicators", help="nur diese Indikatoren (a,b,…) / only these")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="wer freigibt / who releases")] = None,
    partial: Annotated[
        bool,
        typer.Option("--partial", help="auch ein unvollständiges Jahr freigeben / release a partial year"),
    ] = False,
    threshold: Threshold = None,
    min_denominator: MinDen = None,
    min_population: MinPop = None,
    protection_absolute: ProtAbs = None,
    protection_relative: ProtRel = None,
    db: DbOption = None,
) -> None:
    """Bezugsjahre für die Öffentlichkeit freigeben: schützen, prüfen, speichern.

    Release reference years for the public: protect, audit (an attack by linear programming on everything
    published together), store. Refused when a withheld cell could be recalculated too closely.
    `release audit 2017` checks without writing, `release withdraw 2017` takes a release back,
    `release list` lists releases.
    """
    words = list(args or [])
    action = words.pop(0) if words and words[0] in ACTIONS else "release"
    if action == "list":
        return _list(db)
    if action == "withdraw":
        if len(words) != 1:
            raise ConfigError("withdraw: genau ein Jahr angeben", "withdraw: give exactly one year")
        return _withdraw(_years(words, False, [])[0], user, db)
    params = _params(threshold, min_denominator, min_population, protection_absolute, protection_relative)
    keys = [k.strip() for k in indicators.split(",") if k.strip()] if indicators else None
    if action == "audit":
        return _audit(words, all_years, keys, params, db, partial)
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.publication.parallel import audit_years
    from sozialmonitor.publication.release import data_years, release_indicators, release_year

    engine = engine_for(db)
    with session_scope(engine) as s:
        chosen = _years(words, all_years, data_years(s))
        jobs = [(year, release_indicators(s, year, keys)) for year in chosen]
    who = user or getpass.getuser()
    # several years: audited in parallel (one process per core), then released one by one
    audited = (
        audit_years(engine, jobs, params, None, partial, lambda m: err.print(f"… {m}"))
        if len(jobs) > 1
        else {}
    )
    for year, year_keys in jobs:
        with session_scope(engine) as s:  # one transaction per year: a refused year writes nothing
            rel = release_year(
                s,
                year,
                who,
                params,
                year_keys,
                progress=lambda m: err.print(f"… {m}"),
                allow_partial=partial,
                audited=audited.get(year),
            )
            _print_summary(year, rel.audit, int(rel.audit.get("rounds", 0)))
            out.print(f"{year} freigegeben / released (Nr. {rel.id})")


def _audit(
    words: list[str],
    all_years: bool,
    keys: list[str] | None,
    params: ProtectionParams,
    db: str | None,
    partial: bool,
) -> None:
    """Check what a release would publish, without writing."""
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.publication.parallel import audit_years
    from sozialmonitor.publication.release import audit_year, data_years, exposure_lines

    engine = engine_for(db)
    exposed_any = False
    with session_scope(engine) as s:
        chosen = _years(words, all_years, data_years(s))
    audited = (
        audit_years(engine, [(y, keys) for y in chosen], params, None, partial) if len(chosen) > 1 else {}
    )
    with session_scope(engine) as s:
        for year in chosen:
            protected = (
                audited.get(year)
                or audit_year(
                    s, year, params, keys, progress=lambda m: err.print(f"… {m}"), allow_partial=partial
                )[0]
            )
            _print_summary(year, protected.summary, protected.rounds)
            for line in exposure_lines(protected):
                out.print(f"  zu eng / exposed: {line}", highlight=False)
            exposed_any |= len(protected.exposed) > 0
        s.rollback()
    if exposed_any:
        raise typer.Exit(1)


def _withdraw(year: int, user: str | None, db: str | None) -> None:
    """Withdraw a release: the year leaves the portal at once."""
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.publication.release import withdraw as do_withdraw

    with session_scope(engine_for(db)) as s:
        rel = do_withdraw(s, year, user or getpass.getuser())
        out.print(f"Freigabe {year} (Nr. {rel.id}) zurückgezogen / withdrawn")


def _list(db: str | None) -> None:
    """List releases."""
    from rich.table import Table

    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.fmt import number
    from sozialmonitor.publication.release import list_releases

    table = Table(title="Freigaben / releases")
    headers = ("Nr.", "Jahr/year", "freigegeben/released", "von/by", "Indikatoren", "veröff./published")
    for h in (*headers, "gesperrt/withheld", "engstes Intervall/narrowest", "zurückgezogen/withdrawn"):
        table.add_column(h)
    with session_scope(engine_for(db)) as s:
        releases = list_releases(s)
        for r in releases:
            audit = r.audit or {}
            withheld = sum(int(v) for v in (audit.get("withheld") or {}).values())
            n = audit.get("narrowest") or {}
            narrow = (
                f"{n.get('unit')} {n.get('variable')}: [{number(n.get('lower'), 1)}; "
                f"{'∞' if n.get('upper') is None else number(n.get('upper'), 1)}]"
                if n
                else "–"
            )
            table.add_row(
                str(r.id),
                str(r.year),
                f"{r.released_at:%d.%m.%Y %H:%M}",
                r.released_by,
                "alle / all" if r.indicators is None else ", ".join(r.indicators),
                number(audit.get("published"), 0),
                number(withheld, 0),
                narrow,
                f"{r.withdrawn_at:%d.%m.%Y %H:%M} ({r.withdrawn_by})" if r.withdrawn_at else "–",
            )
    if not releases:
        out.print("Noch keine Freigaben. / No releases yet: `sozialmonitor release JAHR/YEAR`.")
        return
    out.print(table)
