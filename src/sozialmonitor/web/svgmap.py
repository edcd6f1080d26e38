"""Small static maps as inline SVG (district profile, social index): no JavaScript needed."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from sozialmonitor.web import queries
from sozialmonitor.web.service import Snapshot

NO_FILL = "#eeeeee"


def _rings(geom: dict[str, Any]) -> list[list[list[float]]]:
    if geom["type"] == "Polygon":
        return list(geom["coordinates"])
    if geom["type"] == "MultiPolygon":
        return [ring for poly in geom["coordinates"] for ring in poly]
    return []


def svg_map(
    snap: Snapshot,
    level: str,
    fills: dict[str, str],
    lang: str,
    highlight: str | None = None,
    labels: dict[str, str] | None = None,
    width: int = 320,
    title: str = "",
) -> str:
    """The units of ``level`` filled with ``fills`` (others light grey); hover shows name and label."""
    geo = snap.memo(("geometry-dict", level), lambda: queries.geometry(snap, level))
    feats = geo["features"]
    if not feats:
        return ""
    xs = [p[0] for f in feats for r in _rings(f["geometry"]) for p in r]
    ys = [p[1] for f in feats for r in _rings(f["geometry"]) for p in r]
    lat0 = (min(ys) + max(ys)) / 2
    kx = math.cos(math.radians(lat0))
    w = (max(xs) - min(xs)) * kx or 1.0
    h = (max(ys) - min(ys)) or 1.0
    scale = (width - 4) / w
    height = int(h * scale) + 4

    x_min, y_max = min(xs), max(ys)

    def ring_path(ring: list[list[float]]) -> str:
        pts: list[tuple[float, float]] = []
        for p in ring:
            x, y = 2 + (p[0] - x_min) * kx * scale, 2 + (y_max - p[1]) * scale
            if not pts or abs(x - pts[-1][0]) + abs(y - pts[-1][1]) >= 1.0:  # drop sub-pixel detail
                pts.append((x, y))
        return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z" if len(pts) >= 3 else ""

    paths = []
    for f in sorted(feats, key=lambda f: f["id"] == highlight):
        key = f["id"]
        d = " ".join(ring_path(ring) for ring in _rings(f["geometry"]))
        tip = f["properties"]["name"] + (f": {labels[key]}" if labels and key in labels else "")
        stroke = (
            'stroke="#000" stroke-width="2.5"' if key == highlight else 'stroke="#666" stroke-width="0.5"'
        )
        paths.append(
            f'<path d="{d}" fill="{fills.get(key, NO_FILL)}" {stroke}><title>{escape(tip)}</title></path>'
        )
    label = escape(title or ("Karte" if lang == "de" else "Map"))
    return (
        f'<svg class="svgmap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{label}">' + "".join(paths) + "</svg>"
    )
