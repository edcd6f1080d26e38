"""Derived variables as formulas: parsing, what disclosure control allows, and the computed values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sozialmonitor.errors import ConfigError
from sozialmonitor.indicators.expression import (
    derive_frame,
    derived_expression,
    parse_expression,
    plan_derived,
)

KINDS = {"total": "count", "young": "count", "old": "count", "area": "amount", "euros": "amount", "r": "rate"}


def test_linear_coefficients() -> None:
    assert parse_expression("total - young - old", "x").linear() == {"total": 1, "young": -1, "old": -1}
    assert parse_expression("(a + b) * 2 - c / 4", "x").linear() == {"a": 2, "b": 2, "c": -0.25}
    assert parse_expression("a * b", "x").linear() is None
    assert parse_expression("a / b", "x").linear() is None
    assert parse_expression("a + 1", "x").linear() is None  # a constant term is not a linear combination


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a ** 2", "'**'"),
        ("__import__('os')", "__import__"),
        ("a.b", "a.b"),
        ("a +", "nicht lesbar"),
        ("'x' + a", "'x'"),
        ("3 + 4", "keine Variable"),
        ("", "Formel als Text"),
    ],
)
def test_formulas_outside_arithmetic_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_expression(text, "city.yaml: derived[1]")
    assert fragment in exc.value.de
    assert "city.yaml: derived[1]" in exc.value.en


def test_sum_and_expression_are_exclusive() -> None:
    with pytest.raises(ConfigError, match="genau eines"):
        derived_expression({"key": "d", "sum": ["a"], "expression": "a"}, "w")
    with pytest.raises(ConfigError, match="genau eines"):
        derived_expression({"key": "d"}, "w")
    with pytest.raises(ConfigError, match="kein Variablenschlüssel"):
        derived_expression({"key": "d", "sum": ["a-b"]}, "w")
    assert derived_expression({"key": "d", "sum": ["a", "b"]}, "w").linear() == {"a": 1, "b": 1}


def test_difference_of_counts_is_a_count_with_its_sum_relation() -> None:
    plan = plan_derived("working", parse_expression("total - young - old", "w"), KINDS, None, "w")
    assert plan.kind == "count"
    assert plan.relation == ("total", ("working", "young", "old"))  # total = working + young + old
    plan = plan_derived("both", parse_expression("young + old", "w"), KINDS, None, "w")
    assert plan.relation == ("both", ("young", "old"))


@pytest.mark.parametrize(
    ("text", "declared", "fragment"),
    [
        ("young / total", None, "Anteile und Dichten sind Indikatoren"),
        ("total / area", None, "mischt Fallzahlen"),
        ("young * 2", None, "nur Summen und Differenzen"),
        ("young + old", "rate", "nicht kind: rate"),
        ("total + young - old", None, "zwei Schritten"),
        ("total - nobody", None, "unbekannte Variablen nobody"),
    ],
)
def test_what_could_reveal_a_withheld_count_is_refused(
    text: str, declared: str | None, fragment: str
) -> None:
    with pytest.raises(ConfigError) as exc:
        plan_derived("d", parse_expression(text, "w"), KINDS, declared, "city.yaml: derived[2] (d)")
    assert fragment in exc.value.de
    assert "city.yaml: derived[2] (d)" in exc.value.de


def test_kinds_of_expressions_over_unprotected_variables() -> None:
    assert plan_derived("d", parse_expression("euros / area", "w"), KINDS, None, "w").kind == "index"
    assert plan_derived("d", parse_expression("euros / area", "w"), KINDS, "amount", "w").kind == "amount"
    assert plan_derived("d", parse_expression("area - euros", "w"), KINDS, None, "w").kind == "amount"
    assert plan_derived("d", parse_expression("r * 2", "w"), KINDS, None, "w").kind == "index"
    assert plan_derived("d", parse_expression("area + euros", "w"), KINDS, None, "w").relation is None


def _obs(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    date = dt.date(2024, 12, 31)
    return pd.DataFrame(
        [
            {"level": "pr", "unit_key": u, "ref_date": date, "variable": v, "value": x, "status": st}
            for u, v, x, st in rows
        ]
    )


def test_values_and_status_propagate() -> None:
    obs = _obs(
        [
            ("1", "total", 100, "ok"),
            ("1", "young", 20, "ok"),
            ("1", "old", 30, "estimated"),
            ("2", "total", 50, "ok"),
            ("2", "young", np.nan, "suppressed"),
            ("2", "old", 10, "ok"),
            ("3", "total", 40, "ok"),
            ("3", "young", 5, "ok"),  # "old" not delivered for unit 3
            ("4", "total", 0, "ok"),
            ("4", "young", 0, "ok"),
            ("4", "old", 0, "ok"),
            ("4", "other", 7, "ok"),
        ]
    )
    out = derive_frame(obs, parse_expression("total - young - old", "w")).set_index("unit_key")
    assert out.loc["1", "value"] == 50 and out.loc["1", "status"] == "estimated"
    assert np.isnan(out.loc["2", "value"]) and out.loc["2", "status"] == "suppressed"
    assert np.isnan(out.loc["3", "value"]) and out.loc["3", "status"] == "missing"
    assert out.loc["4", "value"] == 0 and out.loc["4", "status"] == "ok"
    ratio = derive_frame(obs, parse_expression("young / total", "w")).set_index("unit_key")
    assert ratio.loc["1", "value"] == pytest.approx(0.2)
    assert ratio.loc["4", "status"] == "missing"  # 0 / 0: no value, not a crash
    assert list(ratio.columns) == ["level", "ref_date", "status", "value"]
