"""The Jena example strategy evaluated on the real district statistics 2007–2017 (demo database)."""

from __future__ import annotations

from typing import Any

import pytest

from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.strategy.service import evaluate_strategy, results_frame
from sozialmonitor.strategy.store import history_frame, read_strategy

CATALOGUE_FIELDS = ["steuerung", "oekonomie_arbeit", "wohnen", "bildung", "kinder_jugend", "aeltere",
                    "migration", "gesundheit"]  # fmt: skip


def test_demo_build_loads_the_strategy_with_jenas_eight_fields_and_a_history(jena_db: str) -> None:
    engine = make_engine(jena_db)
    with session_scope(engine) as s:
        spec = read_strategy(s)
        hist = history_frame(s)
    engine.dispose()
    assert [f.key for f in spec.fields] == CATALOGUE_FIELDS
    assert {g.handlungsfeld for g in spec.goals} == set(CATALOGUE_FIELDS)
    assert set(hist["changed_by"]) == {"demo"} and set(hist["comment"]) == {"strategie.yaml"}


def test_jena_goals_evaluated_on_2007_to_2017(jena_db: str) -> None:
    engine = make_engine(jena_db)
    with session_scope(engine) as s:
        ev = evaluate_strategy(s)
    engine.dispose()
    rows: dict[tuple[str, str], dict[Any, Any]] = {
        (str(r["goal"]), str(r["target"])): r for r in results_frame(ev).to_dict("records")
    }
    status = {k: r["status"] for k, r in rows.items()}
    assert status[("oek-2", "unemployment_share_sgb2")] == "achieved"  # 4.43 % (2007) → 3.02 % (2017) ≤ 3.5 %
    city = rows[("oek-2", "unemployment_share_sgb2")]
    assert (city["baseline"], city["latest_year"]) == (4.43, 2017)
    assert city["latest"] == pytest.approx(3.02, abs=0.01)
    assert status[("kj-1", "share_children_single_parents")] == "off_track"
    kj = rows[("kj-1", "share_children_single_parents")]
    assert kj["projection"] == pytest.approx(21.52, abs=0.01)  # OLS 2012–2017 misses 21 % in 2020
    assert status[("wo-1", "share_small_dwellings")] == "on_track"
    assert status[("mig-1", "unemployment_foreigners")] == "off_track"
    assert status[("bi-1", "childcare_rate_under3")] == "no_data"
    assert status[("ge-1", "health_poor")] == "no_data"
    # districts above the city value 2012 (3.36 %): how many lowered their share by one point?
    districts = rows[("oek-1", "unemployment_share_sgb2")]
    assert districts["units"] == 8 and districts["achieved"] == 1 and districts["status"] == "off_track"
    sel = next(r for r in ev.results if r.goal == "oek-1")
    assert all(a.baseline is not None and a.baseline > 3.36 for a in sel.units.values())
    assert ev.goal_status("st-1") is None  # a goal without target indicators


def test_evaluation_year_limits_the_data(jena_db: str) -> None:
    engine = make_engine(jena_db)
    with session_scope(engine) as s:
        df = results_frame(evaluate_strategy(s, eval_year=2011))
    engine.dispose()
    status = dict(zip(df["goal"] + "/" + df["target"], df["status"], strict=True))
    row = df[df["goal"] == "oek-2"].iloc[0]
    assert row["latest_year"] == 2011
    assert row["status"] == "on_track"  # 2007–2011 falling steadily towards 3.5 % by 2017
    assert status["kj-1/share_children_single_parents"] == "no_data"  # baseline 2012 lies ahead
