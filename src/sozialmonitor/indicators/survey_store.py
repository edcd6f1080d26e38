"""Survey indicators in the store: estimates with their uncertainty per unit, published and undone as imports.

The estimates come from :func:`sozialmonitor.survey.indicators.area_indicators` (columns ``unit_key,
indicator, estimate, se, ci_low, ci_high, n, n_eff, cv, publishable``). Each publication is an
``import_run`` of kind ``survey``; the current estimate of a survey × indicator × unit × date is the one
of the latest publication that has not been undone, so undoing a publication brings back the previous one.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from sozialmonitor.db.models import ImportRun, SpatialLevel, SpatialUnit, SurveyEstimate, Variable
from sozialmonitor.errors import ImportValidationError, Problem
from sozialmonitor.geo.units import current_units, get_level
from sozialmonitor.indicators.variables import upsert_variables, variable_ids


def _num(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return None if math.isnan(f) else f


def publish_estimates(
    session: Session,
    estimates: pd.DataFrame,
    *,
    survey: str,
    level_key: str,
    ref_date: dt.date,
    indicators: list[dict[str, Any]],
    file_name: str,
    file_hash: str,
    extra_units: dict[str, str] | None = None,
    dry_run: bool = False,
) -> int | None:
    """Validate (units of the level, or ``extra_units`` key → level for e.g. the city row) and store.

    ``indicators``: variable definitions (key, name_de, name_en, unit …) of the survey indicators; they are
    created or updated as variables. Returns the import id (None for a dry run).
    """
    level = get_level(session, level_key)
    units = {k: u.id for k, u in current_units(session, level, ref_date).items()}
    for key, other_level in (extra_units or {}).items():
        other = current_units(session, get_level(session, other_level), ref_date)
        if key in other:
            units[key] = other[key].id
    problems = [
        Problem(
            file_name,
            None,
            "unit_key",
            str(k),
            f"Schlüssel einer Einheit der Ebene {level_key!r}",
            f"key of a unit on level {level_key!r}",
        )
        for k in sorted(set(estimates["unit_key"]) - set(units))
    ]
    known = {i["key"] for i in indicators}
    problems += [
        Problem(
            file_name,
            None,
            "indicator",
            str(k),
            "einen in der Konfiguration beschriebenen Indikator",
            "an indicator described in the configuration",
        )
        for k in sorted(set(estimates["indicator"]) - known)
    ]
    if estimates.empty:
        problems.append(
            Problem(file_name, None, None, None, "mindestens einen Schätzwert", "at least one estimate")
        )
    if problems:
        raise ImportValidationError(problems)
    if dry_run:
        return None
    # survey estimates are shares and means, never counts: not summed, not cell-suppressed as counts
    upsert_variables(session, [{"kind": "rate", **item} for item in indicators])
    vids = variable_ids(session)
    run = ImportRun(
        kind="survey",
        file_name=file_name,
        file_hash=file_hash,
        started_at=dt.datetime.now(),
        rows_read=len(estimates),
        inserted=len(estimates),
        options={"level": level_key, "survey": survey, "ref_date": ref_date.isoformat()},
    )
    session.add(run)
    session.flush()
    rows = [
        {
            "survey": survey,
            "variable_id": vids[str(r["indicator"])],
            "unit_id": units[str(r["unit_key"])],
            "ref_date": ref_date,
            "estimate": _num(r["estimate"]),
            "se": _num(r["se"]),
            "ci_low": _num(r["ci_low"]),
            "ci_high": _num(r["ci_high"]),
            "n": int(r["n"]),
            "n_eff": _num(r["n_eff"]),
            "cv": _num(r["cv"]),
            "publishable": bool(r["publishable"]),
            "import_id": run.id,
        }
        for r in estimates.to_dict("records")
    ]
    session.connection().execute(insert(SurveyEstimate), rows)
    return run.id


def undo_survey(session: Session, run: ImportRun) -> int:
    """Remove the estimates of one publication (the previous publication becomes current again)."""
    result = session.execute(delete(SurveyEstimate).where(SurveyEstimate.import_id == run.id))
    return int(getattr(result, "rowcount", 0) or 0)


def survey_estimates_frame(
    session: Session, level_key: str | None = None, indicators: list[str] | None = None
) -> pd.DataFrame:
    """Current survey estimates: survey, indicator, name_de, unit, level, unit_key, ref_date, estimate, se,
    ci_low, ci_high, n, n_eff, cv, publishable, import_id."""
    stmt = (
        select(
            SurveyEstimate.survey,
            Variable.key.label("indicator"),
            Variable.name_de,
            Variable.unit.label("unit"),
            SpatialLevel.key.label("level"),
            SpatialUnit.key.label("unit_key"),
            SurveyEstimate.ref_date,
            SurveyEstimate.estimate,
            SurveyEstimate.se,
            SurveyEstimate.ci_low,
            SurveyEstimate.ci_high,
            SurveyEstimate.n,
            SurveyEstimate.n_eff,
            SurveyEstimate.cv,
            SurveyEstimate.publishable,
            SurveyEstimate.import_id,
        )
        .join(Variable, SurveyEstimate.variable_id == Variable.id)
        .join(SpatialUnit, SurveyEstimate.unit_id == SpatialUnit.id)
        .join(SpatialLevel, SpatialUnit.level_id == SpatialLevel.id)
    )
    if level_key:
        stmt = stmt.where(SpatialLevel.key == level_key)
    if indicators:
        stmt = stmt.where(Variable.key.in_(indicators))
    result = session.execute(stmt)
    df = pd.DataFrame(result.all(), columns=list(result.keys()))
    if df.empty:
        return df
    keys = ["survey", "indicator", "level", "unit_key", "ref_date"]
    latest = df.groupby(keys)["import_id"].transform("max")
    return df[df["import_id"] == latest].sort_values(keys).reset_index(drop=True)
