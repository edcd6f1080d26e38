"""`sozialmonitor export …`, `variables …`, `units …`, `catalogue …`: reading data out of the store."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table
from sqlalchemy.orm import Session

from sozialmonitor.cli.common import DbOption, engine_for, err, handle_errors, out
from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.indicators.export import NUMBER_COLUMNS, check_format, excel_csv, xlsx_bytes
from sozialmonitor.stats.indicators import rows_with_dates

export_app = typer.Typer(
    help="Daten exportieren (Excel-taugliches CSV, XLSX) / export data", no_args_is_help=True
)
variables_app = typer.Typer(help="Variablen / variables", no_args_is_help=True)
units_app = typer.Typer(help="Raumeinheiten / spatial units", no_args_is_help=True)
catalogue_app = typer.Typer(help="Indikatorenkatalog / indicator catalogue", no_args_is_help=True)

Format = Annotated[str, typer.Option("--format", help="csv | xlsx")]
Lang = Annotated[str, typer.Option("--lang", help="de | en (Spaltenköpfe / column headers)")]
DecimalComma = Annotated[
    bool, typer.Option("--decimal-comma/--decimal-point", help="Dezimalkomma (Excel deutsch) oder -punkt")
]
OutFile = Annotated[
    Path | None, typer.Option("--out", help="Datei statt Standardausgabe / file instead of stdout")
]


def write_table(
    df: pd.DataFrame,
    fmt: str,
    out_file: Path | None,
    decimal_comma: bool,
    lang: str,
    number_columns: tuple[str, ...] = NUMBER_COLUMNS,
) -> None:
    """CSV for Excel: UTF-8 with BOM, ';' separator, optional decimal comma, dates as TT.MM.JJJJ (de)."""
    check_format(fmt)
    if fmt == "xlsx":
        if out_file is None:
            raise SozialmonitorError("Für XLSX bitte --out DATEI angeben", "for XLSX give --out FILE")
        out_file.write_bytes(xlsx_bytes(df, lang))
        return
    data = excel_csv(df, decimal_comma, lang, number_columns)
    if out_file:
        out_file.write_text(data, encoding="utf-8", newline="")
    else:  # bytes, so that Windows line ends and the BOM reach the file unchanged
        sys.stdout.flush()
        sys.stdout.buffer.write(data.encode("utf-8"))
        sys.stdout.buffer.flush()


def _years(year: list[int] | None) -> list[int] | None:
    return list(year) if year else None


@export_app.command("observations")
@handle_errors
def export_observations(
    variable: Annotated[
        list[str] | None, typer.Option("--variable", help="Variable (mehrfach möglich)")
    ] = None,
    year: Annotated[list[int] | None, typer.Option("--year", help="Jahr (mehrfach möglich)")] = None,
    level: Annotated[str | None, typer.Option(help="Raumebene / level")] = None,
    fmt: Format = "csv",
    decimal_comma: DecimalComma = True,
    lang: Lang = "de",
    out_file: OutFile = None,
    db: DbOption = None,
) -> None:
    """Beobachtungen exportieren / export observations."""
    from sozialmonitor.geo.units import units_frame
    from sozialmonitor.indicators.store import observations_frame

    with session_scope(engine_for(db)) as s:
        df = observations_frame(s, variables=variable, level_key=level, years=_years(year))
        names = units_frame(s)[["level", "unit_key", "name"]]
    if df.empty:
        raise SozialmonitorError(
            "Keine Beobachtungen für diese Auswahl (Beobachtungen gibt es nur auf den Ebenen, auf die "
            "importiert wurde; Summen für höhere Ebenen liefert `export indicators --level …`)",
            "no observations for this selection (observations exist only on the levels data were imported "
            "to; sums for higher levels: `export indicators --level …`)",
        )
    df = df.merge(names, on=["level", "unit_key"], how="left")
    write_table(
        df[["level", "unit_key", "name", "ref_date", "variable", "value", "status", "source"]],
        fmt,
        out_file,
        decimal_comma,
        lang,
    )


@export_app.command("indicators")
@handle_errors
def export_indicators(
    indicator: Annotated[
        list[str] | None, typer.Option("--indicator", help="Indikator (mehrfach möglich)")
    ] = None,
    year: Annotated[list[int] | None, typer.Option("--year", help="Jahr (mehrfach möglich)")] = None,
    level: Annotated[
        str | None, typer.Option(help="Raumebene (Standard: die feinste) / level (default: finest)")
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Referenzebene (z. B. stadt): Referenzwert, Abweichung und Rang ergänzen / "
            "add reference value, deviation and rank",
        ),
    ] = None,
    fmt: Format = "csv",
    decimal_comma: DecimalComma = True,
    lang: Lang = "de",
    out_file: OutFile = None,
    db: DbOption = None,
) -> None:
    """Indikatoren berechnen und exportieren / compute and export indicators."""
    from sozialmonitor.geo.units import finest_level, units_frame
    from sozialmonitor.indicators.catalogue import load_catalogue
    from sozialmonitor.indicators.service import indicator_table
    from sozialmonitor.stats.indicators import compare_to_reference

    cat = load_catalogue()
    columns = [
        "unit_key",
        "name",
        "ref_date",
        "indicator",
        "value",
        "unit",
        "status",
        "numerator",
        "denominator",
        "flag_small",
    ]
    with session_scope(engine_for(db)) as s:
        level = level or finest_level(s)
        df = indicator_table(s, level, indicators=indicator, years=_years(year), catalogue=cat)
        names = units_frame(s, level)[["unit_key", "name"]]
        if compare and not df.empty:
            ref = indicator_table(
                s, compare, indicators=sorted(set(df["indicator"])), years=_years(year), catalogue=cat
            )
            if ref["unit_key"].nunique() != 1:
                raise SozialmonitorError(
                    f"Referenzebene {compare!r} muss genau eine Einheit haben",
                    f"reference level {compare!r} must have exactly one unit",
                )
            df = compare_to_reference(df, ref)
            columns += ["reference", "deviation_abs", "deviation_rel", "rank", "n_ranked"]
    if df.empty:
        raise SozialmonitorError(
            "Keine Indikatorwerte für diese Auswahl", "no indicator values for this selection"
        )
    df = df.merge(names, on="unit_key", how="left")
    decimals = {k: cat.get(k).decimals for k in set(df["indicator"])}
    for col in ("value", "reference", "deviation_abs", "deviation_rel"):
        if col in df:
            df[col] = [
                round(v, decimals[k]) if v == v else v for k, v in zip(df["indicator"], df[col], strict=True)
            ]
    df["unit"] = [cat.get(k).unit for k in df["indicator"]]
    write_table(
        df[columns],
        fmt,
        out_file,
        decimal_comma,
        lang,
        number_columns=("value", "numerator", "denominator", "reference", "deviation_abs", "deviation_rel"),
    )


@variables_app.command("load")
@handle_errors
def variables_load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)], db: DbOption = None
) -> None:
    """Variablen aus einer YAML-Datei anlegen oder aktualisieren / create or update variables from YAML."""
    from sozialmonitor.indicators.variables import load_variables_file, upsert_variables

    items = load_variables_file(file)
    with session_scope(engine_for(db)) as s:
        created = upsert_variables(s, items)
    out.print(f"{len(items)} Variablen gelesen, {created} neu / {len(items)} variables read, {created} new")


@variables_app.command("list")
@handle_errors
def variables_list(db: DbOption = None) -> None:
    """Variablen anzeigen / list variables."""
    from sqlalchemy import select

    from sozialmonitor.db.models import Variable

    table = Table("Schlüssel", "Name", "Einheit", "Thema", "Quelle")
    with session_scope(engine_for(db)) as s:
        for v in s.scalars(select(Variable).order_by(Variable.key)):
            table.add_row(v.key, v.name_de, v.unit, v.theme or "", v.source or "")
    out.print(table)


@units_app.command("list")
@handle_errors
def units_list(
    level: Annotated[str | None, typer.Option(help="Raumebene / level")] = None, db: DbOption = None
) -> None:
    """Raumeinheiten mit Obereinheit und Fläche anzeigen / list spatial units."""
    from sozialmonitor.fmt import number
    from sozialmonitor.geo.units import units_frame

    with session_scope(engine_for(db)) as s:
        df = units_frame(s, level)
    table = Table("Ebene", "Schlüssel", "Name", "Obereinheit", "Fläche (km²)")
    rows: list[dict[str, Any]] = df.to_dict("records")  # type: ignore[assignment]
    for r in rows:
        area_m2 = r["area_m2"]
        area = number(area_m2 / 1e6, 2) if area_m2 == area_m2 and area_m2 else "–"
        parent = f"{r['parent_level'] or ''} {r['parent_key'] or ''}".strip()
        table.add_row(str(r["level"]), str(r["unit_key"]), str(r["name"]), parent, area)
    out.print(table)


@catalogue_app.command("list")
@handle_errors
def catalogue_list(lang: Lang = "de") -> None:
    """Indikatoren des Katalogs anzeigen / list the catalogue's indicators."""
    from sozialmonitor.indicators.catalogue import load_catalogue

    cat = load_catalogue()
    table = Table("Schlüssel", "Name", "Thema", "Einheit", "Polarität", "Zähler / Nenner")
    for d in cat:
        table.add_row(
            d.key,
            d.name(lang),
            cat.themes[d.theme].name_de if lang == "de" else cat.themes[d.theme].name_en,
            d.unit,
            d.polarity,
            f"{' + '.join(d.numerator)} / {' + '.join(d.denominator) or '–'}",
        )
    out.print(table)


def _indicators_on_grid(
    session: Session, level: str, defs: list[Any], to_year: int, weight_variable: str | None
) -> pd.DataFrame:
    from sozialmonitor.indicators.service import observations_on_grid
    from sozialmonitor.stats.indicators import compute_indicators

    variables = sorted({v for d in defs for v in d.variables})
    obs = observations_on_grid(
        session, level, variables, at=dt.date(to_year, 12, 31), weight_variable=weight_variable
    )
    if obs.empty:
        return obs
    return compute_indicators(obs, defs)


@export_app.command("changes")
@handle_errors
def export_changes(
    indicator: Annotated[list[str], typer.Option("--indicator", help="Indikator (mehrfach möglich)")],
    from_year: Annotated[int, typer.Option("--from", help="Basisjahr / base year")],
    to_year: Annotated[int, typer.Option("--to", help="Vergleichsjahr / comparison year")],
    level: Annotated[
        str | None, typer.Option(help="Raumebene (Standard: die feinste) / level (default: finest)")
    ] = None,
    across_reforms: Annotated[
        bool,
        typer.Option(
            "--across-reforms",
            help="Werte vor einer Gebietsreform auf die Einheiten des Vergleichsjahres umrechnen "
            "(geschätzt) / carry values from before a boundary reform onto the comparison year's units",
        ),
    ] = False,
    weight_variable: Annotated[
        str | None,
        typer.Option(
            help="mit --across-reforms: nach dieser Variable gewichten statt nach Fläche, z. B. "
            "residents_main / weight by this variable instead of area",
        ),
    ] = None,
    fmt: Format = "csv",
    decimal_comma: DecimalComma = True,
    lang: Lang = "de",
    out_file: OutFile = None,
    db: DbOption = None,
) -> None:
    """Veränderung zwischen zwei Jahren (Bilanzierung) / change between two years.

    Nur Einheiten mit unveränderten Grenzen und gültigen Werten in beiden Jahren; die übrigen werden mit
    Grund genannt. Mit --across-reforms werden Zählwerte über eine Gebietsreform hinweg auf die Einheiten
    des Vergleichsjahres umgerechnet (Status geschätzt). Only units with unchanged boundaries and valid
    values in both years (or, with --across-reforms, counts carried over a boundary reform).
    """
    from sozialmonitor.geo.units import finest_level, stable_units, units_frame
    from sozialmonitor.indicators.catalogue import load_catalogue
    from sozialmonitor.indicators.service import indicator_table
    from sozialmonitor.stats.timeseries import change

    cat = load_catalogue()
    if weight_variable and not across_reforms:
        raise SozialmonitorError(
            "--weight-variable gilt nur mit --across-reforms", "--weight-variable needs --across-reforms"
        )
    with session_scope(engine_for(db)) as s:
        level = level or finest_level(s)
        if across_reforms:
            ind = _indicators_on_grid(s, level, [cat.get(k) for k in indicator], to_year, weight_variable)
            ind = rows_with_dates(ind, lambda d: d.year in (from_year, to_year))
        else:
            ind = indicator_table(s, level, indicators=indicator, years=[from_year, to_year], catalogue=cat)
        if ind.empty or {d.year for d in ind["ref_date"]} != {from_year, to_year}:
            raise SozialmonitorError(
                f"Für {from_year} und {to_year} liegen nicht beide Werte vor",
                f"values for both {from_year} and {to_year} are needed",
            )
        base, end = min(ind["ref_date"]), max(ind["ref_date"])
        stable = set(ind["unit_key"]) if across_reforms else stable_units(s, level, base, end)
        names = units_frame(s, level)[["unit_key", "name"]]
    result = change(ind, periods=1, valid_units={base: stable, end: stable})
    reasons = {
        "not_valid": ("Grenze geändert", "boundary changed"),
        "no_value": (f"kein gültiger Wert {to_year}", f"no valid value {to_year}"),
        "no_base_value": (f"kein gültiger Wert {from_year}", f"no valid value {from_year}"),
    }
    excluded = result.excluded
    if not across_reforms and not excluded.empty and (excluded["reason"] == "not_valid").all():
        err.print(
            "Hinweis: Die Grenzen haben sich geändert; mit --across-reforms werden die Werte umgerechnet. / "
            "Note: the boundaries changed; --across-reforms carries the values over.",
            highlight=False,
        )
    if not excluded.empty:
        err.print(f"{len(excluded)} Werte ohne Veränderung / values without change:", highlight=False)
        for r in excluded.merge(names, on="unit_key", how="left").to_dict("records"):
            de, en = reasons.get(str(r["reason"]), (str(r["reason"]), str(r["reason"])))
            err.print(f"  {r['unit_key']} {r['name']} ({r['indicator']}): {de} / {en}", highlight=False)
    table = result.table.merge(names, on="unit_key", how="left")
    table = table.rename(columns={"base_value": "value_from", "value": "value_to"})
    decimals = {k: cat.get(k).decimals for k in set(table["indicator"])}
    for col in ("value_from", "value_to", "change_abs", "change_rel"):
        table[col] = [round(v, decimals[k]) for k, v in zip(table["indicator"], table[col], strict=True)]
    columns = [
        "unit_key",
        "name",
        "indicator",
        "value_from",
        "value_to",
        "change_abs",
        "change_rel",
        "status",
    ]
    write_table(
        table[columns],
        fmt,
        out_file,
        decimal_comma,
        lang,
        number_columns=("value_from", "value_to", "change_abs", "change_rel"),
    )
