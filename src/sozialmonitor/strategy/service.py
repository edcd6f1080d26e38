"""Evaluating the stored strategy against the store's indicators and survey estimates.

The data come from :func:`sozialmonitor.indicators.service.indicator_table` (catalogue targets) and
:func:`sozialmonitor.indicators.survey_store.survey_estimates_frame` (survey targets); the rule itself
lives in :mod:`sozialmonitor.strategy.evaluation` and works without the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sozialmonitor.db.models import SpatialLevel
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.geo.units import units_frame
from sozialmonitor.indicators.catalogue import Catalogue, load_catalogue
from sozialmonitor.indicators.service import indicator_table
from sozialmonitor.indicators.survey_store import survey_estimates_frame
from sozialmonitor.strategy.evaluation import STATUS_DE, TargetResult, evaluate_target, summary_status
from sozialmonitor.strategy.spec import StrategySpec, TargetSpec
from sozialmonitor.strategy.store import read_strategy

DATA_COLUMNS = ["unit_key", "year", "value", "ci_low", "ci_high"]
USABLE = ("ok", "estimated")


@dataclass
class Evaluation:
    """The strategy, the evaluation year and one result per target indicator (in strategy order)."""

    spec: StrategySpec
    eval_year: int | None
    results: list[TargetResult]
    series: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)  # (goal, target) → data
    unit_names: dict[str, dict[str, str]] = field(default_factory=dict)  # level → unit key → name
    level_names: dict[str, str] = field(default_factory=dict)  # level key → German name

    def for_goal(self, goal: str) -> list[TargetResult]:
        return [r for r in self.results if r.goal == goal]

    def goal_status(self, goal: str) -> str | None:
        return summary_status([r.status for r in self.for_goal(goal)])


class _Data:
    """Loads (and caches) the series of an indicator on a level."""

    def __init__(self, session: Session, catalogue: Catalogue | None) -> None:
        self.session = session
        self.catalogue = catalogue or load_catalogue()
        self.cache: dict[tuple[str, str, str], pd.DataFrame] = {}

    def get(self, source: str, indicator: str, level: str) -> pd.DataFrame:
        key = (source, indicator, level)
        if key not in self.cache:
            self.cache[key] = self._load(source, indicator, level)
        return self.cache[key]

    def _load(self, source: str, indicator: str, level: str) -> pd.DataFrame:
        if source == "survey":
            est = survey_estimates_frame(self.session, level, [indicator])
            if est.empty:
                return pd.DataFrame(columns=DATA_COLUMNS)
            est = est[est["estimate"].notna()].assign(value=est["estimate"])
        else:
            try:
                self.catalogue.get(indicator)
                est = indicator_table(self.session, level, indicators=[indicator], catalogue=self.catalogue)
            except (SozialmonitorError, IndexError):  # unknown indicator or level: no data
                return pd.DataFrame(columns=DATA_COLUMNS)
            if est.empty:
                return pd.DataFrame(columns=DATA_COLUMNS)
            # suppressed / missing values and units below the minimum denominator do not count
            est = est[est["status"].isin(USABLE) & est["value"].notna() & ~est["flag_small"].astype(bool)]
            est = est.assign(ci_low=float("nan"), ci_high=float("nan"))
        est = est.assign(year=[d.year for d in est["ref_date"]], unit_key=est["unit_key"].astype(str))
        est = est.sort_values("ref_date").drop_duplicates(["unit_key", "year"], keep="last")
        return est[DATA_COLUMNS].reset_index(drop=True)


def _city_value(data: _Data, target: TargetSpec) -> float | None:
    if target.select != "worse_than_city":
        return None
    city = data.get(target.source, target.indicator, target.city_level)
    at = city[city["year"] == target.baseline_year]
    return float(at["value"].iloc[0]) if len(at) == 1 else None


def evaluate_strategy(
    session: Session,
    spec: StrategySpec | None = None,
    eval_year: int | None = None,
    catalogue: Catalogue | None = None,
) -> Evaluation:
    """Evaluate every target indicator of ``spec`` (default: the stored strategy) up to ``eval_year``."""
    spec = spec or read_strategy(session)
    data = _Data(session, catalogue)
    results = []
    series: dict[tuple[str, str], pd.DataFrame] = {}
    for goal in spec.goals:
        for target in goal.targets:
            frame = data.get(target.source, target.indicator, target.level)
            if eval_year is not None:
                frame = frame[frame["year"] <= eval_year]
            result = evaluate_target(goal.key, target, frame, eval_year, _city_value(data, target))
            results.append(result)
            series[(goal.key, target.key)] = frame[frame["unit_key"].isin(list(result.units))]
    units = units_frame(session)
    names = {
        str(level): dict(zip(g["unit_key"].astype(str), g["name"].astype(str), strict=True))
        for level, g in units.groupby("level")
    }
    levels = {str(k): str(n) for k, n in session.execute(select(SpatialLevel.key, SpatialLevel.name_de))}
    return Evaluation(spec, eval_year, results, series, names, levels)


def results_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per target indicator: status, the numbers behind it and the counts of units."""
    rows: list[dict[str, Any]] = []
    goals = {g.key: g for g in evaluation.spec.goals}
    for r in evaluation.results:
        t = r.target
        one = r.single
        rows.append(
            {
                "handlungsfeld": goals[r.goal].handlungsfeld,
                "goal": r.goal,
                "target": t.key,
                "indicator": t.indicator,
                "source": t.source,
                "level": t.level,
                "status": r.status,
                "status_de": STATUS_DE[r.status],
                "baseline_year": t.baseline_year,
                "baseline": one.baseline if one else None,
                "latest_year": one.latest_year if one else None,
                "latest": one.latest if one else None,
                "target_year": t.target_year,
                "target_value": one.target if one else t.target_value,
                "target_change": t.target_change,
                "projection": one.projection if one else None,
                "pi_low": one.pi_low if one else None,
                "pi_high": one.pi_high if one else None,
                "units": len(r.units),
                "achieved": r.count("achieved"),
                "on_track": r.count("on_track"),
                "off_track": r.count("off_track"),
                "no_data": r.count("no_data"),
                "reason_de": r.reason_de,
                "reason_en": r.reason_en,
            }
        )
    return pd.DataFrame(rows)
