"""Reading a CSV or XLSX file into a grid of cells and finding the table in it.

Statistics-office files carry title lines, a source line and blank lines above the table and footnotes
below it. ``header_row: auto`` takes the first of the first 50 rows that contains the unit column's name
(compared without case, surrounding or repeated whitespace and trailing footnote marks such as ``1)``);
if there is none, the first row with at least two filled cells. Below the table, trailing rows that are
blank, have at most one filled cell outside the unit column, or start with a footnote text (``Quelle:``,
``1)``, ``*)``, ``Stand:``, ``Hinweis``, ``Anmerkung``, ``©`` …) are dropped. Inside the table, blank rows
and rows with a single text cell and no unit key (section headings) are skipped.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sozialmonitor.ingest.decode import decode_bytes
from sozialmonitor.ingest.mapping import TableMapping
from sozialmonitor.ingest.problems import ProblemCollector

Cell = object
DELIMITERS: tuple[str, ...] = (";", "\t", ",", "|")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
FOOTNOTE = re.compile(
    r"^\s*(quelle|source|hinweis|anmerkung|anmerkungen|fußnote|fussnote|stand\b|erläuterung|zeichenerklärung"
    r"|©|\(c\)|\d{1,2}\)|\*+\)?\s|[¹²³⁴⁵⁶⁷⁸⁹])",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")
_FOOTREF = re.compile(r"\s*(\d{1,2}\)|\*+\)?|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)$")


def normalise_header(text: str) -> str:
    return _WS.sub(" ", text.replace("\ufeff", "")).strip().casefold()


def strip_footref(text: str) -> str:
    return _FOOTREF.sub("", text)


def column_letter(index: int) -> str:
    """0-based column index → Excel letter (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def filled(cell: Cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


@dataclass
class Grid:
    """All records of a file: (1-based line/row number as the user sees it, cells)."""

    rows: list[tuple[int, list[Cell]]]
    is_text: bool
    encoding: str | None = None
    delimiter: str | None = None


@dataclass
class Table:
    """The located table: header names (display form) and data rows below the header."""

    header_line: int | None
    headers: list[str]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    blank_headers: set[int] = field(default_factory=set)

    def find(self, name: str) -> list[int]:
        """Indexes of the columns whose header matches ``name``."""
        wanted = normalise_header(name)
        hits = [i for i, h in enumerate(self.headers) if normalise_header(h) == wanted]
        if not hits:
            wanted = normalise_header(strip_footref(name))
            hits = [i for i, h in enumerate(self.headers) if normalise_header(strip_footref(h)) == wanted]
        return hits


def _sniff_delimiter(text: str) -> str:
    best, best_score = ";", 0
    for delim in DELIMITERS:
        counts: dict[int, int] = {}
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        try:
            for i, rec in enumerate(reader):
                if i >= 200:
                    break
                if len(rec) >= 2:
                    counts[len(rec)] = counts.get(len(rec), 0) + 1
        except csv.Error:
            continue
        score = max(counts.values(), default=0)
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(data: bytes, mapping: TableMapping) -> Grid:
    text, encoding = decode_bytes(data, mapping.encoding)
    delimiter = mapping.delimiter if mapping.delimiter != "auto" else _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[Cell]]] = []
    start = 1
    for rec in reader:
        rows.append((start, list(rec)))
        start = reader.line_num + 1
    return Grid(rows, is_text=True, encoding=encoding, delimiter=delimiter)


def _read_xlsx(path: Path, mapping: TableMapping, problems: ProblemCollector) -> Grid | None:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        problems.add(
            None,
            None,
            type(exc).__name__,
            "eine lesbare Excel-Datei (.xlsx)",
            "a readable Excel file (.xlsx)",
        )
        return None
    sheet = mapping.sheet
    names = wb.sheetnames
    if sheet is None:
        ws = wb.worksheets[0]
    elif isinstance(sheet, int) and 1 <= sheet <= len(names):
        ws = wb.worksheets[sheet - 1]
    elif isinstance(sheet, str) and sheet in names:
        ws = wb[sheet]
    else:
        problems.add(
            None,
            None,
            str(sheet),
            f"ein Tabellenblatt aus {names} (Name oder Nummer ab 1)",
            f"a sheet of {names} (name or number from 1)",
        )
        return None
    rows = [(i, list(values)) for i, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)]
    wb.close()
    _formulas_without_result(path, ws.title, rows, problems)
    return Grid(rows, is_text=False)


def _formulas_without_result(
    path: Path, title: str, rows: list[tuple[int, list[Cell]]], problems: ProblemCollector
) -> None:
    """A formula cell whose file holds no computed result (written by a program, never opened in Excel)
    reads as empty: that would store a value as missing without a word. Name each one instead."""
    import openpyxl

    empty = {(line, i) for line, cells in rows for i, c in enumerate(cells) if c is None}
    if not empty:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, data_only=False, read_only=True)
    try:
        ws = wb[title]
        for line, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            for i, v in enumerate(values):
                if isinstance(v, str) and v.startswith("=") and (line, i) in empty:
                    problems.add(
                        line,
                        column_letter(i),
                        v[:60],
                        "einen Wert – die Formel hat kein gespeichertes Ergebnis (in Excel speichern)",
                        "a value – the formula has no stored result (open and save the file in Excel)",
                    )
    finally:
        wb.close()


def read_grid(path: Path, mapping: TableMapping, problems: ProblemCollector) -> Grid | None:
    """All records of the file, or None (with problems) if it cannot be read at all."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        problems.add(
            None,
            None,
            path.name,
            "eine .xlsx- oder .csv-Datei (altes .xls in Excel als .xlsx speichern)",
            "an .xlsx or .csv file (save old .xls files as .xlsx in Excel)",
        )
        return None
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, mapping, problems)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add(None, None, str(exc), "eine lesbare Datei", "a readable file")
        return None
    return _read_csv(data, mapping)


def _detect_header(grid: Grid, mapping: TableMapping) -> int | None:
    """Index into grid.rows of the header row (None: the file has no header)."""
    if mapping.header_row == "none":
        return None
    if isinstance(mapping.header_row, int):
        for i, (line, _) in enumerate(grid.rows):
            if line >= mapping.header_row:
                return i
        return len(grid.rows)
    wanted = {normalise_header(mapping.unit_column), normalise_header(strip_footref(mapping.unit_column))}
    for i, (_, cells) in enumerate(grid.rows[:50]):
        for cell in cells:
            if isinstance(cell, str) and (
                normalise_header(cell) in wanted or normalise_header(strip_footref(cell)) in wanted
            ):
                return i
    for i, (_, cells) in enumerate(grid.rows):
        if sum(filled(c) for c in cells) >= 2:
            return i
    return len(grid.rows)


def _text(cell: Cell) -> str:
    return _WS.sub(" ", str(cell).replace("\ufeff", "")).strip() if filled(cell) else ""


def _header_names(stack: list[list[Cell]], width: int) -> list[str]:
    """Column names from one or more header rows. In every row but the last, a group heading stands for the
    columns to its right until the next heading (a merged cell leaves those empty); the names are the texts
    of all rows joined: "Einwohner" over "männlich" gives "Einwohner männlich". A name written only in an
    upper row (a key column merged down over the header rows) is kept as it is."""
    rows = [[_text(cells[i]) if i < len(cells) else "" for i in range(width)] for cells in stack]
    for row in rows[:-1]:
        carried = ""
        for i in range(width):
            if row[i]:
                carried = row[i]
            elif carried and rows[-1][i]:
                row[i] = carried  # under a merged group heading
            else:
                carried = ""
    names = []
    for i in range(width):
        parts: list[str] = []
        for row in rows:
            if row[i] and (not parts or parts[-1] != row[i]):
                parts.append(row[i])
        names.append(" ".join(parts))
    return names


def _is_footer(cells: list[Cell], unit_index: int | None) -> bool:
    values = [(i, c) for i, c in enumerate(cells) if filled(c)]
    if not values:
        return True
    first = values[0][1]
    if isinstance(first, str) and FOOTNOTE.match(first):
        return True
    return len(values) == 1 and values[0][0] != unit_index


def locate_table(grid: Grid, mapping: TableMapping) -> Table:
    """Header names and data rows (title rows above and footnotes below removed)."""
    h = _detect_header(grid, mapping)
    width = max((len(c) for _, c in grid.rows), default=0)
    if h is None:
        headers = [column_letter(i) for i in range(width)]
        header_line, body = None, grid.rows
    elif h >= len(grid.rows):
        return Table(None, [], [])
    else:
        header_line = grid.rows[h][0]
        stack = [cells for _, cells in grid.rows[h : h + mapping.header_rows]]
        headers = []
        blank: set[int] = set()
        for i, text in enumerate(_header_names(stack, width)):
            headers.append(text or column_letter(i))
            if not text:
                blank.add(i)
        body = grid.rows[h + mapping.header_rows + mapping.skip_rows :]
    table = Table(header_line, headers)
    if h is not None:
        table.blank_headers = blank
    hits = table.find(mapping.unit_column)
    unit_index = hits[0] if hits else None
    end = len(body)
    while end > 0 and _is_footer(body[end - 1][1], unit_index):
        end -= 1
    for line, cells in body[:end]:
        values = [(i, c) for i, c in enumerate(cells) if filled(c)]
        if not values:
            continue
        unit_filled = unit_index is not None and unit_index < len(cells) and filled(cells[unit_index])
        if not unit_filled and (
            (len(values) == 1 and isinstance(values[0][1], str))
            or (isinstance(values[0][1], str) and FOOTNOTE.match(values[0][1]) is not None)
        ):
            continue
        table.rows.append((line, cells + [None] * (width - len(cells))))
    return table
