"""`sozialmonitor report`: the Lebenslagenbericht (PDF, HTML, DOCX), the report folder, the interviews."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from sozialmonitor.cli.common import DbOption, engine_for, err, handle_errors, out
from sozialmonitor.errors import ConfigError

report_app = typer.Typer(
    help="Lebenslagenbericht als PDF, HTML und DOCX / the social situation report",
    invoke_without_command=True,
)
interviews_app = typer.Typer(help="Qualitative Interviews / qualitative interviews", no_args_is_help=True)
report_app.add_typer(interviews_app, name="interviews")


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ConfigError(f"Datum {value!r}: erwartet TT.MM.JJJJ", f"date {value!r}: expected YYYY-MM-DD")


@report_app.callback()
@handle_errors
def report(
    ctx: typer.Context,
    year: int | None = typer.Option(
        None,
        "--year",
        help="Berichtsjahr (Standard: das letzte freigegebene bzw. intern das letzte Jahr mit Daten) "
        "/ report year (default: the latest released year, internal: the latest year with data)",
    ),
    compare_year: int | None = typer.Option(
        None, "--compare-year", help="Vergleichsjahr (Standard: 5 Jahre davor) / comparison year"
    ),
    out_dir: Path | None = typer.Option(
        None, "--out", help="Ausgabeordner (Standard: bericht_JAHR) / output folder (default: bericht_YEAR)"
    ),
    formats: str = typer.Option("pdf,html,docx", "--format", help="pdf,html,docx"),
    folder: Path | None = typer.Option(
        None,
        "--folder",
        help="Berichtsordner mit eigenen Texten und Vorlagen (Standard: --out, falls dort bericht.yaml "
        "liegt) "
        "/ report folder with own texts and templates",
    ),
    level: str | None = typer.Option(None, "--level", help="Raumebene der Bezirke / district level"),
    lang: str = typer.Option("de", "--lang", help="Sprache der festen Texte: de | en / language"),
    report_date: str | None = typer.Option(
        None, "--date", help="Stand des Berichts (Standard: heute) / date"
    ),
    sources: list[Path] = typer.Option(
        [], "--sources", exists=True, dir_okay=False, help="Quellen- und Lizenztext (Markdown) / sources text"
    ),
    index_config: Path | None = typer.Option(
        None,
        "--index-config",
        exists=True,
        dir_okay=False,
        help="andere Sozialindex-Konfiguration (nur intern) / another index config (internal only)",
    ),
    edition: str = typer.Option(
        "public",
        "--edition",
        help="public: nur freigegebene, geschützte Zahlen; internal: Rohzahlen, „Nur für den "
        "Dienstgebrauch“ / public: released, protected figures only; internal: raw figures",
    ),
    db: DbOption = None,
) -> None:
    """Lebenslagenbericht schreiben: `sozialmonitor report` (letztes freigegebenes Jahr, Ordner bericht_JAHR)
    oder `sozialmonitor report --year 2017 --out bericht/`.

    Write the report: chapters where data exist, maps, charts, tables, generated text, district profiles,
    social index, interviews, methodology, glossary, sources.
    """
    if ctx.invoked_subcommand is not None:
        return
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.report.data import latest_year
    from sozialmonitor.report.settings import SETTINGS_FILE, IndexSpec, ReportSettings, load_folder_settings
    from sozialmonitor.report.write import check_formats, write_report

    engine = engine_for(db)
    if year is None:
        with session_scope(engine) as s:
            year = latest_year(s, edition)
        err.print(f"Berichtsjahr / report year: {year}")
    if out_dir is None:
        out_dir = Path(f"bericht_{year}")
    if lang not in ("de", "en"):
        raise ConfigError(f"Sprache {lang!r}: erwartet de oder en", f"language {lang!r}: expected de or en")
    wanted = check_formats(formats.split(","))
    settings = ReportSettings(
        year=year,
        compare_year=compare_year,
        level=level,
        lang=lang,
        report_date=_date(report_date),
        sources=tuple(p.resolve() for p in sources),
        edition=edition,
        index=IndexSpec(config=index_config),
    )
    if folder is None and (out_dir / SETTINGS_FILE).is_file():
        folder = out_dir
    if folder is not None:
        settings = load_folder_settings(folder, settings)
    with session_scope(engine) as s:
        files = write_report(s, settings, out_dir, wanted, progress=lambda m: err.print(f"… {m}"))
    for fmt, path in files.items():
        out.print(f"{fmt.upper()}: {path}")


@report_app.command("init")
@handle_errors
def init(
    folder: Path = typer.Argument(..., help="Berichtsordner / report folder"),
    sources: list[Path] = typer.Option(
        [],
        "--sources",
        exists=True,
        dir_okay=False,
        help="Quellen- und Lizenztext kopieren / copy sources text",
    ),
) -> None:
    """Berichtsordner anlegen (eigene Texte je Kapitel, Vorlagen, Pseudonymliste); Vorhandenes bleibt.

    Create the report folder (own texts per chapter, templates, pseudonym list); existing files are kept.
    """
    from sozialmonitor.report.texts import init_folder

    created = init_folder(folder)
    for src in sources:
        target = folder / src.name
        if not target.exists():
            target.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
            created.append(target)
    for path in created:
        out.print(f"angelegt / created: {path}")
    if not created:
        out.print("Nichts zu tun: alle Dateien sind schon da. / Nothing to do: all files exist.")


@interviews_app.command("import")
@handle_errors
def interviews_import(
    transcripts: list[Path] = typer.Argument(
        None, exists=True, dir_okay=False, help="Transkripte (.txt, .md) / transcripts"
    ),
    codings: Path | None = typer.Option(
        None,
        "--codings",
        exists=True,
        dir_okay=False,
        help="Codierungen (CSV: document, code, begin, end, text)",
    ),
    group: str | None = typer.Option(None, "--gruppe", "--group", help="Zielgruppe / target group"),
    folder: Path | None = typer.Option(
        None, "--folder", help="Berichtsordner (Pseudonymliste) / report folder"
    ),
    db: DbOption = None,
) -> None:
    """Transkripte und Codierungen einlesen (pseudonymisiert) / import transcripts and codings."""
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.report.interviews import import_codings, import_transcripts
    from sozialmonitor.report.pseudonymise import Pseudonymiser

    pseudo = Pseudonymiser.from_folder(folder)
    with session_scope(engine_for(db)) as s:
        n = import_transcripts(s, list(transcripts or []), pseudo, group)
        if codings is not None:
            result = import_codings(s, codings, pseudo)
    out.print(f"Transkripte / transcripts: {n}")
    if codings is not None:
        out.print(
            f"Passagen / passages: {result.passages} in {result.interviews} Interviews, "
            f"für den Bericht markiert / marked: {result.marked}"
        )


@interviews_app.command("list")
@handle_errors
def interviews_list(db: DbOption = None) -> None:
    """Codierte Passagen mit Nummer auflisten / list coded passages with their id."""
    from sqlalchemy import select

    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.report.models import Interview, InterviewPassage

    with session_scope(engine_for(db)) as s:
        docs = {i.id: i.document for i in s.scalars(select(Interview)).all()}
        for p in s.scalars(select(InterviewPassage).order_by(InterviewPassage.id)).all():
            mark = "*" if p.for_report else " "
            code = f"{p.theme}\\{p.subcode}" if p.subcode else p.theme
            out.print(f"{p.id:>5} {mark} {docs[p.interview_id]} · {code} · {p.text[:70]}", markup=False)


@interviews_app.command("mark")
@handle_errors
def interviews_mark(
    ids: list[int] = typer.Argument(..., help="Nummern der Passagen / passage ids"),
    remove: bool = typer.Option(False, "--remove", help="Markierung entfernen / unmark"),
    db: DbOption = None,
) -> None:
    """Passagen als Zitat für den Bericht markieren / mark passages to be quoted in the report."""
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.report.interviews import mark_passages

    with session_scope(engine_for(db)) as s:
        n = mark_passages(s, ids, not remove)
    out.print(f"{n} Passagen {'entmarkiert' if remove else 'markiert'} / {n} passages updated")
