"""The status rule on constructed series (docs/strategy.md)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from sozialmonitor.strategy.evaluation import assess_series, evaluate_target, project, summary_status
from sozialmonitor.strategy.spec import TargetSpec

YEARS = list(range(2012, 2018))


def status(values: list[float | None], **kw: object) -> str:
    args: dict[str, object] = {"baseline_year": 2012, "target_year": 2020, "direction": "decrease"}
    args.update(kw)
    return assess_series(YEARS[: len(values)], values, **args).status  # type: ignore[arg-type]


def test_clear_fall_towards_the_target_is_on_track() -> None:
    a = assess_series(
        YEARS, [10, 9.6, 9.1, 8.8, 8.3, 7.9], baseline_year=2012, target_year=2020, direction="decrease",
        target_value=7.0,
    )  # fmt: skip
    assert a.status == "on_track"
    assert a.projection is not None and a.projection < 7.0
    assert a.pi_high is not None and a.pi_high < 7.9


def test_clear_rise_against_a_decrease_target_is_off_track() -> None:
    assert status([10, 10.4, 10.9, 11.3, 11.8, 12.1], target_value=9.0) == "off_track"


def test_clear_rise_towards_an_increase_target_is_on_track() -> None:
    assert status([50, 51, 52.2, 52.9, 54.1, 55], target_value=58.0, direction="increase") == "on_track"


def test_flat_noisy_series_is_off_track() -> None:
    assert status([10, 10.2, 9.9, 10.1, 9.8, 10.1], target_value=9.0) == "off_track"


def test_slight_fall_drowned_in_noise_is_off_track_although_the_projection_meets_the_target() -> None:
    a = assess_series(
        YEARS, [10, 9.0, 10.2, 8.8, 9.6, 9.5], baseline_year=2012, target_year=2020, direction="decrease",
        target_value=9.2,
    )  # fmt: skip
    assert a.projection is not None and a.projection <= 9.2
    assert a.status == "off_track"
    assert "nicht gesichert" in a.reason_de


def test_missing_years_are_left_out_of_the_trend() -> None:
    full = assess_series(
        YEARS, [10, 9.5, 9.0, 8.5, 8.0, 7.5], baseline_year=2012, target_year=2020, direction="decrease",
        target_value=6.0,
    )  # fmt: skip
    gaps = assess_series(
        YEARS, [10, None, math.nan, 8.5, None, 7.5], baseline_year=2012, target_year=2020,
        direction="decrease", target_value=6.0,
    )  # fmt: skip
    assert full.status == gaps.status == "on_track"
    assert gaps.n_points == 3
    assert gaps.projection == pytest.approx(6.0)


def test_too_few_points_give_no_data_and_no_baseline_gives_no_data() -> None:
    assert status([10, 9], target_value=5.0) == "no_data"
    assert status([None, 9, 8, 7], target_value=5.0) == "no_data"
    assert status([10], target_value=5.0) == "no_data"


def test_adopted_baseline_value_replaces_a_missing_observation() -> None:
    assert status([None, 9.5, 9.0, 8.4, 8.0], target_value=6.0, baseline_value=10.0) == "on_track"


def test_target_already_met_is_achieved() -> None:
    assert status([8, 8.2, 7.9], target_value=9.0) == "achieved"
    assert status([60, 61, 62], target_value=55.0, direction="increase") == "achieved"


def test_target_change_relative_to_the_baseline() -> None:
    assert status([10, 9.5, 8.9], target_change=-1.0) == "achieved"
    assert status([10, 9.8, 9.7], target_change=-1.0, target_year=2014) == "off_track"


def test_target_year_passed_without_reaching_the_target_is_off_track() -> None:
    a = assess_series(
        YEARS, [10, 9.5, 9.0, 8.5, 8.0, 7.5], baseline_year=2012, target_year=2015, direction="decrease",
        target_value=7.0,
    )  # fmt: skip
    assert a.status == "off_track"
    assert "Zieljahr 2015" in a.reason_de


def test_evaluation_year_cuts_the_series() -> None:
    values: list[float | None] = [10, 9.5, 9.0, 8.5, 8.0, 6.5]
    assert status(values, target_value=7.0) == "achieved"
    assert status(values, target_value=7.0, eval_year=2016) == "on_track"


def test_survey_target_is_never_achieved_when_the_ci_contains_the_baseline() -> None:
    kw = {"baseline_year": 2012, "target_year": 2014, "direction": "decrease", "target_value": 20.0}
    wide = assess_series([2012, 2014], [24.0, 19.0], ci=[(21.0, 27.0), (14.0, 25.0)], **kw)  # type: ignore[arg-type]
    narrow = assess_series([2012, 2014], [24.0, 19.0], ci=[(23.0, 25.0), (18.0, 20.0)], **kw)  # type: ignore[arg-type]
    assert wide.status == "off_track"
    assert narrow.status == "achieved"
    before = assess_series(
        [2012, 2014], [24.0, 19.0], ci=[None, (14.0, 25.0)], baseline_year=2012, target_year=2018,
        direction="decrease", target_value=20.0,
    )  # fmt: skip
    assert before.status == "no_data"  # not achieved and no trend from two waves


def test_prediction_interval_matches_the_textbook_formula() -> None:
    xs = [2012.0, 2013.0, 2014.0, 2015.0, 2016.0]
    ys = [5.0, 4.6, 4.5, 4.0, 3.9]
    pred, lo, hi, slope = project(xs, ys, 2020.0)
    fit = stats.linregress(xs, ys)
    assert slope == pytest.approx(fit.slope)
    assert pred == pytest.approx(fit.intercept + fit.slope * 2020)
    resid = [y - fit.intercept - fit.slope * x for x, y in zip(xs, ys, strict=True)]
    s = math.sqrt(sum(r * r for r in resid) / 3)
    half = stats.t.ppf(0.9, 3) * s * math.sqrt(1 + 1 / 5 + (2020 - 2014) ** 2 / 10)
    assert (lo, hi) == pytest.approx((pred - half, pred + half))


def district_frame() -> pd.DataFrame:
    rows = []
    series: dict[str, list[float]] = {
        "a": [10, 9, 8, 7, 6, 5],  # achieved
        "b": [12, 11.6, 11.1, 10.6, 10.2, 9.7],  # on track
        "c": [11, 11.2, 11.5, 11.6, 11.9, 12.2],  # off track
        "d": [2, 2, 2, 2, 2, 2],  # better than the city: not selected
    }
    for unit, values in series.items():
        rows += [{"unit_key": unit, "year": y, "value": v} for y, v in zip(YEARS, values, strict=True)]
    return pd.DataFrame(rows)


def test_district_target_counts_units_and_applies_the_quorum() -> None:
    t = TargetSpec("x", 2012, 2020, target_change=-3.0, level="bezirk", select="worse_than_city", quorum=0.6)
    res = evaluate_target("g", t, district_frame(), city_value=5.0)
    assert sorted(res.units) == ["a", "b", "c"]
    assert (res.count("achieved"), res.count("on_track"), res.count("off_track")) == (1, 1, 1)
    assert res.status == "on_track"  # 2 of 3 ≥ 60 %
    strict = TargetSpec("x", 2012, 2020, target_change=-3.0, level="bezirk", units=["a", "c"], quorum=1.0)
    assert evaluate_target("g", strict, district_frame()).status == "off_track"
    assert evaluate_target("g", strict, district_frame().iloc[0:0]).status == "no_data"


def test_summary_status_is_the_most_worrying() -> None:
    assert summary_status(["achieved", "on_track", "no_data"]) == "no_data"
    assert summary_status(["achieved", "off_track"]) == "off_track"
    assert summary_status([]) is None
