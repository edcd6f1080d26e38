"""Pseudonymisation: names and places on the planner's list are replaced in every output.

The list is a CSV file (``original;pseudonym``, ``;`` or ``,`` as separator, header required), by default
``pseudonyme.csv`` in the report folder. Matches are whole words, longest names first, case-sensitive.
Transcripts and passages are pseudonymised on import *and* again in every report, so a name added to the
list later still disappears from the report.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path
from typing import Any

from sozialmonitor.errors import ImportValidationError, Problem
from sozialmonitor.report.model import Chapter, Figure, Quote, Report, Section, Table
from sozialmonitor.report.settings import PSEUDONYM_FILE


class Pseudonymiser:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = sorted({(a, b) for a, b in pairs if a}, key=lambda p: (-len(p[0]), p[0]))
        self.map = dict(self.pairs)
        if self.pairs:
            alternatives = "|".join(re.escape(a) for a, _ in self.pairs)
            self.pattern: re.Pattern[str] | None = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        else:
            self.pattern = None

    def __call__(self, text: str) -> str:
        if self.pattern is None or not text:
            return text
        return self.pattern.sub(lambda m: self.map[m.group(0)], text)

    def __bool__(self) -> bool:
        return bool(self.pairs)

    @classmethod
    def from_file(cls, path: Path) -> Pseudonymiser:
        text = path.read_text(encoding="utf-8-sig")
        first = text.splitlines()[0] if text.strip() else ""
        delimiter = ";" if ";" in first or "," not in first else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        pairs = []
        problems = []
        for i, row in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in row):
                continue
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                problems.append(
                    Problem(
                        path.name,
                        i,
                        "pseudonym",
                        delimiter.join(row),
                        "Original und Pseudonym",
                        "original and pseudonym",
                    )
                )
                continue
            pairs.append((row[0].strip(), row[1].strip()))
        if problems:
            raise ImportValidationError(problems)
        return cls(pairs)

    @classmethod
    def from_folder(cls, folder: Path | None) -> Pseudonymiser:
        if folder is None or not (folder / PSEUDONYM_FILE).is_file():
            return cls([])
        return cls.from_file(folder / PSEUDONYM_FILE)

    def _walk(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self(obj)
        if isinstance(obj, list):
            return [self._walk(x) for x in obj]
        if isinstance(obj, dict):
            return {k: self._walk(v) for k, v in obj.items()}
        if isinstance(obj, Chapter | Section | Table | Figure | Quote):
            changes = {
                f.name: self._walk(getattr(obj, f.name))
                for f in dataclasses.fields(obj)
                if f.name not in ("id", "key", "planner_html", "extra_html")
            }
            return dataclasses.replace(obj, **changes)
        return obj

    def apply_report(self, report: Report) -> Report:
        """The report with every text (titles, sentences, tables, quotes, map titles) pseudonymised."""
        if not self:
            return report
        from sozialmonitor.report.texts import render_markdown

        chapters = []
        for ch in report.chapters:
            new = self._walk(ch)
            new.planner_html = render_markdown(new.planner_markdown) if new.planner_markdown else ""
            new.extra_html = [render_markdown(m) for m in new.extra_markdown]
            chapters.append(new)
        return dataclasses.replace(
            report, chapters=chapters, title=self(report.title), subtitle=self(report.subtitle)
        )
