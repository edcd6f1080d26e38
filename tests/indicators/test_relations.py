"""Additive relations between variables reach disclosure control: no suppressed cell can be recomputed as
total minus the other parts, on the real Jena demo data."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.indicators.catalogue import load_catalogue
from sozialmonitor.indicators.store import observations_frame
from sozialmonitor.indicators.variables import relations
from sozialmonitor.stats.disclosure import protect


def test_city_build_stores_the_additive_relations(jena_db: str) -> None:
    with session_scope(make_engine(jena_db)) as s:
        rel = relations(s)
    assert ("residents_main", ["residents_male", "residents_female"]) in rel
    assert any(t == "residents_working_age" and "residents_age_16_18" in p for t, p in rel)


def test_no_relation_is_left_with_exactly_one_hidden_cell_after_protection(jena_db: str) -> None:
    # the counts the public portal protects: every variable of a catalogue indicator
    variables = sorted({v for d in load_catalogue(extra_dirs=[]) for v in d.variables})
    with session_scope(make_engine(jena_db)) as s:
        rel = relations(s)
        obs = observations_frame(s, variables=variables, level_key="statbez", years=[2017])
    table = obs[obs["unit_key"] != "999"][["unit_key", "ref_date", "variable", "value", "status"]]
    out = protect(table, variable_groups=rel)
    hidden = {
        (u, v)
        for u, v, h in zip(out["unit_key"], out["variable"], out["status"], strict=True)
        if h == "suppressed"
    }
    assert hidden, "the demo data have suppressed small counts"
    present = set(table["variable"])
    checked = 0
    for unit in table["unit_key"].unique():
        for total, parts in rel:
            members = [total, *parts]
            if not set(members) <= present:
                continue
            n_hidden = sum((unit, v) in hidden for v in members)
            assert n_hidden != 1, f"{unit}: {total} = {' + '.join(parts)} has exactly one hidden cell"
            checked += 1
    assert checked >= 41  # unemployed = SGB II + SGB III in every district
    assert set(out["ref_date"]) == {dt.date(2017, 12, 31)}
    assert isinstance(out, pd.DataFrame)


def test_every_relation_of_the_city_configuration_can_be_protected_together(jena_db: str) -> None:
    # all variables of all relations (sex, nationality, marital status, age, households …): the richest
    # additive structure of the demo, with nested breakdowns
    with session_scope(make_engine(jena_db)) as s:
        rel = relations(s)
        variables = sorted({v for t, parts in rel for v in (t, *parts)})
        obs = observations_frame(s, variables=variables, level_key="statbez", years=[2017])
    table = obs[obs["unit_key"] != "999"][["unit_key", "ref_date", "variable", "value", "status"]]
    out = protect(table, variable_groups=rel)
    hidden = set(
        zip(
            out["unit_key"][out["status"] == "suppressed"],
            out["variable"][out["status"] == "suppressed"],
            strict=True,
        )
    )
    present = set(table["variable"])
    singles = [
        (u, t)
        for u in table["unit_key"].unique()
        for t, parts in rel
        if {t, *parts} <= present and sum((u, v) in hidden for v in (t, *parts)) == 1
    ]
    assert singles == []
