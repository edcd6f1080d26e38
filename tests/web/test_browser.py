"""Real Chromium (Playwright, Debian's /usr/bin/chromium): what a planner does, axe-core, keyboard only.

Skipped only when Chromium or node_modules are missing *and* SOZIALMONITOR_REQUIRE_BROWSER is not "1"
(`make test` sets it, so in CI these tests always run). Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sozialmonitor.web.app import node_modules

from .conftest import PLANNER, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts" / "web"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAPPING = Path(__file__).parent / "data" / "einwohner.yaml"
BAD_CSV = Path(__file__).parent / "data" / "einwohner_fehler.csv"
GOOD_CSV = Path(__file__).parent / "data" / "einwohner_2018.csv"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not installed (apt-get install chromium)"
    if not (node_modules() / "axe-core" / "axe.min.js").exists():
        return "node_modules missing (npm ci)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason:
        if os.environ.get("SOZIALMONITOR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, locale="de-DE")
    p = context.new_page()
    p.set_default_timeout(15000)
    errors: list[str] = []
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.errors = errors
    yield p
    context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def sign_in(page: Any) -> None:
    page.goto("/anmelden")
    page.fill("#l-user", PLANNER[0])
    page.fill("#l-pass", PLANNER[1])
    page.click("main button[type=submit]")
    page.wait_for_url("**/verwaltung")


def open_atlas(page: Any, query: str = "") -> None:
    page.goto("/atlas" + query)
    page.wait_for_selector("body.atlas-ready")
    page.wait_for_selector("path[data-key]")
    page.wait_for_selector("#chart-ranking svg")


PUBLIC_PAGES = {
    "start": "/",
    "atlas": "/atlas?indicator=unemployment_share_sgb2&level=statbez",
    "profil": "/profil/statbez/11",
    "vergleich": "/vergleich?level=ortsteil&units=11&units=12",
    "veraenderung": "/veraenderung?indicator=unemployment_share_sgb2&level=statbez",
    "sozialindex": "/sozialindex",
    "katalog": "/katalog",
    "anmelden": "/anmelden",
    "fehler": "/gibt-es-nicht",
    "atlas-en": "/atlas?lang=en&indicator=share_elderly_65&level=ortsteil&palette=diverging",
    "profile-en": "/profil/ortsteil/11",
}


def test_every_public_page_passes_axe(page: Any) -> None:
    problems = {}
    for name, url in PUBLIC_PAGES.items():
        if name.startswith("atlas"):
            open_atlas(page, url.removeprefix("/atlas"))
        else:
            page.goto(url)
        if name == "veraenderung":
            page.wait_for_selector("#chart-change svg")
        shot(page, name)
        found = axe(page)
        if found:
            problems[name] = found
    assert not problems, problems
    assert not [e for e in page.errors if "404" not in e], page.errors


def test_internal_pages_pass_axe(page: Any) -> None:
    sign_in(page)
    problems = {}
    for name, url in {
        "verwaltung": "/verwaltung",
        "import": "/verwaltung/importe/1",
        "katalog-intern": "/katalog",
    }.items():
        page.goto(url)
        shot(page, name)
        found = axe(page)
        if found:
            problems[name] = found
    assert not problems, problems


def test_planner_uses_the_atlas(page: Any) -> None:
    open_atlas(page)
    # switch indicator
    page.select_option("#f-indicator", "unemployment_share_sgb2")
    page.wait_for_function("document.getElementById('atlas-title').textContent.includes('SGB-II')")
    page.wait_for_function("document.querySelector('#atlas-table caption').textContent.includes('SGB-II')")
    assert "indicator=unemployment_share_sgb2" in page.url
    # switch year with the slider (keyboard)
    page.focus("#f-year")
    page.keyboard.press("Home")
    page.wait_for_function("document.querySelector('#atlas-table caption').textContent.includes('2007')")
    assert page.text_content("#f-year-out") == "2007"
    # tooltip on hover
    unit = page.locator("path[data-key='11']")
    unit.hover()
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    assert "Ammerbach Ort" in tip.text_content()
    assert "%" in tip.text_content() or "geheim" in tip.text_content()
    shot(page, "atlas-tooltip")
    # download the CSV and check it against the table
    with page.expect_download() as info:
        page.click("a.dl[data-format=csv]")
    data = Path(info.value.path()).read_bytes().decode("utf-8")
    assert data.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["Schlüssel", "Name", "Stichtag", "Indikator", "Wert"]
    assert all(r[2] == "31.12.2007" and r[3] == "unemployment_share_sgb2" for r in rows[1:])
    assert len(rows) == 43
    # open a district profile from the table
    page.click("#atlas-table a[href='/profil/statbez/11']")
    page.wait_for_url("**/profil/statbez/11")
    assert "Ammerbach Ort" in page.text_content("h1")
    shot(page, "profil-aus-atlas")
    assert not page.errors, page.errors


def test_keyboard_only_through_the_atlas(page: Any) -> None:
    open_atlas(page, "?indicator=unemployment_share_sgb2&level=ortsteil")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    seen: list[str] = []
    tooltip_on_focus = False
    for _ in range(160):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "() => { const e = document.activeElement; return [e.tagName, e.id, "
            "e.getAttribute('data-key') || '', e.getAttribute('data-format') || '']; }"
        )
        seen.append("|".join(info))
        if info[2] and not tooltip_on_focus:
            tip = page.locator(".leaflet-tooltip")
            tip.wait_for()
            tooltip_on_focus = bool(tip.text_content())
            page.keyboard.press("Enter")
            page.wait_for_function(f"document.getElementById('f-unit').value === '{info[2]}'")
        if info[3] == "geojson":
            break
    ids = {s.split("|")[1] for s in seen}
    assert {"f-indicator", "f-level", "f-year", "f-method", "f-k", "f-palette", "f-unit"} <= ids
    assert sum(1 for s in seen if s.split("|")[2]) >= 30  # every Ortsteil on the map is reachable
    assert tooltip_on_focus
    assert any(s.endswith("|csv") for s in seen) and any(s.endswith("|geojson") for s in seen)
    # a control changes the atlas by keyboard alone
    page.focus("#f-level")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "document.querySelector('#atlas-table caption').textContent.includes('Statistischer')"
    )


def test_sign_in_import_error_and_undo(page: Any) -> None:
    sign_in(page)
    page.set_input_files("#i-file", str(BAD_CSV))
    page.set_input_files("#i-mapping", str(MAPPING))
    page.select_option("#i-level", "statbez")
    page.click("form[action='/verwaltung/import'] button[type=submit]")
    problems = page.locator("#import-problems")
    problems.wait_for()
    text = problems.text_content()
    assert "Zeile 2" in text and "vierhundert" in text and "erwartet eine Zahl" in text
    shot(page, "import-fehler")
    page.set_input_files("#i-file", str(GOOD_CSV))
    page.set_input_files("#i-mapping", str(MAPPING))
    page.select_option("#i-level", "statbez")
    page.click("form[action='/verwaltung/import'] button[type=submit]")
    page.locator("#import-result").wait_for()
    assert "2 neu" in page.text_content("#import-result")
    row = page.locator("#imports tbody tr").first
    import_id = row.get_attribute("data-import")
    row.locator("button").click()
    page.wait_for_url("**/verwaltung?msg=*")
    assert f"Import {import_id} wurde rückgängig gemacht" in page.text_content("main")
    assert "rückgängig gemacht" in page.locator(f"tr[data-import='{import_id}']").text_content()
    shot(page, "import-rueckgaengig")
