"""Survey-based targets read the stored estimates with their confidence intervals (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from sozialmonitor.db.engine import session_scope
from sozialmonitor.geo.units import add_unit, ensure_level
from sozialmonitor.indicators.survey_store import publish_estimates
from sozialmonitor.strategy.service import evaluate_strategy, results_frame
from sozialmonitor.strategy.spec import GoalSpec, StrategySpec, TargetSpec
from sozialmonitor.strategy.store import save_strategy
from sozialmonitor.strategy.yaml_io import default_fields

INDICATOR = [{"key": "health_poor", "name_de": "Gesundheit schlecht", "name_en": "Poor health", "unit": "%"}]


def publish(engine: Engine, year: int, estimate: float, low: float, high: float) -> None:
    row = {"unit_key": "1", "indicator": "health_poor", "estimate": estimate, "se": 1.0, "ci_low": low,
           "ci_high": high, "n": 900, "n_eff": 700.0, "cv": 0.05, "publishable": True}  # fmt: skip
    with session_scope(engine) as s:
        publish_estimates(
            s,
            pd.DataFrame([row]),
            survey=f"Befragung {year}",
            level_key="stadt",
            ref_date=dt.date(year, 12, 31),
            indicators=INDICATOR,
            file_name=f"b{year}.csv",
            file_hash=str(year),
        )


def test_survey_target_is_achieved_only_when_the_ci_excludes_the_baseline(engine: Engine) -> None:
    with session_scope(engine) as s:
        ensure_level(s, "stadt", "Stadt", "City", 0)
        add_unit(s, "stadt", "1", "Musterstadt")
        target = TargetSpec("health_poor", 2017, 2021, source="survey", target_value=20.0)
        goal = GoalSpec("ge-1", "gesundheit", "Weniger Menschen mit schlechter Gesundheit.", targets=[target])
        save_strategy(s, StrategySpec("Test", default_fields(), [goal]), by="t")
    publish(engine, 2017, 24.0, 22.5, 25.5)
    publish(engine, 2019, 19.5, 16.0, 23.0)  # meets the target, CI below the baseline
    with session_scope(engine) as s:
        row = results_frame(evaluate_strategy(s)).iloc[0]
    assert (row["status"], row["baseline"], row["latest"]) == ("achieved", 24.0, 19.5)

    publish(engine, 2019, 19.5, 14.0, 25.0)  # re-published with a wider CI that contains the baseline
    with session_scope(engine) as s:
        ev = evaluate_strategy(s)
    one = ev.results[0].single
    assert one is not None and one.latest_ci == (14.0, 25.0)
    assert ev.results[0].status == "no_data"  # not achieved; two waves are no trend yet
    with session_scope(engine) as s:
        assert results_frame(evaluate_strategy(s, eval_year=2018)).iloc[0]["status"] == "no_data"
