"""Interviews: import of transcripts and codings, validation, pseudonymisation, marking, the chapter."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import ImportValidationError, NotFoundError
from sozialmonitor.report.interviews import (
    import_codings,
    import_transcripts,
    mark_passages,
    qualitative_chapter,
)
from sozialmonitor.report.models import Interview, InterviewPassage
from sozialmonitor.report.pseudonymise import Pseudonymiser

DATA = Path(__file__).parent / "data"


def _load(engine: Engine) -> Pseudonymiser:
    pseudo = Pseudonymiser.from_file(DATA / "pseudonyme.csv")
    with session_scope(engine) as s:
        assert import_transcripts(s, sorted((DATA / "interviews").glob("*.md")), pseudo) == 2
        result = import_codings(s, DATA / "codings.csv", pseudo)
    assert (result.interviews, result.passages, result.marked) == (2, 7, 4)
    return pseudo


def test_import_pseudonymises_and_reads_front_matter(engine: Engine) -> None:
    _load(engine)
    with session_scope(engine) as s:
        rows = {i.document: i for i in s.scalars(select(Interview)).all()}
        assert rows["int01_alleinerziehend"].group_name == "Alleinerziehende"
        assert rows["int02_aeltere_schulden"].held_on is not None
        assert rows["int02_aeltere_schulden"].held_on.isoformat() == "2023-06-12"
        assert "Sommer" not in rows["int01_alleinerziehend"].transcript
        assert "Frau A. von der [Kita]" in rows["int01_alleinerziehend"].transcript
        themes = sorted({(p.theme, p.subcode) for p in s.scalars(select(InterviewPassage)).all()})
        assert ("wohnen", "Mietbelastung") in themes and ("gesundheit", None) in themes


def test_reimport_replaces_passages_and_bad_rows_write_nothing(engine: Engine, tmp_path: Path) -> None:
    pseudo = _load(engine)
    with session_scope(engine) as s:
        import_codings(s, DATA / "codings.csv", pseudo)
        assert s.scalar(select(func.count()).select_from(InterviewPassage)) == 7
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Dokument;Code;Anfang;Ende;Segment\nint01_alleinerziehend;wohnen;1;5;x\nunbekannt;wohnen;;;y\n"
        "int01_alleinerziehend;;;;z\nint01_alleinerziehend;wohnen;a;b;w\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportValidationError) as exc, session_scope(engine) as s:
        import_codings(s, bad, pseudo)
    text = exc.value.de
    assert "Zeile 3" in text and "unbekannt" in text and "Zeile 4" in text and "Zeile 5" in text
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(InterviewPassage)) == 7


def test_mark_and_chapter_counts(engine: Engine) -> None:
    pseudo = _load(engine)
    with session_scope(engine) as s:
        gesundheit = s.scalars(select(InterviewPassage).where(InterviewPassage.theme == "gesundheit")).one()
        assert mark_passages(s, [gesundheit.id]) == 1
        with pytest.raises(NotFoundError):
            mark_passages(s, [99999])
    with session_scope(engine) as s:
        ch = qualitative_chapter(s, "de", pseudo)
    assert ch is not None
    sections = {sec.title: sec for sec in ch.sections}
    assert set(sections) == {
        "Gesundheit",
        "Wohnen",
        "Ökonomische Situation und Arbeitslosigkeit",
        "Teilhabe von Kindern und Jugendlichen",
    }
    oek = sections["Ökonomische Situation und Arbeitslosigkeit"]
    assert oek.paragraphs[0].startswith("2 Interviews berühren dieses Thema mit 3 Passagen")
    assert len(oek.quotes) == 3
    assert (
        sections["Gesundheit"]
        .paragraphs[0]
        .startswith("Ein Interview berührt dieses Thema mit einer Passage")
    )
    assert [q.text for q in sections["Gesundheit"].quotes] == [
        "Zum Arzt gehe ich nur noch, wenn es sein muss."
    ]
    assert "Herr B." in " ".join(q.text for q in oek.quotes)


def test_pseudonymiser_whole_words_longest_first(tmp_path: Path) -> None:
    p = Pseudonymiser([("Anna", "P1"), ("Anna Berg", "P2"), ("Jena", "[Ort]")])
    assert (
        p("Anna Berg traf Anna in Jena, nicht in Jenaer Kreisen.")
        == "P2 traf P1 in [Ort], nicht in Jenaer Kreisen."
    )
    bad = tmp_path / "p.csv"
    bad.write_text("original;pseudonym\nNurOriginal;\n", encoding="utf-8")
    with pytest.raises(ImportValidationError):
        Pseudonymiser.from_file(bad)
    assert Pseudonymiser([])("Anna") == "Anna"
