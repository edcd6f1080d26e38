"""The planner's own text blocks (Markdown, one file per chapter) in the report folder.

``sozialmonitor report init DIR`` creates the folder; files that exist are never overwritten, and the
report only reads them, so the texts survive every regeneration. HTML comments (``<!-- … -->``) in a block
are hints for the planner and are not printed.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sozialmonitor.report.model import Chapter
from sozialmonitor.report.settings import (
    DEFAULT_CHAPTERS,
    PSEUDONYM_FILE,
    SETTINGS_FILE,
    TEMPLATE_DIR,
    TEXT_DIR,
    ChapterSpec,
)

FIXED_BLOCKS: tuple[tuple[str, str], ...] = (
    ("zusammenfassung", "Zusammenfassung der wichtigsten Ergebnisse"),
    ("sozialindex", "Sozialindex"),
    ("profile", "Profile der Bezirke"),
    ("qualitativ", "Qualitative Interviews"),
    ("methodik", "Methodik"),
    ("glossar", "Glossar"),
    ("quellen", "Datenquellen und Lizenzen"),
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)

SETTINGS_TEMPLATE = """\
# Einstellungen des Lebenslagenberichts / report settings (alle Angaben optional / all optional)
# title: Lebenslagenbericht der Stadt Jena 2017
# author: Sozialplanung
# level: statbez                 # Raumebene der Bezirke / district level
# city_level: stadt
# classes: 5                     # Zahl der Kartenklassen / map classes
# profile_indicators: [residents, share_minors, unemployment_share]
# unit_term: {singular: Bezirk, plural: Bezirke, dative_plural: Bezirken}
# social_index: {config: sozialindex.yaml}
# sources: [../SOURCES.md]       # Quellen- und Lizenztexte (Markdown) / source and licence texts
"""

TEMPLATE_README = """\
# Eigene Vorlagen / own templates

Legen Sie hier Dateien mit demselben Namen wie die mitgelieferten Vorlagen ab (`bericht.html.j2`,
`bericht.css`), um das Erscheinungsbild (Logo, Farben, Schriften) an Ihr Corporate Design anzupassen.
Ein Logo legen Sie als `logo.svg` oder `logo.png` in diesen Ordner.

Put files named like the shipped templates here to override them (corporate design).
"""


def _block_template(title: str) -> str:
    return (
        f"<!-- Text der Sozialplanung zum Kapitel „{title}“ (Markdown). Dieser Hinweis erscheint nicht im "
        "Bericht; der Text darunter wird bei jeder Erzeugung des Berichts übernommen. -->\n"
    )


def init_folder(folder: Path, chapters: tuple[ChapterSpec, ...] = DEFAULT_CHAPTERS) -> list[Path]:
    """Create the report folder; returns the files created (existing files are left alone)."""
    created: list[Path] = []
    (folder / TEXT_DIR).mkdir(parents=True, exist_ok=True)
    (folder / TEMPLATE_DIR).mkdir(exist_ok=True)
    files = {
        folder / SETTINGS_FILE: SETTINGS_TEMPLATE,
        folder / PSEUDONYM_FILE: "original;pseudonym\n",
        folder / TEMPLATE_DIR / "LIESMICH.md": TEMPLATE_README,
    }
    blocks = [*FIXED_BLOCKS[:1], *((c.key, c.title_de) for c in chapters), *FIXED_BLOCKS[1:]]
    for key, title in blocks:
        files[folder / TEXT_DIR / f"{key}.md"] = _block_template(title)
    for path, content in sorted(files.items()):
        if not path.exists():
            path.write_text(content, encoding="utf-8")
            created.append(path)
    return created


def read_blocks(folder: Path | None) -> dict[str, str]:
    """Planner texts by chapter key (comments removed; empty blocks left out)."""
    if folder is None or not (folder / TEXT_DIR).is_dir():
        return {}
    out = {}
    for path in sorted((folder / TEXT_DIR).glob("*.md")):
        text = _COMMENT.sub("", path.read_text(encoding="utf-8")).strip()
        if text:
            out[path.stem] = text
    return out


def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def shift_headings(tokens: list[Token], by: int) -> list[Token]:
    for tok in tokens:
        if tok.type in ("heading_open", "heading_close"):
            tok.tag = f"h{min(int(tok.tag[1]) + by, 6)}"
    return tokens


def markdown_tokens(text: str, shift: int = 2) -> list[Token]:
    """Parsed Markdown with headings moved down (a ``#`` in a block becomes a level-3 heading)."""
    return shift_headings(_md().parse(_COMMENT.sub("", text)), shift)


def render_markdown(text: str, shift: int = 2) -> str:
    md = _md()
    return str(md.renderer.render(markdown_tokens(text, shift), md.options, {}))


def attach(chapter: Chapter, blocks: dict[str, str]) -> None:
    """Put the planner's block for this chapter (if any) into it."""
    chapter.planner_markdown = blocks.get(chapter.key, "")
    chapter.planner_html = render_markdown(chapter.planner_markdown) if chapter.planner_markdown else ""
    chapter.extra_html = [render_markdown(m) for m in chapter.extra_markdown]
