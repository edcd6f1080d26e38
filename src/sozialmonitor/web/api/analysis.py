"""District profile, comparison, change between two years, social index."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from sozialmonitor.web import queries
from sozialmonitor.web.api.params import KEY_PATTERN, IndicatorQ, Lang, LevelP, LevelQ, UnitP, YearQ
from sozialmonitor.web.common import is_public, snapshot

router = APIRouter()


@router.get("/profile/{level}/{unit}", summary="Steckbrief einer Einheit / profile of a unit")
def profile(request: Request, level: LevelP, unit: UnitP, lang: Lang = "de") -> dict[str, Any]:
    return queries.profile(snapshot(request), level, unit, is_public(request), lang)


@router.get("/compare", summary="Vergleich von 2 bis 4 Einheiten / comparison of 2 to 4 units")
def compare(
    request: Request,
    level: LevelQ,
    units: Annotated[list[str], Query(min_length=2, max_length=4, description="Schlüssel / unit keys")],
    lang: Lang = "de",
) -> dict[str, Any]:
    import re

    from sozialmonitor.errors import SozialmonitorError

    if not all(re.match(KEY_PATTERN, u) for u in units):
        raise SozialmonitorError("Ungültiger Einheitenschlüssel", "invalid unit key")
    return queries.compare(snapshot(request), level, units, is_public(request), lang)


@router.get("/change", summary="Veränderung zwischen zwei Jahren / change between two years")
def change(
    request: Request,
    indicator: IndicatorQ,
    level: LevelQ,
    from_year: YearQ = None,
    to_year: YearQ = None,
    lang: Lang = "de",
) -> dict[str, Any]:
    return queries.change(snapshot(request), indicator, level, from_year, to_year, is_public(request), lang)


@router.get("/social-index", summary="Sozialindex: Status, Dynamik, 4×3-Matrix / social index")
def social_index(request: Request, level: LevelQ, year: YearQ = None, lang: Lang = "de") -> dict[str, Any]:
    return queries.social_index(snapshot(request), level, year, is_public(request), lang)


@router.get("/strategy", summary="Armutspräventionsstrategie: Zielerreichung / strategy: goal attainment")
def strategy(request: Request) -> list[dict[str, Any]]:
    """One row per target indicator: status, baseline, latest value, target, projection and interval.

    Public requests are evaluated on the published, disclosure-controlled figures (as the pages do)."""
    import math

    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.strategy.service import results_frame
    from sozialmonitor.web.strategy_view import evaluate

    with session_scope(request.app.state.engine) as s:
        frame = results_frame(evaluate(s, snapshot(request), is_public(request)))
    records: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records
    ]
