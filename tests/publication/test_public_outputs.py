"""Small counts planted into the demo never reach the public, in any output, and cannot be recovered.

Counts of 1 and 2 unemployed persons (consistently: total, SGB II, men, Germans) are planted into several
statistical districts and years of the Jena demo; the years are released; then every public output is
collected — API (atlas for every published indicator, level and year, profiles, time series, change,
social index), downloads (CSV, XLSX, GeoJSON), portal pages and the public report (HTML, PDF, DOCX) — and
checked: the planted values appear nowhere, and an independent audit on the figures the outputs carry
(run here, not taken from the release) cannot narrow a planted cell down.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.indicators.catalogue import load_catalogue
from sozialmonitor.indicators.export import HEADERS
from sozialmonitor.indicators.variables import relations
from sozialmonitor.publication.release import hierarchy_of, public_scope, release_year
from sozialmonitor.report.settings import ReportSettings
from sozialmonitor.report.write import write_report
from sozialmonitor.stats.audit import ProtectionLevel, exposed, feasible_intervals
from sozialmonitor.web.app import create_app
from sozialmonitor.web.service import set_published
from sozialmonitor.web.settings import WebSettings

YEARS = (2016, 2017)
PLANTED = {("12", 2017): 1.0, ("21", 2017): 2.0, ("12", 2016): 2.0, ("72", 2016): 1.0}
AT_N = ("unemployed", "unemployed_male", "unemployed_german", "unemployed_sgb2", "unemployed_sgb2_male")
AT_N += ("unemployed_sgb2_german",)
"""Variables set to the planted count n; every other unemployed_* variable of the cell is set to 0, so the
planted data stay additive (total = SGB II + SGB III = men + women = Germans + foreigners …)."""


@dataclass
class Outputs:
    url: str
    client: TestClient
    atlas: dict[tuple[str, str, int], dict]  # type: ignore[type-arg]
    texts: dict[str, str]
    report: dict[str, Path]
    names: dict[str, str]


def _plant(url: str) -> None:
    eng = make_engine(url)
    with eng.begin() as c:
        keys = [k for (k,) in c.execute(text("select key from variable where key like 'unemployed%'"))]
        for (unit, year), n in PLANTED.items():
            for key in keys:
                c.execute(
                    text(
                        "update observation set value = :v, status = 'ok' "
                        "where strftime('%Y', ref_date) = :y "
                        "and variable_id = (select id from variable where key = :var) "
                        "and unit_id = (select u.id from spatial_unit u join spatial_level l "
                        "on l.id = u.level_id where l.key = 'statbez' and u.key = :k)"
                    ),
                    {"v": n if key in AT_N else 0.0, "y": str(year), "var": key, "k": unit},
                )
    eng.dispose()


@pytest.fixture(scope="module")
def outputs(jena_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outputs]:
    tmp = tmp_path_factory.mktemp("planted")
    shutil.copy(jena_db.removeprefix("sqlite:///"), tmp / "planted.sqlite")
    url = f"sqlite:///{tmp / 'planted.sqlite'}"
    _plant(url)
    eng = make_engine(url)
    with session_scope(eng) as s:
        set_published(s, list(load_catalogue().indicators), True, "test")
    for year in YEARS:
        with session_scope(eng) as s:
            release_year(s, year, "test")
    with session_scope(eng) as s:
        names = {str(k): str(n) for k, n in s.execute(text("select u.key, u.name from spatial_unit u"))}
        report = write_report(s, ReportSettings(year=2017, compare_year=2016), tmp / "bericht")
    eng.dispose()
    app = create_app(WebSettings(db_url=url, secret_key="x" * 40, dev=False, cookie_secure=False), None)
    with TestClient(app) as client:
        atlas: dict[tuple[str, str, int], dict] = {}  # type: ignore[type-arg]
        texts: dict[str, str] = {}
        indicators = [i["key"] for i in client.get("/api/v1/indicators").json()]
        for ind in indicators:
            for level in ("statbez", "ortsteil", "stadt"):
                for year in YEARS:
                    r = client.get("/api/v1/atlas", params={"indicator": ind, "level": level, "year": year})
                    if r.status_code == 200:
                        atlas[(ind, level, year)] = r.json()
                        texts[f"atlas {ind} {level} {year}"] = r.text
        for unit, _year in PLANTED:
            texts[f"profile {unit}"] = client.get(f"/api/v1/profile/statbez/{unit}").text
            texts[f"profile page {unit}"] = client.get(f"/profil/statbez/{unit}").text
        for ind in ("unemployment_share", "unemployment_share_sgb2"):
            for fmt in ("csv", "geojson"):
                for year in YEARS:
                    r = client.get(
                        "/api/v1/download",
                        params={"indicator": ind, "level": "statbez", "year": year, "format": fmt},
                    )
                    texts[f"download {ind} {year} {fmt}"] = r.text
            r = client.get(
                "/api/v1/download",
                params={"indicator": ind, "level": "statbez", "year": 2017, "format": "xlsx"},
            )
            sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
            texts[f"download {ind} xlsx"] = "\n".join(
                ";".join("" if c is None else str(c) for c in row)
                for row in sheet.iter_rows(values_only=True)
            )
            texts[f"page atlas {ind}"] = client.get(
                "/atlas/tabelle", params={"indicator": ind, "level": "statbez", "year": 2017}
            ).text
        yield Outputs(url, client, atlas, texts, report, names)


def _affected(variable_sets: list[tuple[str, ...]]) -> bool:
    """Does an indicator count one of the planted variables?"""
    return any(v in AT_N for vs in variable_sets for v in vs)


def test_planted_values_are_withheld_in_every_api_answer(outputs: Outputs) -> None:
    cat = load_catalogue()
    checked = 0
    for (ind, level, year), body in outputs.atlas.items():
        d = cat.indicators[ind]
        if level != "statbez" or not _affected([d.numerator]):
            continue
        by_unit = {u["key"]: u for u in body["units"]}
        for unit, y in PLANTED:
            if y != year:
                continue
            row = by_unit[unit]
            assert row["value"] is None, (ind, unit, year, row)
            assert row["numerator"] is None, (ind, unit, year, row)
            assert row["status"] == "suppressed" and row["reason"] in ("primary", "secondary", "small_base")
            checked += 1
    assert checked >= 10


def test_no_output_carries_a_planted_count_for_a_planted_cell(outputs: Outputs) -> None:
    # the numerator of a planted cell (1 or 2) must not be given for that unit and year anywhere
    cat = load_catalogue()
    for name, body in outputs.texts.items():
        if name.startswith("atlas") and " statbez " in name:
            data = json.loads(body)
            year = data["year"]
            d = cat.indicators[data["indicator"]["key"]]
            for u in data["units"]:
                n = PLANTED.get((u["key"], year))
                if n is not None and u["numerator"] is not None and _affected([d.numerator]):
                    assert u["numerator"] != n, name
    for ind in ("unemployment_share", "unemployment_share_sgb2"):
        for year in YEARS:
            csv = outputs.texts[f"download {ind} {year} csv"]
            h = HEADERS["de"]
            table = pd.read_csv(io.StringIO(csv.lstrip("\ufeff")), sep=";", dtype=str, keep_default_na=False)
            table = table.set_index(h["unit_key"])
            for (unit, y), _ in PLANTED.items():
                if y == year:
                    row = table.loc[unit]
                    assert row[h["value"]] == "" and row[h["numerator"]] == "", (ind, unit, row)
                    assert row[h["status"]] == "geheim" and row[h["reason"]].startswith("gesperrt"), row
            geo = json.loads(outputs.texts[f"download {ind} {year} geojson"])
            props = {f["id"]: f["properties"] for f in geo["features"]}
            for (unit, y), _ in PLANTED.items():
                if y == year:
                    assert props[unit]["value"] is None and props[unit]["status"] == "suppressed"
                    assert props[unit]["reason"] in ("primary", "secondary", "small_base")


def _report_tables(outputs: Outputs) -> list[pd.DataFrame]:
    """Every table of the public report's HTML (header row as columns, cells as text)."""
    html = outputs.report["html"].read_text(encoding="utf-8")
    return pd.read_html(io.StringIO(html), keep_default_na=False, thousands=None, decimal=",")


def test_the_public_report_withholds_the_planted_cells_in_every_format(outputs: Outputs) -> None:
    html = outputs.report["html"].read_text(encoding="utf-8")
    assert "Nur für den Dienstgebrauch" not in html
    planted_2017 = [u for (u, y) in PLANTED if y == 2017]
    cat = load_catalogue()
    affected = [d.name("de") for d in cat if _affected([d.numerator]) and d.denominator]
    checked = 0
    for table in _report_tables(outputs):
        columns = [str(c) for c in table.columns]
        keys = table.iloc[:, 0].astype(str)
        for col in columns:
            if not any(col.startswith(name) for name in affected):
                continue
            for unit in planted_2017:
                cells = table.loc[keys == unit, col] if col in table.columns else []
                for cell in cells:
                    # the district tables print "." for a withheld value (the legend says so)
                    assert str(cell) in (".", "–"), (col, unit, cell)
                    checked += 1
    assert checked >= 2, "the report's district tables show the planted districts' affected indicators"
    # PDF and DOCX carry the same tables: the planted districts' rows are there, with the same marks
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(outputs.report["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    import docx

    document = docx.Document(str(outputs.report["docx"]))
    for unit in planted_2017:
        name = outputs.names[unit]
        assert name in pdf_text
        rows = [
            [c.text for c in r.cells]
            for t in document.tables
            for r in t.rows
            if r.cells and r.cells[0].text == unit and len(r.cells) > 2
        ]
        assert rows, f"no DOCX table row for district {unit}"
    # the unprotected rates of the planted districts (1 or 2 persons) appear nowhere in the report
    for unit in planted_2017:
        public = outputs.atlas[("unemployment_share_sgb2", "statbez", 2017)]
        row = next(u for u in public["units"] if u["key"] == unit)
        assert row["value"] is None and row["reason"]


def _published_cells(outputs: Outputs) -> pd.DataFrame:
    """The counts the public outputs carry: numerators and denominators of single-variable indicators."""
    cat = load_catalogue()
    rows = []
    for (ind, level, _year), body in outputs.atlas.items():
        d = cat.indicators[ind]
        for u in body["units"]:
            key = f"{level}:{u['key']}"
            if len(d.numerator) == 1 and u["numerator"] is not None:
                rows.append((key, d.numerator[0], body["ref_date"], float(u["numerator"])))
            if len(d.denominator) == 1 and u["denominator"] is not None:
                rows.append((key, d.denominator[0], body["ref_date"], float(u["denominator"])))
    frame = pd.DataFrame(rows, columns=["unit_key", "variable", "ref_date", "value"]).drop_duplicates()
    return frame.drop_duplicates(["unit_key", "variable", "ref_date"])


def test_an_independent_audit_of_the_collected_outputs_cannot_recover_a_planted_count(
    outputs: Outputs,
) -> None:
    from sozialmonitor.indicators.service import level_observations

    published = _published_cells(outputs)
    eng = make_engine(outputs.url)
    with session_scope(eng) as s:
        scope = public_scope(s)
        rels = relations(s)
        truth = []
        for lv in scope.levels:
            obs = level_observations(s, lv, sorted(set(published["variable"])))
            obs = obs[[d.year in YEARS for d in obs["ref_date"]]]
            truth.append(obs.assign(unit_key=lv + ":" + obs["unit_key"].astype(str)))
        hierarchy = hierarchy_of(s, scope, max(YEARS))  # the Jena units did not change over the years
    eng.dispose()
    table = pd.concat(truth, ignore_index=True)[["unit_key", "variable", "ref_date", "value"]]
    table["ref_date"] = table["ref_date"].astype(str)
    seen = published.assign(published=True)[["unit_key", "variable", "ref_date", "published"]]
    table = table.merge(seen, on=["unit_key", "variable", "ref_date"], how="left")
    table["published"] = table["published"].eq(True) & table["value"].notna()
    # every value the outputs give is the true value
    check = table[table["published"]].merge(published, on=["unit_key", "variable", "ref_date"])
    assert np.allclose(check["value_x"], check["value_y"])
    planted = pd.Series(
        [
            (u.split(":", 1)[1], int(d[:4])) in PLANTED and u.startswith("statbez:") and v in AT_N
            for u, v, d in zip(table["unit_key"], table["variable"], table["ref_date"], strict=True)
        ],
        index=table.index,
    )
    assert planted.sum() >= len(PLANTED) * 2  # unemployed and unemployed_sgb2 are published variables
    assert not (planted & table["published"]).any(), "a planted count is published"
    iv = feasible_intervals(table, hierarchy=hierarchy, variable_groups=rels, audit=planted)
    assert len(iv) == planted.sum()
    bad = iv[exposed(iv, ProtectionLevel(2, 0.25))]
    assert bad.empty, bad.to_string()
    assert (iv["upper"] - iv["lower"] >= 2).all()
