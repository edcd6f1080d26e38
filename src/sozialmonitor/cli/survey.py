"""``sozialmonitor survey ...``: design-based estimates from survey files and the synthetic survey."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
import yaml
from rich.console import Console
from rich.table import Table

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.fmt import safe_frame
from sozialmonitor.survey.design import survey_design
from sozialmonitor.survey.io import read_survey
from sozialmonitor.survey.synthetic import synthetic_survey
from sozialmonitor.survey.tables import GERMAN_HEADERS, decimals_for, estimate_table, format_de
from sozialmonitor.survey.weighting import rake
from sozialmonitor.yamlfile import read_yaml

survey_app = typer.Typer(
    help="Befragungen auswerten: gewichtete Schätzer mit Standardfehler und Konfidenzintervall "
    "(survey statistics: weighted estimates with SE and CI).",
    no_args_is_help=True,
)


def _fail(err: SozialmonitorError) -> typer.Exit:
    typer.echo(f"Fehler: {err.de}\nError: {err.en}", err=True)
    return typer.Exit(code=2)


@survey_app.command("estimate")
def estimate_command(
    data: Annotated[Path, typer.Argument(help="Datei: CSV, XLSX oder SPSS .sav")],
    variable: Annotated[str, typer.Option("--variable", "-v", help="Auszuwertende Variable")],
    statistic: Annotated[str, typer.Option(help="mean | total | proportion | ratio")] = "mean",
    denominator: Annotated[str | None, typer.Option(help="Nenner für ratio")] = None,
    weight: Annotated[str | None, typer.Option(help="Gewichtsvariable")] = None,
    strata: Annotated[str | None, typer.Option(help="Schichtvariable")] = None,
    cluster: Annotated[list[str] | None, typer.Option(help="Clustervariable(n), je Stufe eine")] = None,
    fpc: Annotated[
        list[str] | None, typer.Option(help="fpc: Populationsgröße oder Auswahlsatz je Stufe")
    ] = None,
    domain: Annotated[str | None, typer.Option(help="Domänen (z. B. Planungsraum)")] = None,
    rake_margins: Annotated[
        Path | None, typer.Option("--rake", help="YAML mit Populationsrändern {variable: {stufe: anzahl}}")
    ] = None,
    level: Annotated[float, typer.Option(help="Konfidenzniveau")] = 0.95,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | xlsx")] = "table",
    out: Annotated[Path | None, typer.Option(help="Ausgabedatei (csv/xlsx)")] = None,
) -> None:
    """Schätzwert, Standardfehler, Konfidenzintervall, n und effektives n (je Domäne)."""
    try:
        frame = read_survey(data).data
        design = survey_design(frame, ids=cluster or None, strata=strata, weights=weight, fpc=fpc or None)
        note = ""
        if rake_margins is not None:
            margins = read_yaml(rake_margins)
            if not isinstance(margins, dict):
                raise SozialmonitorError(
                    f"{rake_margins}: erwartet {{variable: {{stufe: anzahl}}}}.",
                    f"{rake_margins}: expected {{variable: {{level: count}}}}.",
                )
            result = rake(design, margins)
            design = result.design
            note = result.report()
        table = estimate_table(design, variable, statistic, domain, denominator, level)
    except SozialmonitorError as err:
        raise _fail(err) from err
    german = table.rename(columns=GERMAN_HEADERS)
    german[GERMAN_HEADERS["publishable"]] = german[GERMAN_HEADERS["publishable"]].map(
        {True: "ja", False: "nein"}
    )
    german = safe_frame(german)  # domain names like "=HYPERLINK(…)" stay text in Excel
    if output_format == "table":
        _print_table(table, f"{statistic}: {variable}", note)
    elif output_format == "csv":
        text = german.to_csv(sep=";", decimal=",", index=False)
        if out is None:
            typer.echo("\ufeff" + text, nl=False)
        else:
            out.write_text(text, encoding="utf-8-sig")
    elif output_format == "xlsx":
        if out is None:
            raise _fail(SozialmonitorError("Für xlsx bitte --out angeben.", "xlsx needs --out."))
        german.to_excel(out, index=False)
    else:
        raise _fail(
            SozialmonitorError(
                f"Unbekanntes Format {output_format!r} (table, csv, xlsx).",
                f"Unknown format {output_format!r} (table, csv, xlsx).",
            )
        )


def _print_table(table: pd.DataFrame, title: str, note: str) -> None:
    console = Console(width=160)
    grid = Table(title=title, caption=note or None)
    for col in table.columns:
        grid.add_column(GERMAN_HEADERS[col], justify="left" if col in ("domain", "name") else "right")
    dec = decimals_for(table["estimate"])
    for _, row in table.iterrows():
        cells = []
        for col in table.columns:
            v = row[col]
            d = 1 if col in ("n_eff",) else (1 if col == "cv" else dec)
            if col == "cv":
                cells.append(format_de(float(v) * 100, 1) + " %")
            else:
                cells.append(format_de(v, d))
        grid.add_row(*cells)
    console.print(grid)


@survey_app.command("synthetic")
def synthetic_command(
    out: Annotated[Path, typer.Argument(help="CSV-Datei für die Antworten der Befragten")],
    seed: Annotated[int, typer.Option(help="Zufallsstartwert")] = 2024,
    population: Annotated[int, typer.Option(help="Personen im Register")] = 100_000,
    sample: Annotated[int, typer.Option(help="Angeschriebene Personen")] = 10_000,
    margins: Annotated[
        Path | None, typer.Option(help="YAML-Datei für die Registerränder (für --rake)")
    ] = None,
) -> None:
    """Synthetische Jena-ähnliche Befragung schreiben (CSV mit ; und Dezimalkomma)."""
    s = synthetic_survey(population, sample, seed)
    s.respondents.to_csv(out, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    if margins is not None:
        margins.write_text(yaml.safe_dump(s.margins, allow_unicode=True, sort_keys=False), encoding="utf-8")
    typer.echo(
        f"{len(s.respondents)} Antworten von {len(s.sample)} Angeschriebenen geschrieben: {out} "
        f"({len(s.respondents)} responses of {len(s.sample)} sampled)"
    )
