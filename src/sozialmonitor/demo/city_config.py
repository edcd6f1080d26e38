"""The keys a city's ``city.yaml`` accepts, and the check that rejects anything else.

A misspelt key (``boundary:`` for ``boundaries:``, ``valid-from`` for ``valid_from``) must not be ignored
silently: the build would run without it and the planner would not know. :func:`check_city` names the file,
the place and the allowed keys. ``docs/konfiguration.md`` documents every key listed here (a test checks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sozialmonitor.errors import ConfigError
from sozialmonitor.indicators.variables import FIELDS as VARIABLE_FIELDS
from sozialmonitor.yamlfile import check_keys

TOP = frozenset(
    {
        "name",
        "key",
        "catalogue_year_default",
        "levels",
        "units",
        "boundaries",
        "extra_units",
        "variables",
        "social_index",
        "strategy",
        "tables",
        "derived",
        "relations",
        "comparison",
        "source_zeros",
    }
)
UNIT = frozenset({"level", "key", "name", "parent"})
SECTIONS: dict[str, frozenset[str]] = {
    "levels": frozenset({"key", "name_de", "name_en", "rank"}),
    "units": UNIT,
    "extra_units": UNIT,
    "boundaries": frozenset(
        {
            "file",
            "level",
            "key_field",
            "name_field",
            "parent_level",
            "parent_field",
            "parent_unit",
            "valid_from",
            "complete",
            "crs",
            "repair",
        }
    ),
    "tables": frozenset({"file", "mapping", "level", "source_zeros", "date"}),
    "derived": frozenset({*VARIABLE_FIELDS, "sum", "expression"}),
    "relations": frozenset({"total", "parts"}),
}
"""Sections that are lists of entries, and the keys an entry accepts."""
OBJECTS: dict[str, frozenset[str]] = {
    "comparison": frozenset(
        {
            "file",
            "split_column",
            "unit_column",
            "date_column",
            "variable_column",
            "value_column",
            "unit_aliases",
            "levels",
            "markers",
        }
    ),
    "source_zeros": frozenset({"threshold", "groups"}),
}
"""Sections that are one object, and its keys."""
REQUIRED: dict[str, tuple[str, ...]] = {
    "": ("levels", "variables"),
    "levels": ("key",),
    "units": ("level", "key", "name"),
    "extra_units": ("level", "key", "name"),
    "boundaries": ("file", "level", "key_field"),
    "tables": ("file", "mapping", "level"),
    "derived": ("key",),
    "relations": ("total", "parts"),
}


def _missing(path: Path, where: str, keys: list[str]) -> ConfigError:
    return ConfigError(
        f"{path}: {where}: Pflichtschlüssel fehlt: {', '.join(keys)}",
        f"{path}: {where}: required key missing: {', '.join(keys)}",
    )


def check_city(raw: Any, path: Path) -> dict[str, Any]:
    """``raw`` (the parsed ``city.yaml``) if it uses only known keys and has the required ones."""
    check_keys(raw, TOP, path, "oberste Ebene / top level")
    missing = [k for k in REQUIRED[""] if k not in raw]
    if missing:
        raise _missing(path, "oberste Ebene / top level", missing)
    for section, allowed in SECTIONS.items():
        entries = raw.get(section) or []
        if not isinstance(entries, list):
            raise ConfigError(
                f"{path}: {section}: erwartet eine Liste", f"{path}: {section}: expected a list"
            )
        for i, entry in enumerate(entries, start=1):
            where = f"{section}[{i}]"
            check_keys(entry, allowed, path, where)
            missing = [k for k in REQUIRED.get(section, ()) if k not in entry]
            if missing:
                raise _missing(path, where, missing)
    for section, allowed in OBJECTS.items():
        obj = raw.get(section)
        if obj is None:
            continue
        check_keys(obj, allowed, path, section)
    return raw


def accepted_keys() -> set[str]:
    """Every key a ``city.yaml`` accepts anywhere (for the documentation test)."""
    keys = set(TOP)
    for allowed in (*SECTIONS.values(), *OBJECTS.values()):
        keys |= allowed
    return keys
