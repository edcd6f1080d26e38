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
from sozialmonitor.fmt import safe_frame
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
    example: str | None = typer.Option(
        None, "--example", help=f"Beispieldaten / example data set: {', '.join(EXAMPLES)}"
    ),
    data: Path | None = typer.Option(
        None,
        "--data",
        exists=True,
        dir_okay=False,
        help="eigene Daten: CSV mit einer Zeile je Einheit / own data: CSV, one row per unit",
    ),
    config: Path | None = typer.Option(
        None, "--config", exists=True, dir_okay=False, help="Index-Konfiguration (YAML) zu --data / config"
    ),
    unit_column: str | None = typer.Option(
        None, "--unit-column", help="Spalte mit dem Einheitenschlüssel (Standard: die erste) / unit column"
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="csv | table"),
) -> None:
    """Status-/Dynamikindex und Gesamtindex nach dem Berliner MSS-Verfahren.

    Status/dynamics index and Gesamtindex by the Berlin MSS method, for a bundled example or for your own
    data (`--data werte.csv --config index.yaml`; see docs/indicators.md).
    """
    try:
        if data is not None:
            if config is None:
                raise SozialmonitorError(
                    "--data braucht --config (Index-Konfiguration)", "--data needs --config (index config)"
                )
            result = own_data_index(data, config, unit_column)
            title = f"Sozialindex (MSS) – {data.name}"
        elif example is not None:
            ex = load_example(example)
            result = mss_index(ex.indicators, ex.config)
            title = f"Sozialindex (MSS) – {EXAMPLES[example]}"
        else:
            raise SozialmonitorError(
                "Bitte --example oder --data mit --config angeben",
                "please give --example or --data with --config",
            )
    except SozialmonitorError as exc:
        typer.echo(f"{exc.de}\n{exc.en}", err=True)
        raise typer.Exit(2) from exc
    table = mss_table(result)
    if output_format is OutputFormat.csv:
        typer.echo(safe_frame(table).to_csv(index=False, float_format="%.2f", lineterminator="\n"), nl=False)
        return
    _print_table(table, title)


def own_data_index(data: Path, config: Path, unit_column: str | None) -> MssResult:
    """The MSS index of a CSV with one row per unit: status columns, given dynamics columns, population."""
    from sozialmonitor.indices.social_index import load_config

    cfg = load_config(config)
    if cfg.dynamics and not cfg.dynamics_given:
        raise SozialmonitorError(
            f"{config}: aus einer CSV-Datei ohne Zeitreihe muss die Dynamik als Spalten gegeben sein "
            "(dynamics: {given: [D1, D3, D4]}) oder leer (dynamics: {indicators: []})",
            f"{config}: a CSV without time series needs the dynamics as given columns "
            "(dynamics: {given: [D1, D3, D4]}) or none (dynamics: {indicators: []})",
        )
    try:
        raw = pd.read_csv(data, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SozialmonitorError(f"{data}: nicht lesbar ({exc})", f"{data}: cannot be read ({exc})") from exc
    key = unit_column or str(raw.columns[0])
    needed = [key, *cfg.status, *cfg.dynamics_given]
    if cfg.population_indicator:
        needed.append(cfg.population_indicator)
    absent = [c for c in needed if c not in raw.columns]
    if absent:
        raise SozialmonitorError(
            f"{data}: Spalten fehlen: {', '.join(absent)} (vorhanden: {', '.join(map(str, raw.columns))})",
            f"{data}: columns missing: {', '.join(absent)} (present: {', '.join(map(str, raw.columns))})",
        )
    wide = pd.DataFrame(index=raw[key].astype(str).str.strip())
    for col in needed[1:]:
        text = raw[col].fillna("").str.strip()
        if text.str.contains(",", regex=False).any():  # German format: 1.234,5
            text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        values = pd.to_numeric(text.replace("", None), errors="coerce")
        bad = values.isna() & text.ne("")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise SozialmonitorError(
                f"{data}, Zeile {row + 2}, Spalte {col!r}: {raw[col].iloc[row]!r} ist keine Zahl",
                f"{data}, row {row + 2}, column {col!r}: {raw[col].iloc[row]!r} is not a number",
            )
        wide[col if col != cfg.population_indicator else "population"] = values.to_numpy()
    return mss_index(wide, cfg.mss)


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
    config: Path | None = typer.Option(
        None,
        "--config",
        exists=True,
        dir_okay=False,
        help="Index-Konfiguration (YAML; Standard: die der Stadt in der Datenbank) / index config "
        "(default: the city's, kept in the database)",
    ),
    level: str | None = typer.Option(None, "--level", help="Raumebene (Standard: die feinste) / level"),
    year: int | None = typer.Option(
        None, "--year", help="Jahr (Standard: das letzte) / year (default: latest)"
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", help="csv | table"),
    edition: str = typer.Option(
        "public",
        "--edition",
        help="public: aus den freigegebenen, geschützten Zahlen (wie Portal und Bericht); internal: aus den "
        "Rohzahlen / public: from the released, protected figures (as portal and report); internal: raw",
    ),
    db: str | None = typer.Option(None, "--db", help="Datenbank-URL / database URL"),
) -> None:
    """Sozialindex (MSS-Verfahren) aus den Daten der Datenbank / social index from the database.

    The same computation as the portal and the report (the city's configuration, changes only for units
    whose boundaries stayed the same); by default from the released figures, exactly as the public sees it.
    """
    from sozialmonitor.cli.common import engine_for
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.geo.units import finest_level
    from sozialmonitor.publication.social_index import city_index_config, compute_city_index

    try:
        if edition not in ("public", "internal"):
            raise SozialmonitorError(
                f"Ausgabe {edition!r}: erwartet public oder internal",
                f"edition {edition!r}: expected public or internal",
            )
        with session_scope(engine_for(db)) as s:
            level = level or finest_level(s)
            cfg = city_index_config(s, config)
            index = compute_city_index(s, level, year, cfg, public=edition == "public")
    except SozialmonitorError as exc:
        typer.echo(f"{exc.de}\n{exc.en}", err=True)
        raise typer.Exit(1) from exc
    table = mss_table(index.result)
    if output_format is OutputFormat.csv:
        typer.echo(safe_frame(table).to_csv(index=False, float_format="%.2f", lineterminator="\n"), nl=False)
        return
    _print_table(table, f"{cfg.name_de or cfg.name} – {level}, {index.ref_date:%d.%m.%Y}")
