"""Writing observations: validation before any write, one transaction, idempotent re-import, undo."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from sozialmonitor.db.engine import session_scope
from sozialmonitor.db.models import ImportRun, Observation, ObservationChange
from sozialmonitor.errors import ImportValidationError, SozialmonitorError
from sozialmonitor.geo.units import add_unit, ensure_level
from sozialmonitor.indicators.store import import_observations, observations_frame, undo_import
from sozialmonitor.indicators.variables import upsert_variables

D17 = dt.date(2017, 12, 31)
D16 = dt.date(2016, 12, 31)


@pytest.fixture
def city(engine: Engine) -> Engine:
    with session_scope(engine) as s:
        ensure_level(s, "stadt", "Stadt", "City", 1)
        ensure_level(s, "bezirk", "Bezirk", "District", 2)
        c = add_unit(s, "stadt", "1", "Musterstadt")
        for k in ("11", "12", "13"):
            add_unit(s, "bezirk", k, f"Bezirk {k}", c)
        upsert_variables(
            s, [{"key": "residents", "name_de": "Einwohner"}, {"key": "unemployed", "name_de": "AL"}]
        )
    return engine


def frame(rows: list[tuple[str, dt.date, str, float, str]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["unit_key", "ref_date", "variable", "value", "status"])
    df["source_row"] = range(2, len(df) + 2)
    df["source_column"] = df["variable"]
    return df


GOOD = [
    ("11", D17, "residents", 1000.0, "ok"),
    ("12", D17, "residents", 2000.0, "ok"),
    ("13", D17, "residents", np.nan, "suppressed"),
    ("11", D17, "unemployed", 50.0, "ok"),
]


def count(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Observation)) or 0,
            s.scalar(select(func.count()).select_from(ImportRun)) or 0,
        )


def run(engine: Engine, df: pd.DataFrame, dry_run: bool = False):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return import_observations(
            s, df, level_key="bezirk", file_name="daten.csv", file_hash="h", dry_run=dry_run
        )


def test_import_writes_values_with_status_and_records_the_import(city: Engine) -> None:
    res = run(city, frame(GOOD))
    assert (res.inserted, res.updated, res.unchanged) == (4, 0, 0)
    with session_scope(city) as s:
        obs = observations_frame(s, level_key="bezirk")
    got = {(r.unit_key, r.variable): (r.value, r.status) for r in obs.itertuples()}
    assert got[("11", "residents")] == (1000.0, "ok")
    assert got[("13", "residents")][1] == "suppressed" and np.isnan(got[("13", "residents")][0])
    assert count(city) == (4, 1)


def test_reimporting_the_same_file_changes_nothing(city: Engine) -> None:
    run(city, frame(GOOD))
    res = run(city, frame(GOOD))
    assert (res.inserted, res.updated, res.unchanged) == (0, 0, 4)
    with session_scope(city) as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(ObservationChange)
                .where(ObservationChange.import_id == res.import_id, ObservationChange.action != "confirm")
            )
            == 0
        )


def test_undoing_an_import_keeps_what_a_later_identical_import_delivered(city: Engine) -> None:
    """The reviewers' case: undoing the first of two identical imports removed the data while the second
    one stayed "aktiv". The second import delivered the same values: they stay, and now belong to it."""
    first = run(city, frame(GOOD))
    second = run(city, frame(GOOD[:2]))  # the same two values again, unchanged
    with session_scope(city) as s:
        deleted, _ = undo_import(s, first.import_id)
    assert deleted == 2  # the two cells only the first import delivered
    with session_scope(city) as s:
        obs = observations_frame(s, level_key="bezirk").set_index(["unit_key", "variable"])
    assert sorted(obs.index) == [("11", "residents"), ("12", "residents")]
    assert set(obs["import_id"]) == {second.import_id}
    assert obs.loc[("11", "residents"), "value"] == 1000.0
    # undoing the second import now removes what it stands for
    with session_scope(city) as s:
        deleted, _ = undo_import(s, second.import_id)
    assert deleted == 2 and count(city)[0] == 0


def test_dry_run_reports_changes_and_writes_nothing(city: Engine) -> None:
    run(city, frame(GOOD))
    changed = frame([("11", D17, "residents", 1001.0, "ok"), ("11", D16, "residents", 990.0, "ok")])
    res = run(city, changed, dry_run=True)
    assert (res.inserted, res.updated) == (1, 1)
    assert res.by_variable["residents"] == {"inserted": 1, "updated": 1, "unchanged": 0}
    assert count(city) == (4, 1)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("99", D17, "residents", 5.0, "ok")], "Schlüssel einer Einheit der Ebene 'bezirk'"),
        ([("11", D17, "no_such_variable", 5.0, "ok")], "eine Variable der Variablendatei"),
        ([("11", D17, "residents", 5.0, "ok"), ("11", D17, "residents", 6.0, "ok")], "nur einmal"),
        ([("11", D17, "residents", 5.0, "weird")], "Status aus"),
        ([], "mindestens einen Wert"),
    ],
    ids=["unknown-unit", "unknown-variable", "duplicate", "bad-status", "empty"],
)
def test_bad_input_is_rejected_and_nothing_is_written(city: Engine, rows: list, expected: str) -> None:
    run(city, frame(GOOD))
    before = count(city)
    bad = frame(GOOD[:1] + rows) if rows else frame([])
    with pytest.raises(ImportValidationError) as info:
        run(city, bad)
    assert expected in info.value.de
    assert "daten.csv" in info.value.de and "daten.csv" in info.value.en
    assert count(city) == before


def test_unknown_unit_error_names_row_and_column(city: Engine) -> None:
    with pytest.raises(ImportValidationError) as info:
        run(city, frame([("11", D17, "residents", 5.0, "ok"), ("77", D17, "residents", 5.0, "ok")]))
    p = info.value.problems[0]
    assert (p.file, p.row, p.column, p.value) == ("daten.csv", 3, "residents", "77")
    assert "row 3" in info.value.en


def test_undo_restores_previous_values_and_removes_new_ones(city: Engine) -> None:
    first = run(city, frame(GOOD))
    second = run(
        city, frame([("11", D17, "residents", 1111.0, "ok"), ("12", D16, "residents", 1900.0, "ok")])
    )
    with session_scope(city) as s:
        deleted, restored = undo_import(s, second.import_id)
    assert (deleted, restored) == (1, 1)
    with session_scope(city) as s:
        obs = observations_frame(s, level_key="bezirk")
        run_row = s.get(ImportRun, second.import_id)
        assert run_row is not None and run_row.status == "undone"
    assert len(obs) == 4
    assert obs.set_index(["unit_key", "variable"]).loc[("11", "residents"), "value"] == 1000.0
    assert obs.set_index(["unit_key", "variable"]).loc[("11", "residents"), "import_id"] == first.import_id


def test_undo_is_refused_when_a_later_import_changed_the_same_values(city: Engine) -> None:
    first = run(city, frame(GOOD))
    run(city, frame([("11", D17, "residents", 1111.0, "ok")]))
    with pytest.raises(SozialmonitorError, match=r"Import Nr\. 2"), session_scope(city) as s:
        undo_import(s, first.import_id)
    with session_scope(city) as s:
        assert (
            observations_frame(s, level_key="bezirk")
            .set_index(["unit_key", "variable"])
            .loc[("11", "residents"), "value"]
            == 1111.0
        )


def test_undo_twice_is_refused(city: Engine) -> None:
    res = run(city, frame(GOOD))
    with session_scope(city) as s:
        undo_import(s, res.import_id)
    with pytest.raises(SozialmonitorError, match="bereits"), session_scope(city) as s:
        undo_import(s, res.import_id)
    assert count(city)[0] == 0


def test_failure_during_write_rolls_back_everything(city: Engine) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), session_scope(city) as s:
        import_observations(s, frame(GOOD), level_key="bezirk", file_name="x.csv", file_hash="h")
        raise Boom
    assert count(city) == (0, 0)
