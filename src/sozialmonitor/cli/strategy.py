"""``sozialmonitor strategy …`` – the poverty-prevention strategy: load/dump YAML, evaluate, edit, history.

Registered by the main app with ``app.add_typer(strategy_app, name="strategy")``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from sozialmonitor.cli.common import DbOption, engine_for, err, handle_errors, out
from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.fmt import number, safe_frame
from sozialmonitor.strategy.evaluation import STATUS_DE
from sozialmonitor.strategy.service import evaluate_strategy, results_frame
from sozialmonitor.strategy.spec import MEASURE_STATUSES, OUTPUT_KINDS
from sozialmonitor.strategy.store import (
    Change,
    history_frame,
    read_strategy,
    save_strategy,
    set_measure,
    set_output,
    set_target,
)
from sozialmonitor.strategy.yaml_io import dump_strategy, load_strategy

strategy_app = typer.Typer(
    help="Armutspräventionsstrategie: Ziele, Zielindikatoren, Maßnahmen, Evaluation / poverty-prevention "
    "strategy: goals, target indicators, measures, evaluation.",
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"


By = Annotated[
    str, typer.Option("--by", help="Wer ändert (für die Historie) / who makes the change (history)")
]
Comment = Annotated[
    str, typer.Option("--comment", help="Anlass, z. B. Ratsbeschluss / reason, e.g. decision")
]
Year = Annotated[
    int | None,
    typer.Option("--year", help="Daten bis zu diesem Jahr / data up to this year (Standard: alle)"),
]
Fmt = Annotated[OutputFormat, typer.Option("--format", help="table | csv")]


def _print_changes(changes: list[Change]) -> None:
    if not changes:
        out.print("Keine Änderungen. / No changes.")
        return
    out.print(
        f"{len(changes)} Felder geändert und in der Historie vermerkt. / {len(changes)} fields changed."
    )
    for c in changes[:20]:
        out.print(
            f"  {c.entity} {c.key} · {c.field}: {c.old or '–'} → {c.new or '–'}",
            markup=False,
            highlight=False,
        )
    if len(changes) > 20:
        out.print(f"  … und {len(changes) - 20} weitere / and {len(changes) - 20} more")


def _emit(df: pd.DataFrame, fmt: OutputFormat, title: str) -> None:
    if fmt == OutputFormat.csv:
        typer.echo(safe_frame(df).to_csv(index=False, float_format="%.4g", lineterminator="\n"), nl=False)
        return
    table = Table(title=title)
    for col in df.columns:
        table.add_column(str(col), overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*("–" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in row))
    out.print(table)


@strategy_app.command("load")
@handle_errors
def load(
    file: Annotated[Path, typer.Argument(help="Strategie als YAML / strategy YAML file")],
    by: By,
    comment: Comment = "",
    db: DbOption = None,
) -> None:
    """Strategie aus YAML laden; jede Änderung wird mit Name und Zeit in der Historie vermerkt.

    Load the strategy from YAML; every change is recorded with name and time in the history.
    """
    spec = load_strategy(file)
    with session_scope(engine_for(db)) as s:
        changes = save_strategy(s, spec, by=by, comment=comment or file.name)
    _print_changes(changes)


@strategy_app.command("dump")
@handle_errors
def dump(
    out_file: Annotated[Path | None, typer.Option("--out", help="Datei statt Standardausgabe / file")] = None,
    db: DbOption = None,
) -> None:
    """Gespeicherte Strategie als YAML ausgeben / write the stored strategy as YAML."""
    with session_scope(engine_for(db)) as s:
        spec = read_strategy(s)
    if not spec.goals and not spec.fields:
        raise SozialmonitorError(
            "Keine Strategie gespeichert (sozialmonitor strategy load DATEI)",
            "no strategy stored (sozialmonitor strategy load FILE)",
        )
    text = dump_strategy(spec)
    if out_file:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"geschrieben / written: {out_file}")
    else:
        typer.echo(text, nl=False)


@strategy_app.command("evaluate")
@handle_errors
def evaluate(year: Year = None, output_format: Fmt = OutputFormat.table, db: DbOption = None) -> None:
    """Zielerreichung je Zielindikator: erreicht / auf Kurs / nicht auf Kurs / keine Daten (docs/strategy.md).

    Goal attainment per target indicator: achieved / on track / off track / no data.
    """
    with session_scope(engine_for(db)) as s:
        df = results_frame(evaluate_strategy(s, eval_year=year))
    if df.empty:
        raise SozialmonitorError("Keine Zielindikatoren gespeichert", "no target indicators stored")
    if output_format == OutputFormat.csv:
        _emit(df, output_format, "")
        return
    view = pd.DataFrame(
        {
            "Ziel / Indikator": df["goal"] + " / " + df["target"],
            "Ebene": df["level"],
            "Basis": [_pair(v, y) for v, y in zip(df["baseline"], df["baseline_year"], strict=True)],
            "aktuell": [_pair(v, y) for v, y in zip(df["latest"], df["latest_year"], strict=True)],
            "Ziel (Jahr)": [_target(r) for r in df.to_dict("records")],
            "Status": df["status_de"],
            "Begründung": df["reason_de"],
        }
    )
    _emit(view, output_format, f"Zielerreichung / goal attainment{f' ({year})' if year else ''}")


def _pair(value: Any, year: Any) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{number(float(value), 2)} ({int(year)})"


def _target(row: dict[Any, Any]) -> str:
    if row["units"] > 1 or row["target_value"] is None or pd.isna(row["target_value"]):
        change = row["target_change"]
        what = f"{number(change, 2)} ggü. Basis" if change is not None and not pd.isna(change) else "–"
        reached = f"; erreicht {row['achieved']}/{row['units']}" if row["units"] else ""
        return f"{what} ({row['target_year']}){reached}"
    return f"{number(float(row['target_value']), 2)} ({row['target_year']})"


@strategy_app.command("history")
@handle_errors
def history(
    key: Annotated[
        str | None, typer.Option("--key", help="nur dieser Eintrag, z. B. kj-1 / only this key")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="höchstens so viele Zeilen / at most")] = 50,
    output_format: Fmt = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Historie der Änderungen (wer, wann, was, alt, neu) / history of changes (who, when, what, old, new)."""
    with session_scope(engine_for(db)) as s:
        df = history_frame(s, key).head(limit)
    _emit(df, output_format, "Historie / history")


@strategy_app.command("set-target")
@handle_errors
def set_target_cmd(
    target: Annotated[
        str, typer.Argument(help="ZIEL/ZIELINDIKATOR, z. B. kj-1/share_children_single_parents")
    ],
    by: By,
    target_value: Annotated[
        float | None, typer.Option("--target-value", help="Zielwert / target value")
    ] = None,
    target_year: Annotated[int | None, typer.Option("--target-year", help="Zieljahr / target year")] = None,
    baseline_value: Annotated[float | None, typer.Option("--baseline-value", help="Basiswert")] = None,
    baseline_year: Annotated[int | None, typer.Option("--baseline-year", help="Basisjahr")] = None,
    quorum: Annotated[
        float | None, typer.Option("--quorum", help="Anteil der Einheiten / share of units")
    ] = None,
    comment: Comment = "",
    db: DbOption = None,
) -> None:
    """Zielindikator ändern (mit Historie) / change a target indicator (with history)."""
    goal, _, key = target.partition("/")
    values: dict[str, Any] = {
        k: v
        for k, v in {
            "target_value": target_value,
            "target_year": target_year,
            "baseline_value": baseline_value,
            "baseline_year": baseline_year,
            "quorum": quorum,
        }.items()
        if v is not None
    }
    if target_value is not None:
        values["target_change"] = None  # a target value replaces a change from the baseline
    with session_scope(engine_for(db)) as s:
        changes = set_target(s, goal, key, by=by, comment=comment, **values)
        status = next(
            (r for r in evaluate_strategy(s).results if r.goal == goal and r.target.key == key), None
        )
    _print_changes(changes)
    if status is not None:
        out.print(f"Status jetzt / status now: {STATUS_DE[status.status]} – {status.reason_de}", markup=False)


@strategy_app.command("set-measure")
@handle_errors
def set_measure_cmd(
    measure: Annotated[str, typer.Argument(help="Schlüssel der Maßnahme / measure key")],
    by: By,
    status: Annotated[str | None, typer.Option("--status", help=" | ".join(MEASURE_STATUSES))] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Fortschrittsnotiz (heute) / progress note")
    ] = None,
    comment: Comment = "",
    db: DbOption = None,
) -> None:
    """Status einer Maßnahme ändern, Notiz hinzufügen (mit Historie) / set a measure's status, add a note."""
    values = {"status": status} if status else {}
    with session_scope(engine_for(db)) as s:
        changes = set_measure(s, measure, by=by, comment=comment, note=note, **values)
    _print_changes(changes)


@strategy_app.command("set-output")
@handle_errors
def set_output_cmd(
    measure: Annotated[str, typer.Argument(help="Schlüssel der Maßnahme / measure key")],
    year: Annotated[int, typer.Option("--year", help="Jahr / year")],
    kind: Annotated[str, typer.Option("--kind", help=" | ".join(OUTPUT_KINDS))],
    by: By,
    value: Annotated[
        float | None, typer.Option("--value", help="Anzahl; ohne: Eintrag löschen / count")
    ] = None,
    comment: Comment = "",
    db: DbOption = None,
) -> None:
    """Output-Zahl je Jahr erfassen (Teilnehmende, Angebote, Fälle) / record a measure's yearly output."""
    with session_scope(engine_for(db)) as s:
        changes = set_output(s, measure, year, kind, value, by=by, comment=comment)
    _print_changes(changes)


@strategy_app.command("report")
@handle_errors
def report(
    out_file: Annotated[Path, typer.Option("--out", help="Datei .html oder .pdf / file .html or .pdf")],
    year: Year = None,
    field: Annotated[str | None, typer.Option("--field", help="nur ein Handlungsfeld / one field")] = None,
    db: DbOption = None,
) -> None:
    """Evaluationsbericht je Handlungsfeld (HTML oder PDF) / evaluation report per action field."""
    from sozialmonitor.strategy.report import render_report

    suffix = out_file.suffix.lower()
    if suffix not in (".html", ".pdf"):
        raise SozialmonitorError(
            f"Dateiendung {suffix!r}: erwartet .html oder .pdf",
            f"file suffix {suffix!r}: expected .html or .pdf",
        )
    with session_scope(engine_for(db)) as s:
        html = render_report(evaluate_strategy(s, eval_year=year), field=field)
    if suffix == ".pdf":
        from sozialmonitor.report.pdf import write_pdf

        write_pdf(html, out_file, out_file.parent)
    else:
        out_file.write_text(html, encoding="utf-8")
    out.print(f"geschrieben / written: {out_file}")
