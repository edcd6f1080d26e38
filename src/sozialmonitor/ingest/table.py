"""Reading a statistics table (CSV or XLSX) into validated observations.

:func:`read_table` returns a long DataFrame with the columns of :data:`OUTPUT_COLUMNS`, one row per
observation, or raises :class:`~sozialmonitor.errors.ImportValidationError` listing every problem of the
file (up to 1000). Nothing here touches the database; unknown unit keys are checked against the store by
the caller, with :func:`validate_units`.

Layouts:

* ``wide``: one row per unit (and date), one column per variable (``variables`` maps headers to keys);
* ``long``: one row per observation, columns unit, date (or a fixed ``date``), variable, value;
* ``wide_dates``: one row per unit, one column per reference date (headers such as ``31.12.2006`` or
  ``2006``), one variable for the whole file (``variable``).

Rows are 1-based line numbers as shown by a text editor (records spanning several lines count from their
first line) or Excel row numbers; columns are header names (column letters when there is no header).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sozialmonitor.errors import Problem
from sozialmonitor.ingest.cells import decide_decimal, normalise_key, parse_date, parse_value
from sozialmonitor.ingest.decode import has_undecodable, show_undecodable
from sozialmonitor.ingest.grid import Cell, Grid, Table, locate_table, read_grid
from sozialmonitor.ingest.mapping import TableMapping
from sozialmonitor.ingest.problems import ProblemCollector

OUTPUT_COLUMNS: tuple[str, ...] = (
    "unit_key",
    "ref_date",
    "variable",
    "value",
    "status",
    "source_row",
    "source_column",
)

_NUMBER_DE = "eine Zahl (z. B. 1234 oder 1.234,5) oder ein Zeichen der amtlichen Statistik (. - x / * …)"
_NUMBER_EN = "a number (e.g. 1234 or 1,234.5) or a mark of official statistics (. - x / * …)"
_DATE_DE = "einen Stichtag wie 2017, 31.12.2017 oder 2017-12-31"
_DATE_EN = "a reference date such as 2017, 31.12.2017 or 2017-12-31"


@dataclass
class _Raw:
    """Observations before the cells are parsed (parallel lists)."""

    unit: list[str]
    date: list[dt.date | None]
    variable: list[str]
    value: list[Cell]
    row: list[int]
    column: list[str]
    totals: int = 0  # rows recognised as totals (``total_rows``), not imported

    @classmethod
    def empty(cls) -> _Raw:
        return cls([], [], [], [], [], [])

    def add(self, unit: str, date: dt.date | None, variable: str, value: Cell, row: int, column: str) -> None:
        self.unit.append(unit)
        self.date.append(date)
        self.variable.append(variable)
        self.value.append(value)
        self.row.append(row)
        self.column.append(column)


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in OUTPUT_COLUMNS})


def _require(table: Table, name: str, role: str, problems: ProblemCollector) -> int | None:
    hits = table.find(name)
    if len(hits) == 1:
        return hits[0]
    if not hits:
        problems.add(
            table.header_line,
            name,
            None,
            f"eine Spalte {name!r} ({role} der Zuordnung) in der Kopfzeile; vorhanden: {table.headers}",
            f"a column {name!r} ({role} of the mapping) in the header; present: {table.headers}",
        )
    else:
        problems.add(
            table.header_line,
            name,
            None,
            f"die Spalte {name!r} nur einmal, sie steht {len(hits)}-mal in der Kopfzeile",
            f"the column {name!r} once, it appears {len(hits)} times in the header",
        )
    return None


def _unmapped(table: Table, index: int, problems: ProblemCollector, what_de: str, what_en: str) -> None:
    problems.add(
        table.header_line,
        table.headers[index],
        None,
        f"nur Spalten aus der Zuordnung ({what_de}); sonst ignore_columns oder ignore_unmapped: true",
        f"only columns of the mapping ({what_en}); otherwise ignore_columns or ignore_unmapped: true",
    )


def _column_has_data(table: Table, index: int) -> bool:
    return any(index < len(c) and c[index] is not None and str(c[index]).strip() for _, c in table.rows)


def _row_date(
    cells: list[Cell],
    date_index: int | None,
    table: Table,
    line: int,
    m: TableMapping,
    problems: ProblemCollector,
) -> dt.date | None:
    if date_index is None:
        return m.date
    month, day = m.reference_month_day()
    raw = cells[date_index]
    date = parse_date(raw, month, day)
    if date is None:
        problems.add(line, table.headers[date_index], "" if raw is None else raw, _DATE_DE, _DATE_EN)
    return date


def _collect(table: Table, m: TableMapping, problems: ProblemCollector) -> _Raw:
    raw = _Raw.empty()
    unit_i = _require(table, m.unit_column, "unit_column", problems)
    date_i = _require(table, m.date_column, "date_column", problems) if m.date_column else None
    known = {unit_i, date_i}
    if m.name_column:
        known.update(table.find(m.name_column))
    for name in m.ignore_columns:
        known.update(table.find(name))
    value_cols: list[tuple[int, str]] = []  # (column index, variable key)
    date_cols: list[tuple[int, dt.date]] = []
    var_i = val_i = None
    if m.layout == "wide":
        for header, key in m.variables.items():
            hits = table.find(header)
            if len(hits) == 1:
                value_cols.append((hits[0], key))
            elif hits or m.require_all_variables:
                _require(table, header, "variables", problems)
        known.update(i for i, _ in value_cols)
    elif m.layout == "long":
        var_i = _require(table, m.variable_column or "", "variable_column", problems)
        val_i = _require(table, m.value_column or "", "value_column", problems)
        known.update({var_i, val_i})
    else:
        month, day = m.reference_month_day()
        for i, header in enumerate(table.headers):
            if i in known:
                continue
            d = parse_date(header, month, day)
            if d is not None:
                date_cols.append((i, d))
        known.update(i for i, _ in date_cols)
        if not date_cols and table.headers:
            problems.add(
                table.header_line,
                None,
                None,
                f"Spalten mit Stichtagen ({_DATE_DE})",
                f"date columns ({_DATE_EN})",
            )
    if m.layout != "long" and not m.ignore_unmapped:
        what = ("variables", "variables") if m.layout == "wide" else ("Stichtage", "reference dates")
        for i in range(len(table.headers)):
            if i in known or (i in table.blank_headers and not _column_has_data(table, i)):
                continue  # mapped, or an empty column without header (Excel's trailing columns)
            _unmapped(table, i, problems, *what)
    if problems or unit_i is None:
        return raw
    name_i = table.find(m.name_column)[0] if m.name_column and table.find(m.name_column) else None
    for line, cells in table.rows:
        unit = normalise_key(cells[unit_i])
        name = normalise_key(cells[name_i]) if name_i is not None else ""
        if m.is_total(unit, name):
            raw.totals += 1  # a totals row ("Bezirk Eimsbüttel", "Insgesamt"): not an area
            continue
        unit = m.transform_key(unit)
        if not unit:
            problems.add(line, table.headers[unit_i], "", "einen Gebietsschlüssel", "a unit key")
            continue
        if m.layout == "wide":
            date = _row_date(cells, date_i, table, line, m, problems)
            for i, key in value_cols:
                raw.add(unit, date, key, cells[i], line, table.headers[i])
        elif m.layout == "wide_dates":
            for i, d in date_cols:
                raw.add(unit, d, m.variable or "", cells[i], line, table.headers[i])
        else:
            assert var_i is not None and val_i is not None
            date = _row_date(cells, date_i, table, line, m, problems)
            name = "" if cells[var_i] is None else str(cells[var_i]).strip()
            key = m.variables.get(name, name) if m.variables else name
            if m.variables and name not in m.variables and key not in m.variables.values():
                if not m.ignore_unmapped:
                    problems.add(
                        line,
                        table.headers[var_i],
                        name,
                        f"eine Variable aus der Zuordnung: {sorted(m.variables)}",
                        f"a variable of the mapping: {sorted(m.variables)}",
                    )
                continue
            if not key:
                problems.add(line, table.headers[var_i], "", "einen Variablennamen", "a variable name")
                continue
            raw.add(unit, date, key, cells[val_i], line, table.headers[val_i])
    return raw


def _check_undecodable(grid: Grid, table: Table, problems: ProblemCollector) -> None:
    if not grid.is_text:
        return
    header_cells = [(table.header_line, i, h) for i, h in enumerate(table.headers)]
    body_cells = [(line, i, c) for line, cells in table.rows for i, c in enumerate(cells)]
    for line, i, cell in header_cells + body_cells:
        if isinstance(cell, str) and has_undecodable(cell):
            problems.add(
                line,
                show_undecodable(table.headers[i]),
                show_undecodable(cell),
                f"lesbaren Text in UTF-8 oder Windows-1252 (Datei als {grid.encoding} gelesen)",
                f"readable text in UTF-8 or Windows-1252 (file read as {grid.encoding})",
            )


def _parse_values(raw: _Raw, m: TableMapping, grid: Grid, problems: ProblemCollector) -> pd.DataFrame:
    text_values = list({v for v in raw.value if isinstance(v, str)})
    decimal = m.decimal if m.decimal != "auto" else decide_decimal(text_values, grid.delimiter == ",")
    markers = m.marker_table()
    parsed: dict[object, tuple[float, str] | None] = {}
    values = np.empty(len(raw.value), dtype=float)
    statuses: list[str] = []
    for k, v in enumerate(raw.value):
        cache_key = (type(v), v)
        if cache_key not in parsed:
            parsed[cache_key] = parse_value(v, decimal, markers)
        result = parsed[cache_key]
        if result is None:
            problems.add(raw.row[k], raw.column[k], v, _NUMBER_DE, _NUMBER_EN)
            values[k], status = math.nan, "missing"
        else:
            values[k], status = result
        statuses.append(status)
    df = pd.DataFrame(
        {
            "unit_key": pd.Series(raw.unit, dtype=object),
            "ref_date": pd.Series(raw.date, dtype=object),
            "variable": pd.Series(raw.variable, dtype=object),
            "value": values,
            "status": pd.Series(statuses, dtype=object),
            "source_row": np.asarray(raw.row, dtype=np.int64),
            "source_column": pd.Series(raw.column, dtype=object),
        }
    )
    df.attrs["decimal"] = decimal
    return df


def _records(df: pd.DataFrame) -> list[tuple[str, dt.date, str, float, int, str]]:
    cols = ["unit_key", "ref_date", "variable", "value", "source_row", "source_column"]
    return list(zip(*(df[c].tolist() for c in cols), strict=True))


def _check_values(df: pd.DataFrame, m: TableMapping, problems: ProblemCollector) -> None:
    count_vars = [v for v in df["variable"].unique() if m.is_count(v)]
    negative = df[df["variable"].isin(count_vars) & (df["value"] < 0)]
    for _unit, _date, variable, value, row, column in _records(negative):
        problems.add(
            row,
            column,
            f"{value:g}",
            f"eine Anzahl ≥ 0 für {variable} (sonst non_count_variables in der Zuordnung)",
            f"a count ≥ 0 for {variable} (otherwise non_count_variables in the mapping)",
        )
    keys = ["unit_key", "ref_date", "variable"]
    dup = df[df.duplicated(keys, keep=False)]
    if dup.empty:
        return
    first_rows: dict[tuple[str, dt.date, str], int] = {}
    for unit, date, variable, _value, row, column in _records(dup.sort_values("source_row", kind="stable")):
        key = (unit, date, variable)
        if key not in first_rows:
            first_rows[key] = row
            continue
        problems.add(
            row,
            column,
            f"{unit} / {date:%d.%m.%Y} / {variable}",
            f"jede Kombination Gebiet/Stichtag/Variable nur einmal – doppelt mit Zeile {first_rows[key]}",
            f"each unit/date/variable only once – duplicate of row {first_rows[key]}",
        )


def read_table(path: Path, mapping: TableMapping, *, display_name: str | None = None) -> pd.DataFrame:
    """Read and validate a table file; see the module docstring for layouts and the output contract.

    ``display_name`` is the file name used in problems (default: the file's name).
    """
    path = Path(path)
    problems = ProblemCollector(display_name or path.name)
    grid = read_grid(path, mapping, problems)
    problems.raise_if_any()
    assert grid is not None
    if not any(any(c is not None and str(c).strip() for c in cells) for _, cells in grid.rows):
        problems.add(
            None,
            None,
            None,
            "eine Kopfzeile und mindestens eine Datenzeile – die Datei ist leer",
            "a header row and at least one data row – the file is empty",
        )
        problems.raise_if_any()
    table = locate_table(grid, mapping)
    _check_undecodable(grid, table, problems)
    problems.raise_if_any()
    raw = _collect(table, mapping, problems)
    problems.raise_if_any()
    if not table.rows:
        problems.add(
            table.header_line,
            None,
            None,
            "mindestens eine Datenzeile unter der Kopfzeile",
            "at least one data row below the header",
        )
        problems.raise_if_any()
    df = _parse_values(raw, mapping, grid, problems)
    if mapping.skip_units:
        df = df[~df["unit_key"].isin(mapping.skip_units)].reset_index(drop=True)
    _check_values(df, mapping, problems)
    problems.raise_if_any()
    if df.empty:
        return _empty_frame()
    unit_hits = table.find(mapping.unit_column)
    df.attrs.update(
        total_rows=raw.totals,
        unit_column=table.headers[unit_hits[0]],
        header_row=table.header_line,
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        source=mapping.source,
    )
    return df


def validate_units(
    df: pd.DataFrame, known_keys: set[str], file: str, *, unit_column: str | None = None
) -> list[Problem]:
    """Problems for observations whose unit key is not in ``known_keys`` (one per file row)."""
    column = unit_column or df.attrs.get("unit_column")
    unknown = df[~df["unit_key"].isin(known_keys)].drop_duplicates(["source_row", "unit_key"])
    sample = ", ".join(sorted(known_keys)[:10]) + (" …" if len(known_keys) > 10 else "")
    return [
        Problem(
            file,
            int(row) if row else None,
            column,
            str(unit),
            f"einen bekannten Gebietsschlüssel (z. B. {sample}); sonst skip_units in der Zuordnung",
            f"a known unit key (e.g. {sample}); otherwise skip_units in the mapping",
        )
        for unit, row in zip(unknown["unit_key"].tolist(), unknown["source_row"].tolist(), strict=True)
    ]
