"""The evaluation report: per Handlungsfeld the goals, traffic lights with the numbers behind them,
charts baseline → current → target, and the measures with their status (HTML; the CLI adds PDF)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.fmt import number
from sozialmonitor.indicators.catalogue import Catalogue, load_catalogue
from sozialmonitor.strategy.charts import COLOURS, dumbbell_chart, trend_chart
from sozialmonitor.strategy.evaluation import STATUS_DE, STATUS_EN, STATUSES, TargetResult
from sozialmonitor.strategy.service import Evaluation
from sozialmonitor.strategy.spec import MEASURE_STATUS_DE, OUTPUT_KIND_DE, GoalSpec

TEMPLATES = Path(__file__).parent / "templates"
SYMBOLS = {"achieved": "✔", "on_track": "↗", "off_track": "✖", "no_data": "?"}


@dataclass
class TargetView:
    result: TargetResult
    name: str
    unit: str
    decimals: int
    level_name: str
    chart: Markup
    units: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class GoalView:
    goal: GoalSpec
    status: str | None
    targets: list[TargetView]


def _indicator(catalogue: Catalogue, key: str) -> tuple[str, str, int]:
    try:
        d = catalogue.get(key)
    except SozialmonitorError:
        return key, "", 1
    return d.name_de, d.unit, d.decimals


def build_views(evaluation: Evaluation, catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """Handlungsfelder (in order) with their goal views; fields without goals are kept (empty)."""
    cat = catalogue or load_catalogue()
    fields = sorted(evaluation.spec.fields, key=lambda f: f.order)
    out = []
    for f in fields:
        goals = []
        for g in (g for g in evaluation.spec.goals if g.handlungsfeld == f.key):
            views = []
            for r in evaluation.for_goal(g.key):
                name, unit, decimals = _indicator(cat, r.target.indicator)
                names = evaluation.unit_names.get(r.target.level, {})
                series = evaluation.series.get((g.key, r.target.key))
                if r.single is not None and series is not None:
                    chart = trend_chart(r, series, decimals, unit)
                else:
                    chart = dumbbell_chart(r, names, decimals, unit)
                units = [
                    {"key": k, "name": names.get(k, k), "a": a}
                    for k, a in r.units.items()
                    if len(r.units) > 1
                ]
                views.append(
                    TargetView(
                        r,
                        name,
                        unit,
                        decimals,
                        evaluation.level_names.get(r.target.level, r.target.level),
                        Markup(chart),
                        units,
                    )
                )
            goals.append(GoalView(g, evaluation.goal_status(g.key), views))
        counts = {s: sum(1 for g in goals for t in g.targets if t.result.status == s) for s in STATUSES}
        out.append({"field": f, "goals": goals, "counts": counts})
    return out


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = lambda v, d=1: number(v, d)
    env.filters["date_de"] = lambda d: d.strftime("%d.%m.%Y") if d else "–"
    env.globals.update(
        STATUS_DE=STATUS_DE,
        STATUS_EN=STATUS_EN,
        STATUSES=STATUSES,
        SYMBOLS=SYMBOLS,
        COLOURS=COLOURS,
        MEASURE_STATUS_DE=MEASURE_STATUS_DE,
        OUTPUT_KIND_DE=OUTPUT_KIND_DE,
    )
    return env


def render_report(
    evaluation: Evaluation,
    catalogue: Catalogue | None = None,
    generated: dt.date | None = None,
    field: str | None = None,
) -> str:
    """The evaluation report as one HTML document (optionally for a single Handlungsfeld)."""
    views = build_views(evaluation, catalogue)
    if field is not None:
        views = [v for v in views if v["field"].key == field]
        if not views:
            known = ", ".join(f.key for f in evaluation.spec.fields)
            raise SozialmonitorError(
                f"Handlungsfeld {field!r} unbekannt; bekannt: {known}",
                f"unknown Handlungsfeld {field!r}; known: {known}",
            )
    totals = {s: sum(v["counts"][s] for v in views) for s in STATUSES}
    return (
        _environment()
        .get_template("evaluation.html.j2")
        .render(
            title=evaluation.spec.name or "Armutspräventionsstrategie",
            eval_year=evaluation.eval_year,
            generated=generated or dt.date.today(),
            fields=views,
            totals=totals,
        )
    )
