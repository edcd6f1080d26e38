"""Small inline SVG charts for the evaluation report: baseline → current → target (with the trend).

Accessible: every chart has ``role="img"``, a ``<title>`` and a ``<desc>`` stating the numbers; markers
differ in shape as well as colour (baseline ○, current ●, target ◆).
"""

from __future__ import annotations

from html import escape

import pandas as pd

from sozialmonitor.fmt import number
from sozialmonitor.strategy.evaluation import STATUS_DE, Assessment, TargetResult

COLOURS = {"achieved": "#1a7f37", "on_track": "#0969da", "off_track": "#cf222e", "no_data": "#6e7781"}
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 420, 170, 46, 14, 12, 26


def _scale(lo: float, hi: float, a: float, b: float) -> tuple[float, float]:
    """Linear map from [lo, hi] to [a, b] as (slope, offset)."""
    span = (hi - lo) or 1.0
    return (b - a) / span, a - lo * (b - a) / span


def trend_chart(result: TargetResult, series: pd.DataFrame, decimals: int = 1, unit: str = "") -> str:
    """Line chart of one unit's series with baseline, latest value, target and projection (80 % PI)."""
    a = result.single
    t = result.target
    if a is None or a.baseline is None or a.target is None:
        return ""
    rows = series.sort_values("year")
    years = [int(y) for y in rows["year"] if int(y) >= t.baseline_year]
    values = [float(v) for y, v in zip(rows["year"], rows["value"], strict=True) if int(y) >= t.baseline_year]
    ys = [*values, a.baseline, a.target] + [v for v in (a.pi_low, a.pi_high) if v is not None]
    lo, hi = min(ys), max(ys)
    pad = (hi - lo) * 0.1 or 1.0
    lo, hi = lo - pad, hi + pad
    x0, x1 = t.baseline_year, max(t.target_year, *(years or [t.baseline_year]))
    sx, ox = _scale(x0, x1, PAD_L, W - PAD_R)
    sy, oy = _scale(lo, hi, H - PAD_B, PAD_T)

    def px(year: float) -> float:
        return round(sx * year + ox, 1)

    def py(value: float) -> float:
        return round(sy * value + oy, 1)

    fmt = lambda v: number(v, decimals)  # noqa: E731
    colour = COLOURS[result.status]
    parts = [
        f'<line x1="{PAD_L}" y1="{H - PAD_B}" x2="{W - PAD_R}" y2="{H - PAD_B}" stroke="#999"/>',
        f'<text x="{PAD_L}" y="{H - 8}" font-size="10">{x0}</text>',
        f'<text x="{W - PAD_R}" y="{H - 8}" font-size="10" text-anchor="end">{x1}</text>',
        f'<text x="{PAD_L - 4}" y="{py(hi) + 8}" font-size="10" text-anchor="end">{fmt(hi)}</text>',
        f'<text x="{PAD_L - 4}" y="{py(lo)}" font-size="10" text-anchor="end">{fmt(lo)}</text>',
        # target: dashed horizontal line and a diamond in the target year
        f'<line x1="{PAD_L}" y1="{py(a.target)}" x2="{W - PAD_R}" y2="{py(a.target)}" stroke="#444" '
        'stroke-dasharray="2 3"/>',
        _diamond(px(t.target_year), py(a.target)),
    ]
    if values:
        pts = " ".join(f"{px(y)},{py(v)}" for y, v in zip(years, values, strict=True))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#555" stroke-width="1.5"/>')
    if a.projection is not None and a.latest_year is not None and a.latest is not None:
        parts.append(
            f'<line x1="{px(a.latest_year)}" y1="{py(a.latest)}" x2="{px(t.target_year)}" '
            f'y2="{py(a.projection)}" stroke="{colour}" stroke-dasharray="5 3" stroke-width="1.5"/>'
        )
        if a.pi_low is not None and a.pi_high is not None:
            parts.append(
                f'<line x1="{px(t.target_year)}" y1="{py(a.pi_low)}" x2="{px(t.target_year)}" '
                f'y2="{py(a.pi_high)}" stroke="{colour}" stroke-width="3" opacity="0.5"/>'
            )
    parts.append(
        f'<circle cx="{px(t.baseline_year)}" cy="{py(a.baseline)}" r="4.5" fill="#fff" stroke="#222"/>'
    )
    if a.latest is not None and a.latest_year is not None:
        parts.append(f'<circle cx="{px(a.latest_year)}" cy="{py(a.latest)}" r="4.5" fill="{colour}"/>')
    desc = _describe(result, a, fmt, unit)
    return _svg(parts, f"{t.indicator}: Basis → aktuell → Ziel", desc)


def dumbbell_chart(result: TargetResult, names: dict[str, str], decimals: int = 1, unit: str = "") -> str:
    """One row per district: baseline ○ → latest ● and the target ◆, coloured (and labelled) by status."""
    rows = [(k, a) for k, a in result.units.items() if a.baseline is not None and a.target is not None]
    if not rows:
        return ""
    vals = [v for _, a in rows for v in (a.baseline, a.latest, a.target) if v is not None]
    lo, hi = min(vals), max(vals)
    row_h, label_w = 16, 150
    height = PAD_T + row_h * len(rows) + PAD_B
    sx, ox = _scale(lo, hi, label_w, W - PAD_R)
    fmt = lambda v: number(v, decimals)  # noqa: E731
    parts = [
        f'<text x="{label_w}" y="{height - 8}" font-size="10">{fmt(lo)}</text>',
        f'<text x="{W - PAD_R}" y="{height - 8}" font-size="10" text-anchor="end">{fmt(hi)}</text>',
    ]
    lines = []
    for i, (key, a) in enumerate(rows):
        y = PAD_T + row_h * i + row_h / 2
        name = escape(names.get(key, key))
        colour = COLOURS[a.status]
        assert a.baseline is not None and a.target is not None
        bx, tx = round(sx * a.baseline + ox, 1), round(sx * a.target + ox, 1)
        parts.append(f'<text x="{label_w - 6}" y="{y + 4}" font-size="10" text-anchor="end">{name}</text>')
        if a.latest is not None:
            lx = round(sx * a.latest + ox, 1)
            parts.append(f'<line x1="{bx}" y1="{y}" x2="{lx}" y2="{y}" stroke="{colour}" stroke-width="2"/>')
            parts.append(f'<circle cx="{lx}" cy="{y}" r="4" fill="{colour}"/>')
        parts.append(f'<circle cx="{bx}" cy="{y}" r="4" fill="#fff" stroke="#222"/>')
        parts.append(_diamond(tx, y, 4))
        lines.append(
            f"{names.get(key, key)}: Basis {fmt(a.baseline)}, aktuell {fmt(a.latest)}, Ziel {fmt(a.target)}"
            f" – {STATUS_DE[a.status]}"
        )
    return _svg(parts, f"{result.target.indicator} je Einheit", "; ".join(lines), height)


def _diamond(x: float, y: float, r: float = 5.5) -> str:
    return f'<path d="M{x} {y - r} L{x + r} {y} L{x} {y + r} L{x - r} {y} Z" fill="#222"/>'


def _describe(result: TargetResult, a: Assessment, fmt: object, unit: str) -> str:
    f = fmt if callable(fmt) else str
    t = result.target
    text = (
        f"Basis {t.baseline_year}: {f(a.baseline)} {unit}; aktuell {a.latest_year}: {f(a.latest)} {unit}; "
        f"Ziel {t.target_year}: {f(a.target)} {unit}"
    )
    if a.projection is not None:
        text += f"; Prognose {t.target_year}: {f(a.projection)} (80 %: {f(a.pi_low)} bis {f(a.pi_high)})"
    return f"{text}. Status: {STATUS_DE[result.status]}."


def _svg(parts: list[str], title: str, desc: str, height: int = H) -> str:
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" '
        f'role="img"><title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>'
    )
