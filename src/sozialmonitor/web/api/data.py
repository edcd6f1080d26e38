"""Levels, units, indicators, values, atlas data, time series and boundaries."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sozialmonitor.web import queries
from sozialmonitor.web.api.params import (
    Classes,
    IndicatorQ,
    Lang,
    LevelP,
    LevelQ,
    Method,
    Palette,
    UnitQ,
    YearQ,
)
from sozialmonitor.web.common import is_public, snapshot

router = APIRouter()


@router.get("/levels", summary="Raumebenen / spatial levels")
def levels(request: Request, lang: Lang = "de") -> list[dict[str, Any]]:
    return queries.levels(snapshot(request), lang)


@router.get("/levels/{level}/units", summary="Einheiten einer Ebene / units of a level")
def units(request: Request, level: LevelP) -> list[dict[str, Any]]:
    return queries.units(snapshot(request), level)


@router.get("/indicators", summary="Indikatoren mit Daten / indicators with data")
def indicators(request: Request, lang: Lang = "de") -> list[dict[str, Any]]:
    return queries.catalogue(snapshot(request), is_public(request), lang)


@router.get(
    "/atlas",
    summary="Kartendaten: Werte, Klassen, Farben, Legende / atlas data",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}},
)
def atlas(
    request: Request,
    indicator: IndicatorQ,
    level: LevelQ,
    year: YearQ = None,
    method: Method = "quantiles",
    k: Classes = 5,
    palette: Palette = "sequential",
    lang: Lang = "de",
) -> Response:
    snap = snapshot(request)
    public = is_public(request)
    key = ("atlas-json", indicator, level, year, method, k, palette, lang, public)
    body = snap.memo(
        key,
        lambda: json.dumps(queries.atlas(snap, indicator, level, year, public, lang, method, k, palette)),
    )
    return Response(body, media_type="application/json")


@router.get("/timeseries", summary="Zeitreihe einer Einheit und der Stadt / time series")
def timeseries(
    request: Request, indicator: IndicatorQ, level: LevelQ, unit: UnitQ, lang: Lang = "de"
) -> dict[str, Any]:
    return queries.timeseries(snapshot(request), indicator, level, unit, is_public(request), lang)


@router.get(
    "/geometry/{level}",
    summary="Grenzen einer Ebene als GeoJSON (WGS84) / boundaries as GeoJSON",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def geometry(request: Request, level: LevelP) -> Response:
    snap = snapshot(request)
    body = snap.memo(("geometry", level), lambda: json.dumps(queries.geometry(snap, level)))
    return Response(body, media_type="application/geo+json", headers={"Cache-Control": "max-age=300"})
