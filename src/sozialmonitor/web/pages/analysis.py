"""Comparison, change between two years, social index, indicator catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.web import queries
from sozialmonitor.web.common import is_public, lang_of, render, snapshot
from sozialmonitor.web.pages.atlas import _int, indicator_choices
from sozialmonitor.web.svgmap import svg_map

router = APIRouter()


def _level(request: Request) -> str:
    snap = snapshot(request)
    level = request.query_params.get("level") or (snap.map_levels[-1] if snap.map_levels else snap.city_level)
    snap.level(level)
    return level


@router.get("/vergleich", response_class=HTMLResponse)
def compare_page(request: Request) -> Response:
    snap = snapshot(request)
    public, lang = is_public(request), lang_of(request)
    level = _level(request)
    keys = request.query_params.getlist("units")
    all_units = queries.units(snap, level)
    if not keys:
        keys = [u["key"] for u in all_units[:2]]
    error = None
    data = None
    try:
        data = queries.compare(snap, level, keys, public, lang)
    except SozialmonitorError as exc:
        error = exc.de if lang == "de" else exc.en
    return render(
        request,
        "compare.html",
        {
            "c": data,
            "error": error,
            "chosen": keys,
            "all_units": all_units,
            "levels": [lv for lv in queries.levels(snap, lang) if not lv["city"]],
            "level": level,
        },
    )


@router.get("/veraenderung", response_class=HTMLResponse)
def change_page(request: Request) -> Response:
    snap = snapshot(request)
    public, lang = is_public(request), lang_of(request)
    level = _level(request)
    q = request.query_params
    indicator = q.get("indicator") or queries.default_indicator(snap, level, public)
    data = None
    error = None
    try:
        data = queries.change(
            snap, indicator, level, _int(q.get("from_year")), _int(q.get("to_year")), public, lang
        )
    except SozialmonitorError as exc:
        error = exc.de if lang == "de" else exc.en
    years = snap.years(indicator, level, public) if indicator in snap.catalogue.indicators else []
    return render(
        request,
        "change.html",
        {
            "ch": data,
            "error": error,
            "indicator": indicator,
            "indicators": indicator_choices(snap, level, public, lang),
            "levels": [lv for lv in queries.levels(snap, lang) if not lv["city"]],
            "level": level,
            "years": years,
        },
    )


@router.get("/sozialindex", response_class=HTMLResponse)
def index_page(request: Request) -> Response:
    snap = snapshot(request)
    public, lang = is_public(request), lang_of(request)
    level = _level(request)
    levels = [lv for lv in queries.levels(snap, lang) if lv["mappable"]]
    try:
        data = queries.social_index(snap, level, _int(request.query_params.get("year")), public, lang)
    except SozialmonitorError as exc:  # e.g. the index's indicators are not in this database
        ctx: dict[str, Any] = {"si": None, "error": exc.de if lang == "de" else exc.en, "levels": levels}
        ctx["level"] = level
        return render(request, "social_index.html", ctx, 404)
    fills = {u["key"]: u["color"] for u in data["units"] if u["status_class"]}
    labels = {u["key"]: u["gesamtindex"] or "" for u in data["units"]}
    smap = ""
    if level in snap.map_levels:
        smap = svg_map(snap, level, fills, lang, labels=labels, width=560, title=data["name"])
    ctx = {"si": data, "smap": smap, "levels": levels, "level": level, "error": None}
    return render(request, "social_index.html", ctx)


@router.get("/katalog", response_class=HTMLResponse)
def catalogue_page(request: Request) -> Response:
    snap = snapshot(request)
    public, lang = is_public(request), lang_of(request)
    items = queries.catalogue(snap, public, lang)
    return render(
        request,
        "catalogue.html",
        {"items": items, "level_names": {k: snap.levels[k].name(lang) for k in snap.scope}},
    )
