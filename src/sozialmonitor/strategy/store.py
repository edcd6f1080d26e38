"""The strategy in the store, and its history.

Every write goes through :func:`save_strategy`: it compares the new strategy with the stored one field
by field, writes one history row per changed field (who, when, entity, field, old, new) and replaces the
stored strategy. Loading a YAML file, editing a target on the command line or in the web app all end
here, so nothing changes without a trace. History rows are never deleted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sozialmonitor.errors import ConfigError
from sozialmonitor.strategy.models import (
    StrategyChange,
    StrategyField,
    StrategyGoal,
    StrategyInfo,
    StrategyMeasure,
    StrategyNote,
    StrategyOutput,
    StrategyTarget,
)
from sozialmonitor.strategy.spec import (
    FieldSpec,
    GoalSpec,
    MeasureSpec,
    NoteSpec,
    OutputSpec,
    StrategySpec,
    TargetSpec,
)
from sozialmonitor.strategy.yaml_io import strategy_from_dict, strategy_to_dict

HISTORY_COLUMNS = [
    "changed_at",
    "changed_by",
    "entity",
    "entity_key",
    "field",
    "old_value",
    "new_value",
    "comment",
]


@dataclass(frozen=True)
class Change:
    entity: str
    key: str
    field: str
    old: str | None
    new: str | None


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.12g}"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _scalars(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, str | None]:
    return {
        f.name: _text(getattr(obj, f.name))
        for f in dataclasses.fields(obj)
        if f.name not in skip and f.name not in ("targets", "measures", "notes", "outputs")
    }


def flatten(spec: StrategySpec) -> dict[tuple[str, str], dict[str, str | None]]:
    """Every entity of the strategy as (entity, key) → field → text."""
    flat: dict[tuple[str, str], dict[str, str | None]] = {
        ("strategy", "strategie"): {"name": _text(spec.name)}
    }
    for f in spec.fields:
        flat[("handlungsfeld", f.key)] = _scalars(f, ("key",))
    for g in spec.goals:
        flat[("goal", g.key)] = _scalars(g, ("key",))
        for t in g.targets:
            flat[("target", f"{g.key}/{t.key}")] = _scalars(t, ("key",))
        for m in g.measures:
            flat[("measure", m.key)] = {"goal": g.key, **_scalars(m, ("key",))}
            seen: dict[dt.date, int] = {}
            for n in m.notes:
                seen[n.date] = seen.get(n.date, 0) + 1
                suffix = f"#{seen[n.date]}" if seen[n.date] > 1 else ""
                flat[("note", f"{m.key}@{n.date.isoformat()}{suffix}")] = {"text": n.text}
            for o in m.outputs:
                flat[("output", f"{m.key}/{o.year}/{o.kind}")] = {"value": _text(o.value)}
    return flat


def diff(old: StrategySpec, new: StrategySpec) -> list[Change]:
    """Field-level changes from ``old`` to ``new`` (created and deleted entities: every filled field)."""
    a, b = flatten(old), flatten(new)
    changes: list[Change] = []
    for ident in list(a) + [k for k in b if k not in a]:
        before, after = a.get(ident, {}), b.get(ident, {})
        for name in list(before) + [n for n in after if n not in before]:
            o, n = before.get(name), after.get(name)
            if o != n:
                changes.append(Change(ident[0], ident[1], name, o, n))
    return changes


def read_strategy(session: Session) -> StrategySpec:
    """The stored strategy (empty if none was loaded)."""
    info = session.scalar(select(StrategyInfo))
    fields = [
        FieldSpec(f.key, f.name_de, f.name_en, f.sort_order)
        for f in session.scalars(select(StrategyField).order_by(StrategyField.sort_order, StrategyField.id))
    ]
    goals = []
    for g in session.scalars(select(StrategyGoal).order_by(StrategyGoal.position)):
        targets = [
            TargetSpec(
                indicator=t.indicator,
                baseline_year=t.baseline_year,
                target_year=t.target_year,
                direction=t.direction,
                target_value=t.target_value,
                target_change=t.target_change,
                baseline_value=t.baseline_value,
                level=t.level,
                source=t.source,
                units=list(t.unit_keys or []),
                select=t.selection,
                city_level=t.city_level,
                quorum=t.quorum,
                key=t.key,
                note=t.note,
            )
            for t in g.targets
        ]
        measures = [
            MeasureSpec(
                key=m.key,
                title=m.title,
                responsible=m.responsible,
                partners=list(m.partners or []),
                target_group=m.target_group,
                districts=list(m.districts or []),
                start=m.start,
                end=m.end,
                budget=m.budget,
                status=m.status,
                notes=[NoteSpec(n.date, n.text) for n in m.notes],
                outputs=[OutputSpec(o.year, o.kind, o.value) for o in m.outputs],
            )
            for m in g.measures
        ]
        goals.append(
            GoalSpec(g.key, g.field.key, g.text, g.text_en, g.adopted, g.decision, targets, measures)
        )
    return StrategySpec(name=info.name if info else "", fields=fields, goals=goals)


def _write(session: Session, spec: StrategySpec) -> None:
    for table in (StrategyNote, StrategyOutput, StrategyTarget, StrategyMeasure, StrategyGoal, StrategyField):
        session.execute(delete(table))
    session.execute(delete(StrategyInfo))
    session.add(StrategyInfo(name=spec.name))
    fields = {
        f.key: StrategyField(key=f.key, name_de=f.name_de, name_en=f.name_en, sort_order=f.order)
        for f in spec.fields
    }
    session.add_all(fields.values())
    for gi, g in enumerate(spec.goals):
        goal = StrategyGoal(
            key=g.key,
            field=fields[g.handlungsfeld],
            text=g.text,
            text_en=g.text_en,
            adopted=g.adopted,
            decision=g.decision,
            position=gi,
        )
        goal.targets = [
            StrategyTarget(
                key=t.key,
                indicator=t.indicator,
                source=t.source,
                level=t.level,
                unit_keys=list(t.units),
                selection=t.select,
                city_level=t.city_level,
                baseline_year=t.baseline_year,
                baseline_value=t.baseline_value,
                target_year=t.target_year,
                target_value=t.target_value,
                target_change=t.target_change,
                direction=t.direction,
                quorum=t.quorum,
                note=t.note,
                position=i,
            )
            for i, t in enumerate(g.targets)
        ]
        goal.measures = [
            StrategyMeasure(
                key=m.key,
                title=m.title,
                responsible=m.responsible,
                partners=list(m.partners),
                target_group=m.target_group,
                districts=list(m.districts),
                start=m.start,
                end=m.end,
                budget=m.budget,
                status=m.status,
                position=i,
                notes=[StrategyNote(date=n.date, text=n.text, position=j) for j, n in enumerate(m.notes)],
                outputs=[
                    StrategyOutput(year=o.year, kind=o.kind, value=o.value, position=j)
                    for j, o in enumerate(m.outputs)
                ],
            )
            for i, m in enumerate(g.measures)
        ]
        session.add(goal)
    session.flush()


def validate(spec: StrategySpec) -> StrategySpec:
    """Check an edited strategy with the same rules as a YAML file."""
    return strategy_from_dict(strategy_to_dict(spec), origin="Änderung / edit")


def save_strategy(
    session: Session, spec: StrategySpec, by: str, comment: str = "", now: dt.datetime | None = None
) -> list[Change]:
    """Store ``spec`` as the current strategy and record every changed field in the history."""
    if not by.strip():
        raise ConfigError("Bitte angeben, wer ändert (--by)", "please say who makes the change (--by)")
    spec = validate(spec)
    changes = diff(read_strategy(session), spec)
    if not changes:
        return []
    when = now or dt.datetime.now().replace(microsecond=0)
    _write(session, spec)
    session.add_all(
        StrategyChange(
            changed_at=when,
            changed_by=by,
            entity=c.entity,
            entity_key=c.key,
            field=c.field,
            old_value=c.old,
            new_value=c.new,
            comment=comment,
        )
        for c in changes
    )
    session.flush()
    return changes


def set_target(
    session: Session, goal_key: str, target_key: str, by: str, comment: str = "", **values: Any
) -> list[Change]:
    """Change fields of one target indicator (e.g. ``target_value=3.0``), with history."""
    spec = read_strategy(session)
    goal = spec.goal(goal_key)
    target = goal.target(target_key) if goal else None
    if goal is None or target is None:
        known = [f"{g.key}/{t.key}" for g in spec.goals for t in g.targets]
        raise ConfigError(
            f"Zielindikator {goal_key}/{target_key} nicht gefunden; vorhanden: {', '.join(known) or '–'}",
            f"target {goal_key}/{target_key} not found; present: {', '.join(known) or '–'}",
        )
    allowed = {f.name for f in dataclasses.fields(TargetSpec)} - {"key", "indicator"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ConfigError(f"unbekannte Felder {unknown}", f"unknown fields {unknown}")
    for name, value in values.items():
        setattr(target, name, value)
    return save_strategy(session, spec, by, comment)


def set_measure(
    session: Session, measure_key: str, by: str, comment: str = "", note: str | None = None, **values: Any
) -> list[Change]:
    """Change fields of a measure (e.g. ``status="done"``) and/or add a progress note dated today."""
    spec = read_strategy(session)
    measure = next((m for g in spec.goals for m in g.measures if m.key == measure_key), None)
    if measure is None:
        raise ConfigError(f"Maßnahme {measure_key!r} nicht gefunden", f"measure {measure_key!r} not found")
    for name, value in values.items():
        if name not in {f.name for f in dataclasses.fields(MeasureSpec)} - {"key", "notes", "outputs"}:
            raise ConfigError(f"unbekanntes Feld {name!r}", f"unknown field {name!r}")
        setattr(measure, name, value)
    if note:
        measure.notes.append(NoteSpec(dt.date.today(), note))
    return save_strategy(session, spec, by, comment)


def set_output(
    session: Session, measure_key: str, year: int, kind: str, value: float | None, by: str, comment: str = ""
) -> list[Change]:
    """Record (or with ``value=None`` remove) an output figure of a measure for one year, with history."""
    spec = read_strategy(session)
    measure = next((m for g in spec.goals for m in g.measures if m.key == measure_key), None)
    if measure is None:
        raise ConfigError(f"Maßnahme {measure_key!r} nicht gefunden", f"measure {measure_key!r} not found")
    measure.outputs = [o for o in measure.outputs if (o.year, o.kind) != (year, kind)]
    if value is not None:
        measure.outputs.append(OutputSpec(year, kind, float(value)))
        measure.outputs.sort(key=lambda o: (o.year, o.kind))
    return save_strategy(session, spec, by, comment)


def history_frame(session: Session, entity_key: str | None = None) -> pd.DataFrame:
    """The history, newest first (optionally of one entity key and everything below it)."""
    stmt = select(*(getattr(StrategyChange, c) for c in HISTORY_COLUMNS)).order_by(
        StrategyChange.changed_at.desc(), StrategyChange.id.desc()
    )
    if entity_key:
        stmt = stmt.where(
            (StrategyChange.entity_key == entity_key) | StrategyChange.entity_key.startswith(f"{entity_key}/")
        )
    return pd.DataFrame(session.execute(stmt).all(), columns=HISTORY_COLUMNS)
