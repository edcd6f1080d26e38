"""Imports and their changes, as plain data for the data-management pages and the internal API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sozialmonitor.db.models import ObservationChange, SpatialLevel, SpatialUnit, Variable
from sozialmonitor.indicators.store import list_imports

MAX_CHANGES = 500


def imports(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "file_name": r.file_name,
            "started_at": r.started_at.isoformat(timespec="seconds"),
            "rows_read": r.rows_read,
            "inserted": r.inserted,
            "updated": r.updated,
            "unchanged": r.unchanged,
            "status": r.status,
        }
        for r in reversed(list_imports(session))
    ]


def changes(session: Session, import_id: int) -> list[dict[str, Any]]:
    levels = {lv.id: lv.key for lv in session.scalars(select(SpatialLevel))}
    units = {u.id: (levels.get(u.level_id, "?"), u.key, u.name) for u in session.scalars(select(SpatialUnit))}
    variables = {v.id: v.key for v in session.scalars(select(Variable))}
    rows = session.scalars(
        select(ObservationChange)
        .where(ObservationChange.import_id == import_id, ObservationChange.action != "confirm")
        .order_by(ObservationChange.id)
        .limit(MAX_CHANGES)
    ).all()
    out = []
    for c in rows:
        level, key, name = units.get(c.unit_id, ("?", "?", "?"))
        out.append(
            {
                "level": level,
                "unit_key": key,
                "unit_name": name,
                "variable": variables.get(c.variable_id, "?"),
                "ref_date": c.ref_date.isoformat(),
                "action": c.action,
                "old_value": c.old_value,
                "old_status": c.old_status,
            }
        )
    return out
