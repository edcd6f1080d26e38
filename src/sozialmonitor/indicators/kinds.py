"""What kind of quantity a variable is — the one place that decides protection and aggregation.

Every variable has a validated ``kind``; nothing looks at the free-text unit to decide anything:

========  ===========================================  ========  =========
kind      example                                      additive  protected
========  ===========================================  ========  =========
count     residents, unemployed (persons, households)  yes       yes
amount    area in ha, euros                            yes       no
rate      a share delivered as such (%)                no        no
index     an index value, a ratio                      no        no
change    a change delivered as such (points)          no        no
========  ===========================================  ========  =========

A variable without a kind is a **count** (fail closed: it is protected by disclosure control and summed as a
count). ``additive`` = summed up the spatial hierarchy; ``protected`` = goes through disclosure control.
"""

from __future__ import annotations

from collections.abc import Mapping

from sozialmonitor.errors import ConfigError

COUNT = "count"
AMOUNT = "amount"
RATE = "rate"
INDEX = "index"
CHANGE = "change"
KINDS: tuple[str, ...] = (COUNT, AMOUNT, RATE, INDEX, CHANGE)
DEFAULT_KIND = COUNT
ADDITIVE_KINDS = frozenset({COUNT, AMOUNT})
PROTECTED_KINDS = frozenset({COUNT})


def parse_kind(value: object, where: str) -> str:
    """A validated kind; ``None`` gives the default (count)."""
    if value is None:
        return DEFAULT_KIND
    if not isinstance(value, str) or value not in KINDS:
        raise ConfigError(
            f"{where}: Art {value!r} unbekannt; erlaubt: {', '.join(KINDS)}",
            f"{where}: kind {value!r} unknown; allowed: {', '.join(KINDS)}",
        )
    return value


def kind_of(kinds: Mapping[str, str], variable: str) -> str:
    """The kind of a variable; unknown variables are counts (fail closed)."""
    kind = kinds.get(variable)
    return kind if kind in KINDS else DEFAULT_KIND


def is_protected(kinds: Mapping[str, str], variable: str) -> bool:
    return kind_of(kinds, variable) in PROTECTED_KINDS


def is_additive(kinds: Mapping[str, str], variable: str) -> bool:
    return kind_of(kinds, variable) in ADDITIVE_KINDS


def indicator_kind(numerator: tuple[str, ...], denominator: tuple[str, ...], kinds: Mapping[str, str]) -> str:
    """The kind of an indicator's value: a ratio is a rate; a plain sum takes its variables' kind (a sum
    mixing kinds is treated as a count, the strictest)."""
    if denominator:
        return RATE
    found = {kind_of(kinds, v) for v in numerator}
    return found.pop() if len(found) == 1 else COUNT


def kind_from_unit(unit: str | None) -> str:
    """Only for upgrading databases made before kinds existed (migration 0007): a guess from the unit text."""
    u = f" {(unit or '').lower()} "
    if "punkte" in u:
        return CHANGE
    if "%" in u or "prozent" in u:
        return RATE
    if " je " in u or "index" in u:
        return INDEX
    if any(m in u for m in (" ha ", "m²", "m2", "km²", "€", "eur", "euro")):
        return AMOUNT
    return COUNT
