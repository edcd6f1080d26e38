"""``sozialmonitor index …`` – social indices on the command line.

Registered by the main app with ``app.add_typer(index_app, name="index")``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.examples import EXAMPLES, load_example
from sozialmonitor.indices.mss import MssResult, mss_index
from sozialmonitor.indices.social_index import DEFAULT_CONFIG, load_config, social_index

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
    _print_table(table, f"Sozialindex (MSS) – {EXAMPLES[example]}")


def _print_table(table: pd.DataFrame, title: str) -> None:
    rich_table = Table(title=title)
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


@index_app.command("social")
def social(
    config: Path = typer.Option(
        DEFAULT_CONFIG,
        "--config",
        exists=True,
        dir_okay=False,
        help="Index-Konfiguration (YAML) / index config",
    ),
    level: str | None = typer.Option(None, "--level", help="Raumebene (Standard: die feinste) / level"),
    year: int | None = typer.Option(
        None, "--year", help="Jahr (Standard: das letzte) / year (default: latest)"
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="csv | table"),
    db: str | None = typer.Option(None, "--db", help="Datenbank-URL / database URL"),
) -> None:
    """Sozialindex (MSS-Verfahren) aus den Daten der Datenbank / social index from the database."""
    from sozialmonitor.cli.common import engine_for
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.geo.units import finest_level, stable_units
    from sozialmonitor.indicators.service import indicator_table

    try:
        cfg = load_config(config)
        keys = sorted(set(cfg.status) | set(cfg.dynamics) | {cfg.population_indicator or ""} - {""})
        with session_scope(engine_for(db)) as s:
            level = level or finest_level(s)
            ind = indicator_table(s, level, indicators=keys)
        if ind.empty:
            raise SozialmonitorError(
                f"Keine Indikatorwerte auf Ebene {level!r}", f"no indicator values on level {level!r}"
            )
        dates = sorted({d for d in ind["ref_date"] if year is None or d.year == year})
        if not dates:
            raise SozialmonitorError(f"Keine Werte für {year}", f"no values for {year}")
        all_dates = sorted(d for d in set(ind["ref_date"]) if d <= dates[-1])
        base = all_dates[max(0, len(all_dates) - 1 - cfg.periods)]
        with session_scope(engine_for(db)) as s:
            stable = stable_units(s, level, base, dates[-1])
        # changes only for units whose boundaries did not change in between
        result = social_index(ind, cfg, ref_date=dates[-1], valid_units={base: stable, dates[-1]: stable})
    except SozialmonitorError as exc:
        typer.echo(f"{exc.de}\n{exc.en}", err=True)
        raise typer.Exit(1) from exc
    table = mss_table(result)
    if output_format is OutputFormat.csv:
        typer.echo(table.to_csv(index=False, float_format="%.2f", lineterminator="\n"), nl=False)
        return
    _print_table(table, f"{cfg.name} – {level}, {dates[-1]:%d.%m.%Y}")
