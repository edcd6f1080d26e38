"""Server-rendered pages: every page, German number format, English switch, table alternatives."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from .conftest import UNPUBLISHED

PAGES = [
    "/",
    "/atlas",
    "/atlas?indicator=unemployment_share_sgb2&level=ortsteil&year=2010&method=natural_breaks&palette=diverging",
    "/atlas/tabelle?indicator=residents&level=statbez",
    "/profil/statbez/11",
    "/profil/ortsteil/11",
    "/vergleich?level=ortsteil&units=11&units=12&units=13",
    "/veraenderung?indicator=residents&level=ortsteil&from_year=2008&to_year=2016",
    "/sozialindex",
    "/sozialindex?level=ortsteil",
    "/katalog",
    "/anmelden",
]


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_render(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    assert "Traceback" not in r.text
    if not url.startswith("/atlas/tabelle"):
        assert '<html lang="de">' in r.text and 'href="#main"' in r.text and "<main" in r.text
    assert "https://" not in re.sub(r'href="https://[^"]*"', "", r.text)  # nothing loaded from elsewhere


def test_atlas_page_has_map_table_downloads_and_german_numbers(client: TestClient) -> None:
    html = client.get("/atlas?indicator=residents&level=statbez&year=2017").text
    assert 'id="map"' in html and 'id="chart-ranking"' in html and "<table" in html
    assert (
        "/static/vendor/leaflet/leaflet.js" in html and "/static/vendor/vega-embed/vega-embed.min.js" in html
    )
    assert re.search(r"\d{1,3}\.\d{3}", html)  # thousands separator: 1.234
    for fmt in ("csv", "xlsx", "geojson"):
        assert f"format={fmt}" in html
    assert 'type="range"' in html and "<label" in html


def test_english_switch(client: TestClient) -> None:
    html = client.get("/atlas?lang=en&indicator=unemployment_share_sgb2&level=statbez").text
    assert '<html lang="en">' in html and "Skip to content" in html and "Unemployed under SGB II" in html
    assert re.search(r"\d\.\d%", html)  # 2.3%
    again = client.get("/katalog").text  # the choice is remembered in a cookie
    assert '<html lang="en">' in again
    client.get("/?lang=de")


def test_profile_page_text_and_sparklines(client: TestClient) -> None:
    html = client.get("/profil/statbez/11").text
    assert "Steckbrief: Ammerbach Ort" in html
    # Ammerbach Ort's SGB II share is withheld (small counts): the page says why instead of a sentence
    assert "liegt der Wert „SGB-II-Arbeitslosenanteil“ mit" not in html
    atlas = client.get(
        "/api/v1/atlas", params={"indicator": "unemployment_share_sgb2", "level": "statbez"}
    ).json()
    shown = next(u for u in atlas["units"] if u["value"] is not None)
    html = client.get(f"/profil/statbez/{shown['key']}").text
    assert f"In {shown['name']} liegt der Wert „SGB-II-Arbeitslosenanteil“ mit" in html
    assert 'class="spark"' in html and 'class="svgmap"' in html
    assert client.get("/profil/statbez/nope").status_code == 404


def test_social_index_page_matrix(client: TestClient) -> None:
    html = client.get("/sozialindex").text
    assert "Gesamtindex" in html and html.count("<tr>") > 40
    assert 'class="svgmap"' in html


def test_unpublished_indicator_only_internal(client: TestClient, planner: TestClient) -> None:
    assert UNPUBLISHED not in client.get("/katalog").text
    assert client.get(f"/atlas?indicator={UNPUBLISHED}&level=statbez").status_code == 404
    assert UNPUBLISHED in planner.get("/katalog").text
    assert planner.get(f"/atlas?indicator={UNPUBLISHED}&level=statbez").status_code == 200
    assert "Interner Bereich" in planner.get("/").text


def test_compare_page_rejects_one_unit(client: TestClient) -> None:
    html = client.get("/vergleich?level=ortsteil&units=11").text
    assert 'role="alert"' in html and "2 bis 4" in html


def test_unknown_things_give_404_pages(client: TestClient) -> None:
    for url in ("/nirgends", "/atlas?level=land", "/sozialindex?level=nope", "/atlas?indicator=xyz"):
        r = client.get(url)
        assert r.status_code == 404 and "<main" in r.text, url


@pytest.mark.parametrize(
    "url",
    [
        "/atlas?year=abc&k=zz&method=evil&palette=<script>alert(1)</script>",
        "/atlas?indicator=<script>alert(1)</script>",
        "/atlas?k=1000&year=99999",
        "/atlas?level=statbez&indicator=residents&year=1800",
        "/vergleich?level=statbez&units=11&units=12&units=21&units=30&units=41",
        "/vergleich?level=statbez&units=nope&units=11",
        "/veraenderung?from_year=2017&to_year=2007",
        "/veraenderung?from_year=x",
        "/sozialindex?year=1900",
        "/profil/land/16",
        "/verwaltung/importe/999999",
    ],
)
def test_bad_parameters_never_cause_server_errors(client: TestClient, planner: TestClient, url: str) -> None:
    for c in (client, planner):
        r = c.get(url)
        assert r.status_code < 500, (url, r.status_code)
        assert "<script>alert(1)" not in r.text  # reflected input is escaped
