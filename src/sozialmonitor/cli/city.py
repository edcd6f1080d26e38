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
