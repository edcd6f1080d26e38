"""Start page, atlas and district profile."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sozialmonitor.errors import NotFoundError
from sozialmonitor.web import queries
from sozialmonitor.web.common import is_public, lang_of, render, snapshot
from sozialmonitor.web.service import Snapshot
from sozialmonitor.web.survey_view import profile_survey_rows
from sozialmonitor.web.svgmap import svg_map

router = APIRouter()
METHODS = ("quantiles", "equal_interval", "natural_breaks", "std_mean")
PALETTES = ("sequential", "diverging")


def _int(raw: str | None, default: int | None = None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError:
        return default


def indicator_choices(snap: Snapshot, level: str, public: bool, lang: str) -> list[dict[str, Any]]:
    t = snap.table(level, public)
    have = set(t.loc[t["value"].notna(), "indicator"])
    out = []
    for d in snap.catalogue:
        if d.key in have:
            theme = snap.catalogue.themes.get(d.theme)
            tname = (theme.name_de if lang == "de" else theme.name_en) if theme else d.theme
            out.append({"key": d.key, "name": d.name(lang), "theme": tname})
    return out


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    snap = snapshot(request)
    return render(
        request, "home.html", {"city": snap.city_name, "levels": queries.levels(snap, lang_of(request))}
    )


def _atlas_data(request: Request) -> dict[str, Any]:
    snap = snapshot(request)
    public, lang = is_public(request), lang_of(request)
    q = request.query_params
    level = q.get("level") or (snap.map_levels[-1] if snap.map_levels else snap.city_level)
    snap.level(level)
    indicator = q.get("indicator") or queries.default_indicator(snap, level, public)
    method = q.get("method") if q.get("method") in METHODS else "quantiles"
    palette = q.get("palette") if q.get("palette") in PALETTES else "sequential"
    k = min(max(_int(q.get("k"), 5) or 5, 2), 9)
    return queries.atlas(
        snap, indicator, level, _int(q.get("year")), public, lang, str(method), k, str(palette)
    )


@router.get("/atlas/tabelle", response_class=HTMLResponse)
def atlas_table(request: Request) -> Response:
    """The atlas table alone (the atlas page swaps it in after a change of indicator, level or year)."""
    return render(request, "atlas_table.html", {"a": _atlas_data(request)})


@router.get("/atlas", response_class=HTMLResponse)
def atlas_page(request: Request) -> Response:
    snap = snapshot(request)
    public, lang = is_public(request), lang_of(request)
    data = _atlas_data(request)
    level = data["level"]["key"]
    return render(
        request,
        "atlas.html",
        {
            "a": data,
            "indicators": indicator_choices(snap, level, public, lang),
            "levels": [lv for lv in queries.levels(snap, lang) if lv["mappable"]],
            "methods": METHODS,
            "palettes": PALETTES,
        },
    )


@router.get("/profil/{level}/{unit}", response_class=HTMLResponse)
def profile_page(request: Request, level: str, unit: str) -> Response:
    snap = snapshot(request)
    public, lang = is_public(request), lang_of(request)
    data = queries.profile(snap, level, unit, public, lang)
    small_map = ""
    if level in snap.map_levels:
        small_map = snap.memo(
            ("svgmap", level, unit), lambda: svg_map(snap, level, {unit: "#b2182b"}, lang, highlight=unit)
        )
    survey = profile_survey_rows(snap, level, unit, public, lang)
    ctx = {"p": data, "small_map": small_map, "sparkline": sparkline, "survey": survey}
    return render(request, "profile.html", ctx)


def sparkline(series: list[dict[str, Any]], width: int = 120, height: int = 28) -> str:
    """A tiny SVG line of the values (decorative: the numbers are in the table)."""
    pts = [(s["year"], s["value"]) for s in series if s["value"] is not None]
    if len(pts) < 2:
        return ""
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = (width - 4) / ((x1 - x0) or 1)
    sy = (height - 4) / ((y1 - y0) or 1)
    coords = " ".join(f"{2 + (x - x0) * sx:.1f},{height - 2 - (y - y0) * sy:.1f}" for x, y in pts)
    return (
        f'<svg class="spark" width="{width}" height="{height}" aria-hidden="true" focusable="false">'
        f'<polyline fill="none" stroke="#1f4e79" stroke-width="1.5" points="{coords}"/></svg>'
    )


def not_found(what: str) -> NotFoundError:
    return NotFoundError(f"{what} nicht gefunden", f"{what} not found")
