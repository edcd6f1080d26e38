"""The strategy in the store (SQLite and PostgreSQL): lossless storage and a history of every edit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from sozialmonitor.db.engine import session_scope
from sozialmonitor.demo import JENA
from sozialmonitor.errors import ConfigError
from sozialmonitor.strategy.store import history_frame, read_strategy, save_strategy, set_measure, set_target
from sozialmonitor.strategy.yaml_io import load_strategy


def test_strategy_is_stored_losslessly_and_every_edit_is_in_the_history(engine: Engine) -> None:
    spec = load_strategy(JENA / "strategie.yaml")
    t0 = dt.datetime(2024, 1, 1, 9, 0)
    with session_scope(engine) as s:
        created = save_strategy(s, spec, by="Planerin A", comment="Ratsbeschluss", now=t0)
    with session_scope(engine) as s:
        assert read_strategy(s) == spec
        assert save_strategy(s, spec, by="Planerin A") == []  # nothing changed, nothing recorded
        hist = history_frame(s)
    assert len(hist) == len(created) > 50
    assert set(hist["changed_by"]) == {"Planerin A"}
    assert hist["old_value"].isna().all()  # everything was created

    with session_scope(engine) as s:
        changes = set_target(s, "kj-1", "share_children_single_parents", by="Planer B", target_value=21.5)
        set_measure(s, "wo-1-m1", by="Amt C", status="running", note="Erste Wohnungen gebunden.")
    assert [(c.entity, c.key, c.field, c.old, c.new) for c in changes] == [
        ("target", "kj-1/share_children_single_parents", "target_value", "21", "21.5")
    ]
    with session_scope(engine) as s:
        stored = read_strategy(s)
        goal = stored.goal("kj-1")
        assert goal is not None and goal.targets[0].target_value == 21.5
        hist = history_frame(s)
        one = history_frame(s, "kj-1/share_children_single_parents")
    latest = hist.iloc[:3]
    assert set(latest["changed_by"]) == {"Planer B", "Amt C"}
    assert set(latest["field"]) == {"target_value", "status", "text"}
    row = latest[latest["field"] == "status"].iloc[0]
    assert (row["entity_key"], row["old_value"], row["new_value"]) == ("wo-1-m1", "planned", "running")
    assert isinstance(row["changed_at"], dt.datetime) and row["changed_at"] > t0
    assert list(one["field"][:1]) == ["target_value"] and len(one) > 1

    # a measure removed and a goal re-worded: deletions keep their old values
    spec2 = read_strategy_after_edit(engine)
    with session_scope(engine) as s:
        changes = save_strategy(s, spec2, by="Planerin A")
    deleted = [c for c in changes if c.entity == "measure" and c.new is None]
    assert deleted and all(c.key == "aelt-1-m1" for c in deleted)
    assert any(c.field == "title" and c.old and c.old.startswith("Perspektive 55plus") for c in deleted)
    assert any(c.entity == "goal" and c.field == "text" and c.new == "Neu." for c in changes)


def read_strategy_after_edit(engine: Engine):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        spec = read_strategy(s)
    goal = spec.goal("aelt-1")
    assert goal is not None
    goal.measures = []
    goal.text = "Neu."
    return spec


def test_edits_are_validated_and_need_a_name(engine: Engine) -> None:
    with session_scope(engine) as s:
        save_strategy(s, load_strategy(JENA / "strategie.yaml"), by="x")
    with session_scope(engine) as s, pytest.raises(ConfigError, match="nicht gefunden"):
        set_target(s, "kj-1", "nope", by="x", target_value=1.0)
    with session_scope(engine) as s, pytest.raises(ConfigError, match="direction"):
        set_target(s, "kj-1", "share_children_single_parents", by="x", direction="sideways")
    with session_scope(engine) as s, pytest.raises(ConfigError, match="--by"):
        set_target(s, "kj-1", "share_children_single_parents", by=" ", target_value=1.0)
    with session_scope(engine) as s:
        assert len(history_frame(s)) == len(history_frame(s).drop_duplicates())
        goal = read_strategy(s).goal("kj-1")
        assert goal is not None and goal.targets[0].target_value == 21.0
