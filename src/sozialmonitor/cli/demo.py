"""`sozialmonitor demo`, `build CONFIG_DIR`, `example NAME`: whole databases from bundled data."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import Engine

from sozialmonitor.cli.common import DbOption, handle_errors, out, progress_bar
from sozialmonitor.config import database_url
from sozialmonitor.demo.build import BuildReport
from sozialmonitor.errors import SozialmonitorError


def _atomic_sqlite_build(url: str, build: Callable[[Engine], object]) -> object:
    """Build a SQLite database in a temporary file next to the target and move it in place only on success.

    Cancelling (Ctrl-C) or a failure leaves the previous database untouched.
    """
    from sozialmonitor.db.engine import make_engine

    if not url.startswith("sqlite:///"):
        engine = make_engine(url)
        _require_empty(engine)
        return build(engine)
    target = Path(url.removeprefix("sqlite:///"))
    if target.exists() and target.stat().st_size > 0:  # never replace a database that holds anything
        from sqlalchemy.exc import DatabaseError

        existing = make_engine(url)
        try:
            _require_empty(existing)
        except DatabaseError:
            raise SozialmonitorError(
                f"{target} ist keine Datenbank und wird nicht überschrieben; geben Sie mit --db eine neue "
                "Datei an.",
                f"{target} is not a database and is not overwritten; give a new file with --db.",
            ) from None
        finally:
            existing.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent)
    os.close(fd)
    try:
        engine = make_engine(f"sqlite:///{tmp}")
        result = build(engine)
        engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(tmp, target)
        return result
    finally:
        for p in (tmp, tmp + "-wal", tmp + "-shm"):
            Path(p).unlink(missing_ok=True)


def _require_empty(engine: Engine) -> None:
    from sqlalchemy import inspect, text

    tables = set(inspect(engine).get_table_names())
    for table in ("observation", "spatial_unit"):
        if table not in tables:
            continue
        with engine.connect() as c:
            n = c.execute(text(f"select count(*) from {table}")).scalar()  # table: one of two fixed names
        if n:
            raise SozialmonitorError(
                "Die Datenbank enthält schon Daten; aufgebaut wird nur in eine leere Datenbank "
                "(geben Sie mit --db eine neue Datei an).",
                "the database already holds data; a build only loads into an empty database "
                "(give a new file with --db).",
            )


def register(app: typer.Typer) -> None:
    @app.command("demo")
    @handle_errors
    def demo(db: DbOption = None) -> None:
        """Jena-Demo aufbauen: Bezirke, Ortsteile, Stadtbezirksstatistik 2007–2017 / build the Jena demo."""
        from sozialmonitor.demo import JENA

        _build_config(JENA, db)

    @app.command("build")
    @handle_errors
    def build(
        config_dir: Annotated[
            Path,
            typer.Argument(exists=True, file_okay=False, help="Ordner mit city.yaml / folder with city.yaml"),
        ],
        db: DbOption = None,
    ) -> None:
        """Datenbank einer Stadt aus ihrem Konfigurationsordner aufbauen / build a city's database."""
        _build_config(config_dir, db)

    @app.command("example")
    @handle_errors
    def example(
        name: Annotated[str, typer.Argument(help="berlin-mss-2021 | berlin-lor")], db: DbOption = None
    ) -> None:
        """Mitgeliefertes Beispiel laden (berlin-mss-2021, berlin-lor) / load a bundled example."""
        from sozialmonitor.demo.berlin import build_berlin
        from sozialmonitor.examples import CITY_FOLDERS, EXAMPLES

        if name not in EXAMPLES:
            raise SozialmonitorError(
                f"Unbekanntes Beispiel {name!r}; vorhanden: {', '.join(EXAMPLES)}",
                f"unknown example {name!r}; available: {', '.join(EXAMPLES)}",
            )
        if name in CITY_FOLDERS:  # an ordinary city folder: built like any city
            _build_config(CITY_FOLDERS[name], db)
            return
        url = database_url(db)
        with progress_bar(name) as bar:
            n = _atomic_sqlite_build(url, lambda e: build_berlin(e, bar))
        out.print(f"{EXAMPLES[name]}: {n} Werte geladen in {url} / values loaded")


def _build_config(config_dir: Path, db: str | None) -> None:
    from sozialmonitor.demo.build import build_city

    url = database_url(db)
    with progress_bar("Aufbau / build") as bar:
        report = _atomic_sqlite_build(url, lambda e: build_city(config_dir, e, bar))
    assert isinstance(report, BuildReport)
    print_summary(report, url)


def print_summary(report: BuildReport, url: str) -> None:
    """A readable summary of the new database: units, observations and headline indicators."""
    from sozialmonitor.db.engine import make_engine, session_scope
    from sozialmonitor.demo.summary import headline

    out.print(f"[bold]{report.city}[/bold]: Datenbank {url}")
    out.print("Raumeinheiten / units: " + ", ".join(f"{k} {v}" for k, v in report.units.items()))
    out.print(
        f"Werte / observations: {report.observations} "
        f"(davon als geheim erkannte Nullen / zeros recognised as suppressed: {report.suppressed_zeros})"
    )
    with session_scope(make_engine(url)) as s:
        city, year, rows, top = headline(s)
    if rows:
        table = Table("Indikator", f"{city} {year}", title="Kennzahlen / headline indicators")
        for name, value in rows:
            table.add_row(name, value)
        out.print(table)
    if top and top[1]:
        t2 = Table("Rang", "Einheit", "Wert", title=top[0])
        for i, (unit, value) in enumerate(top[1], start=1):
            t2.add_row(str(i), unit, value)
        out.print(t2)
