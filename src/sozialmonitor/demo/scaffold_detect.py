"""What ``sozialmonitor city init`` reads from a boundary file and a statistics table: plain functions on
plain data (attribute columns, the located :class:`~sozialmonitor.ingest.grid.Table`), no files written.

Boundaries: the key attribute (unique, non-empty, short codes; names like id/key/schluessel/nr/code
preferred) and the name attribute (text, one per feature). Tables: header row(s) and unit rows above the
data (title lines dropped), the unit column (the column whose keys match a boundary file best, also after a
``key_transform``), a name column, a date column, the layout (wide or long), the variables with a guessed
kind, and rows that are totals (words such as "insgesamt", or the sum of the areas).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sozialmonitor.errors import ImportValidationError, Problem
from sozialmonitor.ingest.cells import (
    DEFAULT_MARKERS,
    decide_decimal,
    normalise_key,
    parse_date,
    parse_number,
    parse_value,
)
from sozialmonitor.ingest.grid import Cell, Grid, Table, filled, locate_table, normalise_header
from sozialmonitor.ingest.mapping import TableMapping, mapping_from_dict

KEY_HINT = re.compile(r"(^|[^a-z])(id|key|nr|no|code|ags|ars|kenn\w*|schl\w*|nummer|num)([^a-z]|$)")
NAME_HINT = re.compile(r"(^|[^a-z])(name|bez|bezeichnung|titel|label|gebiet\w*)([^a-z]|$)")
DATE_HINT = re.compile(r"(^|[^a-z])(jahr|year|datum|date|stichtag|zeit\w*|berichtsjahr)([^a-z]|$)")
TECHNICAL_ID = re.compile(r"objectid|object_id|fid|ogc_fid|ogr_fid|gid|oid|fid_\d*|index")
VALUE_HINT = re.compile(r"(^|[^a-z])(wert|value|anzahl|zahl|betrag|count)([^a-z]|$)")
RATE_HINT = re.compile(r"%|prozent|percent|anteil|quote|rate|dichte|je \d|pro \d|durchschnitt|mittel")
UNITS_ROW = re.compile(
    r"(?i)(anzahl|absolut|abs\.?|%|in %|prozent|personen|euro|eur|€|ha|km²|m²|qm|jahre|number|persons"
    r"|percent|je \d+.*|per \d+.*)"
)
TOTAL_WORD = re.compile(
    r"(?i)\b(insgesamt|gesamt|gesamtstadt|summe|zusammen|total|stadt|bezirk|stadtbezirk|landkreis|kreis)\b"
)
TOTAL_PREFIX = re.compile(r"(?i)^(bezirk|stadtbezirk|landkreis|kreis)\s")
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
DE_DATE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)(?!\d)")


@dataclass
class BoundaryGuess:
    """Key and name attribute of a boundary file; ``units`` maps each key to its name (or key)."""

    key_field: str
    name_field: str | None
    units: dict[str, str]
    other_keys: list[str] = field(default_factory=list)


@dataclass
class VariableGuess:
    label: str  # column header (wide) or value of the variable column (long)
    kind: str = "count"
    guessed: bool = False  # kind is a guess (not whole non-negative numbers, or a share by its name)


@dataclass
class TableGuess:
    header_row: int | str  # 1-based line, "auto" or "none"
    header_line: int | None  # the line found
    header_rows: int
    skip_rows: int
    unit_column: str
    level: str | None
    key_transform: dict[str, Any]
    matched: int
    keys: int
    unmatched: list[str]
    name_column: str | None
    date_column: str | None
    date: dt.date | None  # guessed from a title line or the file name (no date column)
    layout: str
    variable_column: str | None
    value_column: str | None
    variables: list[VariableGuess]
    ignore_columns: list[str]
    total_rows: str | None
    total_labels: list[str]
    years: list[int]
    notes: list[tuple[str, str]] = field(default_factory=list)


def _hint(pattern: re.Pattern[str], name: str) -> bool:
    return pattern.search(normalise_header(name)) is not None


def ascii_slug(text: str, limit: int = 60) -> str:
    """snake_case ASCII: ``Einwohner männlich 0–3 Jahre`` → ``einwohner_maennlich_0_3_jahre``."""
    text = text.casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("%", " prozent ")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", re.sub(r"[\W_]+", " ", text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:limit].strip("_")
    return f"v_{slug}" if slug[:1].isdigit() else slug


def unique_key(text: str, taken: set[str], fallback: str = "variable") -> str:
    base = ascii_slug(text) or fallback
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


# -- boundary files -------------------------------------------------------------------------------------
def detect_boundary(columns: dict[str, list[object]]) -> BoundaryGuess | None:
    """Key and name attribute among a boundary file's attribute columns (None: no unique column)."""

    def text(v: object) -> str:
        if isinstance(v, float) and not math.isnan(v) and not v.is_integer():
            return ""  # a measure (area, share) is no key
        return normalise_key(v)

    keyed: list[tuple[tuple[int, bool, bool, int, int], str]] = []
    for i, (name, values) in enumerate(columns.items()):
        keys = [text(v) for v in values]
        if not values or not all(keys) or len(set(keys)) != len(keys):
            continue
        hint = _hint(KEY_HINT, name) - _hint(NAME_HINT, name) - bool(TECHNICAL_ID.fullmatch(name.casefold()))
        code_like = all(len(k) <= 16 and " " not in k for k in keys)  # short codes before long texts
        with_digits = all(any(ch.isdigit() for ch in k) for k in keys)
        keyed.append(((hint, code_like, with_digits, -max(map(len, keys)), -i), name))
    if not keyed:
        return None
    keyed.sort(reverse=True)
    key_field = keyed[0][1]
    keys = [text(v) for v in columns[key_field]]
    named: list[tuple[tuple[int, float, int], str]] = []
    for i, (name, values) in enumerate(columns.items()):
        texts = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
        if name == key_field or len(texts) < len(values) or not all(re.search(r"[^\W\d_]", t) for t in texts):
            continue
        named.append(((_hint(NAME_HINT, name), len(set(texts)) / len(texts), -i), name))
    named = [n for n in sorted(named, reverse=True) if n[0][1] >= 0.8]
    name_field = named[0][1] if named else None
    names = [str(v).strip() for v in columns[name_field]] if name_field else keys
    return BoundaryGuess(
        key_field, name_field, dict(zip(keys, names, strict=True)), [n for _, n in keyed[1:]]
    )


def parent_field(columns: dict[str, list[object]], own: BoundaryGuess, parent_keys: set[str]) -> str | None:
    """An attribute of a finer boundary file that holds the coarser unit's key (e.g. ``BEZ``)."""
    for name, values in columns.items():
        keys = {normalise_key(v) for v in values}
        if name not in (own.key_field, own.name_field) and "" not in keys and keys <= parent_keys:
            return name
    return None


# -- tables ---------------------------------------------------------------------------------------------
def _is_number(cell: Cell) -> bool:
    if isinstance(cell, bool) or cell is None:
        return False
    if isinstance(cell, int | float | dt.date):
        return not (isinstance(cell, float) and math.isnan(cell))
    text = str(cell).strip()
    return bool(text) and (parse_number(text, ",") is not None or parse_number(text, ".") is not None)


def header_block(grid: Grid) -> tuple[int | None, int, int, list[str]]:
    """(1-based header line or None, header rows, unit rows below them, title texts above)."""
    rows = [(line, [(i, c) for i, c in enumerate(cells) if filled(c)]) for line, cells in grid.rows]
    first = next(
        (k for k, (_, cs) in enumerate(rows) if len(cs) >= 2 and any(_is_number(c) for _, c in cs)), 0
    )
    end = first
    while end > 0 and not rows[end - 1][1]:  # blank lines between header and data
        end -= 1
    top = end
    while top > 0 and rows[top - 1][1] and not any(_is_number(c) for _, c in rows[top - 1][1]):
        top -= 1
    block = rows[top:end]
    titles = [str(c) for _, cs in rows[:top] for _, c in cs]

    def title(cells: list[tuple[int, Cell]]) -> bool:  # a title right above the header: one cell, or only
        last = max(i for i, _ in block[-1][1])  # the first two where the header goes further
        return [i for i, _ in cells] == [0] or (max(i for i, _ in cells) <= 1 < last)

    while block and title(block[0][1]):
        titles += [str(c) for _, c in block.pop(0)[1]]
    skip = 0
    while block and all(UNITS_ROW.fullmatch(str(c).strip()) for _, c in block[-1][1]):
        block.pop()
        skip += 1
    if not block:
        return None, 1, 0, titles
    return block[0][0], len(block), skip, titles


def reader_mapping(**extra: Any) -> TableMapping:
    """A mapping that only reads (the importer's own header, footer and key_transform rules)."""
    return mapping_from_dict({"unit_column": "\x00", "date": "2000-12-31", "variables": ["\x00"], **extra})


def locate(grid: Grid, header_row: int | str | None, header_rows: int, skip_rows: int, unit: str) -> Table:
    """The table under the header, located by the importer's own :func:`locate_table`."""
    return locate_table(
        grid,
        reader_mapping(unit_column=unit, header_row=header_row, header_rows=header_rows, skip_rows=skip_rows),
    )


def key_transforms(
    keys: set[str], units: dict[str, str]
) -> list[tuple[dict[str, Any], Callable[[str], str]]]:
    """Candidate ``key_transform`` for a table's keys into the units' keys, simplest first; the last ones are
    lookups by the key's number (without prefix and leading zeros) and by the unit's name."""
    found: list[dict[str, Any]] = [{}]
    width = max((len(u) for u in units), default=0)
    all_digits = bool(units) and all(u.isdigit() for u in units)
    if all_digits:
        found.append({"zero_pad": width})
    heads = {m.group(1) for k in keys if (m := re.fullmatch(r"(\D*)\d+", k))}
    if len(heads) == 1 and (head := heads.pop()):
        found.append({"strip_prefix": head})
        if all_digits:
            found.append({"strip_prefix": head, "zero_pad": width})
    if all_digits:
        found.append({"regex": r"0*(\d+)$"})
    out: list[tuple[dict[str, Any], Callable[[str], str]]] = [
        (t, reader_mapping(key_transform=t).transform_key) for t in found
    ]

    def number(text: str) -> str:
        m = re.fullmatch(r"\D*?0*(\d+)", text)
        return m.group(1) if m else text.casefold()

    def name(text: str) -> str:
        return " ".join(text.casefold().split())

    for norm, by_name in ((number, False), (name, True)):
        index: dict[str, list[str]] = {}
        for u, label in units.items():
            index.setdefault(norm(label if by_name else u), []).append(u)
        lookup = {k: index[norm(k)][0] for k in sorted(keys) if len(index.get(norm(k), [])) == 1}
        lookup = {k: u for k, u in lookup.items() if k != u}
        if lookup:
            out.append(({"lookup": lookup}, reader_mapping(key_transform={"lookup": lookup}).transform_key))
    return out


def _columns(table: Table) -> list[int]:
    """Columns with a header or with data (Excel's empty trailing columns left out)."""
    return [
        i
        for i in range(len(table.headers))
        if i not in table.blank_headers or any(filled(cells[i]) for _, cells in table.rows)
    ]


def match_units(
    table: Table, levels: dict[str, dict[str, str]]
) -> tuple[int, str | None, dict[str, Any], int]:
    """(column, level, key_transform, matched keys): the column whose keys match a level's units best."""
    best: tuple[tuple[int, float, int, int], int, str | None, dict[str, Any]] = ((0, 0.0, 0, 0), 0, None, {})
    for i in _columns(table):
        keys = {normalise_key(cells[i]) for _, cells in table.rows} - {""}
        for level, units in levels.items():
            for rank, (t, fn) in enumerate(key_transforms(keys, units)):
                matched = len({k for k in keys if fn(k) in units})
                fuzzy = "lookup" in t and matched < len(keys) / 2  # a few numbers of a value column
                score = (matched, matched / max(len(units), 1), -rank, -i)
                if matched and not fuzzy and score > best[0]:
                    best = (score, i, level, t)
    if best[2] is None:  # nothing matches: a column named like a key, else the first one
        hinted = [i for i in _columns(table) if _hint(KEY_HINT, table.headers[i])]
        return (hinted or _columns(table))[0], None, {}, 0
    return best[1], best[2], best[3], best[0][0]


def _no_table(file: str) -> ImportValidationError:
    de, en = "eine Tabelle: Kopfzeile und Zeilen mit Zahlen", "a table: a header row and rows with numbers"
    return ImportValidationError([Problem(file, None, None, None, de, en)])


def detect_table(grid: Grid, levels: dict[str, dict[str, str]], file: str) -> TableGuess:
    """Everything a mapping needs, from the grid of a table file and the units of each level."""
    header, n_header, skip, titles = header_block(grid)
    table = locate(grid, header, n_header, skip, "\x00")
    if not table.rows or not _columns(table):
        raise _no_table(file)
    unit_i, level, transform, matched = match_units(table, levels)
    unit_col = table.headers[unit_i]
    table = locate(grid, header, n_header, skip, unit_col)  # footers and headings judged by the unit column
    rows = [cells for _, cells in table.rows]
    cols = _columns(table)
    keys = [normalise_key(r[unit_i]) for r in rows]
    decimal = decide_decimal([c for r in rows for c in r if isinstance(c, str)], grid.delimiter == ",")
    parsed = {i: [parse_value(r[i], decimal, DEFAULT_MARKERS) for r in rows] for i in cols}
    numeric = [
        i
        for i, vs in parsed.items()
        if i != unit_i
        and all(v is not None for v in vs)
        and any(v is not None and v[1] != "missing" for v in vs)
    ]
    seen: dict[str, int] = {}
    for i in cols:
        seen[normalise_header(table.headers[i])] = seen.get(normalise_header(table.headers[i]), 0) + 1
    doubled = [i for i in cols if seen[normalise_header(table.headers[i])] > 1 and i != unit_i]
    name_i = _name_column(table, rows, keys, [i for i in cols if i not in numeric and i != unit_i])
    date_i = _date_column(table, rows, keys, [i for i in cols if i not in (unit_i, name_i)])
    used = {unit_i, name_i, date_i, *doubled}
    texts = [i for i in cols if i not in used and i not in numeric]
    values = [i for i in numeric if i not in used]
    var_i = val_i = None
    per_date = {(k, "" if date_i is None else str(r[date_i])) for k, r in zip(keys, rows, strict=True)}
    for i in texts if len(per_date) < len(rows) else []:  # long: a text column names each row's variable
        combos = {
            (k, "" if date_i is None else str(r[date_i]), str(r[i])) for k, r in zip(keys, rows, strict=True)
        }
        if values and len(combos) == len(rows) and all(filled(r[i]) for r in rows):
            var_i, val_i = i, next((j for j in values if _hint(VALUE_HINT, table.headers[j])), values[-1])
            break
    units = levels.get(level or "", {})
    to_unit = reader_mapping(key_transform=transform).transform_key
    is_match = [bool(k) and to_unit(k) in units for k in keys]
    records: list[tuple[int, str, str, float]] = []  # row, date, variable, value
    found: dict[str, list[float]] = {}
    for k, r in enumerate(rows):
        for i in values if val_i is None else [val_i]:
            label = table.headers[i] if var_i is None else str(r[var_i]).strip()
            v = parsed[i][k]
            if not label:
                continue
            found.setdefault(label, [])
            if v is not None and not math.isnan(v[0]):
                found[label].append(v[0])
                records.append((k, "" if date_i is None else str(r[date_i]), label, v[0]))
    totals = _totals(rows, keys, is_match, name_i, records)
    total_rows, labels = _total_regex(rows, keys, totals, is_match, name_i)
    date = None if date_i is not None else _date_in([*titles, file])
    years = {d.year for r in rows if date_i is not None and (d := parse_date(r[date_i], 12, 31))}
    guess = TableGuess(
        header_row=header if header is not None else "none",
        header_line=header,
        header_rows=n_header,
        skip_rows=skip,
        unit_column=unit_col,
        level=level,
        key_transform=transform,
        matched=matched,
        keys=len({k for k, t in zip(keys, totals, strict=True) if k and not t}),
        unmatched=sorted({k for k, m, t in zip(keys, is_match, totals, strict=True) if not m and not t}),
        name_column=table.headers[name_i] if name_i is not None else None,
        date_column=table.headers[date_i] if date_i is not None else None,
        date=date,
        layout="wide" if var_i is None else "long",
        variable_column=None if var_i is None else table.headers[var_i],
        value_column=None if val_i is None else table.headers[val_i],
        variables=[_kind(label, vs) for label, vs in found.items()],
        ignore_columns=[]
        if var_i is not None
        else [table.headers[i] for i in sorted(set(texts) | set(doubled))],
        total_rows=total_rows,
        total_labels=labels,
        years=sorted(years) if years else ([date.year] if date else []),
    )
    if header is not None and n_header == 1:  # the importer's own header detection finds the same row
        probe = locate_table(grid, reader_mapping(unit_column=unit_col, skip_rows=skip))
        if probe.header_line == header:
            guess.header_row = "auto"
    if doubled:
        names = ", ".join(sorted({table.headers[i] for i in doubled}))
        guess.notes.append(
            (
                f"Spalten mit gleicher Überschrift nicht übernommen (header_rows?): {names}",
                f"columns with the same header left out (header_rows?): {names}",
            )
        )
    return guess


def _name_column(table: Table, rows: list[list[Cell]], keys: list[str], candidates: list[int]) -> int | None:
    """A text column with one name per key (and nearly every key its own name)."""
    best: tuple[tuple[bool, float, int], int] | None = None
    for i in candidates:
        pairs = {(k, str(r[i]).strip()) for k, r in zip(keys, rows, strict=True) if k and filled(r[i])}
        names = {n for _, n in pairs}
        if not pairs or len(pairs) != len({k for k, _ in pairs}):
            continue
        if not all(re.search(r"[^\W\d_]", n) for n in names) or len(names) < 0.8 * len(pairs):
            continue
        score = (_hint(NAME_HINT, table.headers[i]), len(names) / len(pairs), -i)
        if best is None or score > best[0]:
            best = (score, i)
    return best[1] if best else None


def _date_column(table: Table, rows: list[list[Cell]], keys: list[str], candidates: list[int]) -> int | None:
    """A column of reference dates or years: named so, holding dates, or few years for many keys."""
    best: tuple[tuple[bool, bool, int], int] | None = None
    for i in candidates:
        values = [r[i] for r in rows if filled(r[i])]
        if not values or any(parse_date(v, 12, 31) is None for v in values):
            continue
        hint = _hint(DATE_HINT, table.headers[i])
        dated = all(
            isinstance(v, dt.date) or (isinstance(v, str) and re.search(r"\d[.-]\d", v)) for v in values
        )
        if hint or dated or len({str(v) for v in values}) <= len(set(keys)) / 2:  # few years, many keys
            score = (hint, dated, -i)
            if best is None or score > best[0]:
                best = (score, i)
    return best[1] if best else None


def _kind(label: str, values: list[float]) -> VariableGuess:
    if RATE_HINT.search(label.casefold()):
        return VariableGuess(label, "rate", True)
    if all(v.is_integer() and v >= 0 for v in values):
        return VariableGuess(label, "count")
    return VariableGuess(label, "rate" if all(0 <= v <= 100 for v in values) else "amount", True)


def _label(row: list[Cell], name_i: int | None) -> str:
    return str(row[name_i]).strip() if name_i is not None and filled(row[name_i]) else ""


def _totals(
    rows: list[list[Cell]],
    keys: list[str],
    is_match: list[bool],
    name_i: int | None,
    records: list[tuple[int, str, str, float]],
) -> list[bool]:
    """Rows that are totals: unmatched, with a word like "insgesamt" or values that are the areas' sum."""
    sums: dict[tuple[str, str], float] = {}
    for k, date, var, v in records:
        if is_match[k]:
            sums[(date, var)] = sums.get((date, var), 0.0) + v
    equal: dict[int, list[bool]] = {}
    for k, date, var, v in records:
        equal.setdefault(k, []).append(math.isclose(v, sums.get((date, var), math.nan), abs_tol=0.5))
    several = sum(is_match) >= 2
    return [
        not match
        and (
            any(TOTAL_WORD.search(t) for t in (key, _label(rows[k], name_i)) if t)
            or (several and bool(equal.get(k)) and all(equal[k]))
        )
        for k, (key, match) in enumerate(zip(keys, is_match, strict=True))
    ]


def _escape(text: str) -> str:
    return re.escape(text).replace("\\ ", " ")


def _total_regex(
    rows: list[list[Cell]], keys: list[str], totals: list[bool], is_match: list[bool], name_i: int | None
) -> tuple[str | None, list[str]]:
    """A ``total_rows`` regex for the totals' keys or names ("Bezirk .*" for several Bezirk rows) that
    matches no area; the labels found."""
    labels: list[str] = []
    for k, total in enumerate(totals):
        name = _label(rows[k], name_i)
        label = keys[k] if keys[k] and (TOTAL_WORD.search(keys[k]) or not name) else name
        if total and label and label not in labels:
            labels.append(label)
    if not labels:
        return None, []
    areas = [t for k, m in enumerate(is_match) if m for t in (keys[k], _label(rows[k], name_i)) if t]
    general = list(
        dict.fromkeys(f"{lb.split()[0]} .*" if TOTAL_PREFIX.match(lb) else _escape(lb) for lb in labels)
    )
    for parts in (general, [_escape(lb) for lb in labels]):
        pattern = parts[0] if len(parts) == 1 else "(" + "|".join(parts) + ")"
        if not any(re.fullmatch(pattern, t) for t in areas):
            return pattern, labels
    return None, labels


def _date_in(texts: list[str]) -> dt.date | None:
    """A reference date named in a title line or the file name: 31.12.2023, else a year (→ 31 December)."""
    for text in texts:
        for m in DE_DATE.finditer(text):
            try:
                return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                continue
    years = [y.group(1) for text in texts if (y := YEAR.search(text))]
    return dt.date(int(years[0]), 12, 31) if years else None
