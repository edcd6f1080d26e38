"""Downloads of the atlas table: Excel-ready CSV, XLSX, GeoJSON (same figures as the atlas).

Text is neutralised for spreadsheets in every format (``fmt.safe_frame`` / ``fmt.safe_cell``): GeoJSON
attribute tables are opened in spreadsheets too.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sozialmonitor.fmt import rounded, safe_cell
from sozialmonitor.indicators.export import excel_csv, xlsx_bytes
from sozialmonitor.web import queries
from sozialmonitor.web.api.params import IndicatorQ, Lang, LevelQ, YearQ
from sozialmonitor.web.common import is_public, snapshot

router = APIRouter()
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


def download_table(atlas: dict[str, object]) -> pd.DataFrame:
    units = atlas["units"]
    ind = atlas["indicator"]
    assert isinstance(units, list) and isinstance(ind, dict)
    ref = atlas["ref_date"]
    rows = [
        {
            "unit_key": u["key"],
            "name": u["name"],
            "ref_date": pd.Timestamp(str(ref)).date(),
            "indicator": ind["key"],
            "value": None if u["value"] is None else rounded(u["value"], int(ind["decimals"])),
            "unit": ind["unit"],
            "status": u["status"],
            "reason": u.get("reason_text", ""),
            "numerator": u["numerator"],
            "denominator": u["denominator"],
            "flag_small": u["flag_small"],
        }
        for u in units
    ]
    return pd.DataFrame(rows)


@router.get(
    "/download",
    summary="Tabelle herunterladen (CSV für Excel, XLSX, GeoJSON) / download",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
)
def download(
    request: Request,
    indicator: IndicatorQ,
    level: LevelQ,
    year: YearQ = None,
    format: Annotated[Literal["csv", "xlsx", "geojson"], Query(description="Dateiformat")] = "csv",
    lang: Lang = "de",
) -> Response:
    snap = snapshot(request)
    atlas = queries.atlas(snap, indicator, level, year, is_public(request), lang)
    name = f"{indicator}_{level}_{atlas['year']}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "geojson":
        geo = queries.geometry(snap, level)
        by_key = {u["key"]: u for u in atlas["units"]}
        features = []
        for f in geo["features"]:  # new dicts: the boundaries may come from a cache
            u = by_key.get(f["id"], {})
            props = {
                **f["properties"],
                "indicator": indicator,
                "year": atlas["year"],
                "value": u.get("value"),
                "status": u.get("status"),
                "reason": u.get("reason") or None,
                "reason_text": u.get("reason_text") or None,
                "flag_small": u.get("flag_small"),
            }
            features.append({**f, "properties": {safe_cell(k): safe_cell(v) for k, v in props.items()}})
        geojson = json.dumps({**geo, "features": features}, ensure_ascii=False)
        return Response(geojson, media_type=MEDIA["geojson"], headers=headers)
    table = download_table(atlas)
    if format == "xlsx":
        return Response(xlsx_bytes(table, lang), media_type=MEDIA["xlsx"], headers=headers)
    body = excel_csv(table, decimal_comma=lang == "de", lang=lang).encode("utf-8")
    return Response(body, media_type=MEDIA["csv"], headers=headers)
