"""The report as a format-neutral document tree; HTML/PDF and DOCX are both written from it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    id: str
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    """Right-aligned (numeric) columns."""
    note: str = ""


@dataclass
class Figure:
    id: str
    caption: str
    svg: str
    kind: str = "chart"  # chart | map | locator


@dataclass
class Quote:
    text: str
    source: str


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    page_break: bool = False
    """Start on a new page (district profiles)."""


@dataclass
class Chapter:
    id: str
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    planner_markdown: str = ""
    planner_html: str = ""
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra_markdown: list[str] = field(default_factory=list)
    """Further Markdown documents shown in the chapter (e.g. the data sources' SOURCES.md)."""
    extra_html: list[str] = field(default_factory=list)


@dataclass
class Report:
    lang: str
    title: str
    subtitle: str
    city: str
    date_text: str
    chapters: list[Chapter]
    labels: dict[str, str]
    css: str = ""
    logo: str = ""
    """Inline SVG or a data URI of the city's logo (from the report folder)."""
    marking: str = ""
    """Printed on every page (internal edition: "Nur für den Dienstgebrauch")."""
