"""Reading the YAML files users write (city, mapping, variables, index, strategy, report, survey): one place
that turns every way such a file can be unreadable into a bilingual message naming the file and the line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from sozialmonitor.errors import ConfigError

_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")


def _has_impossible_date(line: str) -> bool:
    """Whether ``line`` holds a date written YYYY-MM-DD that does not exist (2023-12-32)."""
    for y, m, d in _DATE.findall(line):
        try:
            dt.date(int(y), int(m), int(d))
        except ValueError:
            return True
    return False


def read_yaml(path: Path | str) -> Any:
    """The parsed content of a YAML file (UTF-8, with or without BOM).

    A missing or unreadable file, a file that is not text (e.g. a picture or a spreadsheet given by
    mistake) and a YAML syntax error each raise :class:`ConfigError` naming the file (and line, column).
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path} fehlt", f"{path} is missing") from None
    except OSError as exc:
        raise ConfigError(f"{path} nicht lesbar: {exc}", f"{path} not readable: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: keine Textdatei in UTF-8 (Byte {exc.start}); erwartet eine YAML-Datei",
            f"{path}: not a UTF-8 text file (byte {exc.start}); expected a YAML file",
        ) from None
    try:
        return yaml.safe_load(text)
    except ValueError as exc:  # a value YAML reads as a date that does not exist: 2023-12-32, 2024-13-31
        bad = [line for line in text.splitlines() if _has_impossible_date(line)]
        where = f": {bad[0].strip()}" if bad else ""
        raise ConfigError(
            f"{path}: ungültiges Datum{where} ({exc}); erwartet JJJJ-MM-TT",
            f"{path}: impossible date{where} ({exc}); expected YYYY-MM-DD",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", Zeile {mark.line + 1}, Spalte {mark.column + 1}" if mark else ""
        where_en = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{path}{where}: kein gültiges YAML ({problem})", f"{path}{where_en}: not valid YAML ({problem})"
        ) from None


def check_keys(
    raw: object, allowed: frozenset[str] | set[str], path: Path | str, where: str
) -> dict[str, Any]:
    """``raw`` if it is a mapping that uses only ``allowed`` keys: a misspelt key must not be ignored
    silently (the program would run without it and the user would not know). The message names the file,
    the place and every allowed key."""
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: {where}: erwartet ein Objekt mit Schlüsseln",
            f"{path}: {where}: expected a mapping of keys",
        )
    unknown = set(map(str, raw)) - set(allowed)
    if unknown:
        listed = ", ".join(sorted(allowed))
        bad = ", ".join(repr(k) for k in sorted(unknown))
        raise ConfigError(
            f"{path}: {where}: unbekannte Schlüssel {bad}; erlaubt sind {listed}",
            f"{path}: {where}: unknown keys {bad}; allowed are {listed}",
        )
    return raw
