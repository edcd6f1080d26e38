"""The poverty-prevention strategy for the web pages and the API: evaluation, views, history, editing.

Adapter between :mod:`sozialmonitor.strategy` and the web layer (the strategy package knows nothing of
the web). Signed-in users see the evaluation of :func:`~sozialmonitor.strategy.service.evaluate_strategy`
(unprotected figures, every indicator). The public sees the same rule applied to the portal's
disclosure-controlled figures of published indicators only (survey and unpublished targets: no data).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from markupsafe import Markup
from sqlalchemy.orm import Session

from sozialmonitor.errors import NotFoundError, SozialmonitorError
from sozialmonitor.strategy.charts import dumbbell_chart, trend_chart
from sozialmonitor.strategy.evaluation import STATUS_DE, STATUS_EN, TargetResult, evaluate_target
from sozialmonitor.strategy.service import DATA_COLUMNS, USABLE, Evaluation, evaluate_strategy
from sozialmonitor.strategy.spec import GoalSpec, StrategySpec, TargetSpec
from sozialmonitor.strategy.store import history_frame, read_strategy, set_target
from sozialmonitor.web.queries import num
from sozialmonitor.web.service import Snapshot

SYMBOLS = {"achieved": "✔", "on_track": "↗", "off_track": "✖", "no_data": "?"}
EDITABLE = ("target_value", "target_change", "target_year")


def status_info(status: str | None, lang: str) -> dict[str, str]:
    s = status or "no_data"
    return {"key": s, "symbol": SYMBOLS[s], "text": (STATUS_EN if lang == "en" else STATUS_DE)[s]}


def _public_frame(snap: Snapshot, target: TargetSpec, level: str) -> pd.DataFrame:
    """The disclosure-controlled series of a published catalogue indicator (columns as the service's)."""
    empty = pd.DataFrame(columns=DATA_COLUMNS)
    if target.source != "catalogue" or target.indicator not in snap.published:
        return empty
    try:
        t = snap.table(level, True)
    except NotFoundError:
        return empty
    t = t[(t["indicator"] == target.indicator) & t["status"].isin(USABLE) & t["value"].notna()]
    t = t[~t["flag_small"].astype(bool)]
    if t.empty:
        return empty
    t = t.sort_values("ref_date").assign(
        unit_key=t["unit_key"].astype(str), ci_low=math.nan, ci_high=math.nan
    )
    t = t.drop_duplicates(["unit_key", "year"], keep="last")
    return t[DATA_COLUMNS].reset_index(drop=True)


def _public_evaluation(snap: Snapshot, spec: StrategySpec) -> Evaluation:
    results: list[TargetResult] = []
    series: dict[tuple[str, str], pd.DataFrame] = {}
    for goal in spec.goals:
        for target in goal.targets:
            frame = _public_frame(snap, target, target.level)
            city = None
            if target.select == "worse_than_city":
                c = _public_frame(snap, target, target.city_level)
                at = c[c["year"] == target.baseline_year]
                city = float(at["value"].iloc[0]) if len(at) == 1 else None
            result = evaluate_target(goal.key, target, frame, None, city)
            results.append(result)
            series[(goal.key, target.key)] = frame[frame["unit_key"].isin(list(result.units))]
    names = {lv: {str(k): str(v) for k, v in snap.unit_names(lv).items()} for lv in snap.scope}
    levels = {k: lv.name_de for k, lv in snap.levels.items()}
    return Evaluation(spec, None, results, series, names, levels)


def evaluate(session: Session, snap: Snapshot, public: bool) -> Evaluation:
    """The stored strategy evaluated on the figures the viewer may see."""
    spec = read_strategy(session)
    if public:
        return _public_evaluation(snap, spec)
    return evaluate_strategy(session, spec, catalogue=snap.catalogue)


def _field_name(spec: StrategySpec, key: str, lang: str) -> str:
    for f in spec.fields:
        if f.key == key:
            return f.name_en if lang == "en" and f.name_en else f.name_de
    return key


def goal_text(goal: GoalSpec, lang: str) -> str:
    return goal.text_en if lang == "en" and goal.text_en else goal.text


def _indicator(snap: Snapshot, key: str, lang: str) -> tuple[str, str, int]:
    d = snap.catalogue.indicators.get(key)
    if d is None:
        return key, "", 1
    return d.name(lang), ("" if d.unit.lower() == "anzahl" else d.unit), d.decimals


def target_view(ev: Evaluation, snap: Snapshot, r: TargetResult, lang: str) -> dict[str, Any]:
    """One target indicator with the numbers behind its status (and per unit for district targets)."""
    t = r.target
    name, unit, decimals = _indicator(snap, t.indicator, lang)
    one = r.single
    level = snap.levels.get(t.level)
    names = ev.unit_names.get(t.level, {})
    units = [
        {
            "key": k,
            "name": names.get(k, k),
            "status": status_info(a.status, lang),
            "baseline": a.baseline,
            "latest_year": a.latest_year,
            "latest": a.latest,
            "target": a.target,
            "projection": a.projection,
            "reason": a.reason_en if lang == "en" else a.reason_de,
        }
        for k, a in r.units.items()
    ]
    return {
        "key": t.key,
        "goal": r.goal,
        "indicator": t.indicator,
        "name": name,
        "unit": unit,
        "decimals": decimals,
        "source": t.source,
        "level": t.level,
        "level_name": level.name(lang) if level else t.level,
        "district": one is None and len(r.units) != 1 and t.level != snap.city_level,
        "direction": t.direction,
        "status": status_info(r.status, lang),
        "reason": r.reason_en if lang == "en" else r.reason_de,
        "baseline_year": t.baseline_year,
        "baseline": one.baseline if one else t.baseline_value,
        "latest_year": one.latest_year if one else None,
        "latest": one.latest if one else None,
        "target_year": t.target_year,
        "target_value": one.target if one else t.target_value,
        "spec_target_value": t.target_value,
        "target_change": t.target_change,
        "projection": one.projection if one else None,
        "pi_low": one.pi_low if one else None,
        "pi_high": one.pi_high if one else None,
        "n_units": len(r.units),
        "n_achieved": r.count("achieved"),
        "n_on_track": r.count("on_track"),
        "n_off_track": r.count("off_track"),
        "n_no_data": r.count("no_data"),
        "quorum": t.quorum,
        "note": t.note,
        "units": units,
    }


def overview(ev: Evaluation, snap: Snapshot, lang: str) -> list[dict[str, Any]]:
    """Handlungsfelder in order, each with its goals, their status and target indicators."""
    out = []
    for f in sorted(ev.spec.fields, key=lambda f: f.order):
        goals = [
            {
                "key": g.key,
                "text": goal_text(g, lang),
                "status": status_info(ev.goal_status(g.key), lang),
                "targets": [target_view(ev, snap, r, lang) for r in ev.for_goal(g.key)],
                "n_measures": len(g.measures),
            }
            for g in ev.spec.goals
            if g.handlungsfeld == f.key
        ]
        out.append(
            {"key": f.key, "name": f.name_en if lang == "en" and f.name_en else f.name_de, "goals": goals}
        )
    return out


def chart(ev: Evaluation, snap: Snapshot, r: TargetResult) -> Markup:
    """The strategy package's SVG chart (trend for one unit, dumbbell for several); empty if no data."""
    _, unit, decimals = _indicator(snap, r.target.indicator, "de")
    if r.single is not None:
        series = ev.series.get((r.goal, r.target.key), pd.DataFrame(columns=DATA_COLUMNS))
        svg = trend_chart(r, series, decimals, unit)
    else:
        svg = dumbbell_chart(r, ev.unit_names.get(r.target.level, {}), decimals, unit)
    return Markup(svg)


def goal_page(ev: Evaluation, snap: Snapshot, key: str, lang: str) -> dict[str, Any]:
    goal = ev.spec.goal(key)
    if goal is None:
        raise NotFoundError(f"Ziel {key!r} nicht gefunden", f"goal {key!r} not found")
    targets = []
    for r in ev.for_goal(key):
        view = target_view(ev, snap, r, lang)
        view["chart"] = chart(ev, snap, r)
        view["series"] = _series_rows(ev, r)
        targets.append(view)
    measures = [
        {
            "key": m.key,
            "title": m.title,
            "responsible": m.responsible,
            "partners": m.partners,
            "target_group": m.target_group,
            "start": m.start,
            "end": m.end,
            "budget": m.budget,
            "status": m.status,
            "notes": [{"date": n.date, "text": n.text} for n in m.notes],
            "outputs": [{"year": o.year, "kind": o.kind, "value": o.value} for o in m.outputs],
        }
        for m in goal.measures
    ]
    return {
        "key": goal.key,
        "text": goal_text(goal, lang),
        "field": _field_name(ev.spec, goal.handlungsfeld, lang),
        "adopted": goal.adopted,
        "decision": goal.decision,
        "status": status_info(ev.goal_status(key), lang),
        "targets": targets,
        "measures": measures,
    }


def _series_rows(ev: Evaluation, r: TargetResult) -> list[dict[str, Any]]:
    """The data behind a single-unit chart (the table alternative); district targets use the unit table."""
    if r.single is None:
        return []
    frame = ev.series.get((r.goal, r.target.key))
    if frame is None or frame.empty:
        return []
    rows = frame[frame["year"] >= r.target.baseline_year].sort_values("year")
    return [{"year": int(y), "value": num(v)} for y, v in zip(rows["year"], rows["value"], strict=True)]


def history(session: Session, goal: GoalSpec | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Changes, newest first: of one goal (its targets and measures) or of the whole strategy."""
    if goal is None:
        frame = history_frame(session)
    else:
        parts = [history_frame(session, goal.key)] + [history_frame(session, m.key) for m in goal.measures]
        parts = [p for p in parts if not p.empty]
        frame = pd.concat(parts, ignore_index=True) if parts else history_frame(session, goal.key)
        frame = frame.drop_duplicates().sort_values("changed_at", ascending=False, kind="stable")
    rows = []
    for rec in frame.head(limit).to_dict("records"):
        rows.append(
            {
                "when": pd.Timestamp(rec["changed_at"]).strftime("%Y-%m-%d %H:%M:%S"),
                "by": rec["changed_by"],
                "entity": rec["entity"],
                "key": rec["entity_key"],
                "field": rec["field"],
                "old": rec["old_value"],
                "new": rec["new_value"],
                "comment": rec["comment"],
            }
        )
    return rows


def parse_number(text: str, lang: str) -> float | None:
    """A number typed into a form: German ``21,5`` or ``21.5``; empty → None."""
    s = text.strip().replace("\u202f", "").replace(" ", "")
    if not s:
        return None
    if lang == "de" or ("," in s and "." not in s):
        s = s.replace(".", "").replace(",", ".") if "," in s or (lang == "de" and s.count(".") > 1) else s
    else:
        s = s.replace(",", "")
    try:
        value = float(s)
    except ValueError as exc:
        raise SozialmonitorError(f"Keine Zahl: {text!r}", f"not a number: {text!r}") from exc
    if not math.isfinite(value):
        raise SozialmonitorError(f"Keine Zahl: {text!r}", f"not a number: {text!r}")
    return value


def edit_target(
    session: Session, goal_key: str, target_key: str, form: dict[str, Any], by: str, lang: str
) -> int:
    """Apply the goal page's form (target value or change, target year) through ``set_target``."""
    spec = read_strategy(session)
    goal = spec.goal(goal_key)
    target = goal.target(target_key) if goal else None
    if goal is None or target is None:
        raise NotFoundError(
            f"Zielindikator {goal_key}/{target_key} nicht gefunden",
            f"target {goal_key}/{target_key} not found",
        )
    values: dict[str, Any] = {}
    year_text = str(form.get("target_year", "")).strip()
    if year_text:
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2200:
            raise SozialmonitorError(
                f"Kein gültiges Zieljahr: {year_text!r}", f"not a valid year: {year_text!r}"
            )
        values["target_year"] = int(year_text)
    if "target_value" in form:
        value = parse_number(str(form["target_value"]), lang)
        if value is None and target.target_change is None:
            raise SozialmonitorError("Bitte einen Zielwert angeben.", "Please enter a target value.")
        values["target_value"] = value
    if "target_change" in form:
        change = parse_number(str(form["target_change"]), lang)
        if change is None and values.get("target_value", target.target_value) is None:
            raise SozialmonitorError("Bitte eine Zieländerung angeben.", "Please enter a target change.")
        values["target_change"] = change
    comment = str(form.get("comment", "")).strip()[:500]
    return len(set_target(session, goal_key, target_key, by, comment, **values))
