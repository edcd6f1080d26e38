"""Every API endpoint, public and internal; a public request never obtains a suppressed value."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from .conftest import UNPUBLISHED

IND = "unemployment_share_sgb2"


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/levels",
        "/api/v1/levels/{level}/units",
        "/api/v1/indicators",
        "/api/v1/atlas",
        "/api/v1/timeseries",
        "/api/v1/geometry/{level}",
        "/api/v1/profile/{level}/{unit}",
        "/api/v1/compare",
        "/api/v1/change",
        "/api/v1/social-index",
        "/api/v1/strategy",
        "/api/v1/download",
        "/api/v1/imports",
        "/api/v1/imports/{import_id}/changes",
    } == paths


def test_levels_and_units(client: TestClient) -> None:
    levels = client.get("/api/v1/levels").json()
    assert [lv["key"] for lv in levels] == ["stadt", "ortsteil", "statbez"]
    assert [lv["units"] for lv in levels] == [1, 30, 42]  # 41 districts + "nicht zugeordnet"
    en = client.get("/api/v1/levels", params={"lang": "en"}).json()
    assert en[2]["name"] == "Statistical district"
    units = client.get("/api/v1/levels/statbez/units").json()
    first = next(u for u in units if u["key"] == "11")
    assert first["name"] == "Ammerbach Ort" and first["parent"]
    assert client.get("/api/v1/levels/land/units").status_code == 404  # outside the city: not served


def test_atlas_values_classes_and_city(client: TestClient) -> None:
    r = client.get("/api/v1/atlas", params={"indicator": IND, "level": "statbez", "year": 2017})
    assert r.status_code == 200
    a = r.json()
    assert a["year"] == 2017 and a["years"][0] == 2007 and a["ref_date"] == "2017-12-31"
    assert a["city"]["value"] == pytest.approx(2.2, abs=1.5)
    assert a["city"]["value_text"].endswith("%") and "," in a["city"]["value_text"]
    assert len(a["units"]) == 42
    colored = [u for u in a["units"] if u["value"] is not None]
    assert all(u["class"] is not None and u["color"].startswith("#") for u in colored)
    assert sum(lg["count"] for lg in a["legend"]) == 42
    assert a["legend"][0]["label"].startswith("bis ")
    ranks = sorted(u["rank"] for u in a["units"] if u["rank"])
    assert ranks[0] == 1 and a["n_ranked"] == len(ranks)


def test_atlas_diverging_palette_breaks_at_the_city_value(client: TestClient) -> None:
    a = client.get(
        "/api/v1/atlas", params={"indicator": IND, "level": "statbez", "palette": "diverging", "k": 4}
    ).json()
    uppers = [lg["upper"] for lg in a["legend"] if lg["upper"] is not None]
    assert any(abs(u - a["city"]["value"]) < 1e-9 for u in uppers)
    for method in ("equal_interval", "natural_breaks", "std_mean"):
        r = client.get("/api/v1/atlas", params={"indicator": IND, "level": "ortsteil", "method": method})
        assert r.status_code == 200, method


def test_atlas_errors_are_4xx(client: TestClient) -> None:
    assert client.get("/api/v1/atlas", params={"indicator": "nope", "level": "statbez"}).status_code == 404
    assert client.get("/api/v1/atlas", params={"indicator": IND, "level": "nope"}).status_code == 404
    r = client.get("/api/v1/atlas", params={"indicator": IND, "level": "statbez", "year": 1999})
    assert r.status_code == 404 and "2007" in r.json()["detail"]["de"]
    assert (
        client.get("/api/v1/atlas", params={"indicator": IND, "level": "statbez", "k": 99}).status_code == 422
    )


def test_timeseries_unit_and_city(client: TestClient) -> None:
    ts = client.get("/api/v1/timeseries", params={"indicator": IND, "level": "ortsteil", "unit": "11"}).json()
    assert len(ts["city_series"]) == 7 and ts["unit"]["key"] == "11"  # the seven released years
    bad = client.get("/api/v1/timeseries", params={"indicator": IND, "level": "ortsteil", "unit": "999x"})
    assert bad.status_code == 404


def test_geometry_is_geojson_without_figures(client: TestClient) -> None:
    r = client.get("/api/v1/geometry/statbez")
    assert r.headers["content-type"].startswith("application/geo+json")
    geo = r.json()
    assert len(geo["features"]) == 41
    assert set(geo["features"][0]["properties"]) == {"key", "name"}


def test_profile_compare_change_social_index(client: TestClient) -> None:
    p = client.get("/api/v1/profile/statbez/11").json()
    assert p["unit"]["name"] == "Ammerbach Ort" and len(p["indicators"]) > 10
    row = next(r for r in p["indicators"] if r["key"] == IND)
    assert row["value"] is None and row["text"] == ""  # withheld (small counts): no sentence about it
    assert len(row["series"]) == 7  # the released years
    shown = next(
        u
        for u in client.get("/api/v1/atlas", params={"indicator": IND, "level": "statbez"}).json()["units"]
        if u["value"] is not None
    )
    p = client.get(f"/api/v1/profile/statbez/{shown['key']}").json()
    row = next(r for r in p["indicators"] if r["key"] == IND)
    assert row["text"].startswith(f"In {shown['name']} liegt der Wert „SGB-II-Arbeitslosenanteil“ mit")
    c = client.get("/api/v1/compare", params=[("level", "ortsteil"), ("units", "11"), ("units", "12")]).json()
    assert [u["key"] for u in c["units"]] == ["11", "12"] and len(c["indicators"][0]["values"]) == 2
    one = client.get("/api/v1/compare", params=[("level", "ortsteil"), ("units", "11")])
    assert one.status_code == 422
    ch = client.get(
        "/api/v1/change", params={"indicator": IND, "level": "statbez", "from_year": 2010, "to_year": 2017}
    ).json()
    assert ch["from_year"] == 2010 and ch["to_year"] == 2017 and ch["unit_note"] == "Prozentpunkte"
    done = [u for u in ch["units"] if u["change_abs"] is not None]
    assert done and all(u["change_abs"] == pytest.approx(u["to_value"] - u["from_value"]) for u in done)
    rev = client.get(
        "/api/v1/change", params={"indicator": IND, "level": "statbez", "from_year": 2017, "to_year": 2010}
    )
    assert rev.status_code == 400
    si = client.get("/api/v1/social-index", params={"level": "statbez"}).json()
    assert si["year"] == 2017 and len(si["matrix"]) == 4 and all(len(r) == 3 for r in si["matrix"])
    assert sum(map(sum, si["matrix"])) == sum(1 for u in si["units"] if u["status_class"] and u["valid"])


def test_indicators_public_excludes_unpublished(client: TestClient, planner: TestClient) -> None:
    public = {i["key"] for i in client.get("/api/v1/indicators").json()}
    internal = {i["key"] for i in planner.get("/api/v1/indicators").json()}
    assert UNPUBLISHED not in public and UNPUBLISHED in internal
    params = {"indicator": UNPUBLISHED, "level": "statbez"}
    assert client.get("/api/v1/atlas", params=params).status_code == 404
    assert client.get("/api/v1/download", params=params).status_code == 404
    assert planner.get("/api/v1/atlas", params=params).status_code == 200
    prof = client.get("/api/v1/profile/statbez/11").json()
    assert UNPUBLISHED not in {r["key"] for r in prof["indicators"]}


def test_download_csv_is_excel_ready(client: TestClient) -> None:
    r = client.get("/api/v1/download", params={"indicator": IND, "level": "statbez", "year": 2017})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["Schlüssel", "Name", "Stichtag", "Indikator", "Wert"]
    atlas = client.get("/api/v1/atlas", params={"indicator": IND, "level": "statbez", "year": 2017}).json()
    by_key = {u["key"]: u for u in atlas["units"]}
    for row in rows[1:]:
        value = by_key[row[0]]["value"]
        assert row[2] == "31.12.2017"
        assert (row[4] == "") == (value is None)
        if value is not None:
            assert float(row[4].replace(",", ".")) == pytest.approx(value, abs=0.051)


def test_download_xlsx_and_geojson(client: TestClient) -> None:
    params = {"indicator": IND, "level": "ortsteil", "format": "xlsx", "lang": "en"}
    x = client.get("/api/v1/download", params=params)
    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws is not None and ws.cell(1, 1).value == "key" and ws.max_row == 31
    g = client.get("/api/v1/download", params={**params, "format": "geojson"})
    feats = json.loads(g.content)["features"]
    assert len(feats) == 30 and {"value", "status", "year"} <= set(feats[0]["properties"])


def test_imports_api_is_internal(client: TestClient, planner: TestClient) -> None:
    assert client.get("/api/v1/imports").status_code == 401
    imports = planner.get("/api/v1/imports").json()
    assert imports and {"id", "kind", "file_name", "status"} <= set(imports[0])
    table = next(i for i in imports if i["kind"] == "table")
    changes = planner.get(f"/api/v1/imports/{table['id']}/changes").json()
    assert changes and changes[0]["action"] in ("insert", "update")
    assert client.get(f"/api/v1/imports/{table['id']}/changes").status_code == 401


def test_public_requests_never_obtain_suppressed_values(client: TestClient, planner: TestClient) -> None:
    """Every suppressed public cell is empty in every public answer, also where the store has a value."""
    protected = []  # (indicator, level, year, unit): a value internally, suppressed for the public
    for ind in (IND, "unemployment_share", "share_children_single_parents", "youth_unemployment_share"):
        for level in ("statbez", "ortsteil"):
            for year in (2007, 2012, 2017):
                params = {"indicator": ind, "level": level, "year": year}
                r = client.get("/api/v1/atlas", params=params)
                if r.status_code == 404:  # no data for that year
                    continue
                pub = r.json()
                inside = {u["key"]: u for u in planner.get("/api/v1/atlas", params=params).json()["units"]}
                for u in pub["units"]:
                    if u["status"] == "suppressed":
                        assert u["value"] is None and u["class"] is None
                        if inside[u["key"]]["value"] is not None:
                            protected.append((ind, level, year, u["key"]))
                    num = inside[u["key"]]["numerator"]
                    if num is not None and 0 < num < 3:
                        assert u["numerator"] is None and u["value"] is None
    assert protected  # disclosure control hides more than the source did
    for ind, level, year, key in protected[:8]:
        prof = client.get(f"/api/v1/profile/{level}/{key}").json()
        row = next((r for r in prof["indicators"] if r["key"] == ind and r["year"] == year), None)
        assert row is None or row["value"] is None
        ts = client.get("/api/v1/timeseries", params={"indicator": ind, "level": level, "unit": key}).json()
        assert next(p for p in ts["series"] if p["year"] == year)["value"] is None
        body = client.get("/api/v1/download", params={"indicator": ind, "level": level, "year": year}).text
        line = next(x for x in body.splitlines()[1:] if x.split(";")[0] == key)
        assert line.split(";")[4] == "" and line.split(";")[6] == "geheim"


def test_strategy_evaluation_lists_every_target_with_its_status(client: TestClient) -> None:
    rows = client.get("/api/v1/strategy").json()
    assert rows and {r["status"] for r in rows} <= {"achieved", "on_track", "off_track", "no_data"}
    first = rows[0]
    assert {"goal", "target", "indicator", "baseline", "latest", "target_value", "projection"} <= set(first)
    # the city's SGB II share fell below its target in the Jena example
    sgb2 = [r for r in rows if r["indicator"] == "unemployment_share_sgb2" and r["level"] == "stadt"]
    assert sgb2 and sgb2[0]["status"] == "achieved"
