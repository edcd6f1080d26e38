"""Writing the report in the requested formats into the output folder."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from sozialmonitor.errors import ConfigError, SozialmonitorError
from sozialmonitor.report.build import build_report
from sozialmonitor.report.html import render_html
from sozialmonitor.report.settings import FORMATS, ReportSettings


def file_stem(settings: ReportSettings) -> str:
    return (
        f"lebenslagenbericht_{settings.year}" if settings.lang == "de" else f"social_report_{settings.year}"
    )


def check_formats(formats: Sequence[str]) -> list[str]:
    wanted = [f.strip().lower() for f in formats if f.strip()]
    unknown = sorted(set(wanted) - set(FORMATS))
    if unknown or not wanted:
        raise ConfigError(
            f"Unbekanntes Format {', '.join(unknown) or '–'}; erlaubt: {', '.join(FORMATS)}",
            f"unknown format {', '.join(unknown) or '–'}; allowed: {', '.join(FORMATS)}",
        )
    return [f for f in FORMATS if f in wanted]


def write_report(
    session: Session,
    settings: ReportSettings,
    out: Path,
    formats: Sequence[str] = FORMATS,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Build the report once and write every requested format; returns the files by format."""
    wanted = check_formats(formats)
    say = progress or (lambda _msg: None)
    say("Daten / data")
    report = build_report(session, settings, today)
    out.mkdir(parents=True, exist_ok=True)
    stem = file_stem(settings)
    files: dict[str, Path] = {}
    html = render_html(report, settings.folder, settings.author)
    if "html" in wanted:
        files["html"] = out / f"{stem}.html"
        files["html"].write_text(html, encoding="utf-8")
    from sozialmonitor.report.pdf import write_pdf

    pdf_job = None
    if "pdf" in wanted:
        say("PDF")
        files["pdf"] = out / f"{stem}.pdf"
        if "docx" in wanted and "fork" in mp.get_all_start_methods():
            # PDF and DOCX are independent: the PDF is written by a second process meanwhile
            pdf_job = mp.get_context("fork").Process(
                target=write_pdf, args=(html, files["pdf"], settings.folder or out)
            )
            pdf_job.start()
        else:
            write_pdf(html, files["pdf"], settings.folder or out)
    if "docx" in wanted:
        say("DOCX")
        from sozialmonitor.report.docx import write_docx

        files["docx"] = out / f"{stem}.docx"
        try:
            write_docx(report, files["docx"])
        finally:
            if pdf_job is not None:
                pdf_job.join()
        if pdf_job is not None and pdf_job.exitcode != 0:
            raise SozialmonitorError(
                f"PDF konnte nicht geschrieben werden (Exit-Code {pdf_job.exitcode})",
                f"the PDF could not be written (exit code {pdf_job.exitcode})",
            )
    return files
