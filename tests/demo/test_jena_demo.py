"""The Jena demo built from the bundled real data: totals, hierarchy, suppressed zeros, derived values."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.geo.units import units_frame
from sozialmonitor.indicators.service import indicator_table
from sozialmonitor.indicators.store import observations_frame

D17 = dt.date(2017, 12, 31)
JENA = "16053000"


@pytest.fixture(scope="module")
def obs(jena_db: str) -> pd.DataFrame:
    with session_scope(make_engine(jena_db)) as s:
        return observations_frame(s)


def value(obs: pd.DataFrame, unit: str, variable: str, date: dt.date = D17) -> tuple[float, str]:
    row = obs[(obs.unit_key == unit) & (obs.variable == variable) & (obs.ref_date == date)]
    assert len(row) == 1, (unit, variable, date)
    return float(row["value"].iloc[0]), str(row["status"].iloc[0])


def test_district_sum_of_residents_2017_equals_the_published_jena_total(obs: pd.DataFrame) -> None:
    sel = obs[(obs.level == "statbez") & (obs.variable == "residents_main") & (obs.ref_date == D17)]
    assert len(sel) == 42  # 41 districts + 999 "nicht zugeordnet" (0 residents, printed 0 -> not provable)
    assert sel.loc[sel.unit_key != "999", "status"].eq("ok").all()
    assert sel["value"].sum() == 108_722
    assert value(obs, JENA, "residents_main") == (108_722, "ok")  # published city total, imported as such


def test_all_levels_and_units_are_present_with_ortsteil_parents_from_overlay(jena_db: str) -> None:
    with session_scope(make_engine(jena_db)) as s:
        units = units_frame(s)
    counts = units.groupby("level").size().to_dict()
    assert counts == {"land": 1, "stadt": 1, "ortsteil": 30, "statbez": 42}
    districts = units[(units.level == "statbez") & units.has_geometry]
    assert len(districts) == 41 and districts["parent_level"].eq("ortsteil").all()
    parent = dict(zip(units["name"], units["parent_key"], strict=False))
    names = dict(
        zip(
            units.loc[units.level == "ortsteil", "unit_key"],
            units.loc[units.level == "ortsteil", "name"],
            strict=True,
        )
    )
    assert names[parent["Lobeda-West"]] == "Neulobeda"
    assert names[parent["Winzerla"]] == "Winzerla"
    assert names[parent["Zwätzen"]] == "Zwätzen"
    assert units.loc[units.level == "ortsteil", "parent_key"].eq(JENA).all()


def test_zero_hiding_a_small_count_is_marked_suppressed(obs: pd.DataFrame) -> None:
    # Ammerbach Ort 2007: 467 residents, 465 Germans, foreigners printed as 0 -> really 2, suppressed
    v, status = value(obs, "11", "residents_foreign", dt.date(2007, 12, 31))
    assert status == "suppressed" and v != v
    # Closewitz 2007: 3 unemployed, SGB II and SGB III both printed 0 -> both hide something
    assert value(obs, "183", "unemployed_sgb2", dt.date(2007, 12, 31))[1] == "suppressed"
    assert value(obs, "183", "unemployed", dt.date(2007, 12, 31)) == (3.0, "ok")


def test_zero_proven_by_an_additive_check_stays_a_true_zero(obs: pd.DataFrame) -> None:
    # Ammerbach Ort 2007: men 244 = German men 244, so foreign men are exactly 0
    assert value(obs, "11", "residents_foreign_male", dt.date(2007, 12, 31)) == (0.0, "ok")


def test_area_zeros_are_not_treated_as_suppressed(obs: pd.DataFrame) -> None:
    area = obs[(obs.variable.str.startswith("area_")) & (obs.level == "statbez")]
    assert (area["status"] == "ok").all()
    assert (area["value"] == 0).any()


def test_derived_working_age_is_the_sum_of_its_bands(obs: pd.DataFrame) -> None:
    bands = [
        "residents_age_16_18",
        "residents_age_18_25",
        "residents_age_25_27",
        "residents_age_27_45",
        "residents_age_45_60",
        "residents_age_60_65",
    ]
    total = sum(value(obs, "90", b)[0] for b in bands)
    assert value(obs, "90", "residents_working_age") == (total, "ok")


def test_benefit_recipients_use_their_own_reference_date(obs: pd.DataFrame) -> None:
    dates = set(obs.loc[obs.variable == "benefit_recipients_ba", "ref_date"])
    assert dt.date(2017, 3, 31) in dates and D17 not in dates


def test_city_indicators_come_from_published_totals_and_districts_are_ranked(jena_db: str) -> None:
    with session_scope(make_engine(jena_db)) as s:
        city = indicator_table(s, "stadt", indicators=["share_foreigners"], years=[2017])
        districts = indicator_table(s, "statbez", indicators=["unemployment_share_sgb2"], years=[2017])
        ortsteile = indicator_table(s, "ortsteil", indicators=["share_foreigners"], years=[2017])
    row = city[city.unit_key == JENA].iloc[0]
    assert row["status"] == "ok"
    assert row["value"] == pytest.approx(100 * row["numerator"] / row["denominator"])
    assert row["denominator"] == 108_722
    assert len(districts) == 42
    assert districts.loc[districts.unit_key == "63", "value"].iloc[0] > 5  # Lobeda-Ost
    # Ortsteile are summed from their districts (counts, never averaged rates)
    assert len(ortsteile) == 30
    assert ortsteile["denominator"].sum() == pytest.approx(108_722)


@pytest.mark.postgres
def test_demo_builds_on_postgresql_with_the_same_total(engine_pg_url: str) -> None:
    from sozialmonitor.demo import JENA as JENA_DIR
    from sozialmonitor.demo.build import build_city

    eng = make_engine(engine_pg_url)
    build_city(JENA_DIR, eng)
    with session_scope(eng) as s:
        df = observations_frame(s, variables=["residents_main"], level_key="statbez", years=[2017])
    eng.dispose()
    assert df["value"].sum() == 108_722
