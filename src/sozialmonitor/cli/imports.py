"""`sozialmonitor import …`: boundaries, tables, register extracts; list, show and undo imports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from sozialmonitor.cli.common import DbOption, engine_for, handle_errors, out, progress_bar
from sozialmonitor.db.engine import session_scope
from sozialmonitor.db.models import ObservationChange, SpatialUnit, Variable
from sozialmonitor.errors import SozialmonitorError

import_app = typer.Typer(
    help="Daten importieren und Importe verwalten / import data and manage imports", no_args_is_help=True
)

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Datei / file")]
DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Nur prüfen und zeigen, was sich ändern würde / only validate and show what would change",
    ),
]
Level = Annotated[str, typer.Option("--level", help="Raumebene, z. B. statbez / spatial level")]


def _hash(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _date_option(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    from sozialmonitor.ingest.cells import parse_date

    parsed = parse_date(value, 1, 1) if not value.isdigit() else None  # 2021-01-01 or 01.01.2021, not 2021
    if parsed is None:
        raise SozialmonitorError(
            f"{option}: {value!r} ist kein Datum wie 2021-01-01 oder 01.01.2021",
            f"{option}: {value!r} is not a date such as 2021-01-01 or 01.01.2021",
        )
    return parsed


@import_app.command("geo")
@handle_errors
def import_geo(
    file: FileArg,
    level: Level,
    key_field: Annotated[str, typer.Option(help="Attribut mit dem Schlüssel / attribute holding the key")],
    name_field: Annotated[str | None, typer.Option(help="Attribut mit dem Namen / name attribute")] = None,
    parent_level: Annotated[
        str | None,
        typer.Option(
            help="Obere Ebene; ohne --parent-field per räumlicher Verschneidung / parent level (overlay)"
        ),
    ] = None,
    parent_field: Annotated[
        str | None, typer.Option(help="Attribut mit dem Schlüssel der Obereinheit")
    ] = None,
    valid_from: Annotated[str | None, typer.Option(help="Gültig ab (JJJJ-MM-TT) / valid from")] = None,
    complete: Annotated[
        bool,
        typer.Option(
            "--complete",
            help="Die Datei ist das ganze neue Raster der Ebene (Gebietsreform): fehlende Einheiten enden "
            "mit --valid-from / the file is the level's whole new grid: missing units end at --valid-from",
        ),
    ] = False,
    crs: Annotated[
        str | None,
        typer.Option(help="KBS der Datei, wenn sie keines oder ein falsches angibt, z. B. EPSG:25832 / CRS"),
    ] = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="ungültige Flächen reparieren / repair invalid polygons")
    ] = False,
    layer: Annotated[str | None, typer.Option(help="Ebene in GeoPackage / layer")] = None,
    dry_run: DryRun = False,
    db: DbOption = None,
) -> None:
    """Grenzen importieren (GeoJSON, GeoPackage, ZIP mit Shapefile; jedes KBS) / import boundaries."""
    from sozialmonitor.geo.read import read_boundaries
    from sozialmonitor.geo.units import import_boundaries

    engine = engine_for(db)
    gdf = read_boundaries(file, layer, crs)
    with session_scope(engine) as s:
        res = import_boundaries(
            s,
            gdf,
            file_name=file.name,
            file_hash=_hash(file),
            level_key=level,
            key_field=key_field,
            name_field=name_field,
            parent_level=parent_level,
            parent_field=parent_field,
            valid_from=_date_option(valid_from, "--valid-from"),
            complete=complete,
            repair=repair,
            dry_run=dry_run,
        )
        if dry_run:
            s.rollback()
    head = "Probelauf – nichts geschrieben" if dry_run else f"Import Nr. {res.import_id}"
    out.print(
        f"{head}: {len(res.inserted)} neu, {len(res.replaced)} neue Grenzen (alte Fassung bleibt "
        f"erhalten), {len(res.unchanged)} unverändert"
    )
    if res.closed:
        out.print(
            f"  {len(res.closed)} Einheiten enden am {valid_from} (nicht im neuen Raster), "
            f"{res.lineage} Herkunftsbeziehungen / {len(res.closed)} units end, {res.lineage} lineage links"
        )
    weak = {k: v for k, v in res.parent_shares.items() if v < 0.9}
    for key, share in sorted(weak.items()):
        out.print(
            f"  Hinweis: {key} liegt nur zu {share:.0%} in {res.parents[key]} / "
            f"note: {key} lies only {share:.0%} within {res.parents[key]}"
        )


@import_app.command("table")
@handle_errors
def import_table(
    file: FileArg,
    mapping: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="Zuordnungsdatei (YAML) / mapping")
    ],
    level: Level,
    dry_run: DryRun = False,
    db: DbOption = None,
) -> None:
    """Tabelle importieren (CSV, XLSX; breit oder lang) / import a table (CSV, XLSX; wide or long)."""
    from sozialmonitor.indicators.store import import_observations
    from sozialmonitor.ingest import load_mapping, read_table

    m = load_mapping(mapping)
    df = read_table(file, m)
    engine = engine_for(db)
    with session_scope(engine) as s:
        res = import_observations(
            s,
            df,
            level_key=level,
            file_name=file.name,
            file_hash=_hash(file),
            source=m.source,
            dry_run=dry_run,
            options={"mapping": mapping.name},
        )
    out.print(res.summary("de"))
    out.print(res.summary("en"), style="dim")
    if dry_run:
        _print_by_variable(res.by_variable)


def _print_by_variable(by_variable: dict[str, dict[str, int]]) -> None:
    table = Table("Variable", "neu / new", "geändert / changed", "unverändert / unchanged")
    for var, c in sorted(by_variable.items()):
        table.add_row(var, str(c["inserted"]), str(c["updated"]), str(c["unchanged"]))
    out.print(table)


@import_app.command("register")
@handle_errors
def import_register(
    file: FileArg,
    spec: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Beschreibung des Auszugs (YAML)")],
    level: Level,
    date: Annotated[str, typer.Option(help="Stichtag JJJJ-MM-TT / reference date")],
    dry_run: DryRun = False,
    db: DbOption = None,
) -> None:
    """Personenbezogenen Registerauszug (CSV/Parquet) zu Zählungen verdichten und importieren."""
    from sozialmonitor.indicators.store import import_observations
    from sozialmonitor.indicators.variables import upsert_variables
    from sozialmonitor.ingest.register import aggregate_register
    from sozialmonitor.ingest.register_spec import load_register_spec
    from sozialmonitor.ingest.register_variables import standardise, variable_items

    rspec = load_register_spec(spec)
    with progress_bar("Registerauszug verdichten / aggregating"):
        df = standardise(aggregate_register(file, rspec, dt.date.fromisoformat(date)))
    engine = engine_for(db)
    with session_scope(engine) as s:
        upsert_variables(s, variable_items(list(df["variable"].unique()), rspec.source))
        res = import_observations(
            s,
            df,
            level_key=level,
            file_name=file.name,
            file_hash=_hash(file),
            kind="register",
            source=rspec.source,
            dry_run=dry_run,
        )
    out.print(res.summary("de"))
    out.print(res.summary("en"), style="dim")


@import_app.command("list")
@handle_errors
def import_list(db: DbOption = None) -> None:
    """Alle Importe anzeigen / list all imports."""
    from sozialmonitor.indicators.store import list_imports

    engine = engine_for(db)
    table = Table("Nr.", "Art", "Datei", "Zeit", "Zeilen", "neu", "geändert", "unverändert", "Status")
    with session_scope(engine) as s:
        for r in list_imports(s):
            table.add_row(
                str(r.id),
                r.kind,
                r.file_name,
                f"{r.started_at:%d.%m.%Y %H:%M}",
                str(r.rows_read),
                str(r.inserted),
                str(r.updated),
                str(r.unchanged),
                "rückgängig" if r.status == "undone" else "aktiv",
            )
    out.print(table)


@import_app.command("show")
@handle_errors
def import_show(import_id: int, limit: int = 50, db: DbOption = None) -> None:
    """Zeigen, was ein Import geändert hat / show what an import changed."""
    engine = engine_for(db)
    with session_scope(engine) as s:
        units = {u.id: u.key for u in s.scalars(select(SpatialUnit))}
        variables = {v.id: v.key for v in s.scalars(select(Variable))}
        changes = s.scalars(
            select(ObservationChange)
            .where(ObservationChange.import_id == import_id, ObservationChange.action != "confirm")
            .limit(limit)
        ).all()
        if not changes:
            raise SozialmonitorError(
                f"Import Nr. {import_id} hat keine Werte geändert oder existiert nicht",
                f"import no. {import_id} changed no values or does not exist",
            )
        table = Table("Einheit", "Variable", "Stichtag", "Aktion", "alter Wert")
        for c in changes:
            table.add_row(
                units.get(c.unit_id, "?"),
                variables.get(c.variable_id, "?"),
                f"{c.ref_date:%d.%m.%Y}",
                "neu" if c.action == "insert" else "geändert",
                "" if c.action == "insert" else f"{c.old_value} ({c.old_status})",
            )
    out.print(table)


@import_app.command("undo")
@handle_errors
def import_undo(import_id: int, db: DbOption = None) -> None:
    """Einen Import rückgängig machen / undo an import."""
    from sozialmonitor.indicators.store import undo_import

    engine = engine_for(db)
    with session_scope(engine) as s:
        deleted, restored = undo_import(s, import_id)
    out.print(
        f"Import Nr. {import_id} rückgängig gemacht: {deleted} entfernt, {restored} wiederhergestellt / "
        f"undone: {deleted} removed, {restored} restored"
    )
