"""Spreadsheet formula injection: every CSV, XLSX and GeoJSON for people neutralises text cells.

Unit names come from imported boundary files; a name like ``=HYPERLINK(…)`` must reach the spreadsheet as
text (a leading ``'``, OWASP), never as a formula, while negative numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import text
from typer.testing import CliRunner

from sozialmonitor.cli.main import app as cli_app
from sozialmonitor.cli.survey import survey_app
from sozialmonitor.db.engine import make_engine, upgrade
from sozialmonitor.fmt import safe_cell, safe_frame
from sozialmonitor.indicators.export import excel_csv, xlsx_bytes
from sozialmonitor.web.app import create_app
from sozialmonitor.web.settings import WebSettings
from sozialmonitor.web.survey_view import analyse, to_csv, to_xlsx

EVIL = ['=HYPERLINK("http://x","klick")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]
IND = "unemployment_share_sgb2"


def _csv_rows(text_: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_.lstrip("\ufeff")), delimiter=";"))


def _assert_text_cells_safe(ws: object) -> list[object]:
    """No formula anywhere in the sheet; returns the cells for further checks."""
    cells = [c for row in ws.iter_rows() for c in row]  # type: ignore[attr-defined]
    assert cells
    for c in cells:
        assert c.data_type != "f", f"formula in {c.coordinate}: {c.value!r}"
        if isinstance(c.value, str):
            assert c.data_type == "s"
            assert not c.value.startswith(("=", "+", "-", "@", "\t", "\r")), c.value
    return cells


# --- the one function --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EVIL)
def test_safe_cell_prefixes_formula_text(name: str) -> None:
    assert safe_cell(name) == "'" + name


@pytest.mark.parametrize("value", ["Nord", "", "'=schon sicher", "a=b", "1-2", " =x"])
def test_safe_cell_leaves_plain_text(value: str) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-2.5, -3, 0, np.float64(-1.5), np.int64(-7), None, dt.date(2020, 1, 1)])
def test_safe_cell_leaves_non_text_alone(value: object) -> None:
    assert safe_cell(value) is value


def test_safe_cell_nan_stays_nan() -> None:
    out = safe_cell(float("nan"))
    assert isinstance(out, float) and out != out


def test_safe_frame_neutralises_text_columns_and_headers_only() -> None:
    df = pd.DataFrame(
        {
            "name": EVIL[:4],
            "=x": ["a", "b", "c", "d"],
            "value": [-2.5, 1.0, None, -0.1],
            "n": [-1, 2, 3, 4],
            "cat": pd.Categorical(["-a", "b", "-a", "c"]),
            "s": pd.array(["@x", None, "y", "+z"], dtype="string"),
        }
    )
    out = safe_frame(df)
    assert list(out.columns) == ["name", "'=x", "value", "n", "cat", "s"]
    assert list(out["name"]) == ["'" + v for v in EVIL[:4]]
    assert out["value"].dtype == float and out["value"].iloc[0] == -2.5
    assert out["n"].dtype == df["n"].dtype and out["n"].iloc[0] == -1
    assert list(out["cat"]) == ["'-a", "b", "'-a", "c"]
    assert out["s"].iloc[0] == "'@x" and out["s"].iloc[3] == "'+z" and pd.isna(out["s"].iloc[1])
    assert list(df["name"]) == EVIL[:4]  # the input is not changed


# --- indicator table exports (CLI export and web download share them) ---------------------------------


def _indicator_frame() -> pd.DataFrame:
    n = len(EVIL)
    return pd.DataFrame(
        {
            "unit_key": [f"{i:02d}" for i in range(n)],
            "name": EVIL,
            "ref_date": [dt.date(2017, 12, 31)] * n,
            "indicator": ["=1+1"] + ["x"] * (n - 1),
            "value": [-2.5, 3.0, None, -0.25, 7.0, 8.0],
            "unit": ["%"] * n,
            "status": ["ok"] * n,
            "numerator": [None] * n,
            "denominator": [None] * n,
            "flag_small": [False] * n,
        }
    )


@pytest.mark.parametrize("lang", ["de", "en"])
def test_indicator_csv_export_prefixes_names_and_keeps_negative_numbers(lang: str) -> None:
    rows = _csv_rows(excel_csv(_indicator_frame(), decimal_comma=lang == "de", lang=lang))
    body = rows[1:]
    assert [r[1] for r in body] == ["'" + v for v in EVIL]
    assert body[0][3] == "'=1+1"
    # the negative value stays a number: no quote, parses as a float
    assert body[0][4] == ("-2,5" if lang == "de" else "-2.5")
    assert body[3][4] == ("-0,25" if lang == "de" else "-0.25")
    assert float(body[0][4].replace(",", ".")) == -2.5


def test_indicator_xlsx_export_has_no_formula_and_numeric_negatives() -> None:
    ws = load_workbook(io.BytesIO(xlsx_bytes(_indicator_frame(), "de"))).active
    assert ws is not None
    _assert_text_cells_safe(ws)
    names = [ws.cell(r, 2).value for r in range(2, len(EVIL) + 2)]
    assert names == ["'" + v for v in EVIL]
    value = ws.cell(2, 5)
    assert value.data_type == "n" and value.value == -2.5


# --- survey tables (web download and CLI) ----------------------------------------------------------------


def _survey_answers() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    areas = EVIL[:4]
    return pd.DataFrame(
        {
            "area": np.repeat(areas, 40),
            "score": rng.normal(-5.0, 1.0, 160),
            "weight": np.ones(160),
        }
    )


def _survey_table() -> pd.DataFrame:
    return analyse(_survey_answers(), variable="score", statistic="mean", weights="weight", domain="area")


def test_survey_csv_download_prefixes_domains_and_keeps_negative_estimates() -> None:
    rows = _csv_rows(to_csv(_survey_table()).decode("utf-8"))
    header, body = rows[0], rows[1:]
    domains = {r[0] for r in body}
    assert {"'" + v for v in EVIL[:4]} <= domains
    est = header.index("Schätzwert")
    assert all(not r[est].startswith("'") and float(r[est].replace(",", ".")) < 0 for r in body)


def test_survey_xlsx_download_has_no_formula() -> None:
    ws = load_workbook(io.BytesIO(to_xlsx(_survey_table()))).active
    assert ws is not None
    _assert_text_cells_safe(ws)
    header = [c.value for c in ws[1]]
    est = header.index("Schätzwert") + 1
    assert {ws.cell(r, 1).value for r in range(2, ws.max_row + 1)} >= {"'" + v for v in EVIL[:4]}
    for r in range(2, ws.max_row + 1):
        assert ws.cell(r, est).data_type == "n" and ws.cell(r, est).value < 0


def test_survey_cli_csv_and_xlsx(tmp_path: Path) -> None:
    data = tmp_path / "antworten.csv"
    _survey_answers().to_csv(data, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    runner = CliRunner()
    args = ["estimate", str(data), "--variable", "score", "--weight", "weight", "--domain", "area"]
    out_csv = tmp_path / "out.csv"
    res = runner.invoke(survey_app, [*args, "--format", "csv", "--out", str(out_csv)])
    assert res.exit_code == 0, res.output
    rows = _csv_rows(out_csv.read_text(encoding="utf-8-sig"))
    assert {"'" + v for v in EVIL[:4]} <= {r[0] for r in rows[1:]}
    assert all(float(r[2].replace(",", ".")) < 0 for r in rows[1:])
    res = runner.invoke(survey_app, [*args, "--format", "csv"])
    assert res.exit_code == 0 and "'=HYPERLINK" in res.stdout
    out_xlsx = tmp_path / "out.xlsx"
    res = runner.invoke(survey_app, [*args, "--format", "xlsx", "--out", str(out_xlsx)])
    assert res.exit_code == 0, res.output
    ws = load_workbook(out_xlsx).active
    assert ws is not None
    _assert_text_cells_safe(ws)


# --- end to end: unit names from the boundary file in the web download and the CLI export ------------


@pytest.fixture(scope="module")
def evil_db(released_db: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    """The released Jena demo with four statistical districts renamed to formulas; URL and key → name.

    Released cells are stored by unit key; names are read from the units, so renaming after the release is
    what a later boundary import with such names does.
    """
    target = tmp_path_factory.mktemp("evil") / "evil.sqlite"
    shutil.copy(released_db.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    eng = make_engine(url)
    upgrade(eng)
    names: dict[str, str] = {}
    with eng.begin() as c:
        keys = c.execute(
            text(
                "SELECT u.key FROM spatial_unit u JOIN spatial_level l ON l.id = u.level_id "
                "WHERE l.key = 'statbez' ORDER BY u.key LIMIT 4"
            )
        ).scalars()
        for key, name in zip(list(keys), EVIL[:4], strict=True):
            names[key] = name
            c.execute(
                text(
                    "UPDATE spatial_unit SET name = :name WHERE key = :key AND level_id = "
                    "(SELECT id FROM spatial_level WHERE key = 'statbez')"
                ),
                {"name": name, "key": key},
            )
    eng.dispose()
    assert len(names) == 4
    return url, names


@pytest.fixture(scope="module")
def evil_client(evil_db: tuple[str, dict[str, str]]) -> Iterator[TestClient]:
    settings = WebSettings(
        db_url=evil_db[0],
        secret_key="test-secret-key-with-more-than-32-characters",
        dev=False,
        cookie_secure=False,
    )
    with TestClient(create_app(settings)) as c:
        yield c


PARAMS: dict[str, str | int] = {"indicator": IND, "level": "statbez", "year": 2017}


def test_web_csv_download_neutralises_unit_names(
    evil_client: TestClient, evil_db: tuple[str, dict[str, str]]
) -> None:
    r = evil_client.get("/api/v1/download", params=PARAMS)
    assert r.status_code == 200
    rows = {row[0]: row for row in _csv_rows(r.content.decode("utf-8"))[1:]}
    for key, name in evil_db[1].items():
        assert rows[key][1] == "'" + name
    assert all(not row[1].startswith(("=", "+", "-", "@")) for row in rows.values())


def test_web_xlsx_download_has_no_formula(
    evil_client: TestClient, evil_db: tuple[str, dict[str, str]]
) -> None:
    r = evil_client.get("/api/v1/download", params={**PARAMS, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    _assert_text_cells_safe(ws)
    names = {ws.cell(i, 1).value: ws.cell(i, 2).value for i in range(2, ws.max_row + 1)}
    for key, name in evil_db[1].items():
        assert names[key] == "'" + name
    values = [ws.cell(i, 5) for i in range(2, ws.max_row + 1) if ws.cell(i, 5).value is not None]
    assert values and all(c.data_type == "n" for c in values)


def test_web_geojson_download_neutralises_string_properties(
    evil_client: TestClient, evil_db: tuple[str, dict[str, str]]
) -> None:
    r = evil_client.get("/api/v1/download", params={**PARAMS, "format": "geojson"})
    feats = {f["properties"]["key"]: f["properties"] for f in json.loads(r.content)["features"]}
    for key, name in evil_db[1].items():
        assert feats[key]["name"] == "'" + name
    for props in feats.values():
        for v in props.values():
            assert not (isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r")))
        assert props["value"] is None or isinstance(props["value"], float | int)


def test_cli_indicator_export_neutralises_unit_names(
    evil_db: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["export", "indicators", "--indicator", IND, "--level", "statbez", "--year", "2017"]
    res = runner.invoke(cli_app, [*base, "--db", evil_db[0]])
    assert res.exit_code == 0, res.output
    rows = {row[0]: row for row in _csv_rows(res.stdout_bytes.decode("utf-8"))[1:]}
    for key, name in evil_db[1].items():
        assert rows[key][1] == "'" + name
    out = tmp_path / "ind.xlsx"
    res = runner.invoke(cli_app, [*base, "--format", "xlsx", "--out", str(out), "--db", evil_db[0]])
    assert res.exit_code == 0, res.output
    ws = load_workbook(out).active
    assert ws is not None
    _assert_text_cells_safe(ws)
