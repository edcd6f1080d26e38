"""``sozialmonitor city check DIR``: everything a build would refuse, found before building.

Reads the city folder as the build does — ``city.yaml`` (keys), the variables file, every boundary file
and every table with its mapping — and checks that the tables' keys name units of the boundary files (or
``units``/``extra_units``), without touching a database. Every problem of every file is collected, so one
run lists them all.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sozialmonitor.demo.build import derived_variables, load_city, table_mapping
from sozialmonitor.errors import ImportValidationError, Problem, SozialmonitorError
from sozialmonitor.fmt import number
from sozialmonitor.geo.read import check_boundaries, normalise_key, read_boundaries, repair_geometries
from sozialmonitor.indicators.variables import load_variables_file
from sozialmonitor.ingest.table import read_table


@dataclass
class CityCheck:
    """What the check read, and every problem found (``messages``: one bilingual line each)."""

    files: list[str] = field(default_factory=list)
    units: dict[str, int] = field(default_factory=dict)
    observations: int = 0
    messages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.messages

    def add(self, exc: SozialmonitorError) -> None:
        if isinstance(exc, ImportValidationError):
            self.messages += [(p.bilingual(), "") for p in exc.problems]
        else:
            self.messages.append((exc.de, exc.en))


def check_city_folder(folder: Path) -> CityCheck:
    result = CityCheck()
    path = folder / "city.yaml"
    try:
        cfg = load_city(folder)
    except SozialmonitorError as exc:
        result.add(exc)
        return result
    result.files.append("city.yaml")
    variables: set[str] = set()
    bounds: dict[str, float] = {}
    try:
        entries = load_variables_file(folder / str(cfg["variables"]))
        variables = {str(v["key"]) for v in entries}
        result.files.append(str(cfg["variables"]))
        errors: list[SozialmonitorError] = []
        variables |= {d.key for d in derived_variables(cfg, entries, path, errors)}
        variables |= {str(d["key"]) for d in cfg.get("derived") or []}
        for error in errors:
            result.add(error)
        bounds = {str(v["key"]): float(v["max"]) for v in entries if v.get("max") is not None}
    except SozialmonitorError as exc:
        result.add(exc)
    levels = {str(lv["key"]) for lv in cfg["levels"]}
    keys: dict[str, set[str]] = {lv: set() for lv in levels}
    for u in [*cfg.get("units", []), *cfg.get("extra_units", [])]:
        keys.setdefault(str(u["level"]), set()).add(str(u["key"]))
    unreadable: set[str] = set()
    for b in cfg.get("boundaries", []):
        file = folder / str(b["file"])
        try:
            if str(b["level"]) not in levels:
                raise SozialmonitorError(
                    f"{path}: boundaries: Ebene {b['level']!r} ist nicht unter levels",
                    f"{path}: boundaries: level {b['level']!r} is not under levels",
                )
            gdf = read_boundaries(file, crs=b.get("crs"))
            if b.get("repair"):
                gdf = repair_geometries(gdf)
            problems = check_boundaries(gdf, file.name, str(b["key_field"]), b.get("name_field"))
            if problems:
                raise ImportValidationError(problems)
            keys[str(b["level"])] |= {normalise_key(k) for k in gdf[str(b["key_field"])]}
            result.files.append(str(b["file"]))
        except SozialmonitorError as exc:
            result.add(exc)
            unreadable.add(str(b["level"]))
    for level in sorted(unreadable):
        result.messages.append(
            (
                f"Schlüssel der Tabellen der Ebene {level!r} nicht geprüft, bis die Grenzdateien lesbar sind",
                f"table keys of level {level!r} not checked until its boundary files can be read",
            )
        )
    for t in cfg.get("tables", []):
        file = folder / str(t["file"])
        try:
            df = read_table(file, table_mapping(folder, t))
            result.observations += len(df)
            result.files.append(str(t["file"]))
            if str(t["level"]) not in unreadable:
                _check_keys(df, file.name, str(t["level"]), keys, result)
            _check_bounds(df, file.name, bounds, result)
            unknown = sorted(set(df["variable"]) - variables) if variables else []
            for name in unknown:
                close = ", ".join(difflib.get_close_matches(name, sorted(variables), n=3))
                mapping, listed = t["mapping"], cfg["variables"]
                result.messages.append(
                    (
                        f"{mapping} (für {file.name}): Variable {name!r} steht nicht in {listed}"
                        + (f"; meinten Sie {close}?" if close else ""),
                        f"{mapping} (for {file.name}): variable {name!r} is not in {listed}"
                        + (f"; did you mean {close}?" if close else ""),
                    )
                )
        except SozialmonitorError as exc:
            result.add(exc)
    result.units = {lv: len(k) for lv, k in keys.items()}
    return result


def _check_keys(
    df: pd.DataFrame, file: str, level: str, keys: dict[str, set[str]], result: CityCheck
) -> None:
    known = keys.get(level, set())
    if not known:
        return  # no boundaries for the level: the build creates no units either and will say so
    column = df.attrs.get("unit_column")
    missing = df[~df["unit_key"].isin(known)].drop_duplicates("unit_key")
    for key, row in zip(missing["unit_key"], missing.get("source_row", [None] * len(missing)), strict=False):
        problem = Problem(
            file,
            int(row) if row is not None and row == row else None,
            column,
            str(key),
            f"Schlüssel einer Einheit der Ebene {level!r} (Grenzdatei oder units/extra_units)",
            f"key of a unit on level {level!r} (boundary file or units/extra_units)",
        )
        result.messages.append((problem.bilingual(), ""))


def _check_bounds(df: pd.DataFrame, file: str, bounds: dict[str, float], result: CityCheck) -> None:
    """Values above their variable's ``max:``, as the import will refuse them."""
    above = df[df["variable"].map(bounds).lt(pd.to_numeric(df["value"], errors="coerce"))]
    for variable, value, row, column in zip(
        above["variable"], above["value"], above["source_row"], above["source_column"], strict=True
    ):
        problem = Problem(
            file,
            int(row),
            str(column),
            f"{variable} = {value:g}".replace(".", ","),
            f"höchstens {number(bounds[variable], 0)} (Obergrenze „max“ der Variable {variable})",
            f"at most {number(bounds[variable], 0, 'en')} (upper bound “max” of variable {variable})",
        )
        result.messages.append((problem.bilingual(), ""))
