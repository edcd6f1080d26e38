"""What pages and API show, as plain data: both call these functions, so every number is the same.

All functions take a :class:`~sozialmonitor.web.service.Snapshot` and ``public`` (no sign-in: disclosure
controlled, published indicators only) and return JSON-ready dicts (no NaN: missing = ``None``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.errors import NotFoundError, SozialmonitorError
from sozialmonitor.fmt import indicator_value, number
from sozialmonitor.indicators.catalogue import IndicatorDef
from sozialmonitor.publication.figures import reason_text
from sozialmonitor.web.choropleth import choropleth
from sozialmonitor.web.service import Snapshot

MAX_COMPARE = 4


def num(x: object) -> float | None:
    """A JSON number or None (NaN, NA and None become None)."""
    if x is None or x is pd.NA:
        return None
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _reason(v: pd.DataFrame, unit: str) -> str:
    """Why a public value is withheld (``primary``, ``secondary``, ``small_base``, ``source``) or ""."""
    if "reason" not in v.columns:
        return ""
    r = v["reason"].get(unit, "")
    return "" if r is None or r != r else str(r)


def fmt_value(value: float | None, d: IndicatorDef, lang: str, with_unit: bool = True) -> str:
    """The indicator's value for people (same text as in the report): ``fmt.indicator_value``."""
    return indicator_value(value, d.decimals, d.unit, lang, with_unit)


def indicator_info(d: IndicatorDef, snap: Snapshot, lang: str) -> dict[str, Any]:
    theme = snap.catalogue.themes.get(d.theme)
    return {
        "key": d.key,
        "name": d.name(lang),
        "theme": d.theme,
        "theme_name": (theme.name_de if lang == "de" else theme.name_en) if theme else d.theme,
        "unit": d.unit,
        "decimals": d.decimals,
        "polarity": d.polarity,
        "definition": d.definition_de if lang == "de" else d.definition_en,
        "source": d.source,
        "base": d.base,
        "published": d.key in snap.published,
    }


def levels(snap: Snapshot, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "key": k,
            "name": snap.levels[k].name(lang),
            "units": snap.levels[k].n_units,
            "mappable": k in snap.map_levels,
            "city": k == snap.city_level,
        }
        for k in snap.scope
    ]


def units(snap: Snapshot, level: str) -> list[dict[str, Any]]:
    snap.level(level)
    u = snap.units[snap.units["level"] == level]
    return [
        {"key": str(k), "name": str(n), "parent": None if p is None or p != p else str(p)}
        for k, n, p in zip(u["unit_key"], u["name"], u["parent_key"], strict=True)
    ]


def unit_name(snap: Snapshot, level: str, key: str) -> str:
    names = snap.unit_names(level)
    if key not in names:
        raise NotFoundError(
            f"Unbekannte Einheit {key!r} auf Ebene {level!r}", f"unknown unit {key!r} ({level})"
        )
    return names[key]


def resolve_year(
    snap: Snapshot, indicator: str, level: str, year: int | None, public: bool
) -> tuple[int, list[int]]:
    years = snap.years(indicator, level, public)
    if not years:
        raise NotFoundError(
            f"Keine Werte für {indicator!r} auf Ebene {level!r}", f"no values for {indicator!r} on {level!r}"
        )
    if year is None:
        return years[-1], years
    if year not in years:
        have = ", ".join(map(str, years))
        raise NotFoundError(
            f"Keine Werte für {indicator!r} im Jahr {year} (vorhanden: {have})",
            f"no values for {indicator!r} in {year} (available: {have})",
        )
    return year, years


def default_indicator(snap: Snapshot, level: str, public: bool) -> str:
    t = snap.table(level, public)
    have = set(t.loc[t["value"].notna(), "indicator"])
    for d in snap.catalogue:
        if d.key in have and d.base and d.key != "residents":
            return d.key
    for d in snap.catalogue:
        if d.key in have:
            return d.key
    what = ("freigegebenen " if public else "", "released " if public else "")
    raise NotFoundError(
        f"Auf der Ebene {level!r} gibt es noch keine {what[0]}Werte: Indikatoren veröffentlichen und "
        "ein Jahr freigeben (Datenverwaltung → Freigabe), oder eine andere Ebene wählen",
        f"there are no {what[1]}values on level {level!r} yet: publish indicators and release a year "
        "(data management → release), or choose another level",
    )


def atlas(
    snap: Snapshot,
    indicator: str,
    level: str,
    year: int | None,
    public: bool,
    lang: str = "de",
    method: str = "quantiles",
    k: int = 5,
    palette: str = "sequential",
) -> dict[str, Any]:
    """Values, classes, colours, legend and ranks of one indicator for every unit of a level and year."""
    d = snap.indicator(indicator, public)
    info = snap.level(level)
    year, years = resolve_year(snap, indicator, level, year, public)
    v = snap.values(indicator, level, year, public).set_index("unit_key")
    names = snap.unit_names(level)
    city = snap.city_value(indicator, year, public)
    values = pd.Series({u: num(v["value"].get(u)) for u in names}, dtype=float)
    ch = choropleth(
        values,
        method=method,
        k=k,
        palette=palette,
        pivot=city,
        polarity=d.polarity,
        decimals=d.decimals,
        unit=d.unit if d.unit != "Anzahl" else "",
        lang=lang,
    )
    small = np.array([bool(v["flag_small"].get(u, False)) for u in values.index], dtype=bool)
    rankable = values[~small].dropna()
    ranks = rankable.rank(ascending=False, method="min")
    rows = []
    for u, name in names.items():
        value = num(values.get(u))
        rows.append(
            {
                "key": u,
                "name": name,
                "value": value,
                "value_text": fmt_value(value, d, lang),
                "status": str(v["status"].get(u, "missing")),
                "reason": _reason(v, u),
                "reason_text": reason_text(_reason(v, u), lang),
                "flag_small": bool(v["flag_small"].get(u, False)),
                "numerator": num(v["numerator"].get(u)),
                "denominator": num(v["denominator"].get(u)),
                "rank": int(ranks[u]) if u in ranks.index else None,
                "class": ch.classes.get(u),
                "color": ch.colors.get(u),
            }
        )
    ref = v["ref_date"].iloc[0] if len(v) else None
    return {
        "indicator": indicator_info(d, snap, lang),
        "level": {"key": level, "name": info.name(lang)},
        "year": year,
        "years": years,
        "ref_date": ref.isoformat() if ref is not None else None,
        "city": {
            "key": snap.city_key,
            "name": snap.city_name,
            "value": city,
            "value_text": fmt_value(city, d, lang),
        },
        "method": ch.method,
        "palette": ch.palette,
        "k": k,
        "legend": ch.legend,
        "units": rows,
        "n_ranked": len(ranks),
    }


def timeseries(
    snap: Snapshot, indicator: str, level: str, unit: str, public: bool, lang: str = "de"
) -> dict[str, Any]:
    """The indicator over all years for one unit and for the city."""
    d = snap.indicator(indicator, public)
    name = unit_name(snap, level, unit)
    t = snap.table(level, public)
    own = t[(t["indicator"] == indicator) & (t["unit_key"] == unit)].sort_values("ref_date")
    c = snap.table(snap.city_level, public)
    city = c[(c["indicator"] == indicator) & (c["unit_key"] == snap.city_key)].sort_values("ref_date")

    def series(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {"year": int(y), "ref_date": r.isoformat(), "value": num(x), "status": str(s)}
            for y, r, x, s in zip(
                frame["year"], frame["ref_date"], frame["value"], frame["status"], strict=True
            )
        ]

    return {
        "indicator": indicator_info(d, snap, lang),
        "unit": {"key": unit, "name": name, "level": level},
        "city": {"key": snap.city_key, "name": snap.city_name},
        "series": series(own),
        "city_series": series(city),
    }


def assessment(unit: str, d: IndicatorDef, value: float | None, city: float | None, lang: str) -> str:
    """A short sentence comparing a unit's value with the city's (rates only: a district's count is always
    far below the city's, which says nothing)."""
    if value is None or city is None or not d.denominator:
        return ""
    diff = value - city
    rel = abs(diff) / abs(city) if city else (math.inf if diff else 0.0)
    v, c = fmt_value(value, d, lang), fmt_value(city, d, lang)
    if lang == "de":
        if rel < 0.05:
            where = "etwa auf dem Niveau des städtischen Werts"
        else:
            where = (
                ("deutlich " if rel >= 0.2 else "")
                + ("über" if diff > 0 else "unter")
                + " dem städtischen Wert"
            )
        return f"In {unit} liegt der Wert „{d.name_de}“ mit {v} {where} ({c})."
    if rel < 0.05:
        where_en = "about the same as the city value"
    else:
        where_en = ("well " if rel >= 0.2 else "") + ("above" if diff > 0 else "below") + " the city value"
    return f"In {unit}, “{d.name_en}” is {v}, {where_en} ({c})."


def _latest(t: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, the rows of its latest reference date with any value."""
    with_value = t[t["value"].notna()]
    last = with_value.groupby("indicator")["ref_date"].max()
    return t[t["ref_date"] == t["indicator"].map(last)]


def profile(snap: Snapshot, level: str, unit: str, public: bool, lang: str = "de") -> dict[str, Any]:
    """District profile (Steckbrief): every indicator's latest value against the city, trend, rank, text."""
    return snap.memo(
        ("profile", level, unit, public, lang), lambda: _profile(snap, level, unit, public, lang)
    )


def _profile(snap: Snapshot, level: str, unit: str, public: bool, lang: str) -> dict[str, Any]:
    snap.level(level)
    name = unit_name(snap, level, unit)
    t = snap.table(level, public)
    latest = snap.memo(("latest", level, public), lambda: _latest(t))
    city_t = snap.table(snap.city_level, public)
    city_t = city_t[city_t["unit_key"] == snap.city_key]
    city_at = {
        (i, r): num(v)
        for i, r, v in zip(city_t["indicator"], city_t["ref_date"], city_t["value"], strict=True)
    }
    own = t[t["unit_key"] == unit]
    rows = []
    for d in snap.catalogue:
        cur = latest[(latest["indicator"] == d.key)]
        if cur.empty:
            continue
        ref = cur["ref_date"].iloc[0]
        mine = cur[cur["unit_key"] == unit]
        value = num(mine["value"].iloc[0]) if len(mine) else None
        status = str(mine["status"].iloc[0]) if len(mine) else "missing"
        city = city_at.get((d.key, ref))
        ranked = cur[cur["value"].notna() & ~cur["flag_small"].astype(bool)].sort_values(
            "value", ascending=False
        )
        keys = list(ranked["unit_key"])
        series = own[own["indicator"] == d.key].sort_values("ref_date")
        rows.append(
            {
                **indicator_info(d, snap, lang),
                "year": int(ref.year),
                "value": value,
                "value_text": fmt_value(value, d, lang),
                "status": status,
                "city_value": city,
                "city_text": fmt_value(city, d, lang),
                "rank": keys.index(unit) + 1 if unit in keys else None,
                "n_ranked": len(keys),
                "text": assessment(name, d, value, city, lang),
                "series": [
                    {"year": int(y), "value": num(x)}
                    for y, x in zip(series["year"], series["value"], strict=True)
                ],
            }
        )
    rows.sort(key=lambda r: (not r["base"], r["theme"]))
    idx = None
    try:
        si = social_index(snap, level, None, public, lang)
        idx = next((r for r in si["units"] if r["key"] == unit), None)
    except SozialmonitorError:
        idx = None
    parents = snap.unit_parents(level)
    return {
        "unit": {
            "key": unit,
            "name": name,
            "level": level,
            "level_name": snap.levels[level].name(lang),
            "parent": parents.get(unit),
        },
        "city": {"key": snap.city_key, "name": snap.city_name},
        "indicators": rows,
        "social_index": idx,
    }


def compare(snap: Snapshot, level: str, keys: list[str], public: bool, lang: str = "de") -> dict[str, Any]:
    """Two to four units side by side: every indicator's latest value, and the city."""
    snap.level(level)
    keys = list(dict.fromkeys(keys))
    if not 2 <= len(keys) <= MAX_COMPARE:
        raise SozialmonitorError(
            f"Bitte 2 bis {MAX_COMPARE} Einheiten wählen (gewählt: {len(keys)})",
            f"choose 2 to {MAX_COMPARE} units (chosen: {len(keys)})",
        )
    names = [unit_name(snap, level, k) for k in keys]
    latest = _latest(snap.table(level, public))
    city_t = snap.table(snap.city_level, public)
    city_t = city_t[city_t["unit_key"] == snap.city_key]
    rows = []
    for d in snap.catalogue:
        cur = latest[latest["indicator"] == d.key]
        if cur.empty:
            continue
        ref = cur["ref_date"].iloc[0]
        by_unit = cur.set_index("unit_key")
        vals = [num(by_unit["value"].get(k)) for k in keys]
        c = city_t[(city_t["indicator"] == d.key) & (city_t["ref_date"] == ref)]
        city = num(c["value"].iloc[0]) if len(c) else None
        rows.append(
            {
                **indicator_info(d, snap, lang),
                "year": int(ref.year),
                "values": vals,
                "texts": [fmt_value(x, d, lang) for x in vals],
                "city_value": city,
                "city_text": fmt_value(city, d, lang),
            }
        )
    return {
        "level": {"key": level, "name": snap.levels[level].name(lang)},
        "units": [{"key": k, "name": n} for k, n in zip(keys, names, strict=True)],
        "city": {"key": snap.city_key, "name": snap.city_name},
        "indicators": rows,
    }


def change(
    snap: Snapshot,
    indicator: str,
    level: str,
    from_year: int | None,
    to_year: int | None,
    public: bool,
    lang: str = "de",
) -> dict[str, Any]:
    """Change of an indicator between two years for every unit and the city (KomMonitor's Bilanzierung)."""
    d = snap.indicator(indicator, public)
    snap.level(level)
    _, years = resolve_year(snap, indicator, level, None, public)
    a, _ = resolve_year(snap, indicator, level, from_year if from_year is not None else years[0], public)
    b, _ = resolve_year(snap, indicator, level, to_year if to_year is not None else years[-1], public)
    if a >= b:
        raise SozialmonitorError(
            f"Das Anfangsjahr ({a}) muss vor dem Endjahr ({b}) liegen",
            f"the start year ({a}) must be before the end year ({b})",
        )
    va = snap.values(indicator, level, a, public).set_index("unit_key")
    vb = snap.values(indicator, level, b, public).set_index("unit_key")
    rows = []
    for u, name in snap.unit_names(level).items():
        x, y = num(va["value"].get(u)), num(vb["value"].get(u))
        diff = y - x if x is not None and y is not None else None
        rel = 100 * (y / x - 1) if x and y is not None else None
        rows.append(
            {
                "key": u,
                "name": name,
                "from_value": x,
                "to_value": y,
                "change_abs": diff,
                "change_rel": rel,
                "from_text": fmt_value(x, d, lang),
                "to_text": fmt_value(y, d, lang),
                "change_text": ("+" if diff and diff > 0 else "") + fmt_value(diff, d, lang, with_unit=False),
                "change_rel_text": "–"
                if rel is None
                else ("+" if rel > 0 else "") + number(rel, 1, lang) + " %",
            }
        )
    ca, cb = snap.city_value(indicator, a, public), snap.city_value(indicator, b, public)
    cd = cb - ca if ca is not None and cb is not None else None
    return {
        "indicator": indicator_info(d, snap, lang),
        "level": {"key": level, "name": snap.levels[level].name(lang)},
        "from_year": a,
        "to_year": b,
        "years": years,
        "unit_note": "Prozentpunkte"
        if d.unit == "%" and lang == "de"
        else ("percentage points" if d.unit == "%" else d.unit),
        "city": {
            "name": snap.city_name,
            "from_value": ca,
            "to_value": cb,
            "change_abs": cd,
            "from_text": fmt_value(ca, d, lang),
            "to_text": fmt_value(cb, d, lang),
            "change_text": ("+" if cd and cd > 0 else "") + fmt_value(cd, d, lang, with_unit=False),
        },
        "units": rows,
    }


STATUS_COLORS = {1: "#1a9850", 2: "#fee08b", 3: "#f46d43", 4: "#a50026"}


def social_index(
    snap: Snapshot, level: str, year: int | None, public: bool, lang: str = "de"
) -> dict[str, Any]:
    """Status and dynamics index (MSS method, shipped configuration), classes and the 4 × 3 matrix."""
    return snap.memo(
        ("social_index", level, year, public, lang), lambda: _social_index(snap, level, year, public, lang)
    )


def _index_payload(snap: Snapshot, level: str, year: int | None, public: bool) -> dict[str, Any]:
    """The city's social index by :func:`sozialmonitor.publication.social_index.compute_city_index`: for the
    public from the released, protected figures (as the public report and the CLI), for planners from the
    raw figures."""
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.publication.social_index import compute_city_index, index_payload

    with session_scope(snap.engine) as s:
        try:
            return index_payload(compute_city_index(s, level, year, catalogue=snap.catalogue, public=public))
        except SozialmonitorError as exc:
            raise NotFoundError(exc.de, exc.en) from exc


def _social_index(snap: Snapshot, level: str, year: int | None, public: bool, lang: str) -> dict[str, Any]:
    import datetime as dt

    snap.level(level)
    payload = _index_payload(snap, level, year, public)
    ref = dt.date.fromisoformat(payload["ref_date"])
    names = snap.unit_names(level)
    rows = []
    matrix = [[0, 0, 0] for _ in range(4)]
    for key, r in payload["units"].items():
        valid = bool(r.get("valid"))
        s_n, d_n = r.get("status_class_n"), r.get("dynamics_class_n")
        s_i = int(s_n) if valid and s_n is not None else None
        d_i = int(d_n) if valid and d_n is not None else None
        if s_i is not None and d_i is not None:
            matrix[s_i - 1][(d_i - 1) // 2] += 1
        status_index, dynamics_index = num(r.get("status_index")), num(r.get("dynamics_index"))
        rows.append(
            {
                "key": str(key),
                "name": names.get(str(key), str(key)),
                "valid": valid,
                "reason": r.get("reason") or None,
                "status_index": status_index,
                "status_class": s_i,
                "status_class_name": r.get("status_class") if valid else None,
                "dynamics_index": dynamics_index,
                "dynamics_class": d_i,
                "dynamics_class_name": r.get("dynamics_class") if valid else None,
                "gesamtindex": r.get("gesamtindex") if valid else None,
                "color": STATUS_COLORS.get(s_i or 0, "#d9d9d9"),
                "status_text": number(status_index, 2, lang) if valid else "–",
                "dynamics_text": number(dynamics_index, 2, lang) if valid else "–",
            }
        )
    name = payload.get("name_de") if lang == "de" else payload.get("name_en")
    return {
        "name": name or payload.get("name", ""),
        "level": {"key": level, "name": snap.levels[level].name(lang)},
        "year": int(ref.year),
        "ref_date": ref.isoformat(),
        "status_classes": list(payload.get("status_classes", [])),
        "dynamics_classes": list(payload.get("dynamics_classes", [])),
        "matrix": matrix,
        "colors": {str(k): v for k, v in STATUS_COLORS.items()},
        "units": rows,
        "indicators": [
            indicator_info(snap.catalogue.indicators[k], snap, lang)
            for k in payload.get("status_indicators", [])
            if k in snap.catalogue.indicators
        ],
    }


def catalogue(snap: Snapshot, public: bool, lang: str = "de") -> list[dict[str, Any]]:
    """Catalogue indicators with definition, source, polarity and the years with data per level."""
    out = []
    avail: dict[str, dict[str, list[int]]] = {}
    for lv in snap.scope:
        t = snap.table(lv, public)
        t = t[t["value"].notna()]
        for ind, grp in t.groupby("indicator")["year"]:
            avail.setdefault(str(ind), {})[lv] = sorted({int(y) for y in grp.unique()})
    for d in snap.catalogue:
        if public and d.key not in snap.published:
            continue
        years = avail.get(d.key, {})
        out.append(
            {
                **indicator_info(d, snap, lang),
                "numerator": list(d.numerator),
                "denominator": list(d.denominator),
                "availability": {
                    lv: {"from": ys[0], "to": ys[-1], "n": len(ys)} for lv, ys in years.items() if ys
                },
            }
        )
    return out


def _round_coords(obj: Any, digits: int = 5) -> Any:
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, list | tuple):
        return [_round_coords(x, digits) for x in obj]
    return obj


def geometry(snap: Snapshot, level: str) -> dict[str, Any]:
    """Boundaries of a level as a GeoJSON FeatureCollection (WGS84; no figures)."""
    from shapely.geometry import mapping

    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.geo.units import geometries

    snap.level(level)
    with session_scope(snap.engine) as s:
        gdf = geometries(s, level)
    features = []
    for key, name, geom in zip(gdf["unit_key"], gdf["name"], gdf.geometry, strict=True):
        g = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "id": str(key),
                "properties": {"key": str(key), "name": str(name)},
                "geometry": {"type": g["type"], "coordinates": _round_coords(g["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": features}
