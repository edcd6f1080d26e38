"""Generated sentences: highest and lowest districts, change against the comparison year, far-off districts.

German grammar is handled for one and several districts (``der Bezirk … hat`` / ``die Bezirke … haben``,
``in einem Bezirk`` / ``in 3 Bezirken``), ties (``je 4,5 %``), and rising, falling or unchanged values (the
change is compared at the indicator's published precision). Every function also speaks English
(``lang="en"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sozialmonitor.fmt import indicator_value, is_count_unit, number, rounded
from sozialmonitor.indicators.catalogue import IndicatorDef
from sozialmonitor.report.settings import UnitTerm

MAX_NAMES = 5


def fmt_value(value: float | None, defn: IndicatorDef, lang: str = "de", with_unit: bool = True) -> str:
    """A value with its unit (same text as on the web): ``12,5 %``, ``1.234``, ``3,1 je 1.000 Einwohner``."""
    return indicator_value(value, defn.decimals, defn.unit, lang, with_unit)


def change_unit(defn: IndicatorDef, amount: str, lang: str = "de") -> str:
    """The unit of a change: percentage points for shares, the indicator's unit otherwise."""
    if defn.unit == "%":
        if lang == "de":
            return "Prozentpunkt" if amount == "1" else "Prozentpunkte"
        return "percentage point" if amount == "1" else "percentage points"
    return "" if is_count_unit(defn.unit) else defn.unit


def fmt_change(delta: float | None, defn: IndicatorDef, lang: str = "de", sign: bool = True) -> str:
    """``+1,2 Prozentpunkte``, ``−340``; ``–`` when missing."""
    if delta is None:
        return "–"
    amount = number(abs(delta), defn.decimals, lang)
    prefix = (
        ("+" if delta > 0 else "−" if delta < 0 else "±")
        if sign and amount != number(0, defn.decimals, lang)
        else ""
    )
    unit = change_unit(defn, amount, lang)
    return f"{prefix}{amount} {unit}".strip()


def join(items: Sequence[str], lang: str = "de") -> str:
    """``A``, ``A und B``, ``A, B und C`` (English: ``A, B and C``)."""
    word = "und" if lang == "de" else "and"
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _names(names: Sequence[str], lang: str) -> str:
    if len(names) <= MAX_NAMES:
        return join(list(names), lang)
    rest = len(names) - (MAX_NAMES - 1)
    more = f"{rest} weitere" if lang == "de" else f"{rest} more"
    return join([*names[: MAX_NAMES - 1], more], lang)


def _group(names: Sequence[str], term: UnitTerm, lang: str, case: str = "nom") -> str:
    """``der Bezirk A`` / ``die Bezirke A und B`` (``case="dat"``: ``dem Bezirk A`` / ``den Bezirken …``)."""
    if lang != "de":
        word = term.singular_en if len(names) == 1 else term.plural_en
        return f"the {word} {_names(names, lang)}"
    if len(names) == 1:
        article = term.article if case == "nom" else term.article_dative
        return f"{article} {term.singular} {names[0]}"
    return (
        f"die {term.plural} {_names(names, lang)}"
        if case == "nom"
        else f"den {term.dative_plural} {_names(names, lang)}"
    )


def _ties(values: Sequence[tuple[str, float]], defn: IndicatorDef, highest: bool) -> tuple[list[str], float]:
    """Names sharing the highest (lowest) value at the published precision, and that value."""
    shown = [(n, rounded(v, defn.decimals)) for n, v in values]
    best = max(v for _, v in shown) if highest else min(v for _, v in shown)
    return sorted(n for n, v in shown if v == best), best


def extremes_sentence(
    values: Sequence[tuple[str, float]], defn: IndicatorDef, term: UnitTerm, lang: str = "de"
) -> str:
    """Which districts have the highest and the lowest value (``values``: usable districts only)."""
    if not values:
        if lang == "de":
            return f"Für {term.no_accusative} {term.singular} liegt ein auswertbarer Wert vor."
        return f"No {term.singular_en} has a usable value."
    if len(values) == 1:
        name, v = values[0]
        if lang == "de":
            only = f"Nur für {term.one_accusative} {term.singular}"
            return f"{only} liegt ein auswertbarer Wert vor: {name} ({fmt_value(v, defn)})."
        return f"Only one {term.singular_en} has a usable value: {name} ({fmt_value(v, defn, lang)})."
    top, vt = _ties(values, defn, True)
    low, vl = _ties(values, defn, False)
    if vt == vl:
        if lang == "de":
            return f"Alle {len(values)} {term.plural} haben denselben Wert ({fmt_value(vt, defn)})."
        return f"All {len(values)} {term.plural_en} have the same value ({fmt_value(vt, defn, lang)})."

    def part(names: list[str], v: float) -> str:
        each = ("je " if lang == "de" else "each ") if len(names) > 1 else ""
        return f"{_group(names, term, lang)} ({each}{fmt_value(v, defn, lang)})"

    if lang == "de":
        verb = "hat" if len(top) == 1 else "haben"
        return f"Den höchsten Wert {verb} {part(top, vt)}, den niedrigsten {part(low, vl)}."
    return f"The highest value is found in {part(top, vt)}, the lowest in {part(low, vl)}."


def _direction(delta: float, defn: IndicatorDef) -> int:
    """+1 rising, −1 falling, 0 unchanged at the published precision."""
    r = rounded(delta, defn.decimals)
    return 0 if r == 0 else (1 if r > 0 else -1)


def city_change_sentence(
    now: float | None,
    then: float | None,
    year: int,
    compare_year: int | None,
    defn: IndicatorDef,
    city: str,
    lang: str = "de",
) -> str:
    """How the city value changed since the comparison year, with an assessment by polarity."""
    if compare_year is None:
        return ""
    if now is None or then is None:
        if lang == "de":
            return f"Ein gesamtstädtischer Vergleich mit {compare_year} ist nicht möglich (kein Stadtwert)."
        return f"No city-wide comparison with {compare_year} is possible (no city value)."
    delta = now - then
    d = _direction(delta, defn)
    where = f"In {city}" if city else "Stadtweit"
    if lang != "de":
        where = f"In {city}" if city else "City-wide"
    if d == 0:
        if lang == "de":
            value = fmt_value(now, defn)
            return f"{where} ist der Wert gegenüber {compare_year} unverändert geblieben ({value})."
        return f"{where} the value is unchanged since {compare_year} ({fmt_value(now, defn, lang)})."
    amount = fmt_change(delta, defn, lang, sign=False)
    if lang == "de":
        verb = "gestiegen" if d > 0 else "gesunken"
        text = (
            f"{where} ist der Wert von {fmt_value(then, defn)} ({compare_year}) auf "
            f"{fmt_value(now, defn)} ({year}) {verb}, um {amount}."
        )
    else:
        verb = "rose" if d > 0 else "fell"
        text = (
            f"{where} the value {verb} from {fmt_value(then, defn, lang)} ({compare_year}) to "
            f"{fmt_value(now, defn, lang)} ({year}), by {amount}."
        )
    if defn.polarity != "neutral":
        good = (d > 0) == (defn.polarity == "positive")
        if lang == "de":
            text += " Das ist eine günstige Entwicklung." if good else " Das ist eine ungünstige Entwicklung."
        else:
            text += " This is a favourable development." if good else " This is an unfavourable development."
    return text


def _in_count(n: int, term: UnitTerm, lang: str) -> str:
    if lang != "de":
        return f"in one {term.singular_en}" if n == 1 else f"in {n} {term.plural_en}"
    return f"in {term.one_dative} {term.singular}" if n == 1 else f"in {n} {term.dative_plural}"


def district_changes_sentence(
    changes: Sequence[float], compare_year: int | None, defn: IndicatorDef, term: UnitTerm, lang: str = "de"
) -> str:
    """In how many districts the value rose, fell or stayed the same (``changes``: comparable districts)."""
    if compare_year is None:
        return ""
    if not changes:
        if lang == "de":
            return f"Für {term.no_accusative} {term.singular} ist ein Vergleich mit {compare_year} möglich."
        return f"No {term.singular_en} can be compared with {compare_year}."
    dirs = [_direction(c, defn) for c in changes]
    up, down, same = dirs.count(1), dirs.count(-1), dirs.count(0)
    words = (
        ("gestiegen", "gesunken", "gleich geblieben") if lang == "de" else ("rose", "fell", "stayed the same")
    )
    if lang == "de":
        parts = [f"{_in_count(n, term, lang)} {w}" for n, w in zip((up, down, same), words, strict=True) if n]
    else:
        parts = [f"{w} {_in_count(n, term, lang)}" for n, w in zip((up, down, same), words, strict=True) if n]
    only = words[0 if up else 1 if down else 2]
    if lang == "de":
        if len(parts) == 1 and len(changes) > 1:
            return (
                f"Gegenüber {compare_year} ist der Wert in allen {len(changes)} {term.dative_plural} {only}."
            )
        return f"Gegenüber {compare_year} ist der Wert {join(parts, lang)}."
    if len(parts) == 1 and len(changes) > 1:
        return f"Compared with {compare_year} the value {only} in all {len(changes)} {term.plural_en}."
    return f"Compared with {compare_year} the value {join(parts, lang)}."


def far_sentence(
    above: Sequence[tuple[str, float]],
    below: Sequence[tuple[str, float]],
    city: float | None,
    defn: IndicatorDef,
    term: UnitTerm,
    lang: str = "de",
) -> str:
    """Districts far above or below the city value (chosen by the caller)."""
    if city is None:
        return ""
    ref = fmt_value(city, defn, lang)
    out = []
    for items, de, en in ((above, "über", "above"), (below, "unter", "below")):
        if not items:
            continue
        names = [f"{n} ({fmt_value(v, defn, lang)})" for n, v in items]
        if lang == "de":
            verb = "liegt" if len(items) == 1 else "liegen"
            out.append(f"Deutlich {de} dem städtischen Wert ({ref}) {verb} {_group(names, term, lang)}.")
        else:
            verb = "lies" if len(items) == 1 else "lie"
            group = _group(names, term, lang)
            out.append(f"{group[0].upper()}{group[1:]} {verb} well {en} the city value ({ref}).")
    if not out:
        if lang == "de":
            return f"Kein {term.singular} weicht deutlich vom städtischen Wert ({ref}) ab."
        return f"No {term.singular_en} deviates markedly from the city value ({ref})."
    return " ".join(out)


def count_phrase(n: int, one: str, many: str, none: str) -> str:
    """``ein Interview`` / ``3 Interviews`` / ``kein Interview`` (the caller gives the three forms)."""
    if n == 0:
        return none
    return one if n == 1 else f"{n} {many}"


def cell(
    value: object, status: object = "ok", flag_small: object = False, decimals: int = 1, lang: str = "de"
) -> str:
    """A table cell: ``.`` withheld, ``/`` not reliable, ``–`` missing, else the number."""
    if status == "suppressed":
        return "."
    if value is None or (isinstance(value, float) and math.isnan(value)) or status == "missing":
        return "–"
    if bool(flag_small):
        return "/"
    return number(float(value), decimals, lang)  # type: ignore[arg-type]
