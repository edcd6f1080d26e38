"""The mapping file of a table import: which columns mean what.

A mapping is a small YAML file (or a :class:`TableMapping` built in code). Keys::

    layout: wide            # wide | long | wide_dates
    sheet: null             # XLSX: sheet name, or 1-based position (1 = first sheet); default first sheet
    header_row: auto        # auto | 1-based line number | none (no header: columns are named A, B, C, …)
    header_rows: 1          # header over several rows (group headings, merged cells): their texts joined
    skip_rows: 0            # rows below the header that are not data (units, descriptions, "Anzahl | %")
    unit_column: statbez_id # column with the spatial-unit key (required)
    name_column: null       # column with the unit name (ignored, never reported as unmapped)
    date_column: jahr       # column with the reference date (2017, 31.12.2017, 2017-12-31, Excel dates)
    date: null              # instead of date_column: one reference date for the whole file
    reference_day: "12-31"  # month-day used when only a year is given ("03-31" = 31 March)
    variables: {}           # wide: column header -> variable key; long: value in variable_column -> key
                            # (a list means "these keys, spelled the same in the file")
    variable: null          # wide_dates: the one variable key of the file
    variable_column: null   # long: column naming the variable
    value_column: null      # long: column with the value
    counts: true            # values must be >= 0 …
    non_count_variables: [] # … except for these variable keys
    skip_units: []          # unit keys dropped silently (e.g. "999" = not assigned, "0" = city total)
    total_rows: null        # regex: rows whose key or name matches it are totals ("Bezirk .*", "Insgesamt"),
                            # kept apart from the areas (not imported as areas)
    key_transform: {}       # keys of the file into the keys of the units, in this order:
                            #   lookup: {"Mitte": "01"}, strip_prefix: STGT, regex: "(\\d+)$", zero_pad: 2
    ignore_unmapped: false  # wide: columns not in `variables` are reported unless true
    ignore_columns: []      # columns that are always ignored (names, remarks)
    require_all_variables: true  # wide: every column named in `variables` must be present
    source: null            # free text, e.g. "Melderegister"
    decimal: auto           # auto | "," | "."
    encoding: auto          # auto | any Python codec name (utf-8, cp1252, latin-1, utf-16)
    delimiter: auto         # auto | ";" | "," | tab | "|"
    markers: {}             # extra or changed suppression marks, e.g. {"k.A.": missing, "x": suppressed}

Why ``ignore_unmapped`` defaults to false: a statistics office that adds, renames or reorders a column
in next year's delivery should be noticed, not silently dropped. Name columns and remarks are declared
with ``name_column`` / ``ignore_columns``; ``ignore_unmapped: true`` takes only what is mapped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from sozialmonitor.errors import ConfigError
from sozialmonitor.ingest.cells import DEFAULT_MARKERS, MARKER_OUTCOMES
from sozialmonitor.yamlfile import read_yaml

Layout = Literal["wide", "long", "wide_dates"]
KEY_TRANSFORMS = frozenset({"lookup", "strip_prefix", "regex", "zero_pad"})
LAYOUTS: tuple[str, ...] = ("wide", "long", "wide_dates")


@dataclass
class TableMapping:
    """How to read one kind of table file (see the module docstring for every key)."""

    unit_column: str
    layout: Layout = "wide"
    sheet: str | int | None = None
    header_row: int | Literal["auto", "none"] = "auto"
    header_rows: int = 1
    skip_rows: int = 0
    name_column: str | None = None
    date_column: str | None = None
    date: dt.date | None = None
    reference_day: str = "12-31"
    variables: dict[str, str] = field(default_factory=dict)
    variable: str | None = None
    variable_column: str | None = None
    value_column: str | None = None
    counts: bool = True
    non_count_variables: list[str] = field(default_factory=list)
    skip_units: list[str] = field(default_factory=list)
    total_rows: str | None = None
    key_transform: dict[str, Any] = field(default_factory=dict)
    ignore_unmapped: bool = False
    ignore_columns: list[str] = field(default_factory=list)
    require_all_variables: bool = True
    source: str | None = None
    decimal: Literal["auto", ",", "."] = "auto"
    encoding: str = "auto"
    delimiter: str = "auto"
    markers: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    # -- derived --------------------------------------------------------------------------------------
    def marker_table(self) -> dict[str, str]:
        """Default German statistics marks, changed by ``markers`` (a null value removes a mark)."""
        table = dict(DEFAULT_MARKERS)
        for mark, outcome in self.markers.items():
            if outcome is None:
                table.pop(mark, None)
            else:
                table[mark] = outcome
        return table

    def reference_month_day(self) -> tuple[int, int]:
        month, day = (int(x) for x in self.reference_day.split("-"))
        return month, day

    def transform_key(self, key: str) -> str:
        """A unit key of the file in the form of the units' keys (``key_transform``)."""
        t = self.key_transform
        if not t:
            return key
        lookup = t.get("lookup") or {}
        if key in lookup:
            return str(lookup[key])
        prefix = t.get("strip_prefix")
        if prefix and key.startswith(str(prefix)):
            key = key[len(str(prefix)) :]
        pattern = t.get("regex")
        if pattern:
            match = re.search(str(pattern), key)
            if match:
                key = match.group(1)
        pad = t.get("zero_pad")
        if pad and key.isdigit():
            key = key.zfill(int(pad))
        return key

    def is_total(self, key: str, name: str) -> bool:
        return self.total_rows is not None and any(
            re.fullmatch(self.total_rows, text.strip()) for text in (key, name) if text
        )

    def is_count(self, variable: str) -> bool:
        return self.counts and variable not in self.non_count_variables

    # -- checks ---------------------------------------------------------------------------------------
    def validate(self) -> None:
        def bad(de: str, en: str) -> ConfigError:
            return ConfigError(f"Zuordnungsdatei: {de}", f"mapping file: {en}")

        if self.layout not in LAYOUTS:
            raise bad(f"layout muss einer von {LAYOUTS} sein", f"layout must be one of {LAYOUTS}")
        if not self.unit_column:
            raise bad("unit_column fehlt", "unit_column is missing")
        if self.date_column and self.date:
            raise bad("nur eines von date_column und date angeben", "give only one of date_column and date")
        if self.layout != "wide_dates" and not self.date_column and not self.date:
            raise bad("date_column oder date fehlt", "date_column or date is missing")
        if self.layout == "wide_dates" and not self.variable:
            raise bad("layout wide_dates braucht variable", "layout wide_dates needs variable")
        if self.layout == "long" and not (self.variable_column and self.value_column):
            raise bad(
                "layout long braucht variable_column und value_column",
                "layout long needs variable_column and value_column",
            )
        if self.layout == "wide" and not self.variables:
            raise bad("layout wide braucht variables", "layout wide needs variables")
        if not re.fullmatch(r"\d{1,2}-\d{1,2}", self.reference_day):
            raise bad("reference_day im Format MM-TT, z. B. 12-31", "reference_day as MM-DD, e.g. 12-31")
        month, day = self.reference_month_day()
        try:
            dt.date(2000, month, day)
        except ValueError:
            raise bad(
                f"gültiger Stichtag statt {self.reference_day}", f"a valid day, not {self.reference_day}"
            ) from None
        if self.decimal not in ("auto", ",", "."):
            raise bad('decimal muss auto, "," oder "." sein', 'decimal must be auto, "," or "."')
        if self.delimiter not in ("auto", ";", ",", "\t", "tab", "|"):
            raise bad(
                'delimiter muss auto, ";", ",", tab oder "|" sein', 'delimiter: auto, ";", ",", tab or "|"'
            )
        if isinstance(self.sheet, int) and not isinstance(self.sheet, bool) and self.sheet < 1:
            raise bad("sheet zählt ab 1 (1 = erstes Blatt)", "sheet counts from 1 (1 = first sheet)")
        if isinstance(self.header_row, int) and self.header_row < 1:
            raise bad("header_row zählt ab 1", "header_row counts from 1")
        if (
            not isinstance(self.header_rows, int)
            or isinstance(self.header_rows, bool)
            or self.header_rows < 1
        ):
            raise bad("header_rows: eine ganze Zahl ≥ 1", "header_rows: a whole number ≥ 1")
        if not isinstance(self.skip_rows, int) or isinstance(self.skip_rows, bool) or self.skip_rows < 0:
            raise bad("skip_rows: eine ganze Zahl ≥ 0", "skip_rows: a whole number ≥ 0")
        if self.total_rows is not None:
            try:
                re.compile(self.total_rows)
            except re.error as exc:
                raise bad(
                    f"total_rows: kein regulärer Ausdruck ({exc})", f"total_rows: not a regex ({exc})"
                ) from None
        unknown = set(self.key_transform) - KEY_TRANSFORMS
        if unknown:
            raise bad(
                f"key_transform: unbekannt {sorted(unknown)}; erlaubt {sorted(KEY_TRANSFORMS)}",
                f"key_transform: unknown {sorted(unknown)}; allowed {sorted(KEY_TRANSFORMS)}",
            )
        pattern = self.key_transform.get("regex")
        if pattern is not None:
            try:
                if re.compile(str(pattern)).groups < 1:
                    raise bad(
                        "key_transform.regex braucht eine Gruppe ( )", "key_transform.regex needs a group ( )"
                    )
            except re.error as exc:
                raise bad(f"key_transform.regex: {exc}", f"key_transform.regex: {exc}") from None
        pad = self.key_transform.get("zero_pad")
        if pad is not None and (not isinstance(pad, int) or isinstance(pad, bool) or pad < 1):
            raise bad("key_transform.zero_pad: eine Zahl ≥ 1", "key_transform.zero_pad: a number ≥ 1")
        lookup = self.key_transform.get("lookup")
        if lookup is not None and not isinstance(lookup, dict):
            raise bad("key_transform.lookup: eine Zuordnung", "key_transform.lookup: a mapping")
        for mark, outcome in self.markers.items():
            if outcome is not None and outcome not in MARKER_OUTCOMES:
                raise bad(
                    f"Zeichen {mark!r}: Bedeutung muss eine von {MARKER_OUTCOMES} sein",
                    f"mark {mark!r}: meaning must be one of {MARKER_OUTCOMES}",
                )


def _as_str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    return [str(v) for v in value]


def mapping_date(value: Any, reference_day: str, origin: str) -> dt.date:
    """A reference date as a mapping (or a city's table entry) may give it: a date, a year or text such
    as ``31.12.2017``; a year alone takes ``reference_day`` (MM-DD)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = None
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        from sozialmonitor.ingest.cells import parse_date

        try:
            month, day = (int(x) for x in reference_day.split("-"))
        except ValueError:
            month, day = 12, 31
        parsed = parse_date(value, month, day)
    if parsed is None:
        raise ConfigError(
            f"{origin}: date {value!r} ist kein Datum wie 31.12.2017 oder 2017",
            f"{origin}: date {value!r} is not a date like 31.12.2017 or 2017",
        )
    return parsed


def mapping_from_dict(data: dict[str, Any], origin: str = "<dict>") -> TableMapping:
    """Build a mapping from parsed YAML (keys as in the module docstring)."""
    known = {f.name for f in fields(TableMapping)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"Zuordnungsdatei {origin}: unbekannte Schlüssel {unknown}; erlaubt sind {sorted(known)}",
            f"mapping file {origin}: unknown keys {unknown}; allowed are {sorted(known)}",
        )
    d = dict(data)
    variables = d.get("variables") or {}
    if isinstance(variables, list):
        variables = {str(v): str(v) for v in variables}
    d["variables"] = {str(k): str(v) for k, v in variables.items()}
    for key in ("non_count_variables", "skip_units", "ignore_columns"):
        d[key] = _as_str_list(d.get(key))
    if d.get("delimiter") == "tab":
        d["delimiter"] = "\t"
    if "header_row" in d and d["header_row"] is None:
        d["header_row"] = "none"
    for key in ("unit_column", "name_column", "date_column", "variable_column", "value_column", "variable"):
        if d.get(key) is not None:
            d[key] = str(d[key])
    if d.get("reference_day") is not None:
        d["reference_day"] = str(d["reference_day"])
    if d.get("date") is not None:
        d["date"] = mapping_date(d["date"], str(d.get("reference_day", "12-31")), origin)
    markers = d.get("markers") or {}
    d["markers"] = {str(k): (None if v is None else str(v)) for k, v in markers.items()}
    try:
        return TableMapping(**d)
    except TypeError as exc:
        raise ConfigError(f"Zuordnungsdatei {origin}: {exc}", f"mapping file {origin}: {exc}") from exc


def load_mapping(path: Path) -> TableMapping:
    """Read a mapping YAML file."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(
            f"Zuordnungsdatei {path}: erwartet Schlüssel: Wert-Paare",
            f"mapping file {path}: expected key: value pairs",
        )
    return mapping_from_dict(data, str(path))
