"""``sozialmonitor index …`` – social indices on the command line.

Registered by the main app with ``app.add_typer(index_app, name="index")``.
"""

from __future__ import annotations

from enum import StrEnum

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.examples import EXAMPLES, load_example
from sozialmonitor.indices.mss import MssResult, mss_index

index_app = typer.Typer(
    help="Sozialindizes (MSS-Verfahren) berechnen / compute social indices (MSS method).",
    no_args_is_help=True,
)

MSS_COLUMNS: dict[str, str] = {
    "unit_key": "unit_key",
    "status_index": "status_index",
    "status_class": "status_class",
    "dynamics_index": "dynamics_index",
    "dynamics_class": "dynamics_class",
    "gesamtindex_label": "gesamtindex",
}


class OutputFormat(StrEnum):
    csv = "csv"
    table = "table"


def mss_table(result: MssResult) -> pd.DataFrame:
    """The printed table: unit key, status/dynamics index and class, Gesamtindex."""
    t = result.table.rename_axis("unit_key").reset_index()
    out = t[list(MSS_COLUMNS)].rename(columns=MSS_COLUMNS)
    out["status_index"] = out["status_index"].round(2)
    out["dynamics_index"] = out["dynamics_index"].round(2)
    return out


@index_app.command("mss")
def mss(
    example: str = typer.Option(
        ..., "--example", help=f"Beispieldaten / example data set: {', '.join(EXAMPLES)}"
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="csv | table"),
) -> None:
    """Status-/Dynamikindex und Gesamtindex nach dem Berliner MSS-Verfahren.

    Status/dynamics index and Gesamtindex by the Berlin MSS method.
    """
    try:
        ex = load_example(example)
    except SozialmonitorError as exc:
        typer.echo(f"{exc.de}\n{exc.en}", err=True)
        raise typer.Exit(2) from exc
    table = mss_table(mss_index(ex.indicators, ex.config))
    if output_format is OutputFormat.csv:
        typer.echo(table.to_csv(index=False, float_format="%.2f", lineterminator="\n"), nl=False)
        return
    rich_table = Table(title=f"Sozialindex (MSS) – {EXAMPLES[example]}")
    for header in ("Einheit", "Statusindex", "Statusklasse", "Dynamikindex", "Dynamikklasse", "Gesamtindex"):
        rich_table.add_column(
            header, justify="right" if header.endswith("index") and header != "Gesamtindex" else "left"
        )
    for row in table.to_dict("records"):
        rich_table.add_row(
            str(row["unit_key"]),
            _decimal(row["status_index"]),
            str(row["status_class"] or ""),
            _decimal(row["dynamics_index"]),
            str(row["dynamics_class"] or ""),
            str(row["gesamtindex"]),
        )
    Console(width=120).print(rich_table)


def _decimal(value: object) -> str:
    """``-0.33`` → ``"-0,33"``; empty for NaN."""
    if not isinstance(value, int | float) or value != value:
        return ""
    return f"{value:.2f}".replace(".", ",")
