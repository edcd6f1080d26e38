"""Qualitative interviews: import of transcripts and codings, marking quotes, the report's chapter.

Transcripts are text or Markdown files, one per interview; the file name (without extension) is the
document name the QDA tool uses. Optional front matter names the target group and the date::

    ---
    gruppe: Alleinerziehende
    datum: 2023-05-04
    ---

Codings come as CSV in the export shape of common QDA tools: ``document, code, begin, end, text`` (German
headers ``Dokument, Code, Anfang, Ende, Segment`` are accepted too), optionally a column ``report``
(``ja``/``1``/``x``) marking passages to quote. A code ``Wohnen\\Mietbelastung`` (also ``/``, ``::``, ``>``)
is theme ``Wohnen`` with sub-code ``Mietbelastung``. Everything is validated before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sozialmonitor.errors import ImportValidationError, NotFoundError, Problem
from sozialmonitor.ingest.decode import decode_bytes
from sozialmonitor.report.model import Chapter, Quote, Section, Table
from sozialmonitor.report.models import Interview, InterviewPassage
from sozialmonitor.report.pseudonymise import Pseudonymiser

HANDLUNGSFELDER = {
    "steuerung": ("Steuerung, Planung und Information", "Steering, planning and information"),
    "oekonomie_arbeit": ("Ökonomische Situation und Arbeitslosigkeit", "Economic situation and unemployment"),
    "wohnen": ("Wohnen", "Housing"),
    "bildung": ("Bildung", "Education"),
    "kinder_jugend": ("Teilhabe von Kindern und Jugendlichen", "Participation of children and young people"),
    "aeltere": ("Teilhabe von älteren Menschen", "Participation of older people"),
    "migration": ("Migration", "Migration"),
    "gesundheit": ("Gesundheit", "Health"),
}
COLUMNS = {
    "document": ("document", "dokument", "dokumentname", "document name"),
    "code": ("code", "kode", "codesystem"),
    "begin": ("begin", "beginn", "anfang", "start"),
    "end": ("end", "ende"),
    "text": ("text", "segment", "passage", "quote", "zitat"),
    "report": ("report", "bericht", "für bericht", "for report"),
}
YES = {"1", "ja", "j", "yes", "y", "x", "true", "wahr"}
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_SPLIT = re.compile(r"\\|/|::|>")


@dataclass(frozen=True)
class ImportResult:
    interviews: int
    passages: int
    marked: int


def _front_matter(text: str, file: str) -> tuple[dict[str, object], str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ImportValidationError(
            [Problem(file, 1, None, None, f"gültiger YAML-Kopf ({exc})", f"valid YAML front matter ({exc})")]
        ) from None
    if not isinstance(meta, dict):
        raise ImportValidationError(
            [Problem(file, 1, None, None, "YAML-Kopf mit Schlüsseln", "YAML front matter with keys")]
        )
    return {str(k).lower(): v for k, v in meta.items()}, text[m.end() :]


def _date(value: object, file: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(str(value), fmt).date()
        except ValueError:
            continue
    raise ImportValidationError(
        [Problem(file, None, "datum", str(value), "Datum TT.MM.JJJJ oder JJJJ-MM-TT", "date YYYY-MM-DD")]
    )


def import_transcripts(
    session: Session, files: list[Path], pseudo: Pseudonymiser, group: str | None = None
) -> int:
    """Store (or replace) the transcripts; returns their number. Codings of a replaced transcript stay."""
    parsed = []
    for path in sorted(files):
        text = decode_bytes(path.read_bytes())[0]
        meta, body = _front_matter(text, path.name)
        name = str(meta.get("gruppe") or meta.get("group") or group or "")
        if not name:
            raise ImportValidationError(
                [
                    Problem(
                        path.name,
                        1,
                        "gruppe",
                        None,
                        "Zielgruppe im Kopf (gruppe:) oder --gruppe",
                        "target group (group:) or --group",
                    )
                ]
            )
        parsed.append(
            (path.stem, name, _date(meta.get("datum") or meta.get("date"), path.name), pseudo(body.strip()))
        )
    existing = {i.document: i for i in session.scalars(select(Interview)).all()}
    for document, name, held_on, body in parsed:
        row = existing.get(document)
        if row is None:
            session.add(Interview(document=document, group_name=name, held_on=held_on, transcript=body))
        else:
            row.group_name, row.held_on, row.transcript = name, held_on, body
    session.flush()
    return len(parsed)


def _column(header: list[str], name: str) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for alias in COLUMNS[name]:
        if alias in lowered:
            return lowered.index(alias)
    return None


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value else None


def import_codings(session: Session, path: Path, pseudo: Pseudonymiser) -> ImportResult:
    """Replace the coded passages of every document named in the CSV file (all or nothing)."""
    text = decode_bytes(path.read_bytes())[0]
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise ImportValidationError(
            [Problem(path.name, 1, None, None, "Kopfzeile document, code, begin, end, text", "header row")]
        )
    header = rows[0]
    idx = {name: _column(header, name) for name in COLUMNS}
    problems = [
        Problem(path.name, 1, name, None, f"Spalte {name!r} ({'/'.join(COLUMNS[name])})", f"column {name!r}")
        for name in ("document", "code", "text")
        if idx[name] is None
    ]
    if problems:
        raise ImportValidationError(problems)
    interviews = {i.document: i for i in session.scalars(select(Interview)).all()}
    new: list[InterviewPassage] = []
    documents: set[str] = set()

    def get(row: list[str], name: str) -> str:
        i = idx[name]
        return row[i].strip() if i is not None and i < len(row) else ""

    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        doc = get(row, "document")
        if doc not in interviews:
            problems.append(
                Problem(
                    path.name,
                    n,
                    "document",
                    doc,
                    "Name eines importierten Transkripts",
                    "name of an imported transcript",
                )
            )
            continue
        code = get(row, "code")
        if not code:
            problems.append(
                Problem(path.name, n, "code", code, "ein Code (Thema\\Untercode)", "a code (theme\\subcode)")
            )
            continue
        try:
            begin, end = _int(get(row, "begin")), _int(get(row, "end"))
        except ValueError:
            problems.append(
                Problem(
                    path.name,
                    n,
                    "begin/end",
                    f"{get(row, 'begin')}/{get(row, 'end')}",
                    "ganze Zahlen",
                    "integers",
                )
            )
            continue
        parts = [p.strip() for p in _SPLIT.split(code, maxsplit=1)]
        passage_text = get(row, "text")
        if not passage_text and begin is not None and end is not None:
            passage_text = interviews[doc].transcript[begin:end]
        documents.add(doc)
        new.append(
            InterviewPassage(
                interview_id=interviews[doc].id,
                theme=parts[0],
                subcode=parts[1] if len(parts) > 1 and parts[1] else None,
                begin=begin,
                end=end,
                text=pseudo(passage_text),
                for_report=get(row, "report").lower() in YES,
            )
        )
    if problems:
        raise ImportValidationError(problems)
    ids = [interviews[d].id for d in sorted(documents)]
    if ids:
        session.execute(delete(InterviewPassage).where(InterviewPassage.interview_id.in_(ids)))
    session.add_all(new)
    session.flush()
    return ImportResult(len(documents), len(new), sum(p.for_report for p in new))


def mark_passages(session: Session, ids: list[int], for_report: bool = True) -> int:
    """Mark (or unmark) passages for quotation in the report."""
    rows = session.scalars(select(InterviewPassage).where(InterviewPassage.id.in_(ids))).all()
    unknown = sorted(set(ids) - {r.id for r in rows})
    if unknown:
        raise NotFoundError(f"Unbekannte Passagen: {unknown}", f"unknown passages: {unknown}")
    for r in rows:
        r.for_report = for_report
    return len(rows)


def theme_name(theme: str, lang: str) -> str:
    pair = HANDLUNGSFELDER.get(theme.strip().lower())
    return (pair[0] if lang == "de" else pair[1]) if pair else theme


def qualitative_chapter(session: Session, lang: str, pseudo: Pseudonymiser) -> Chapter | None:
    """Per theme: how many interviews and passages touch it, the sub-codes, the marked quotes."""
    de = lang == "de"
    interviews = session.scalars(select(Interview).order_by(Interview.document)).all()
    if not interviews:
        return None
    passages = session.scalars(select(InterviewPassage).order_by(InterviewPassage.id)).all()
    by_id = {i.id: i for i in interviews}
    ch = Chapter(
        id="k-qualitativ",
        key="qualitativ",
        title="Qualitative Interviews" if de else "Qualitative interviews",
    )
    n_i, n_p = len(interviews), len(passages)
    ch.paragraphs.append(
        (
            f"Ausgewertet wurden {'ein Interview' if n_i == 1 else f'{n_i} Interviews'} mit "
            f"{'einer codierten Passage' if n_p == 1 else f'{n_p} codierten Passagen'}. Namen und Orte "
            "sind pseudonymisiert."
        )
        if de
        else f"{n_i} interview(s) with {n_p} coded passage(s) were analysed. "
        "Names and places are pseudonymised."
    )
    counts: dict[int, int] = defaultdict(int)
    for p in passages:
        counts[p.interview_id] += 1
    ch.tables.append(
        Table(
            "tab-interviews",
            "Interviews",
            [
                "Interview",
                "Zielgruppe" if de else "Target group",
                "Datum" if de else "Date",
                "Passagen" if de else "Passages",
            ],
            [
                [
                    pseudo(i.document),
                    pseudo(i.group_name),
                    i.held_on.strftime("%d.%m.%Y")
                    if i.held_on and de
                    else (i.held_on.isoformat() if i.held_on else "–"),
                    str(counts[i.id]),
                ]
                for i in interviews
            ],
            [False, False, False, True],
        )
    )
    themes: dict[str, list[InterviewPassage]] = defaultdict(list)
    for p in passages:
        themes[theme_name(p.theme, lang)].append(p)
    for n, (theme, items) in enumerate(sorted(themes.items()), start=1):
        sec = Section(id=f"q-{n}", title=theme)
        ni = len({p.interview_id for p in items})
        groups = sorted({by_id[p.interview_id].group_name for p in items})
        if de:
            sec.paragraphs.append(
                f"{'Ein Interview berührt' if ni == 1 else f'{ni} Interviews berühren'} dieses Thema mit "
                f"{'einer Passage' if len(items) == 1 else f'{len(items)} Passagen'} "
                f"(Zielgruppen: {', '.join(pseudo(g) for g in groups)})."
            )
        else:
            sec.paragraphs.append(
                f"{ni} interview(s) touch this theme in {len(items)} passage(s) (groups: "
                f"{', '.join(pseudo(g) for g in groups)})."
            )
        sub: dict[str, set[int]] = defaultdict(set)
        sub_n: dict[str, int] = defaultdict(int)
        for p in items:
            key = p.subcode or ("(ohne Untercode)" if de else "(no sub-code)")
            sub[key].add(p.interview_id)
            sub_n[key] += 1
        sec.tables.append(
            Table(
                f"tab-q-{n}",
                f"{theme}: {'Untercodes' if de else 'sub-codes'}",
                ["Untercode" if de else "Sub-code", "Interviews", "Passagen" if de else "Passages"],
                [[k, str(len(sub[k])), str(sub_n[k])] for k in sorted(sub)],
                [False, True, True],
            )
        )
        for p in items:
            if p.for_report:
                i = by_id[p.interview_id]
                when = (i.held_on.strftime("%d.%m.%Y") if de else i.held_on.isoformat()) if i.held_on else ""
                source = ", ".join(
                    x for x in (pseudo(i.group_name), f"Interview {pseudo(i.document)}", when) if x
                )
                sec.quotes.append(Quote(pseudo(p.text), source))
        ch.sections.append(sec)
    return ch
