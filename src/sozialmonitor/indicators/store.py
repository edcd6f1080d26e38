"""Writing observations: validate against the store, diff, write in one transaction, undo.

The caller owns the transaction (``session_scope``): if anything raises, nothing
is written. Every import is recorded in ``import_run`` with what it changed in
``observation_change`` so it can be listed and undone.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import String, and_, delete, func, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from sozialmonitor.db.engine import read_frame, refresh_statistics
from sozialmonitor.db.models import (
    OBSERVATION_STATUSES,
    ImportRun,
    Observation,
    ObservationChange,
    SpatialLevel,
    SpatialUnit,
    UnitLineage,
    Variable,
)
from sozialmonitor.errors import ImportValidationError, NotFoundError, Problem, SozialmonitorError
from sozialmonitor.fmt import number
from sozialmonitor.geo.units import city_levels, get_level
from sozialmonitor.indicators.variables import variable_ids

Cell = tuple[int, int, dt.date]


@dataclass
class ObservationImport:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    import_id: int | None = None
    dry_run: bool = False
    by_variable: dict[str, dict[str, int]] = field(default_factory=dict)

    def summary(self, lang: str = "de") -> str:
        if lang == "de":
            head = "Probelauf – nichts geschrieben" if self.dry_run else f"Import Nr. {self.import_id}"
            return (
                f"{head}: {self.rows} Werte gelesen, {self.inserted} neu, {self.updated} geändert, "
                f"{self.unchanged} unverändert"
            )
        head = "Dry run – nothing written" if self.dry_run else f"Import no. {self.import_id}"
        return (
            f"{head}: {self.rows} values read, {self.inserted} new, {self.updated} changed, "
            f"{self.unchanged} unchanged"
        )


def _units_valid_at(session: Session, level: SpatialLevel) -> list[SpatialUnit]:
    return list(session.scalars(select(SpatialUnit).where(SpatialUnit.level_id == level.id)).all())


def _resolve_units(units: list[SpatialUnit], keys: pd.Series, dates: pd.Series) -> list[int | None]:
    """Unit id per row: the version of the key valid at the row's reference date."""
    versions: dict[str, list[SpatialUnit]] = {}
    for u in units:
        versions.setdefault(u.key, []).append(u)
    out: list[int | None] = []
    for key, date in zip(keys, dates, strict=True):
        found = None
        for u in versions.get(key, ()):
            if u.valid_from <= date and (u.valid_to is None or date < u.valid_to):
                found = u.id
                break
        out.append(found)
    return out


def _same(a: float | None, b: float | None) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return False
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


def import_observations(
    session: Session,
    df: pd.DataFrame,
    *,
    level_key: str,
    file_name: str,
    file_hash: str,
    kind: str = "table",
    source: str | None = None,
    dry_run: bool = False,
    options: dict[str, object] | None = None,
    unit_column: str | None = None,
) -> ObservationImport:
    """Validate ``df`` and write it in the caller's transaction.

    ``df`` has the columns unit_key, ref_date, variable, value, status and optionally
    source_row, source_column (for error messages).
    """
    df = df.reset_index(drop=True)  # callers may pass a filtered frame
    level = get_level(session, level_key)
    vids = variable_ids(session)
    n = len(df)
    if n == 0:
        raise ImportValidationError(
            [Problem(file_name, None, None, None, "mindestens einen Wert", "at least one value")]
        )
    rows = df["source_row"] if "source_row" in df else pd.Series([None] * n)
    cols = df["source_column"] if "source_column" in df else pd.Series([None] * n)
    unit_ids = _resolve_units(_units_valid_at(session, level), df["unit_key"], df["ref_date"])
    problems: list[Problem] = []
    unit_column = unit_column or df.attrs.get("unit_column")
    reported: set[tuple[object, str]] = set()
    for uid, key, date, r, c in zip(unit_ids, df["unit_key"], df["ref_date"], rows, cols, strict=True):
        if uid is None and (r, key) not in reported:
            reported.add((r, key))
            problems.append(
                Problem(
                    file_name,
                    _int(r),
                    unit_column or c,
                    str(key),
                    f"Schlüssel einer Einheit der Ebene {level_key!r}, gültig am {date:%d.%m.%Y}",
                    f"key of a unit on level {level_key!r} valid on {date:%Y-%m-%d}",
                )
            )
            if len(problems) >= 200:
                break
    for var, r, c in zip(df["variable"], rows, cols, strict=True):
        if var not in vids:
            close = difflib.get_close_matches(str(var), list(vids), n=3)
            hint_de = f"; meinten Sie {', '.join(close)}?" if close else ""
            hint_en = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(
                Problem(
                    file_name,
                    _int(r),
                    c,
                    str(var),
                    "eine Variable der Variablendatei (Schlüssel in der Zuordnung prüfen oder die Variable "
                    f"in variables.yaml eintragen){hint_de}",
                    f"a variable of the variables file (check the key in the mapping or add the variable to "
                    f"variables.yaml){hint_en}",
                )
            )
            break
    bad_status = ~df["status"].isin(OBSERVATION_STATUSES)
    for s, r, c in zip(df["status"][bad_status], rows[bad_status], cols[bad_status], strict=True):
        problems.append(
            Problem(
                file_name,
                _int(r),
                c,
                str(s),
                f"Status aus {OBSERVATION_STATUSES}",
                f"status in {OBSERVATION_STATUSES}",
            )
        )
    problems += _implausible(session, df, rows, cols, file_name, level_key)
    if problems:
        raise ImportValidationError(problems)
    work = pd.DataFrame(
        {
            "unit_id": unit_ids,
            "variable_id": df["variable"].map(vids).astype(int),
            "ref_date": df["ref_date"],
            "value": df["value"].astype(float),
            "status": df["status"],
            "variable": df["variable"],
            "row": rows,
            "col": cols,
        }
    )
    dup = work.duplicated(["unit_id", "variable_id", "ref_date"], keep=False)
    if dup.any():
        d = work[dup]
        raise ImportValidationError(
            Problem(
                file_name,
                _int(r),
                c,
                f"{u}/{v}",
                "jede Kombination Einheit × Stichtag × Variable nur einmal",
                "each unit × reference date × variable only once",
            )
            for r, c, u, v in zip(d["row"], d["col"], df["unit_key"][dup], d["variable"], strict=True)
        )
    existing = _existing(session, set(work["variable_id"]), set(work["unit_id"]))
    result = ObservationImport(rows=n, dry_run=dry_run)
    run = ImportRun(
        kind=kind,
        file_name=file_name,
        file_hash=file_hash,
        started_at=dt.datetime.now(),
        rows_read=n,
        options={"level": level_key, **(options or {})},
    )
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    changes: list[dict[str, object]] = []
    records: list[dict[str, Any]] = work.to_dict("records")  # type: ignore[assignment]
    for rec in records:
        cell: Cell = (int(rec["unit_id"]), int(rec["variable_id"]), rec["ref_date"])
        value = None if math.isnan(rec["value"]) else float(rec["value"])
        status = str(rec["status"])
        stats = result.by_variable.setdefault(
            str(rec["variable"]), {"inserted": 0, "updated": 0, "unchanged": 0}
        )
        old = existing.get(cell)
        if old is None:
            inserts.append(
                {
                    "unit_id": cell[0],
                    "variable_id": cell[1],
                    "ref_date": cell[2],
                    "value": value,
                    "status": status,
                    "source": source,
                }
            )
            changes.append(
                {
                    "unit_id": cell[0],
                    "variable_id": cell[1],
                    "ref_date": cell[2],
                    "action": "insert",
                    "old_value": None,
                    "old_status": None,
                    "old_source": None,
                    "old_import_id": None,
                }
            )
            stats["inserted"] += 1
        elif _same(old[1], value) and old[2] == status:
            stats["unchanged"] += 1
            # the cell is delivered again: this import claims it too (undoing the earlier one keeps it)
            changes.append(
                {
                    "unit_id": cell[0],
                    "variable_id": cell[1],
                    "ref_date": cell[2],
                    "action": "confirm",
                    "old_value": old[1],
                    "old_status": old[2],
                    "old_source": old[3],
                    "old_import_id": old[4],
                }
            )
        else:
            updates.append({"id": old[0], "value": value, "status": status, "source": source})
            changes.append(
                {
                    "unit_id": cell[0],
                    "variable_id": cell[1],
                    "ref_date": cell[2],
                    "action": "update",
                    "old_value": old[1],
                    "old_status": old[2],
                    "old_source": old[3],
                    "old_import_id": old[4],
                }
            )
            stats["updated"] += 1
    result.inserted, result.updated = len(inserts), len(updates)
    result.unchanged = n - len(inserts) - len(updates)
    if dry_run:
        return result
    run.inserted, run.updated, run.unchanged = result.inserted, result.updated, result.unchanged
    session.add(run)
    session.flush()
    result.import_id = run.id
    if inserts:
        session.connection().execute(insert(Observation), [{**r, "import_id": run.id} for r in inserts])
    if updates:  # ORM bulk update by primary key
        session.execute(update(Observation), [{**u, "import_id": run.id} for u in updates])
    if changes:
        session.connection().execute(insert(ObservationChange), [{**c, "import_id": run.id} for c in changes])
    if inserts:
        refresh_statistics(session)
    return result


MAX_COUNT = 1e9
"""No count of a city reaches a billion: a larger value is a unit or format error (99999999999999999999)."""
MAX_ABS = 1e15


def _implausible(
    session: Session, df: pd.DataFrame, rows: pd.Series, cols: pd.Series, file_name: str, level_key: str
) -> list[Problem]:
    """Values their variable's kind rules out: counts must be whole, ≥ 0 and below a billion; any value
    finite and below 10^15 in size, and not above its variable's own bound (``max:``)."""
    from sozialmonitor.indicators.kinds import COUNT, kind_of
    from sozialmonitor.indicators.variables import variable_bounds, variable_kinds

    kinds = variable_kinds(session)
    values = pd.to_numeric(df["value"], errors="coerce").to_numpy(dtype=float)
    known = ~np.isnan(values)
    counts = [v for v in df["variable"].unique() if kind_of(kinds, str(v)) == COUNT]
    count = df["variable"].isin(counts).to_numpy(dtype=bool)
    # a variable's bound holds for the city and its parts, not for comparison areas above it (a Land)
    bounds = variable_bounds(session) if level_key in city_levels(session) else {}
    with np.errstate(invalid="ignore"):
        checks = [
            (
                known & ~np.isfinite(values) | (np.abs(values) > MAX_ABS),
                "eine endliche Zahl",
                "a finite number",
            ),
            (
                known & count & (values < 0),
                "eine Fallzahl ≥ 0 (Variable der Art count)",
                "a count ≥ 0 (variable of kind count)",
            ),
            (
                known & count & np.isfinite(values) & (np.abs(values - np.round(values)) > 1e-9),
                "eine ganze Zahl (Variable der Art count; Anteile und Beträge brauchen kind: rate/amount)",
                "a whole number (variable of kind count; shares and amounts need kind: rate/amount)",
            ),
            (
                known & count & (values > MAX_COUNT),
                f"eine Fallzahl unter {MAX_COUNT:,.0f}".replace(",", "."),
                f"a count below {MAX_COUNT:,.0f}",
            ),
        ]
        for variable, bound in bounds.items():
            mine = (df["variable"] == variable).to_numpy(dtype=bool)
            if mine.any():
                checks.append(
                    (
                        known & mine & (values > bound),
                        f"höchstens {number(bound, 0)} (Obergrenze „max“ der Variable {variable})",
                        f"at most {number(bound, 0, 'en')} (upper bound “max” of variable {variable})",
                    )
                )
    out: list[Problem] = []
    for bad, de, en in checks:
        for i in np.flatnonzero(bad)[:50]:
            shown = np.format_float_positional(values[i], precision=6, trim="-").replace(".", ",")
            value = f"{df['variable'].iloc[i]} = {shown}"
            out.append(Problem(file_name, _int(rows.iloc[i]), cols.iloc[i], value, de, en))
    return out


def _int(v: object) -> int | None:
    try:
        return int(v)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _existing(
    session: Session, var_ids: set[int], unit_ids: set[int]
) -> dict[Cell, tuple[int, float | None, str, str | None, int | None]]:
    out: dict[Cell, tuple[int, float | None, str, str | None, int | None]] = {}
    if not var_ids:
        return out
    stmt = select(
        Observation.id,
        Observation.unit_id,
        Observation.variable_id,
        Observation.ref_date,
        Observation.value,
        Observation.status,
        Observation.source,
        Observation.import_id,
    ).where(Observation.variable_id.in_(var_ids))
    for oid, uid, vid, date, value, status, src, imp in session.execute(stmt):
        if uid in unit_ids:
            out[(uid, vid, date)] = (oid, value, status, src, imp)
    return out


def undo_import(session: Session, import_id: int) -> tuple[int, int]:
    """Revert an import: delete what it inserted, restore what it changed. Returns (deleted, restored).

    Refused if a later import changed the same cells (undo that one first), so that
    undo never silently destroys later work.
    """
    run = session.get(ImportRun, import_id)
    if run is None:
        raise NotFoundError(
            f"Import Nr. {import_id} existiert nicht", f"import no. {import_id} does not exist"
        )
    if run.status == "undone":
        raise SozialmonitorError(
            f"Import Nr. {import_id} wurde bereits rückgängig gemacht",
            f"import no. {import_id} has already been undone",
        )
    if run.kind == "geo":
        return _undo_geo(session, run)
    if run.kind == "survey":
        from sozialmonitor.indicators.survey_store import undo_survey

        removed = undo_survey(session, run)
        run.status = "undone"
        run.undone_at = dt.datetime.now()
        return removed, 0
    changes = session.scalars(select(ObservationChange).where(ObservationChange.import_id == import_id)).all()
    later = session.scalar(
        select(func.min(Observation.import_id))
        .where(
            Observation.import_id > import_id,
            Observation.variable_id.in_({c.variable_id for c in changes} or {-1}),
        )
        .where(Observation.unit_id.in_({c.unit_id for c in changes} or {-1}))
    )
    if later is not None:
        later_cells = {
            (o.unit_id, o.variable_id, o.ref_date)
            for o in session.scalars(select(Observation).where(Observation.import_id > import_id))
        }
        if any((c.unit_id, c.variable_id, c.ref_date) in later_cells for c in changes):
            raise SozialmonitorError(
                f"Import Nr. {import_id} kann nicht rückgängig gemacht werden: der spätere Import "
                f"Nr. {later} hat dieselben Werte geändert. Bitte zuerst Import Nr. {later} "
                "rückgängig machen.",
                f"import no. {import_id} cannot be undone: the later import no. {later} changed the same "
                f"values. Undo import no. {later} first.",
            )
    confirmed = _later_confirmations(session, import_id, changes)
    deleted = restored = 0
    for c in changes:
        if c.action == "confirm":
            continue
        claim = confirmed.get((c.unit_id, c.variable_id, c.ref_date))
        if claim is not None:
            # a later import still in force delivered the same value: it keeps the cell and now stands for
            # this import's change (undoing it later removes or restores the cell as this one would have)
            session.execute(
                update(Observation)
                .where(
                    Observation.unit_id == c.unit_id,
                    Observation.variable_id == c.variable_id,
                    Observation.ref_date == c.ref_date,
                    Observation.import_id == import_id,
                )
                .values(import_id=claim.import_id)
            )
            claim.action = c.action
            claim.old_value, claim.old_status = c.old_value, c.old_status
            claim.old_source, claim.old_import_id = c.old_source, c.old_import_id
            continue
        cond = and_(
            Observation.unit_id == c.unit_id,
            Observation.variable_id == c.variable_id,
            Observation.ref_date == c.ref_date,
            Observation.import_id == import_id,
        )
        if c.action == "insert":
            deleted += session.execute(delete(Observation).where(cond)).rowcount or 0  # type: ignore[attr-defined]
        else:
            session.execute(
                update(Observation)
                .where(cond)
                .values(
                    value=c.old_value, status=c.old_status, source=c.old_source, import_id=c.old_import_id
                )
            )
            restored += 1
    run.status = "undone"
    run.undone_at = dt.datetime.now()
    return deleted, restored


def _later_confirmations(
    session: Session, import_id: int, changes: Sequence[ObservationChange]
) -> dict[tuple[int, int, dt.date], ObservationChange]:
    """For the cells of ``changes``: the latest confirmation by a later import that is still in force."""
    cells = {(c.unit_id, c.variable_id, c.ref_date) for c in changes if c.action != "confirm"}
    if not cells:
        return {}
    rows = session.scalars(
        select(ObservationChange)
        .join(ImportRun, ImportRun.id == ObservationChange.import_id)
        .where(
            ObservationChange.action == "confirm",
            ObservationChange.import_id > import_id,
            ImportRun.status != "undone",
            ObservationChange.variable_id.in_({c[1] for c in cells}),
            ObservationChange.unit_id.in_({c[0] for c in cells}),
        )
        .order_by(ObservationChange.import_id)
    ).all()
    return {
        (r.unit_id, r.variable_id, r.ref_date): r
        for r in rows
        if (r.unit_id, r.variable_id, r.ref_date) in cells
    }


def _undo_geo(session: Session, run: ImportRun) -> tuple[int, int]:
    units = session.scalars(select(SpatialUnit).where(SpatialUnit.import_id == run.id)).all()
    ids = [u.id for u in units]
    used = session.scalar(
        select(func.count()).select_from(Observation).where(Observation.unit_id.in_(ids or [-1]))
    )
    children = session.scalar(
        select(func.count()).select_from(SpatialUnit).where(SpatialUnit.parent_id.in_(ids or [-1]))
    )
    if used or children:
        raise SozialmonitorError(
            f"Grenzimport Nr. {run.id} kann nicht rückgängig gemacht werden: {used} Werte und {children} "
            "Untereinheiten beziehen sich auf seine Einheiten. Bitte diese Importe zuerst rückgängig machen.",
            f"boundary import no. {run.id} cannot be undone: {used} values and {children} sub-units refer to "
            "its units. Undo those imports first.",
        )
    reopened = 0
    for u in units:
        for lin in session.scalars(select(UnitLineage).where(UnitLineage.unit_id == u.id)).all():
            session.delete(lin)
        prev = session.scalar(
            select(SpatialUnit).where(
                SpatialUnit.level_id == u.level_id,
                SpatialUnit.key == u.key,
                SpatialUnit.valid_to == u.valid_from,
            )
        )
        if prev is not None:
            prev.valid_to = None
            reopened += 1
        session.delete(u)
    run.status = "undone"
    run.undone_at = dt.datetime.now()
    return len(units), reopened


def observations_frame(
    session: Session,
    variables: list[str] | None = None,
    level_key: str | None = None,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """Observations as a long table: level, unit_key, ref_date, variable, value, status, source, import_id."""
    stmt = (
        select(
            SpatialLevel.key.label("level"),
            SpatialUnit.key.label("unit_key"),
            type_coerce(Observation.ref_date, String),  # converted once per date by read_frame
            Variable.key.label("variable"),
            Observation.value,
            Observation.status,
            Observation.source,
            Observation.import_id,
        )
        .join(SpatialUnit, Observation.unit_id == SpatialUnit.id)
        .join(SpatialLevel, SpatialUnit.level_id == SpatialLevel.id)
        .join(Variable, Observation.variable_id == Variable.id)
    )
    if variables:
        stmt = stmt.where(Variable.key.in_(variables))
    if level_key:
        stmt = stmt.where(SpatialLevel.key == level_key)
    if years:  # read only the years asked for (a release reads one year of a long series)
        stmt = stmt.where(
            Observation.ref_date >= dt.date(min(years), 1, 1),
            Observation.ref_date <= dt.date(max(years), 12, 31),
        )
    columns = ["level", "unit_key", "ref_date", "variable", "value", "status", "source", "import_id"]
    df = read_frame(session, stmt, columns, dates=("ref_date",))
    if years and len(df):
        codes, dates = pd.factorize(df["ref_date"])
        df = df[np.isin(codes, [i for i, d in enumerate(dates) if d.year in years])]
    df["value"] = df["value"].astype(float)
    return df.sort_values(["variable", "level", "unit_key", "ref_date"]).reset_index(drop=True)


def list_imports(session: Session) -> list[ImportRun]:
    return list(session.scalars(select(ImportRun).order_by(ImportRun.id)).all())
