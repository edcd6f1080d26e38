"""Variables (base counts and amounts) and their metadata, loaded from the city's YAML file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sozialmonitor.db.models import Variable
from sozialmonitor.errors import ConfigError
from sozialmonitor.indicators.kinds import parse_kind
from sozialmonitor.yamlfile import read_yaml

FIELDS = ("key", "name_de", "name_en", "unit", "kind", "theme", "description", "source", "max")
"""Accepted keys of a variable entry; ``kind`` is validated (:mod:`sozialmonitor.indicators.kinds`),
``max`` (the largest plausible value, e.g. the city's population for a count of persons) is a number."""
_COLUMNS = {"max": "max_value"}
"""Entry keys stored under another column name."""


def parse_max(value: object, where: str) -> float | None:
    """A validated upper bound: a finite YAML number (``120000``), or ``None``."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise ConfigError(
        f"{where}: erwartet eine Zahl ohne Tausenderpunkte (z. B. 120000), gefunden {value!r}",
        f"{where}: expected a number without thousands separators (e.g. 120000), found {value!r}",
    )


def load_variables_file(path: Path) -> list[dict[str, Any]]:
    raw = read_yaml(path)
    items = raw.get("variables") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise ConfigError(
            f"{path}: erwartet 'variables:' mit einer Liste", f"{path}: expected 'variables:' with a list"
        )
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("key") or not item.get("name_de"):
            raise ConfigError(
                f"{path}: Variable Nr. {i}: 'key' und 'name_de' sind Pflicht",
                f"{path}: variable no. {i}: 'key' and 'name_de' are required",
            )
        unknown = set(item) - set(FIELDS)
        if unknown:
            raise ConfigError(
                f"{path}: Variable {item['key']!r}: unbekannte Felder {sorted(unknown)}",
                f"{path}: variable {item['key']!r}: unknown fields {sorted(unknown)}",
            )
        where = f"{path}: Variable/variable {item['key']!r}"
        item["kind"] = parse_kind(item.get("kind"), f"{where}, kind")
        if "max" in item:
            item["max"] = parse_max(item["max"], f"{where}, max")
    return items


def upsert_variables(session: Session, items: list[dict[str, Any]]) -> int:
    """Create or update variables by key; returns how many were created."""
    existing = {v.key: v for v in session.scalars(select(Variable)).all()}
    created = 0
    for item in items:
        var = existing.get(item["key"])
        if var is None:
            var = Variable(
                key=item["key"], name_de=item["name_de"], name_en=item.get("name_en") or item["name_de"]
            )
            session.add(var)
            created += 1
        item = {**item, "kind": parse_kind(item.get("kind"), f"variable {item['key']!r}, kind")}
        if "max" in item:
            item["max"] = parse_max(item["max"], f"variable {item['key']!r}, max")
        for f in FIELDS[1:]:
            if f in item:
                setattr(var, _COLUMNS.get(f, f), item[f])
    session.flush()
    return created


def variable_ids(session: Session) -> dict[str, int]:
    return {k: i for k, i in session.execute(select(Variable.key, Variable.id)).all()}


def set_relations(session: Session, relations: list[tuple[str, list[str]]], source: str) -> int:
    """Replace the additive relations of one source (e.g. the city configuration) with ``relations``."""
    from sqlalchemy import delete

    from sozialmonitor.db.models import VariableRelation

    session.execute(delete(VariableRelation).where(VariableRelation.source == source))
    unique = {(t, tuple(p)) for t, p in relations}
    for total, parts in sorted(unique):
        session.add(VariableRelation(total=total, parts=list(parts), source=source))
    session.flush()
    return len(unique)


def relations(session: Session) -> list[tuple[str, list[str]]]:
    """All additive relations ``total = sum(parts)`` known to the store."""
    from sozialmonitor.db.models import VariableRelation

    return [
        (r.total, list(r.parts))
        for r in session.scalars(select(VariableRelation).order_by(VariableRelation.id))
    ]


def variable_bounds(session: Session) -> dict[str, float]:
    """The upper bound of every variable that has one (``max:`` in the variables file)."""
    rows = session.execute(select(Variable.key, Variable.max_value).where(Variable.max_value.is_not(None)))
    return {k: float(m) for k, m in rows.all()}


def variable_kinds(session: Session) -> dict[str, str]:
    """The kind of every variable in the store (``count`` for variables without one)."""
    return {k: kind or "count" for k, kind in session.execute(select(Variable.key, Variable.kind)).all()}
