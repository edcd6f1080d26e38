"""Errors shared by all domains.

Every message a user sees is bilingual (German first, then English) and names the
thing, the value found and what was expected. Adapters (CLI, web) convert these
exceptions into exit codes or HTTP responses; the domains only raise them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class SozialmonitorError(Exception):
    """Base class of all errors raised on purpose by sozialmonitor."""

    def __init__(self, de: str, en: str) -> None:
        self.de = de
        self.en = en
        super().__init__(f"{de}\n{en}")

    def __reduce__(self) -> tuple[object, ...]:
        # picklable with its message and fields, so that an error in a worker process (parallel audits)
        # reaches the caller as itself
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[SozialmonitorError], state: dict[str, object]) -> SozialmonitorError:
    error = cls.__new__(cls)
    Exception.__init__(error, f"{state.get('de', '')}\n{state.get('en', '')}")
    error.__dict__.update(state)
    return error


@dataclass(frozen=True)
class Problem:
    """One validation problem in an input file, located as precisely as possible."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected_de: str
    expected_en: str

    def _where(self, lang: str) -> str:
        parts = [f"{'Datei' if lang == 'de' else 'file'} {self.file}"]
        if self.row is not None:
            parts.append(f"{'Zeile' if lang == 'de' else 'row'} {self.row}")
        if self.column is not None:
            parts.append(f"{'Spalte' if lang == 'de' else 'column'} {self.column!r}")
        return ", ".join(parts)

    def message(self, lang: str = "de") -> str:
        found = ""
        if self.value is not None:
            found = f" – gefunden: {self.value!r}" if lang == "de" else f" – found: {self.value!r}"
        if lang == "de":
            return f"{self._where('de')}: erwartet {self.expected_de}{found}"
        return f"{self._where('en')}: expected {self.expected_en}{found}"

    def bilingual(self) -> str:
        return f"{self.message('de')}\n  {self.message('en')}"


class ImportValidationError(SozialmonitorError):
    """Raised when an input file fails validation. Nothing has been written."""

    max_shown = 20

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        shown = self.problems[: self.max_shown]
        more = len(self.problems) - len(shown)
        de = [f"Import abgebrochen, nichts wurde geschrieben: {len(self.problems)} Fehler."]
        en = [f"Import aborted, nothing was written: {len(self.problems)} problem(s)."]
        de += [f"- {p.message('de')}" for p in shown]
        en += [f"- {p.message('en')}" for p in shown]
        if more:
            de.append(f"… und {more} weitere")
            en.append(f"… and {more} more")
        super().__init__("\n".join(de), "\n".join(en))


class NotFoundError(SozialmonitorError):
    """A named object (unit, variable, indicator, import) does not exist."""


class ConfigError(SozialmonitorError):
    """A configuration file (catalogue, mapping, index definition) is invalid."""
