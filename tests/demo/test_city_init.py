"""`sozialmonitor city init`: a starting city folder from a boundary file and tables as offices publish them.

The fixtures are written here: four square Stadtteile (keys ``STGT01`` …), a CSV with a title line, keys
that lost their prefix and zero (``1``), a year column and a totals row, an XLSX with a two-row header, and
a long-layout CSV. The folder written for them must pass ``city check`` and build without edits.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

from sozialmonitor.cli.main import app
from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.db.models import Observation
from sozialmonitor.demo.build import build_city
from sozialmonitor.demo.check import check_city_folder
from sozialmonitor.demo.scaffold import init_city, read_level, read_table_guess
from sozialmonitor.demo.scaffold_detect import ascii_slug, detect_boundary, unique_key
from sozialmonitor.errors import ConfigError, ImportValidationError
from sozialmonitor.examples import CITY_FOLDERS

runner = CliRunner()
NAMES = {1: "Altstadt", 2: "Nordstadt", 3: "Südstadt", 4: "Weststadt"}
OFFICE_CSV = (
    "Einwohner und Arbeitslose nach Stadtteilen\n\n"
    "Nr;Stadtteil;Jahr;Einwohner;Arbeitslose;Bemerkung\n"
    "1;Altstadt;2022;1.200;40;\n2;Nordstadt;2022;800;12;neu\n3;Südstadt;2022;950;-;\n4;Weststadt;2022;1.010;33;\n"
    "Stadt insgesamt;;2022;3.960;85;\n"
    "1;Altstadt;2023;1.210;41;\n2;Nordstadt;2023;805;.;\n3;Südstadt;2023;940;20;\n4;Weststadt;2023;1.000;30;\n"
    "Stadt insgesamt;;2023;3.955;91;\n\nQuelle: Melderegister der Stadt\n"
)


def write_geo(path: Path, keys: dict[object, str], **extra: object) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {"STGT_ID": key, "name": name, "typ": "Stadtteil", "flaeche": 1.5 + i / 7, **extra},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[x, 50.9], [x + 0.01, 50.9], [x + 0.01, 50.91], [x, 50.91], [x, 50.9]]
                    for x in [11.5 + 0.01 * i]
                ],
            },
        }
        for i, (key, name) in enumerate(keys.items())
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    root = tmp_path / "eingang"
    root.mkdir()
    geo = write_geo(root / "stadtteile.geojson", {f"STGT0{i}": n for i, n in NAMES.items()})
    csv = root / "einwohner.csv"
    csv.write_bytes(OFFICE_CSV.encode("cp1252"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Bevölkerung nach Geschlecht am 31.12.2023"])
    ws.append([])
    ws.append(["Stadtteil", "Name", "Einwohner", None, "Ausländer", None])
    ws.append([None, None, "männlich", "weiblich", "männlich", "weiblich"])
    ws.append([None, None, "Anzahl", "Anzahl", "Anzahl", "Anzahl"])
    for cells in ("A3:A4", "B3:B4", "C3:D3", "E3:F3"):
        ws.merge_cells(cells)
    for i, name in NAMES.items():
        ws.append([f"STGT0{i}", name, 500 + i, 510 + i, 20 + i, 30 + i])
    xlsx = root / "geschlecht.xlsx"
    wb.save(xlsx)
    long = root / "haushalte_lang.csv"
    rows = [
        f"STGT0{i};2023;{m};{v}"
        for i in NAMES
        for m, v in (("Haushalte", 300 + i), ("Durchschnittsalter", f"4{i},5"))
    ]
    long.write_text("gebiet;jahr;merkmal;wert\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return {"geo": geo, "csv": csv, "xlsx": xlsx, "long": long}


def units(path: Path) -> dict[str, dict[str, str]]:
    level = read_level(path)
    return {"stadtteile": level.guess.units}


# -- detection ------------------------------------------------------------------------------------------
def test_boundary_key_and_name_are_detected() -> None:
    columns: dict[str, list[object]] = {
        "bezeichnung": ["Altstadt am Fluss", "Nordstadt", "Südstadt"],
        "flaeche": [1.25, 2.5, 3.75],  # unique, but a measure
        "typ": ["A", "A", "B"],
        "code": ["01", "02", "03"],
    }
    guess = detect_boundary(columns)
    assert guess is not None
    assert (guess.key_field, guess.name_field) == ("code", "bezeichnung")
    assert guess.units == {"01": "Altstadt am Fluss", "02": "Nordstadt", "03": "Südstadt"}
    assert detect_boundary({"typ": ["A", "A"], "leer": [None, None]}) is None
    # a Shapefile's technical OBJECTID and a name without spaces lose against a code with digits
    shapefile: dict[str, list[object]] = {
        "OBJECTID": [1, 2],
        "Stadtteil": ["Altstadt", "Neustadt"],
        "STT": ["011", "012"],
    }
    guess = detect_boundary(shapefile)
    assert guess is not None and (guess.key_field, guess.name_field) == ("STT", "Stadtteil")


def test_office_csv_title_lost_prefix_year_and_totals(inputs: dict[str, Path]) -> None:
    g = read_table_guess(inputs["csv"], units(inputs["geo"]))
    assert (g.header_line, g.header_rows, g.skip_rows) == (3, 1, 0)
    assert (g.unit_column, g.name_column, g.date_column) == ("Nr", "Stadtteil", "Jahr")
    assert g.key_transform == {"lookup": {"1": "STGT01", "2": "STGT02", "3": "STGT03", "4": "STGT04"}}
    assert (g.level, g.matched, g.keys, g.unmatched) == ("stadtteile", 4, 4, [])
    assert g.total_rows == "Stadt insgesamt" and g.total_labels == ["Stadt insgesamt"]
    assert g.layout == "wide" and g.ignore_columns == ["Bemerkung"]
    assert [(v.label, v.kind, v.guessed) for v in g.variables] == [
        ("Einwohner", "count", False),
        ("Arbeitslose", "count", False),
    ]
    assert g.years == [2022, 2023]


@pytest.mark.parametrize(
    ("geo_keys", "table_keys", "transform"),
    [
        (["01", "02", "03", "04"], ["1", "2", "3", "4"], {"zero_pad": 2}),
        (
            ["01", "02", "03", "04"],
            ["STGT1", "STGT2", "STGT3", "STGT4"],
            {"strip_prefix": "STGT", "zero_pad": 2},
        ),
        (["1", "2", "3", "4"], ["01", "02", "03", "04"], {"regex": r"0*(\d+)$"}),
        (["11", "12", "13", "14"], ["11", "12", "13", "14"], {}),
    ],
)
def test_key_transform_that_makes_the_keys_match(
    tmp_path: Path, geo_keys: list[str], table_keys: list[str], transform: dict[str, object]
) -> None:
    geo = write_geo(tmp_path / "bezirke.geojson", dict(zip(geo_keys, NAMES.values(), strict=True)))
    csv = tmp_path / "t.csv"
    csv.write_text(
        "Bezirk;Jahr;Einwohner\n" + "".join(f"{k};2023;{100 + i}\n" for i, k in enumerate(table_keys))
    )
    g = read_table_guess(csv, {"bezirke": read_level(geo).guess.units})
    assert (g.unit_column, g.key_transform, g.matched) == ("Bezirk", transform, 4)


def test_totals_row_recognised_by_its_sum(tmp_path: Path) -> None:
    geo = write_geo(tmp_path / "g.geojson", {f"STGT0{i}": n for i, n in NAMES.items()})
    csv = tmp_path / "t.csv"
    body = "".join(f"STGT0{i};{10 * i};{i}\n" for i in NAMES)
    csv.write_text("id;einwohner;kinder\n" + body + "0;100;10\n", encoding="utf-8")
    g = read_table_guess(csv, units(geo))
    assert g.total_rows == "0" and g.unmatched == []
    assert g.date is None  # no year anywhere: TODO in the mapping, the check says what is missing
    result = init_city(tmp_path / "s", [geo], [csv])
    assert "date: null" in (tmp_path / "s" / "mappings" / "t.yaml").read_text(encoding="utf-8")
    assert not result.check_ok and any("kein Stichtag (TODO)" in line for line in result.de)


def test_xlsx_with_two_header_rows(inputs: dict[str, Path]) -> None:
    g = read_table_guess(inputs["xlsx"], units(inputs["geo"]))
    assert (g.header_row, g.header_rows, g.skip_rows) == (3, 2, 1)
    assert (g.unit_column, g.name_column) == ("Stadtteil", "Name")
    assert g.key_transform == {} and g.matched == 4
    assert [v.label for v in g.variables] == [
        "Einwohner männlich",
        "Einwohner weiblich",
        "Ausländer männlich",
        "Ausländer weiblich",
    ]
    assert g.date_column is None and g.date is not None and g.date.isoformat() == "2023-12-31"


def test_long_layout(inputs: dict[str, Path]) -> None:
    g = read_table_guess(inputs["long"], units(inputs["geo"]))
    assert (g.layout, g.variable_column, g.value_column, g.date_column) == ("long", "merkmal", "wert", "jahr")
    kinds = {v.label: (v.kind, v.guessed) for v in g.variables}
    assert kinds == {"Haushalte": ("count", False), "Durchschnittsalter": ("rate", True)}


def test_variable_keys_are_ascii_snake_case_and_unique() -> None:
    assert ascii_slug("Einwohner männlich 0–3 Jahre") == "einwohner_maennlich_0_3_jahre"
    assert ascii_slug("Straßen/Plätze (Anzahl)") == "strassen_plaetze_anzahl"
    assert ascii_slug("Élève 65+") == "eleve_65"
    assert ascii_slug("2017") == "v_2017"
    taken: set[str] = set()
    assert [unique_key(t, taken) for t in ("Ausländer", "Auslaender", "???")] == [
        "auslaender",
        "auslaender_2",
        "variable",
    ]


def test_bundled_berlin_files_are_detected() -> None:
    folder = CITY_FOLDERS["berlin-lor"]
    bezirke = read_level(folder / "geo" / "bezirke.geojson.gz")
    plr = read_level(folder / "geo" / "planungsraeume_2021.geojson.gz")
    assert (bezirke.guess.key_field, bezirke.guess.name_field, bezirke.count) == ("id", "name", 12)
    assert (plr.guess.key_field, plr.guess.name_field, plr.count) == ("PLR_ID", "PLR_NAME", 542)
    levels = {"bezirke": bezirke.guess.units, "planungsraeume": plr.guess.units}
    districts = read_table_guess(folder / "data" / "berlin-lor-population-2024-02-t2-districts.csv", levels)
    assert (districts.unit_column, districts.level, districts.matched, districts.key_transform) == (
        "id",
        "bezirke",
        12,
        {},
    )
    assert districts.date is not None and districts.date.isoformat() == "2024-12-31"  # from the file name
    areas = read_table_guess(folder / "data" / "berlin-lor-population-2024-02-t1-planning-areas.csv", levels)
    assert (areas.unit_column, areas.level, areas.matched, areas.unmatched) == (
        "id",
        "planungsraeume",
        542,
        [],
    )
    assert {v.kind for v in areas.variables if v.label.endswith("_percentage")} == {"rate"}


# -- the folder -----------------------------------------------------------------------------------------
def test_scaffold_passes_city_check_and_builds(inputs: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "musterstadt"
    result = init_city(folder, [inputs["geo"]], [inputs["csv"], inputs["xlsx"], inputs["long"]])
    assert result.check_ok and not result.unmatched_tables
    assert (folder / "geo" / "stadtteile.geojson").is_file() and (
        folder / "data" / "geschlecht.xlsx"
    ).is_file()
    city_text = (folder / "city.yaml").read_text(encoding="utf-8")
    assert "# Bitte prüfen:" in city_text and "sozialmonitor city check" in city_text
    city = yaml.safe_load(city_text)
    assert [lv["key"] for lv in city["levels"]] == ["stadt", "stadtteile"]
    assert city["units"] == [{"level": "stadt", "key": "00000000", "name": "musterstadt"}]
    assert city["boundaries"] == [
        {
            "file": "geo/stadtteile.geojson",
            "level": "stadtteile",
            "key_field": "STGT_ID",
            "name_field": "name",
            "parent_unit": "00000000",
        }
    ]
    assert [t["mapping"] for t in city["tables"]] == [
        "mappings/einwohner.yaml",
        "mappings/geschlecht.yaml",
        "mappings/haushalte_lang.yaml",
    ]
    mapping = yaml.safe_load((folder / "mappings" / "einwohner.yaml").read_text(encoding="utf-8"))
    assert mapping["unit_column"] == "Nr" and mapping["key_transform"]["lookup"]["1"] == "STGT01"
    assert mapping["total_rows"] == "Stadt insgesamt" and mapping["date_column"] == "Jahr"
    assert mapping["variables"] == {"Einwohner": "einwohner", "Arbeitslose": "arbeitslose"}
    variables = yaml.safe_load((folder / "variables.yaml").read_text(encoding="utf-8"))["variables"]
    by_key = {v["key"]: v for v in variables}
    assert by_key["einwohner_maennlich"]["name_de"] == "Einwohner männlich"
    assert by_key["einwohner"]["kind"] == "count" and by_key["einwohner"]["unit"] == "Anzahl"
    assert by_key["durchschnittsalter"]["kind"] == "rate"
    assert "# Bitte prüfen: geraten" in (folder / "variables.yaml").read_text(encoding="utf-8")

    check = check_city_folder(folder)
    assert check.ok, check.messages
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    report = build_city(folder, engine)
    # 4 areas × (2 years × 2 variables + 4 variables + 2 variables); the totals rows are not imported
    assert report.observations == 4 * (2 * 2 + 4 + 2) == check.observations
    assert report.units == {"stadt": 1, "stadtteile": 4}
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Observation)) == 40
    engine.dispose()


def test_several_levels_ordered_coarse_to_fine(tmp_path: Path) -> None:
    fine = write_geo(tmp_path / "stadtteile.geojson", {f"0{i}": n for i, n in NAMES.items()}, BEZ="1")
    coarse = write_geo(tmp_path / "bezirke.geojson", {"1": "Mitte", "2": "Rand"})
    result = init_city(tmp_path / "stadt", [fine, coarse], [])
    city = yaml.safe_load((tmp_path / "stadt" / "city.yaml").read_text(encoding="utf-8"))
    assert [lv["key"] for lv in city["levels"]] == ["stadt", "bezirke", "stadtteile"]
    assert city["boundaries"][1]["parent_level"] == "bezirke"
    assert city["boundaries"][1]["parent_field"] == "BEZ"
    assert "parent_unit" in city["boundaries"][0]
    assert result.check_ok


def test_crs_for_a_file_in_metres_goes_into_city_yaml(inputs: dict[str, Path], tmp_path: Path) -> None:
    text = inputs["geo"].read_text(encoding="utf-8")
    for i in range(4):  # the same squares in UTM 32 metres, declared as nothing (read as WGS84)
        x = 11.5 + 0.01 * i
        text = text.replace(f"[{x}, ", f"[{676000 + 700 * i}, ").replace(
            f"[{x + 0.01}, ", f"[{676700 + 700 * i}, "
        )
    geo = tmp_path / "utm.geojson"
    geo.write_text(text.replace("50.91]", "5642000]").replace("50.9]", "5641000]"), encoding="utf-8")
    without = init_city(tmp_path / "ohne", [geo], [inputs["csv"]])
    assert not without.check_ok and any("die Zahlen sind wohl Meter" in line for line in without.de)
    with_crs = init_city(tmp_path / "mit", [geo], [inputs["csv"]], crs="EPSG:25832")
    assert with_crs.check_ok
    assert (
        yaml.safe_load((tmp_path / "mit" / "city.yaml").read_text(encoding="utf-8"))["boundaries"][0]["crs"]
        == "EPSG:25832"
    )


def test_refuses_a_non_empty_folder_unless_forced(inputs: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "stadt"
    folder.mkdir()
    (folder / "notiz.txt").write_text("meins", encoding="utf-8")
    with pytest.raises(ConfigError, match="nicht leer"):
        init_city(folder, [inputs["geo"]], [inputs["csv"]])
    assert sorted(p.name for p in folder.iterdir()) == ["notiz.txt"]
    init_city(folder, [inputs["geo"]], [inputs["csv"]], force=True)
    assert (folder / "city.yaml").is_file() and (folder / "notiz.txt").read_text(encoding="utf-8") == "meins"


def test_geo_file_without_a_unique_attribute_is_refused(tmp_path: Path) -> None:
    geo = write_geo(tmp_path / "g.geojson", {"A": "x", "B": "x"})
    geo.write_text(
        geo.read_text(encoding="utf-8").replace('"STGT_ID": "B"', '"STGT_ID": "A"'), encoding="utf-8"
    )
    with pytest.raises(ImportValidationError) as info:
        read_level(geo)
    assert "eindeutigen" in info.value.de and "unique" in info.value.en


# -- the command ----------------------------------------------------------------------------------------
def test_cli_prints_german_then_english_and_the_next_steps(inputs: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "stadt"
    args = ["city", "init", str(folder), "--geo", str(inputs["geo"]), "--table", str(inputs["csv"])]
    result = runner.invoke(app, [*args, "--name", "Musterstadt", "--key", "09162000"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("Stadtordner angelegt") < out.index("City folder written")
    assert "Schlüsselspalte „Nr“, 4 von 4 Schlüsseln passen" in out and "4 of 4 keys match" in out
    assert out.strip().splitlines()[-1].endswith(f"sozialmonitor build {folder} --db sqlite:///stadt.sqlite")
    city = yaml.safe_load((folder / "city.yaml").read_text(encoding="utf-8"))
    assert city["name"] == "Musterstadt" and city["boundaries"][0]["parent_unit"] == "09162000"
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "nicht leer" in again.stderr and "not empty" in again.stderr


def test_cli_errors_exit_2_without_traceback(inputs: dict[str, Path], tmp_path: Path) -> None:
    nomatch = tmp_path / "kreise.csv"
    nomatch.write_text("Kreis;Jahr;Wert\nA;2020;120\nB;2020;95\nC;2020;3\n", encoding="utf-8")
    args = ["city", "init", str(tmp_path / "a"), "--geo", str(inputs["geo"]), "--table", str(nomatch)]
    result = runner.invoke(app, args)
    assert (
        result.exit_code == 2
        and "Kein Schlüssel passt" in result.stderr
        and "No key matches" in result.stderr
    )
    mapping = (tmp_path / "a" / "mappings" / "kreise.yaml").read_text(encoding="utf-8")
    assert "unit_column: Kreis" in mapping and "TODO: kein Schlüssel passt" in mapping

    garbage = tmp_path / "kaputt.csv"
    garbage.write_bytes(b"\x00\xff\x89PNG\r\n" * 3)
    one_column = tmp_path / "einspaltig.geojson"
    write_geo(one_column, {"A": "x", "B": "y"})
    one_column.write_text(
        one_column.read_text(encoding="utf-8").replace('"B"', '"A"').replace('"y"', '"x"'), encoding="utf-8"
    )
    pairs = [
        (inputs["geo"], garbage),
        (garbage, inputs["csv"]),
        (one_column, inputs["csv"]),
        (nomatch, nomatch),
    ]
    for geo, table in pairs:  # … and a table without geometries given as boundary file
        folder = tmp_path / "b"
        result = runner.invoke(app, ["city", "init", str(folder), "--geo", str(geo), "--table", str(table)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output + result.stderr
        assert "erwartet" in result.stderr and "expected" in result.stderr
        assert not folder.exists()  # nothing written
