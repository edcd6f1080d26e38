"""Weighting steps, errors, diagnostics and the synthetic worked example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.survey import estimation as est
from sozialmonitor.survey.design import survey_design
from sozialmonitor.survey.diagnostics import compare_shares, weight_summary
from sozialmonitor.survey.indicators import COLUMNS, IndicatorSpec, area_indicators
from sozialmonitor.survey.replicate import as_replicate_design
from sozialmonitor.survey.synthetic import synthetic_survey
from sozialmonitor.survey.weighting import (
    adjust_nonresponse,
    calibrate,
    design_weights,
    poststratify,
    rake,
    trim_weights,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "survey"
POP = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}}


@pytest.fixture(scope="module")
def srs() -> pd.DataFrame:
    return pd.read_csv(DATA / "apisrs.csv")


@pytest.fixture(scope="module")
def synth():  # type: ignore[no-untyped-def]
    return synthetic_survey(n_population=100_000, n_sample=10_000, seed=2024)


def test_rake_hits_margins_and_reports(srs: pd.DataFrame) -> None:
    r = rake(survey_design(srs, weights="pw"), POP)
    assert r.converged and r.iterations >= 2
    w = pd.Series(r.design.weights)
    for var, pop in POP.items():
        got = w.groupby(srs[var].to_numpy()).sum()
        for k, v in pop.items():
            assert got[k] == pytest.approx(v, rel=1e-8)
    assert "konvergiert" in r.report()


def test_empty_margin_cell_is_an_error(srs: pd.DataFrame) -> None:
    d = survey_design(srs, weights="pw")
    bad = {"stype": {"E": 4000, "H": 700, "M": 1000, "X": 494}}
    with pytest.raises(SozialmonitorError, match="ohne Befragte"):
        rake(d, bad)
    with pytest.raises(SozialmonitorError, match="no respondents"):
        calibrate(d, bad)
    with pytest.raises(SozialmonitorError, match="not in the population"):
        poststratify(d, "stype", {"E": 4421, "H": 755})


def test_calibration_failure_is_an_error(srs: pd.DataFrame) -> None:
    d = survey_design(srs, weights="pw", fpc="fpc")
    with pytest.raises(SozialmonitorError, match="nicht konvergiert"):
        calibrate(d, POP, calfun="logit", bounds=(0.95, 1.04))
    with pytest.raises(SozialmonitorError, match="did not converge"):
        rake(d, POP, max_iter=1)


def test_logit_bounds_respected(srs: pd.DataFrame) -> None:
    d = survey_design(srs, weights="pw", fpc="fpc")
    r = calibrate(d, POP, calfun="logit", bounds=(0.935, 1.05))
    g = r.design.weights / d.weights
    assert g.min() >= 0.935 and g.max() <= 1.05
    assert r.design.weights.sum() == pytest.approx(6194, rel=1e-6)


def test_numeric_calibration_total(srs: pd.DataFrame) -> None:
    d = survey_design(srs, weights="pw", fpc="fpc")
    r = calibrate(d, {"stype": POP["stype"]}, totals={"api99": 3914069})
    assert est.total(r.design, "api99").estimate[0] == pytest.approx(3914069)
    assert est.total(r.design, "api99").se[0] == pytest.approx(0, abs=1e-3)


def test_trim_weights_keeps_sum() -> None:
    strat = pd.read_csv(DATA / "apistrat.csv")
    d = survey_design(strat, strata="stype", weights="pw", fpc="fpc")
    t = trim_weights(d, upper=40)
    assert t.weights.max() < d.weights.max()  # R spreads the trimmed amount equally over the other units
    assert t.weights.sum() == pytest.approx(d.weights.sum())
    assert trim_weights(d, upper=100) is d


def test_design_and_nonresponse_weights() -> None:
    sample = pd.DataFrame({"cls": ["a"] * 4 + ["b"] * 2, "resp": [1, 1, 0, 0, 1, 0]})
    sample["w"] = design_weights(sample, "cls", {"a": 40, "b": 10})
    assert list(sample["w"]) == [10, 10, 10, 10, 5, 5]
    adj = adjust_nonresponse(sample, "w", "resp", "cls")
    assert list(adj) == [20, 20, 0, 0, 10, 0]
    with pytest.raises(SozialmonitorError, match="ohne Antworten"):
        adjust_nonresponse(sample.assign(resp=[1, 1, 1, 1, 0, 0]), "w", "resp", "cls")


def test_lonely_psu_fails() -> None:
    df = pd.DataFrame({"s": ["a", "a", "b"], "y": [1.0, 2.0, 3.0], "w": [1.0, 1.0, 1.0]})
    d = survey_design(df, strata="s", weights="w")
    with pytest.raises(SozialmonitorError, match="PSU"):
        est.mean(d, "y")


def test_weight_summary_and_shares(srs: pd.DataFrame) -> None:
    d = survey_design(srs, weights="pw")
    s = weight_summary(np.array([1.0, 1.0, 2.0, 4.0]))
    assert s.kish_neff == pytest.approx(64 / 22) and s.kish_deff == pytest.approx(4 * 22 / 64)
    r = rake(d, POP)
    shares = compare_shares(srs, d.weights, r.design.weights, POP)
    assert np.allclose(shares["deviation_after"], 0, atol=1e-8)
    assert set(shares.columns) >= {"population_share", "sample_share", "before_share", "after_share"}


def test_small_domains_flagged(srs: pd.DataFrame) -> None:
    d = survey_design(srs, weights="pw", fpc="fpc")
    res = est.by_domain(d, "stype", est.mean, "api00")
    assert {k: bool(v.publishable()[0]) for k, v in res.items()} == {"E": True, "H": False, "M": True}


def test_synthetic_is_deterministic(synth) -> None:  # type: ignore[no-untyped-def]
    again = synthetic_survey(n_population=100_000, n_sample=10_000, seed=2024)
    pd.testing.assert_frame_equal(synth.respondents, again.respondents)
    assert len(synth.sample) == 10_000
    assert 0.22 < len(synth.respondents) / len(synth.sample) < 0.30
    assert synth.population["planning_area"].nunique() == 10


def test_worked_example_raking_corrects_bias(synth) -> None:  # type: ignore[no-untyped-def]
    """Older people answer more often and worry less: the unweighted share is biased; raking to the
    register margins (age group, sex, planning area) moves the estimate to the true value."""
    resp = synth.respondents
    design = survey_design(resp, strata="planning_area", weights="design_weight")
    raked = rake(design, synth.margins).design
    for var in ("financial_worries", "life_satisfaction"):
        truth = synth.truth[var]
        unweighted = est.mean(survey_design(resp), var).estimate[0]
        weighted = est.mean(raked, var)
        assert abs(weighted.estimate[0] - truth) < abs(unweighted - truth)
        assert abs(weighted.estimate[0] - truth) < 2 * weighted.se[0]
    worries_bias = (
        est.mean(survey_design(resp), "financial_worries").estimate[0] - synth.truth["financial_worries"]
    )
    assert worries_bias < -0.02


def test_area_indicators(synth) -> None:  # type: ignore[no-untyped-def]
    design = rake(
        survey_design(synth.respondents, strata="planning_area", weights="design_weight"), synth.margins
    ).design
    out = area_indicators(
        design,
        "planning_area",
        {
            "life_satisfaction": IndicatorSpec("life_satisfaction"),
            "financial_worries": IndicatorSpec("financial_worries", "proportion", 1),
        },
        include_total="Jena",
    )
    assert list(out.columns) == COLUMNS
    assert len(out) == 22
    assert (out["ci_low"] < out["estimate"]).all() and (out["estimate"] < out["ci_high"]).all()
    assert out["publishable"].dtype == bool
    share = out[(out.indicator == "financial_worries")]
    assert ((share.ci_low > 0) & (share.ci_high < 1)).all()


def test_replicate_design_needs_right_type() -> None:
    strat = pd.read_csv(DATA / "apistrat.csv")
    with pytest.raises(SozialmonitorError, match="JK1"):
        as_replicate_design(survey_design(strat, strata="stype", weights="pw"), "JK1")


def test_missing_values_are_left_out() -> None:
    df = pd.DataFrame({"y": [1.0, np.nan, 3.0, 5.0], "w": [1.0, 1.0, 1.0, 1.0]})
    e = est.mean(survey_design(df, weights="w"), "y")
    assert e.estimate[0] == pytest.approx(3.0) and e.n[0] == 3
