"""``sozialmonitor city init DIR``: a starting city folder from boundary files and statistics tables.

Reads every input first (nothing is written when a file cannot be read or a boundary file has no key),
detects keys, names, header rows, dates, layout, variables and totals rows (:mod:`.scaffold_detect`),
then writes ``city.yaml``, ``variables.yaml`` and one mapping per table with German comments saying what
to check ("Bitte prüfen", "TODO"), copies the inputs into ``geo/`` and ``data/`` and runs ``city check``
on the result.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sozialmonitor.demo.scaffold_detect import (
    BoundaryGuess,
    TableGuess,
    VariableGuess,
    detect_boundary,
    detect_table,
    parent_field,
    reader_mapping,
    unique_key,
)
from sozialmonitor.errors import ConfigError, ImportValidationError, Problem
from sozialmonitor.geo.read import check_boundaries, read_boundaries
from sozialmonitor.ingest.grid import read_grid
from sozialmonitor.ingest.problems import ProblemCollector

CHECK = "Bitte prüfen:"
PARENT_FIELD = "Schlüssel der übergeordneten Fläche (ohne diese Zeile: durch Überlagerung)"
GEO_SUFFIXES = (".gz", ".geojson", ".json", ".gpkg", ".zip", ".shp")
Pairs = list[tuple[str, str]]


@dataclass
class Level:
    """A boundary file as a level: its detected key and name, its place among the levels."""

    path: Path
    count: int
    guess: BoundaryGuess
    columns: dict[str, list[object]]
    key: str = ""
    parent: str | None = None
    parent_field: str | None = None
    crs: str | None = None
    notes: Pairs = field(default_factory=list)


@dataclass
class InitResult:
    """What was written, the summary (German and English lines) and tables whose keys match nothing."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    de: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)
    unmatched_tables: list[str] = field(default_factory=list)
    check_ok: bool = False


def y(value: object) -> str:
    """One YAML value on one line (quoted where YAML needs it)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6, sort_keys=False)
    return text.removesuffix("\n...\n").strip()


def line(text: str, comment: str = "") -> str:
    return f"{text:<43} # {comment}" if comment else text


def read_level(path: Path, crs: str | None = None) -> Level:
    gdf = read_boundaries(path, crs=crs)
    geometry = getattr(gdf, "active_geometry_name", None)  # None: a table without geometries (a CSV)
    if gdf.empty or geometry is None:
        de, en = "eine Grenzdatei mit Flächen", "a boundary file with polygons"
        raise ImportValidationError([Problem(path.name, None, None, None, de, en)])
    columns = {str(c): gdf[c].tolist() for c in gdf.columns if c != geometry}
    guess = detect_boundary(columns)
    if guess is None:
        de = "ein Attribut mit eindeutigen, nicht leeren Werten je Fläche (Gebietsschlüssel)"
        en = "an attribute with unique, non-empty values per feature (the unit key)"
        raise ImportValidationError([Problem(path.name, None, None, ", ".join(columns) or "–", de, en)])
    level = Level(path, len(gdf), guess, columns, crs=crs)
    level.notes = [
        (p.message("de"), p.message("en")) for p in check_boundaries(gdf, path.name, guess.key_field, None)
    ]
    if not guess.name_field:
        level.notes.append(("keine Namensspalte gefunden", "no name attribute found"))
    return level


def read_table_guess(path: Path, levels: dict[str, dict[str, str]]) -> TableGuess:
    problems = ProblemCollector(path.name)
    grid = read_grid(path, reader_mapping(), problems)
    problems.raise_if_any()
    assert grid is not None
    return detect_table(grid, levels, path.name)


def _stem(path: Path) -> str:
    name = path.name
    while (suffix := Path(name).suffix.lower()) and suffix in GEO_SUFFIXES:
        name = name[: -len(suffix)]
    return name


def _copies(levels: list[Level], tables: list[Path]) -> dict[str, Path]:
    """Where each input goes in the folder (``geo/…`` in level order, then ``data/…``), names made unique."""
    out: dict[str, Path] = {}
    for sub, paths in (("geo", [lv.path for lv in levels]), ("data", tables)):
        for path in paths:
            rel, n = f"{sub}/{path.name}", 2
            while rel in out:
                rel, n = f"{sub}/{path.stem}_{n}{path.suffix}", n + 1
            out[rel] = path
    return out


def init_city(
    folder: Path,
    geo: list[Path],
    tables: list[Path],
    *,
    force: bool = False,
    name: str | None = None,
    key: str | None = None,
    crs: str | None = None,
) -> InitResult:
    """Detect everything, then write the folder (see the module docstring)."""
    if folder.exists() and (not folder.is_dir() or (any(folder.iterdir()) and not force)):
        raise ConfigError(
            f"{folder} ist nicht leer – nichts geschrieben. Wählen Sie einen neuen Ordner oder --force "
            "(überschreibt die Dateien von city init, andere bleiben)",
            f"{folder} is not empty – nothing written. Choose a new folder or --force (overwrites the "
            "files city init writes, keeps others)",
        )
    levels = sorted((read_level(p, crs) for p in geo), key=lambda lv: lv.count)  # coarse → fine
    taken = {"stadt"}
    for i, lv in enumerate(levels):
        lv.key = unique_key(_stem(lv.path), taken, "ebene")
        if i:
            lv.parent = levels[i - 1].key
            lv.parent_field = parent_field(lv.columns, lv.guess, set(levels[i - 1].guess.units))
    units = {lv.key: lv.guess.units for lv in levels}
    guesses = [(p, read_table_guess(p, units)) for p in tables]
    copies = _copies(levels, [p for p, _ in guesses])
    variables: dict[str, tuple[str, VariableGuess]] = {}  # label → key, guess (one key per header text)
    texts: dict[str, str] = {}
    entries: list[tuple[str, str, TableGuess]] = []
    var_keys: set[str] = set()
    mapping_keys: set[str] = set()
    for (path, g), data in zip(guesses, list(copies)[len(levels) :], strict=True):
        for v in g.variables:
            if v.label not in variables:
                variables[v.label] = (unique_key(v.label, var_keys), v)
        mapping = f"mappings/{unique_key(path.stem, mapping_keys, 'tabelle')}.yaml"
        texts[mapping] = _mapping_text(data, g, variables)
        entries.append((data, mapping, g))
    city_key, city_name = key or "00000000", name or folder.resolve().name
    texts["city.yaml"] = _city_text(levels, list(copies)[: len(levels)], entries, city_key, city_name, folder)
    texts["variables.yaml"] = _variables_text(variables)
    result = InitResult(folder)
    try:
        for sub in ("geo", "data", "mappings"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for rel, src in copies.items():
            if not (folder / rel).exists() or not (folder / rel).samefile(src):
                shutil.copyfile(src, folder / rel)
        for rel, text in texts.items():
            (folder / rel).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{folder}: nicht schreibbar ({exc})", f"{folder}: not writable ({exc})") from None
    result.files = [folder / rel for rel in [*copies, *texts]]
    _summary(result, levels, guesses, variables)
    return result


def _city_text(
    levels: list[Level],
    files: list[str],
    tables: list[tuple[str, str, TableGuess]],
    city_key: str,
    city_name: str,
    folder: Path,
) -> str:
    years = sorted({yr for _, _, g in tables for yr in g.years})
    out = [
        "# Stadtordner – angelegt von `sozialmonitor city init`. Bitte prüfen Sie jede Stelle mit",
        "# „Bitte prüfen“ oder „TODO“ (docs/konfiguration.md), dann:",
        f"#   sozialmonitor city check {folder}",
        f"#   sozialmonitor build {folder} --db sqlite:///stadt.sqlite",
        line(f"name: {y(city_name)}", "TODO: Name der Stadt"),
        line(f"key: {y(city_key)}", "TODO: Gemeindeschlüssel (AGS), auch unter units und parent_unit"),
    ]
    if years:
        out.append(line(f"catalogue_year_default: {years[-1]}", "Jahr, das Seiten zuerst zeigen"))
    out += [line("levels:", "grob → fein"), "  - {key: stadt, name_de: Stadt, name_en: City, rank: 1}"]
    for rank, lv in enumerate(levels, start=2):
        label = _stem(lv.path).replace("_", " ").replace("-", " ").strip().capitalize()
        entry = f"  - {{key: {lv.key}, name_de: {y(label)}, name_en: {y(label)}, rank: {rank}}}"
        out.append(line(entry, f"{CHECK} Name aus dem Dateinamen, {lv.count} Flächen"))
    out += ["units:", f"  - {{level: stadt, key: {y(city_key)}, name: {y(city_name)}}}", "boundaries:"]
    for lv, file in zip(levels, files, strict=True):
        others = ", ".join(lv.guess.other_keys)
        out += [f"  - file: {y(file)}", f"    level: {lv.key}"]
        out.append(
            line(
                f"    key_field: {y(lv.guess.key_field)}",
                f"{CHECK} Gebietsschlüssel" + (f"; auch eindeutig: {others}" if others else ""),
            )
        )
        if lv.guess.name_field:
            out.append(f"    name_field: {y(lv.guess.name_field)}")
        if lv.crs:
            out.append(line(f"    crs: {y(lv.crs)}", "Koordinatenbezugssystem (--crs)"))
        if lv.parent is None:
            out.append(line(f"    parent_unit: {y(city_key)}", "alle Flächen gehören zur Stadt"))
        else:
            out.append(line(f"    parent_level: {lv.parent}", "übergeordnete Ebene"))
            if lv.parent_field:
                out.append(line(f"    parent_field: {y(lv.parent_field)}", f"{CHECK} {PARENT_FIELD}"))
            else:
                out.append("    # übergeordnete Fläche durch Überlagerung (oder parent_field: Attribut)")
        out += [f"    # {CHECK} {de}" for de, _ in lv.notes]
    out += ["variables: variables.yaml", "tables:" if tables else "tables: []"]
    for data, mapping, g in tables:
        entry = f"  - {{file: {y(data)}, mapping: {y(mapping)}, level: {g.level or levels[-1].key}}}"
        out.append(line(entry, "" if g.level else "TODO: Ebene – kein Schlüssel passt zu einer Grenzdatei"))
    return "\n".join(out) + "\n"


def _mapping_text(data: str, g: TableGuess, variables: dict[str, tuple[str, VariableGuess]]) -> str:
    out = [f"# Zuordnung für {data} – vorgeschlagen von `sozialmonitor city init`.", f"layout: {g.layout}"]
    titles = "; darüber Titelzeilen" if g.header_line and g.header_line > 1 else ""
    found = f"Kopfzeile in Zeile {g.header_line}{titles}" if g.header_line else f"{CHECK} keine Kopfzeile"
    out.append(line(f"header_row: {g.header_row}", found))
    if g.header_rows > 1:
        out.append(line(f"header_rows: {g.header_rows}", f"{CHECK} Überschrift über {g.header_rows} Zeilen"))
    if g.skip_rows:
        out.append(line(f"skip_rows: {g.skip_rows}", f"{CHECK} Zeile(n) mit Einheiten unter der Überschrift"))
    matched = f"{g.matched} von {g.keys} Schlüsseln passen zur Ebene {g.level}"
    todo = "TODO: kein Schlüssel passt zu einer Grenzdatei – Spalte und key_transform eintragen"
    out.append(line(f"unit_column: {y(g.unit_column)}", matched if g.level else todo))
    if g.unmatched:
        shown = ", ".join(g.unmatched[:10]) + (" …" if len(g.unmatched) > 10 else "")
        out.append(f"# {CHECK} Schlüssel ohne Fläche: {shown} – in skip_units oder extra_units (city.yaml)")
    if g.key_transform:
        out.append(line("key_transform:", f"{CHECK} macht die Schlüssel zu denen der Grenzdatei"))
        for k, v in g.key_transform.items():
            out += (
                [f"  {k}:", *(f"    {y(a)}: {y(b)}" for a, b in v.items())]
                if k == "lookup"
                else [f"  {k}: {y(v)}"]
            )
    if g.name_column:
        out.append(f"name_column: {y(g.name_column)}")
    if g.date_column:
        out.append(line(f"date_column: {y(g.date_column)}", "Stichtag; bei Jahren gilt reference_day"))
        out.append(line('reference_day: "12-31"', f"{CHECK} Stichtag im Jahr (MM-TT)"))
    elif g.date:
        out.append(
            line(f"date: {g.date.isoformat()}", f"{CHECK} aus Titel oder Dateiname, keine Jahresspalte")
        )
    else:
        out.append(line("date: null", "TODO: Stichtag eintragen, z. B. 2024-12-31 (keine Jahresspalte)"))
    if g.total_rows:
        out.append(line(f"total_rows: {y(g.total_rows)}", f"{CHECK} Summenzeilen, nicht importiert"))
    if g.layout == "long":
        out += [f"variable_column: {y(g.variable_column)}", f"value_column: {y(g.value_column)}"]
    out.append("variables:" if g.variables else line("variables: {}", "TODO: keine Zahlenspalten gefunden"))
    out += [f"  {y(v.label)}: {variables[v.label][0]}" for v in g.variables]
    non_count = [variables[v.label][0] for v in g.variables if variables[v.label][1].kind != "count"]
    if non_count:
        out.append(
            line(
                f"non_count_variables: {y(non_count)}",
                "keine Anzahlen; gelieferte Anteile ggf. in ignore_columns",
            )
        )
    if g.ignore_columns:
        out.append(line(f"ignore_columns: {y(g.ignore_columns)}", f"{CHECK} Textspalten, nicht importiert"))
    out.append(line("source: null", "TODO: Quelle, z. B. Melderegister"))
    return "\n".join(out) + "\n"


def _variables_text(variables: dict[str, tuple[str, VariableGuess]]) -> str:
    out = [
        "# Variablen – vorgeschlagen von `sozialmonitor city init`. Bitte prüfen Sie jede Variable.",
        "# Hat der Indikatorenkatalog einen Standardschlüssel (`sozialmonitor catalogue list`, z. B.",
        "# residents_main), nehmen Sie ihn – hier und in der Zuordnung (mappings/*.yaml).",
        "variables:" if variables else "variables: []",
    ]
    for label, (key, guess) in variables.items():
        unit = {"rate": "%"}.get(guess.kind, "Anzahl")
        kind = f"{CHECK} geraten (count, amount, rate, index, change)" if guess.guessed else ""
        out += [
            f"  - key: {key}",
            f"    name_de: {y(label)}",
            line(f"    name_en: {y(label)}", "TODO: englische Bezeichnung"),
            line(
                f"    unit: {y(unit)}", "TODO: Einheit, z. B. ha oder Euro" if guess.kind == "amount" else ""
            ),
            line(f"    kind: {guess.kind}", kind),
            line("    theme: TODO", "TODO: Thema, z. B. Demografie"),
        ]
    return "\n".join(out) + "\n"


def _table_lines(path: Path, g: TableGuess) -> Pairs:
    how = f" (key_transform {', '.join(g.key_transform)})" if g.key_transform else ""
    if g.date_column:
        date_de, date_en = f"Stichtag aus Spalte {g.date_column}", f"date from column {g.date_column}"
    elif g.date:
        date_de, date_en = (
            f"Stichtag {g.date:%d.%m.%Y} aus Titel/Dateiname",
            f"date {g.date} from title/file name",
        )
    else:
        date_de, date_en = "kein Stichtag (TODO)", "no date (TODO)"
    totals = ", ".join(g.total_labels)
    out = [
        (
            f"- Tabelle {path.name}: Schlüsselspalte „{g.unit_column}“, {g.matched} von {g.keys} Schlüsseln "
            f"passen{how}; {date_de}; {len(g.variables)} Variablen ({g.layout})"
            + (f"; Summenzeilen: {totals}" if totals else ""),
            f"- table {path.name}: key column “{g.unit_column}”, {g.matched} of {g.keys} keys match{how}; "
            f"{date_en}; {len(g.variables)} variables ({g.layout})"
            + (f"; totals rows: {totals}" if totals else ""),
        )
    ]
    shown = ", ".join(g.unmatched[:10])
    if not g.level:
        out.append(
            ("kein Schlüssel passt zu einer Grenzdatei – TODO", "no key matches a boundary file – TODO")
        )
    elif g.unmatched:
        out.append((f"Schlüssel ohne Fläche: {shown}", f"keys without a unit: {shown}"))
    return out[:1] + [(f"  {CHECK} {de}", f"  Please check: {en}") for de, en in out[1:] + g.notes]


def _summary(
    result: InitResult,
    levels: list[Level],
    guesses: list[tuple[Path, TableGuess]],
    variables: dict[str, tuple[str, VariableGuess]],
) -> None:
    from sozialmonitor.demo.check import check_city_folder

    folder = result.folder
    build = f"sozialmonitor build {folder} --db sqlite:///stadt.sqlite"
    say: Pairs = [(f"Stadtordner angelegt: {folder}", f"City folder written: {folder}")]
    for lv in levels:
        by = f" {lv.parent_field}" if lv.parent_field else ""
        name = lv.guess.name_field or "–"
        say.append(
            (
                f"- Grenzdatei {lv.path.name}: {lv.count} Flächen → Ebene {lv.key}"
                + (f" unter {lv.parent} (über{by or ' Überlagerung'})" if lv.parent else "")
                + f", Schlüssel {lv.guess.key_field}, Name {name}",
                f"- boundary file {lv.path.name}: {lv.count} features → level {lv.key}"
                + (f" under {lv.parent} (by{by or ' overlay'})" if lv.parent else "")
                + f", key {lv.guess.key_field}, name {name}",
            )
        )
        say += [(f"  {CHECK} {de}", f"  Please check: {en}") for de, en in lv.notes]
    for path, g in guesses:
        say += _table_lines(path, g)
        if not g.level:
            result.unmatched_tables.append(path.name)
    guessed_keys = [k for k, v in variables.values() if v.guessed]
    guessed = ", ".join(guessed_keys[:6]) + (f" … ({len(guessed_keys)})" if len(guessed_keys) > 6 else "")
    if guessed_keys:
        say.append((f"{CHECK} Art (kind) geraten: {guessed}", f"Please check: kind guessed: {guessed}"))
    check = check_city_folder(folder)
    result.check_ok, n = check.ok, len(check.messages)
    say.append(
        (
            f"Probelauf: baubar, {check.observations} Werte.",
            f"Trial run: builds, {check.observations} values.",
        )
        if check.ok
        else (
            f"Probelauf: {n} Problem(e), noch nicht baubar.",
            f"Trial run: {n} problem(s), not buildable yet.",
        )
    )
    say.append(
        (
            f"Bitte prüfen Sie die Stellen mit „Bitte prüfen“ und „TODO“ in city.yaml, variables.yaml und "
            f"mappings/ und führen Sie dann aus: sozialmonitor city check {folder} und {build}",
            f"Please check the places marked “Bitte prüfen” and “TODO” in city.yaml, variables.yaml and "
            f"mappings/, then run: sozialmonitor city check {folder} and {build}",
        )
    )
    result.de, result.en = [de for de, _ in say], [en for _, en in say]
