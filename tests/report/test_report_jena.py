"""The Jena report 2017 as PDF, HTML and DOCX: chapters, TOC page numbers, profiles, figures, interviews."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from typer.testing import CliRunner

from sozialmonitor.cli.main import app
from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.fmt import number
from sozialmonitor.geo.units import units_frame
from sozialmonitor.indicators.service import indicator_table
from sozialmonitor.report.build import build_report
from sozialmonitor.report.html import render_html
from sozialmonitor.report.settings import TEMPLATE_DIR, TEXT_DIR
from sozialmonitor.report.texts import init_folder

from .conftest import ARTIFACTS, PLANNER_TEXT, BuiltReport

CHAPTERS = [
    "Zusammenfassung der wichtigsten Ergebnisse",
    "Demografische Entwicklung",
    "Arbeitsmarkt und Bezug von Sozialleistungen",
    "Wohnen",
    "Kinder- und Jugendhilfe",
    "Sozialindex (Status und Dynamik)",
    "Profile der Bezirke",
    "Qualitative Interviews",
    "Methodik",
    "Glossar der Indikatoren",
    "Datenquellen und Lizenzen",
]
NO_DATA = ["Private Verschuldung", "Bildung und Kinderbetreuung", "Gesundheit", "Migration"]
"""Chapters without public data. Migration: the share of foreign nationals is not published in the test
database and unemployed foreign nationals are withheld in every district (the source already hides their
small SGB II/III parts, so protection cannot publish the total without revealing them)."""


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ")).strip()


@pytest.fixture(scope="module")
def pages(jena_report: BuiltReport) -> list[str]:
    return [_norm(p.extract_text() or "") for p in PdfReader(jena_report.files["pdf"]).pages]


@pytest.fixture(scope="module")
def toc(pages: list[str]) -> dict[str, int]:
    """TOC entries → page number, read from the PDF's contents page."""
    entries = {}
    for title in CHAPTERS:
        m = re.search(re.escape(title) + r"[ .]*?(\d+)(?!\d)", pages[1])
        assert m, f"TOC entry {title!r} missing"
        entries[title] = int(m.group(1))
    return entries


def test_every_chapter_is_in_the_pdf_and_missing_themes_are_named(
    pages: list[str], toc: dict[str, int]
) -> None:
    assert pages[1].startswith("Inhalt")
    body = " ".join(pages[2:])
    for title in CHAPTERS:
        assert title in body
    summary = " ".join(pages[toc[CHAPTERS[0]] - 1 : toc[CHAPTERS[1]] - 1])
    assert "Kapitel ohne Daten" in summary
    for title in NO_DATA:
        assert title in summary, f"missing chapter {title!r} not named in the summary"
        assert title not in pages[1], f"chapter without data {title!r} must not be in the TOC"


def test_toc_page_numbers_are_right(pages: list[str], toc: dict[str, int]) -> None:
    assert list(toc.values()) == sorted(toc.values())
    for title, page in toc.items():
        # running header and chapter heading on the page the TOC names, not yet on the page before
        assert pages[page - 1].count(title) >= 2, f"{title!r} does not start on page {page}"
        assert page - 1 == 2 or pages[page - 2].count(title) < 2, f"{title!r} starts before page {page}"


def test_one_profile_page_per_district(
    jena_report: BuiltReport, pages: list[str], toc: dict[str, int]
) -> None:
    engine = make_engine(jena_report.url)
    with session_scope(engine) as s:
        units = units_frame(s, "statbez")
    districts = units[units["has_geometry"]]
    assert len(districts) == 41
    start, end = toc["Profile der Bezirke"], toc["Qualitative Interviews"]
    profile_pages = pages[start : end - 1]
    for key, name in zip(districts["unit_key"], districts["name"], strict=True):
        heading = _norm(f"{name} ({key})")
        hits = [i for i, p in enumerate(profile_pages) if heading in p]
        assert hits, f"no profile for {heading}"
    first = start + 1
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(first),
                "-l",
                str(first),
                "-singlefile",
                str(jena_report.files["pdf"]),
                str(ARTIFACTS / "profile"),
            ],
            check=True,
        )


def test_table_figures_match_the_database(
    jena_report: BuiltReport, pages: list[str], toc: dict[str, int]
) -> None:
    engine = make_engine(jena_report.url)
    with session_scope(engine) as s:
        city = indicator_table(s, "stadt", indicators=["residents", "unemployment_share"], years=[2017])
        dist = indicator_table(s, "statbez", indicators=["residents"], years=[2017])
    residents = float(city.loc[city["indicator"] == "residents", "value"].iloc[0])
    assert residents == 108722  # the published Jena total
    chapter = " ".join(pages[toc["Demografische Entwicklung"] - 1 : toc["Demografische Entwicklung"] + 1])
    assert number(residents, 0) in chapter
    share = float(city.loc[city["indicator"] == "unemployment_share", "value"].iloc[0])
    labour = pages[toc["Arbeitsmarkt und Bezug von Sozialleistungen"] - 1]
    assert f"{number(share, 1)} %" in labour
    biggest = dist.dropna(subset=["value"]).sort_values("value").iloc[-1]
    with session_scope(engine) as s:
        names = dict(
            zip(units_frame(s, "statbez")["unit_key"], units_frame(s, "statbez")["name"], strict=True)
        )
    heading = _norm(f"{names[biggest['unit_key']]} ({biggest['unit_key']})")
    profile = next(p for p in pages[toc["Profile der Bezirke"] :] if heading in p)
    assert f"{number(float(biggest['value']), 0)} Personen" in profile


def test_pdf_is_tagged_a4_with_embedded_fonts(jena_report: BuiltReport) -> None:
    reader = PdfReader(jena_report.files["pdf"])
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).startswith("de")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    fonts = {}
    for page in reader.pages[:4]:
        for font in page["/Resources"]["/Font"].values():
            f = font.get_object()
            desc = (
                f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in f
                else f["/FontDescriptor"]
            )
            fonts[str(f["/BaseFont"])] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts


def test_planner_text_and_interviews_with_pseudonyms(jena_report: BuiltReport, pages: list[str]) -> None:
    body = " ".join(pages)
    assert "Rückgang der Arbeitslosigkeit" in body
    assert "Anmerkung der Sozialplanung" in body
    assert "Am Monatsende reicht es oft nicht" in body  # a quote marked for the report
    assert "die Miete frisst die Hälfte" in body
    assert "Zum Arzt gehe ich nur noch" not in body  # coded, but not marked for the report
    for name in ("Sommer", "Krause", "Sonnenschein"):
        assert name not in body
        assert name not in jena_report.files["html"].read_text(encoding="utf-8")
    assert "Frau A." in body and "[Kita]" in body
    assert "2 Interviews berühren dieses Thema" in body  # Ökonomische Situation: both interviews


def test_docx_has_headings_tables_and_images(jena_report: BuiltReport) -> None:
    doc = Document(str(jena_report.files["docx"]))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    for title in CHAPTERS:
        assert title in headings
    assert len(doc.tables) > 60
    assert len(doc.inline_shapes) > 100
    cells = {c.text for t in doc.tables[:3] for row in t.rows for c in row.cells}
    assert "108.722" in cells
    text = " ".join(p.text for p in doc.paragraphs)
    assert "Rückgang der Arbeitslosigkeit" in text and "Sommer" not in text


def test_html_is_deterministic_and_templates_can_be_overridden(jena_report: BuiltReport) -> None:
    html = jena_report.files["html"].read_bytes()
    engine = make_engine(jena_report.url)
    with session_scope(engine) as s:
        again = build_report(s, jena_report.settings)
    assert render_html(again, jena_report.folder).encode("utf-8") == html
    assert b"01.03.2024" in html and html.count(b"2024") == html.count(b"01.03.2024")
    css = jena_report.folder / TEMPLATE_DIR / "bericht.css"
    css.write_text("/* Corporate Design der Stadt */ body { color: #123456; }", encoding="utf-8")
    try:
        assert "#123456" in render_html(again, jena_report.folder)
    finally:
        css.unlink()


def test_planner_texts_survive_init_and_regeneration(report_setup: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = report_setup
    assert init_folder(folder) == []  # nothing overwritten
    assert PLANNER_TEXT in (folder / TEXT_DIR / "arbeitsmarkt.md").read_text(encoding="utf-8")
    shutil.copytree(folder, tmp_path / "ordner")
    runner = CliRunner()
    args = [
        "report",
        "--year",
        "2017",
        "--compare-year",
        "2015",
        "--out",
        str(tmp_path / "ordner"),
        "--format",
        "html",
        "--date",
        "01.03.2024",
        "--db",
        url,
    ]
    for _ in range(2):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    html = (tmp_path / "ordner" / "lebenslagenbericht_2017.html").read_text(encoding="utf-8")
    assert "Rückgang der Arbeitslosigkeit" in html and "seit 2015" in html
    assert PLANNER_TEXT in (tmp_path / "ordner" / TEXT_DIR / "arbeitsmarkt.md").read_text(encoding="utf-8")


def test_cli_init_and_english_report(report_setup: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = report_setup
    runner = CliRunner()
    result = runner.invoke(app, ["report", "init", str(tmp_path / "neu")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "neu" / "bericht.yaml").is_file()
    assert (tmp_path / "neu" / TEXT_DIR / "zusammenfassung.md").is_file()
    result = runner.invoke(
        app,
        [
            "report",
            "--year",
            "2017",
            "--out",
            str(tmp_path / "en"),
            "--format",
            "html",
            "--lang",
            "en",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "en" / "social_report_2017.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Summary of key findings" in html and "Contents" in html
    result = runner.invoke(app, ["report", "--year", "1990", "--out", str(tmp_path / "x"), "--db", url])
    assert result.exit_code == 1
    assert "1990" in result.output
