"""Word (DOCX) from the document tree, for planners who keep editing the report in Word.

Real headings (Heading 1/2, so Word's navigation and table of contents work), real tables with a header
row that repeats on every page, figures as PNG (rendered from the same SVG as in HTML/PDF with CairoSVG)
with their caption, the planner's Markdown blocks as paragraphs and lists.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table as DocxTable

from sozialmonitor.report.model import Chapter, Figure, Report, Section, Table
from sozialmonitor.report.texts import markdown_tokens

PX_PER_CM = 42  # about 107 dpi: sharp on screen, small files


def _png(svg: str, width_px: int) -> bytes:
    import cairosvg  # type: ignore[import-untyped]

    return bytes(cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width_px))


def _figure(doc: DocumentObject, fig: Figure) -> None:
    width = {"locator": 6.0, "map": 14.0}.get(fig.kind, 15.5)
    doc.add_picture(io.BytesIO(_png(fig.svg, int(width * PX_PER_CM))), width=Cm(width))
    if fig.kind != "locator":
        doc.add_paragraph(fig.caption, style="Caption")


def _repeat_header(table: DocxTable) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _table(doc: DocumentObject, t: Table) -> None:
    doc.add_paragraph(t.caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(t.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, num in zip(table.rows[0].cells, t.header, t.numeric, strict=True):
        cell.text = text
        run = cell.paragraphs[0].runs[0] if cell.paragraphs[0].runs else None
        if run is not None:
            run.bold = True
        if num:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(table)
    for row in t.rows:
        cells = table.add_row().cells
        for cell, text, num in zip(cells, row, t.numeric, strict=True):
            cell.text = text
            if num:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if t.note:
        doc.add_paragraph(t.note, style="Caption")


def _markdown(doc: DocumentObject, text: str, base_level: int = 2) -> None:
    """Headings, paragraphs and lists of a Markdown block (inline markup kept as bold/italic runs)."""
    tokens = markdown_tokens(text, shift=0)
    heading: int | None = None
    list_style: list[str] = []
    for tok in tokens:
        if tok.type == "heading_open":
            heading = int(tok.tag[1])
        elif tok.type == "heading_close":
            heading = None
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            list_style.append("List Bullet" if tok.type == "bullet_list_open" else "List Number")
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_style.pop()
        elif tok.type == "inline":
            if heading is not None:
                doc.add_heading(tok.content, level=min(heading + base_level, 9))
                continue
            para = doc.add_paragraph(style=list_style[-1] if list_style else None)
            bold = italic = False
            for child in tok.children or []:
                if child.type in ("strong_open", "strong_close"):
                    bold = child.type == "strong_open"
                elif child.type in ("em_open", "em_close"):
                    italic = child.type == "em_open"
                elif child.type in ("text", "code_inline"):
                    run = para.add_run(child.content)
                    run.bold, run.italic = bold, italic
                elif child.type in ("softbreak", "hardbreak"):
                    para.add_run(" ")


def _toc(doc: DocumentObject, title: str) -> None:
    doc.add_heading(title, level=1)
    para = doc.add_paragraph()
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), 'TOC \\o "1-1" \\h \\z \\u')
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "Verzeichnis: in Word mit F9 aktualisieren / update with F9"
    run.append(text)
    fld.append(run)
    para._p.append(fld)


def _section(doc: DocumentObject, s: Section) -> None:
    if s.page_break:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading(s.title, level=2)
    for p in s.paragraphs:
        doc.add_paragraph(p)
    for b in s.bullets:
        doc.add_paragraph(b, style="List Bullet")
    for f in s.figures:
        _figure(doc, f)
    for t in s.tables:
        _table(doc, t)
    for q in s.quotes:
        doc.add_paragraph(q.text, style="Quote")
        doc.add_paragraph(q.source, style="Caption")


def _chapter(doc: DocumentObject, ch: Chapter, report: Report) -> None:
    doc.add_heading(ch.title, level=1)
    for p in ch.paragraphs:
        doc.add_paragraph(p)
    for b in ch.bullets:
        doc.add_paragraph(b, style="List Bullet")
    for m in ch.missing:
        doc.add_paragraph(m, style="List Bullet")
    if ch.planner_markdown:
        doc.add_paragraph(report.labels["planner_text"], style="Intense Quote")
        _markdown(doc, ch.planner_markdown)
    for f in ch.figures:
        _figure(doc, f)
    tables = list(ch.tables)
    if ch.sections and tables:
        _table(doc, tables.pop(0))
    for s in ch.sections:
        _section(doc, s)
    for t in tables:
        _table(doc, t)
    for m in ch.extra_markdown:
        _markdown(doc, m)


def write_docx(report: Report, path: Path) -> None:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10)
    for section in doc.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.0)
        section.header.paragraphs[0].text = report.title
        if report.marking:
            section.header.add_paragraph().add_run(report.marking).bold = True
            section.footer.paragraphs[0].add_run(report.marking).bold = True
    doc.core_properties.title = report.title
    doc.core_properties.language = report.lang
    doc.add_heading(report.title, level=0)
    if report.marking:
        doc.add_paragraph().add_run(report.marking).bold = True
    doc.add_paragraph(report.subtitle)
    _toc(doc, report.labels["toc"])
    for ch in report.chapters:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _chapter(doc, ch, report)
    doc.save(str(path))
