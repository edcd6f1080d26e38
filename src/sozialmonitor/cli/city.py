"""`sozialmonitor city check DIR`: a city folder checked before building (no database needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sozialmonitor.cli.common import err, handle_errors, out

city_app = typer.Typer(help="Stadtordner / city folder", no_args_is_help=True)


@city_app.command("check")
@handle_errors
def city_check(
    folder: Annotated[
        Path,
        typer.Argument(exists=True, file_okay=False, help="Ordner mit city.yaml / folder with city.yaml"),
    ],
) -> None:
    """Stadtordner prüfen, ohne eine Datenbank anzulegen / check a city folder without building it.

    Liest city.yaml, die Variablendatei, jede Grenzdatei und jede Tabelle mit ihrer Zuordnung und prüft,
    ob die Schlüssel der Tabellen Einheiten der Grenzdateien sind. Alle Fehler aller Dateien auf einmal.
    """
    from sozialmonitor.demo.check import check_city_folder

    result = check_city_folder(folder)
    if result.ok:
        units = ", ".join(f"{k} {v}" for k, v in result.units.items())
        out.print(
            f"Stadtordner in Ordnung / city folder OK: {len(result.files)} Dateien / files, "
            f"Einheiten / units: {units}, {result.observations} Werte / values"
        )
        return
    err.print(f"{len(result.messages)} Fehler / problems in {folder}:", highlight=False)
    for de, en in result.messages:
        err.print(f"- {de}", markup=False, highlight=False)
        if en:
            err.print(f"  {en}", markup=False, highlight=False)
    raise typer.Exit(2)


@city_app.command("init")
@handle_errors
def city_init(
    folder: Annotated[Path, typer.Argument(file_okay=False, help="neuer Stadtordner / new city folder")],
    geo: Annotated[
        list[Path],
        typer.Option(
            "--geo",
            exists=True,
            dir_okay=False,
            help="Grenzdatei (GeoJSON, .geojson.gz, GeoPackage, ZIP mit Shapefile), eine je Ebene / "
            "boundary file, one per level",
        ),
    ],
    table: Annotated[
        list[Path] | None,
        typer.Option(
            "--table",
            exists=True,
            dir_okay=False,
            help="Tabelle des Statistikamts (CSV, XLSX) / table (CSV, XLSX)",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Name der Stadt / city name")] = None,
    key: Annotated[str | None, typer.Option(help="Gemeindeschlüssel (AGS) / municipality key")] = None,
    crs: Annotated[
        str | None,
        typer.Option(help="KBS der Grenzdateien, falls nicht angegeben / CRS if the files lack one"),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="in einen nicht leeren Ordner schreiben / write into a non-empty folder"
        ),
    ] = False,
) -> None:
    """Stadtordner aus Grenzdateien und Tabellen anlegen / write a starting city folder.

    Erkennt Schlüssel- und Namensspalten, Kopfzeilen, Stichtage, Variablen und Summenzeilen und schreibt
    city.yaml, variables.yaml und je Tabelle eine Zuordnung mit Hinweisen („Bitte prüfen“). Detects key and
    name columns, header rows, dates, variables and totals rows; writes the folder with comments to check.
    """
    from sozialmonitor.demo.scaffold import init_city

    result = init_city(folder, geo, table or [], force=force, name=name, key=key, crs=crs)
    for text in result.de:
        out.print(text, markup=False, highlight=False)
    out.print()
    for text in result.en:
        out.print(text, markup=False, highlight=False)
    if result.unmatched_tables:
        files = ", ".join(result.unmatched_tables)
        err.print(
            f"Kein Schlüssel passt zu einer Grenzdatei: {files} – Ordner geschrieben, Zuordnung mit TODO.\n"
            f"No key matches a boundary file: {files} – folder written, mapping with a TODO.",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(2)
