"""Static SVG charts (time series and ranking), drawn directly so that output is fast and byte-stable.

Black-and-white readable: solid, dashed and dotted lines; bars in grey with the city value as a line.
Numbers on axes and labels in the report language's format.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from sozialmonitor.fmt import number

FONT = 'font-family="DejaVu Sans"'


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering ``lo``–``hi``."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return [0.0]
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks: list[float] = []
    v = start
    while v <= hi + step * 0.5 and len(ticks) < 12:
        ticks.append(round(v, 10))
        v += step
    return ticks


def _tick_decimals(ticks: Sequence[float]) -> int:
    return (
        0
        if all(abs(t - round(t)) < 1e-9 for t in ticks)
        else (1 if all(abs(t * 10 - round(t * 10)) < 1e-6 for t in ticks) else 2)
    )


def line_chart(
    years: Sequence[int],
    lines: Sequence[tuple[str, Sequence[float | None], str]],
    chart_id: str,
    title: str,
    lang: str = "de",
    width: float = 600.0,
    height: float = 230.0,
) -> str:
    """Lines over years; ``lines``: (label, values, style) with style ``solid``, ``dashed`` or ``dotted``."""
    vals = [v for _, series, _ in lines for v in series if v is not None]
    if not years or not vals:
        return ""
    ticks = nice_ticks(min(vals), max(vals))
    lo, hi = ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1
    dec = _tick_decimals(ticks)
    left, right, top, bottom = 58.0, 12.0, 12.0, 46.0
    pw, ph = width - left - right, height - top - bottom
    span = max(len(years) - 1, 1)

    def x(i: int) -> float:
        return left + (pw * i / span if len(years) > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph * (1 - (v - lo) / (hi - lo))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="t-{chart_id}" {FONT} font-size="11">',
        f'<title id="t-{chart_id}">{escape(title)}</title>',
    ]
    for t in ticks:
        out.append(
            f'<line x1="{left:.0f}" x2="{width - right:.0f}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
            'stroke="#dddddd"/>'
            f'<text x="{left - 6:.0f}" y="{y(t) + 4:.1f}" text-anchor="end">{number(t, dec, lang)}</text>'
        )
    step = max(1, math.ceil(len(years) / 12))
    for i, yr in enumerate(years):
        if i % step == 0 or i == len(years) - 1:
            out.append(f'<text x="{x(i):.1f}" y="{top + ph + 16:.0f}" text-anchor="middle">{yr}</text>')
    dash = {"solid": "", "dashed": ' stroke-dasharray="7 4"', "dotted": ' stroke-dasharray="2 3"'}
    widths = {"solid": 2.4, "dashed": 1.4, "dotted": 1.6}
    for _label, series, style in lines:
        pts = [(x(i), y(v)) for i, v in enumerate(series) if v is not None]
        if len(pts) > 1:
            d = "M" + "L".join(f"{a:.1f} {b:.1f}" for a, b in pts)
            out.append(
                f'<path d="{d}" fill="none" stroke="#000000" stroke-width="{widths[style]}"{dash[style]}/>'
            )
        for a, b in pts if len(pts) == 1 or style == "solid" else []:
            out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.6" fill="#000000"/>')
    lx = left
    for label, _, style in lines:
        ly = height - 10
        out.append(
            f'<line x1="{lx:.0f}" x2="{lx + 26:.0f}" y1="{ly - 4:.0f}" y2="{ly - 4:.0f}" stroke="#000000" '
            f'stroke-width="{widths[style]}"{dash[style]}/>'
            f'<text x="{lx + 31:.0f}" y="{ly:.0f}">{escape(label)}</text>'
        )
        lx += 36 + 6.3 * len(label)
    out.append("</svg>")
    return "".join(out)


def ranking_chart(
    items: Sequence[tuple[str, float]],
    chart_id: str,
    title: str,
    decimals: int = 1,
    reference: float | None = None,
    reference_label: str = "",
    lang: str = "de",
    width: float = 600.0,
) -> str:
    """Horizontal bars, highest first; ``items`` already chosen (e.g. the top and bottom districts)."""
    if not items:
        return ""
    bar, gap, label_w, top = 13.0, 4.0, 190.0, 8.0
    height = top + len(items) * (bar + gap) + 34
    vals = [v for _, v in items] + ([reference] if reference is not None else [])
    lo = min(0.0, min(vals))
    hi = max(vals) if max(vals) > lo else lo + 1
    pw = width - label_w - 70

    def x(v: float) -> float:
        return label_w + pw * (v - lo) / (hi - lo)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="t-{chart_id}" {FONT} font-size="10.5">',
        f'<title id="t-{chart_id}">{escape(title)}</title>',
    ]
    for i, (name, v) in enumerate(items):
        yy = top + i * (bar + gap)
        short = name if len(name) <= 32 else name[:31] + "…"
        x0, x1 = sorted((x(0.0), x(v)))
        out.append(
            f'<text x="{label_w - 6:.0f}" y="{yy + bar - 3:.1f}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{x0:.1f}" y="{yy:.1f}" width="{max(x1 - x0, 0.5):.1f}" height="{bar:.0f}" '
            'fill="#9a9a9a" '
            f'stroke="#000000" stroke-width="0.4"/>'
            f'<text x="{x1 + 4:.1f}" y="{yy + bar - 3:.1f}">{number(v, decimals, lang)}</text>'
        )
    base_y = top + len(items) * (bar + gap)
    if reference is not None:
        out.append(
            f'<line x1="{x(reference):.1f}" x2="{x(reference):.1f}" y1="{top - 4:.0f}" y2="{base_y:.0f}" '
            f'stroke="#000000" stroke-width="1.6" stroke-dasharray="5 3"/>'
            f'<text x="{x(reference):.1f}" y="{base_y + 14:.0f}" text-anchor="middle">'
            f"{escape(reference_label)} {number(reference, decimals, lang)}</text>"
        )
    out.append("</svg>")
    return "".join(out)
