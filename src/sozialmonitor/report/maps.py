"""Static SVG choropleths, readable in black-and-white print: grey classes, hatching for missing values.

The district outlines are projected to the metric CRS, simplified and turned into SVG path data once
(:class:`MapBase`); every map of the report reuses them. Each map carries a binned legend (class bounds in
German number format and the number of districts per class), a ``<title>`` and a ``<desc>``; the report
prints the values as a table next to it (the text alternative).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from sozialmonitor.geo.read import METRIC_CRS
from sozialmonitor.stats.classify import classify

GREYS: dict[int, tuple[str, ...]] = {
    1: ("#969696",),
    2: ("#d9d9d9", "#636363"),
    3: ("#f0f0f0", "#a3a3a3", "#404040"),
    4: ("#f7f7f7", "#bdbdbd", "#737373", "#252525"),
    5: ("#f7f7f7", "#cccccc", "#969696", "#525252", "#141414"),
    6: ("#f7f7f7", "#d9d9d9", "#a3a3a3", "#737373", "#404040", "#141414"),
    7: ("#ffffff", "#e0e0e0", "#bdbdbd", "#969696", "#737373", "#404040", "#141414"),
}
WIDTH = 600.0
FONT = 'font-family="DejaVu Sans"'


def _ring(coords: Sequence[tuple[float, ...]], tx: float, ty: float, scale: float) -> str:
    pts = [f"{(x - tx) * scale:.1f} {(ty - y) * scale:.1f}" for x, y, *_ in coords]
    out = [pts[0]]
    for p in pts[1:]:
        if p != out[-1]:
            out.append(p)
    return "M" + "L".join(out) + "Z"


def _path(geom: BaseGeometry, tx: float, ty: float, scale: float) -> str:
    polys = (
        list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom] if isinstance(geom, Polygon) else []
    )
    parts = []
    for poly in polys:
        parts.append(_ring(list(poly.exterior.coords), tx, ty, scale))
        parts.extend(_ring(list(r.coords), tx, ty, scale) for r in poly.interiors)
    return "".join(parts)


@dataclass
class MapBase:
    """Projected, simplified outlines of the districts as SVG path data, and the city outline."""

    paths: dict[str, str]
    outline: str
    width: float
    height: float
    bounds: dict[str, tuple[float, float, float, float]]
    """Bounding box of each district in SVG coordinates (for the locator maps)."""

    @classmethod
    def from_geometries(cls, geo: gpd.GeoDataFrame, width: float = WIDTH) -> MapBase:
        metric = geo.to_crs(METRIC_CRS)
        minx, miny, maxx, maxy = metric.total_bounds
        extent = max(maxx - minx, maxy - miny, 1.0)
        scale = width / (maxx - minx if maxx > minx else 1.0)
        tolerance = extent / 1500.0
        paths: dict[str, str] = {}
        bounds: dict[str, tuple[float, float, float, float]] = {}
        for key, geom in sorted(zip(metric["unit_key"], metric.geometry, strict=True)):
            simple = geom.simplify(tolerance, preserve_topology=True)
            paths[str(key)] = _path(simple, minx, maxy, scale)
            x0, y0, x1, y1 = geom.bounds
            bounds[str(key)] = (
                (x0 - minx) * scale,
                (maxy - y1) * scale,
                (x1 - minx) * scale,
                (maxy - y0) * scale,
            )
        city = metric.geometry.buffer(tolerance).union_all().simplify(tolerance * 2, preserve_topology=True)
        return cls(
            paths=paths,
            outline=_path(city, minx, maxy, scale),
            width=width,
            height=(maxy - miny) * scale,
            bounds=bounds,
        )


def _hatch(pid: str) -> str:
    return (
        f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#555555" stroke-width="1.2"/></pattern>'
    )


@dataclass(frozen=True)
class LegendEntry:
    label: str
    fill: str
    count: int


def choropleth(
    base: MapBase,
    values: Mapping[str, float | None],
    map_id: str,
    title: str,
    description: str,
    decimals: int = 1,
    unit: str = "",
    k: int = 5,
    missing_label: str = "keine Angabe",
    categories: Mapping[str, int] | None = None,
    category_labels: Sequence[str] = (),
) -> str:
    """A choropleth as an SVG string; ``categories`` (class number per district) replace classification."""
    keys = sorted(base.paths)
    fills: dict[str, str] = {}
    legend: list[LegendEntry] = []
    hatch = f"url(#h-{map_id})"
    if categories is not None:
        n = max(len(category_labels), 1)
        ramp = GREYS[min(max(n, 1), 7)]
        for key in keys:
            c = categories.get(key)
            fills[key] = ramp[c] if c is not None else hatch
        legend = [
            LegendEntry(lab, ramp[i], sum(1 for k_ in keys if categories.get(k_) == i))
            for i, lab in enumerate(category_labels)
        ]
    else:
        series = pd.Series({key: values.get(key) for key in keys}, dtype=float)
        if series.notna().any():
            with warnings.catch_warnings():  # mapclassify lowers k itself when quantiles coincide
                warnings.filterwarnings("ignore", message="Not enough unique values", category=UserWarning)
                cls = classify(series, method="quantiles", k=k, decimals=decimals, unit=unit)
            ramp = GREYS[min(max(cls.k, 1), 7)]
            for key in keys:
                c = cls.classes[key]
                fills[key] = ramp[int(c)] if not pd.isna(c) else hatch
            legend = [LegendEntry(lab, ramp[i], int(cls.counts[i])) for i, lab in enumerate(cls.labels)]
        else:
            fills = dict.fromkeys(keys, hatch)
    n_missing = sum(1 for key in keys if fills[key] == hatch)
    if n_missing:
        legend.append(LegendEntry(missing_label, hatch, n_missing))
    lh = 18.0
    legend_h = lh * len(legend) + 10
    height = base.height + legend_h + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {base.width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="t-{map_id} d-{map_id}" {FONT}>',
        f'<title id="t-{map_id}">{escape(title)}</title><desc id="d-{map_id}">{escape(description)}</desc>',
        f"<defs>{_hatch('h-' + map_id)}</defs>",
        '<g stroke="#000000" stroke-width="0.5" stroke-linejoin="round" fill-rule="evenodd">',
    ]
    out += [f'<path d="{base.paths[key]}" fill="{fills[key]}"/>' for key in keys]
    out.append("</g>")
    y = base.height + 10
    for i, e in enumerate(legend):
        top = y + i * lh
        out.append(
            f'<rect x="4" y="{top:.0f}" width="22" height="13" fill="{e.fill}" stroke="#000000" '
            'stroke-width="0.6"/>'
            f'<text x="32" y="{top + 11:.0f}" font-size="11">{escape(e.label)} ({e.count})</text>'
        )
    out.append("</svg>")
    return "".join(out)


def locator(base: MapBase, key: str, map_id: str, title: str, size: float = 260.0) -> str:
    """A small map: the city outline, the neighbouring districts and the district itself (black)."""
    x0, y0, x1, y1 = base.bounds.get(key, (0.0, 0.0, base.width, base.height))
    near = [
        k
        for k, (a, b, c, d) in sorted(base.bounds.items())
        if k != key
        and a <= x1 + (x1 - x0)
        and c >= x0 - (x1 - x0)
        and b <= y1 + (y1 - y0)
        and d >= y0 - (y1 - y0)
    ]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="locator" '
        f'viewBox="0 0 {base.width:.0f} {base.height:.0f}" '
        f'width="{size:.0f}" role="img" aria-labelledby="t-{map_id}" {FONT}>',
        f'<title id="t-{map_id}">{escape(title)}</title>',
        f'<path d="{base.outline}" fill="#eeeeee" stroke="#000000" stroke-width="1.5" fill-rule="evenodd"/>',
        '<g fill="none" stroke="#888888" stroke-width="0.6">',
        *(f'<path d="{base.paths[k]}"/>' for k in near),
        "</g>",
    ]
    if key in base.paths:
        out.append(f'<path d="{base.paths[key]}" fill="#000000" stroke="#000000" fill-rule="evenodd"/>')
    out.append("</svg>")
    return "".join(out)
