"""Collecting validation problems of one file before raising once."""

from __future__ import annotations

from sozialmonitor.errors import ImportValidationError, Problem

MAX_PROBLEMS = 1000
"""At most this many problems are collected per file; the rest are counted in one summary problem."""


class ProblemCollector:
    """Collects :class:`Problem` objects of one file (capped) and raises them together."""

    def __init__(self, file: str, cap: int = MAX_PROBLEMS) -> None:
        self.file = file
        self.cap = cap
        self.problems: list[Problem] = []
        self.dropped = 0

    def add(
        self,
        row: int | None,
        column: str | None,
        value: object,
        expected_de: str,
        expected_en: str,
    ) -> None:
        if len(self.problems) >= self.cap:
            self.dropped += 1
            return
        shown = None if value is None else str(value)
        self.problems.append(Problem(self.file, row, column, shown, expected_de, expected_en))

    def extend(self, problems: list[Problem]) -> None:
        for p in problems:
            self.add(p.row, p.column, p.value, p.expected_de, p.expected_en)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        problems = list(self.problems)
        if self.dropped:
            problems.append(
                Problem(
                    self.file,
                    None,
                    None,
                    None,
                    f"weniger Fehler – {self.dropped} weitere Fehler nicht einzeln aufgeführt",
                    f"fewer problems – {self.dropped} further problems not listed",
                )
            )
        raise ImportValidationError(problems)
