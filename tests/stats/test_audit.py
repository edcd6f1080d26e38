"""Disclosure audit: feasible intervals of hidden cells, checked by hand and against brute-force LPs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.optimize import linprog

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.stats.audit import (
    ProtectionLevel,
    _single_equation_bounds,
    exposed,
    feasible_intervals,
    widen,
)
from sozialmonitor.stats.disclosure import VariableGroups, build_equations, protect

# two units and their total; variables a, b and their total: a 2×2 table with row and column totals
FLAT = pd.DataFrame({"unit_key": ["u1", "u2"], "parent_key": ["T", "T"]})
AB = {"tot": ("a", "b")}
# city → 2 Ortsteile → 5 statistical districts
HIERARCHY = pd.DataFrame(
    {
        "unit_key": ["o1", "o2", "d1", "d2", "d3", "d4", "d5"],
        "parent_key": ["city", "city", "o1", "o1", "o2", "o2", "o2"],
    }
)


def _table(values: Mapping[str, Sequence[float]], hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Leaf values per variable (leaves in ``hierarchy`` order), all totals added up, all published."""
    leaves = [u for u in hierarchy["unit_key"] if u not in set(hierarchy["parent_key"])]
    level = pd.DataFrame(values, index=leaves)
    parent = hierarchy.set_index("unit_key")["parent_key"]
    out = [level]
    while True:
        level = level.groupby(parent.reindex(level.index).to_numpy()).sum()
        if level.empty:
            break
        out.append(level)
    wide = pd.concat(out)
    wide = wide[~wide.index.duplicated(keep="last")]
    long = (
        wide.rename_axis("unit_key").reset_index().melt("unit_key", var_name="variable", value_name="value")
    )
    return long.assign(value=long["value"].astype(float), published=True)


def _hide(table: pd.DataFrame, *cells: tuple[str, str]) -> pd.DataFrame:
    out = table.copy()
    keys = list(zip(out["unit_key"], out["variable"], strict=True))
    out["published"] = [k not in cells for k in keys]
    return out


def _bounds(intervals: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float]]:
    return {
        (u, v): (lo, hi)
        for u, v, lo, hi in intervals[["unit_key", "variable", "lower", "upper"]].itertuples(index=False)
    }


def _two_by_two() -> pd.DataFrame:
    # a: 3, 4 (total 7); b: 5, 6 (total 11); tot: 8, 10 (total 18)
    return _table({"a": [3, 4], "b": [5, 6], "tot": [8, 10]}, FLAT)


def test_one_hidden_inner_cell_is_exact() -> None:
    out = feasible_intervals(_hide(_two_by_two(), ("u1", "a")), FLAT, AB)
    assert _bounds(out) == {("u1", "a"): (3.0, 3.0)}
    assert out["exact"].all()
    assert exposed(out).all()


def test_two_hidden_cells_of_one_row_are_exact_through_the_columns() -> None:
    # in the row u1 they are only known to add up to 8 (each in [0, 8]), but each column has a single
    # hidden cell: a = 7 − 4, b = 11 − 6
    out = feasible_intervals(_hide(_two_by_two(), ("u1", "a"), ("u1", "b")), FLAT, AB)
    assert _bounds(out) == {("u1", "a"): (3.0, 3.0), ("u1", "b"): (5.0, 5.0)}
    assert out["exact"].all()


def test_hidden_rectangle_has_one_degree_of_freedom() -> None:
    # x = u1.a: u1.b = 8 − x, u2.a = 7 − x, u2.b = 3 + x with every cell ≥ 0 → x ∈ [0, 7]
    cells = [("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "b")]
    out = feasible_intervals(_hide(_two_by_two(), *cells), FLAT, AB)
    assert _bounds(out) == {
        ("u1", "a"): (0.0, 7.0),
        ("u1", "b"): (1.0, 8.0),
        ("u2", "a"): (0.0, 7.0),
        ("u2", "b"): (3.0, 10.0),
    }
    assert not out["exact"].any()
    assert not exposed(out).any()


def test_cells_without_a_published_total_are_unbounded() -> None:
    # the total T is absent from the table: u1.a + u2.a = T.a has no published side left
    table = _hide(_two_by_two(), ("u1", "a"), ("u2", "a"))
    table = table[~((table["unit_key"] == "T") & (table["variable"] == "a"))]
    out = feasible_intervals(table, FLAT, AB)
    # the rows still hold: u1.a = 8 − 5, u2.a = 10 − 6
    assert _bounds(out) == {("u1", "a"): (3.0, 3.0), ("u2", "a"): (4.0, 4.0)}
    table = table[table["variable"] != "tot"]  # without the row totals nothing bounds them
    out = feasible_intervals(table, FLAT, AB)
    assert _bounds(out) == {("u1", "a"): (0.0, np.inf), ("u2", "a"): (0.0, np.inf)}
    assert not exposed(out).any()


def test_mixed_signs_leave_the_total_unbounded() -> None:
    # hidden: o1 and d1. city = o1 + o2 bounds o1 (exact: 30 − 20) and hence d1 = o1 − d2
    table = _table({"x": [4, 6, 5, 7, 8]}, HIERARCHY)
    out = feasible_intervals(_hide(table, ("o1", "x"), ("d1", "x")), HIERARCHY)
    assert _bounds(out) == {("o1", "x"): (10.0, 10.0), ("d1", "x"): (4.0, 4.0)}
    # without the city: o1 = d1 + d2 is one equation with mixed signs in the hidden cells
    table = table[table["unit_key"] != "city"]
    out = feasible_intervals(_hide(table, ("o1", "x"), ("d1", "x")), HIERARCHY)
    assert _bounds(out) == {("o1", "x"): (6.0, np.inf), ("d1", "x"): (0.0, np.inf)}


def test_jena_leak_through_a_variable_group_is_found() -> None:
    # the age breakdown was protected along the hierarchy only: working_age hidden in d1 and d2 (so that
    # o1 − d2 does not give d1 away), but residents − a0_16 − a65plus recomputes it in every district
    groups = {"residents": ("a0_16", "working_age", "a65plus")}
    young, work, old = [1, 12, 30, 25, 40], [2, 50, 80, 90, 120], [3, 10, 20, 30, 25]
    resid = [y + w + o for y, w, o in zip(young, work, old, strict=True)]
    table = _table({"a0_16": young, "working_age": work, "a65plus": old, "residents": resid}, HIERARCHY)
    leaky = _hide(table, ("d1", "working_age"), ("d2", "working_age"))
    out = feasible_intervals(leaky, HIERARCHY, groups)
    assert _bounds(out) == {("d1", "working_age"): (2.0, 2.0), ("d2", "working_age"): (50.0, 50.0)}
    assert out["exact"].all() and exposed(out).all()
    # hiding a0_16 too in both districts leaves one degree of freedom t = d1.a0_16 ∈ [0, 3]
    # (d1: a0_16 + working_age = 3, d2: 62, o1: a0_16 13, working_age 52): not exact, but d1.working_age = 2
    # only varies in [0, 3] and needs [0, 4] at p = 2
    wider = _hide(table, ("d1", "working_age"), ("d2", "working_age"), ("d1", "a0_16"), ("d2", "a0_16"))
    out = feasible_intervals(wider, HIERARCHY, groups)
    assert _bounds(out) == {
        ("d1", "a0_16"): (0.0, 3.0),
        ("d2", "a0_16"): (10.0, 13.0),
        ("d1", "working_age"): (0.0, 3.0),
        ("d2", "working_age"): (49.0, 52.0),
    }
    assert not out["exact"].any()
    assert exposed(out).tolist() == [False, True, True, True]  # d1.a0_16 = 1 needs [0, 3]: just enough
    # protect() with the group knows the relation: nothing it hides is recoverable
    protected = protect(table.drop(columns="published"), HIERARCHY, groups)
    audited = feasible_intervals(
        table.assign(published=protected["suppression"].eq("").to_numpy()), HIERARCHY, groups
    )
    assert len(audited) >= 2
    assert not audited["exact"].any()


def test_protection_level_and_exposure_boundaries() -> None:
    level = ProtectionLevel()
    assert level.required(1) == 2.0
    assert level.required(100) == 25.0
    rows = pd.DataFrame(
        [
            (1.0, 0.0, 3.0, False),  # exactly the protection: lower 1 − min(1, 2) = 0, upper 1 + 2
            (1.0, 0.0, 2.999, True),
            (1.0, 0.001, 5.0, True),
            (100.0, 75.0, 125.0, False),
            (100.0, 75.1, 125.0, True),
            (100.0, 75.0, 124.9, True),
            (100.0, 0.0, np.inf, False),
        ],
        columns=["value", "lower", "upper", "expected"],
    )
    assert exposed(rows).tolist() == rows["expected"].tolist()
    assert not exposed(rows.assign(upper=np.inf, lower=0.0), ProtectionLevel(10, 0.5)).any()
    assert exposed(rows.iloc[:1].assign(upper=2.5), ProtectionLevel(1, 0)).tolist() == [False]
    with pytest.raises(SozialmonitorError, match="Schutzniveau"):
        ProtectionLevel(-1)


def test_unknown_value_is_exposed_only_when_exact() -> None:
    rows = pd.DataFrame({"value": [np.nan, np.nan], "lower": [4.0, 0.0], "upper": [4.0, 9.0]})
    assert exposed(rows).tolist() == [True, False]


THREE = pd.DataFrame({"unit_key": ["u1", "u2", "u3"], "parent_key": ["T", "T", "T"]})
ABC = {"tot": ("a", "b", "c")}


def _three_by_three() -> pd.DataFrame:
    table = _table({"a": [1, 5, 6], "b": [1, 20, 22], "c": [30, 25, 40]}, THREE)
    totals = table.groupby("unit_key", as_index=False)["value"].sum().assign(variable="tot", published=True)
    return pd.concat([table, totals], ignore_index=True)


def _exposed_rows(*cells: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(cells, columns=["unit_key", "variable", "value"])


def _hidden(table: pd.DataFrame) -> set[tuple[str, str]]:
    rows = table.loc[~table["published"], ["unit_key", "variable"]]
    return set(rows.itertuples(index=False, name=None))


def test_widen_then_audit_again_until_nothing_is_exposed() -> None:
    # u1.a = 1 and u1.b = 1 in a hidden rectangle: u1.a + u1.b = 2, so u1.a ≤ 2 < 1 + p
    table = _hide(_three_by_three(), ("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "b"))
    rounds = 0
    while True:
        intervals = feasible_intervals(table, THREE, ABC)
        bad = intervals[exposed(intervals)]
        if bad.empty:
            break
        if rounds == 0:
            assert _bounds(intervals)[("u1", "a")] == (0.0, 2.0)
            assert {("u1", "a"), ("u1", "b")} <= set(zip(bad.unit_key, bad.variable, strict=True))
        wider = widen(table, bad, THREE, ABC)
        assert _hidden(wider) > _hidden(table)  # only ever hides more
        table = wider
        rounds += 1
        assert rounds <= 3
    lo, hi = _bounds(intervals)[("u1", "a")]
    assert lo == 0 and hi >= 3


def test_widen_picks_in_the_equation_that_pins_the_cell() -> None:
    # u1.a is the only hidden cell of the column a (T.a = 12): the smallest published part ≥ p = 2 there is
    # u2.a = 5; the group rule then hides u2.b next to u1.b in the column b
    table = _hide(_three_by_three(), ("u1", "a"), ("u1", "b"))
    out = widen(table, _exposed_rows(("u1", "a", 1.0)), THREE, ABC)
    assert _hidden(out) == {("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "b")}
    # a protection level no cell reaches: the largest published non-zero cell of that equation, T.a = 12
    out = widen(table, _exposed_rows(("u1", "a", 1.0)), THREE, ABC, level=ProtectionLevel(1000))
    assert ("T", "a") in _hidden(out)
    same = widen(table, _exposed_rows(), THREE)
    assert same["published"].tolist() == table["published"].tolist()


def test_protect_audit_widen_loop() -> None:
    # the loop of a caller: cells hidden by widen go back into protect as suppressed at the source
    table = _three_by_three().drop(columns="published").assign(status="ok")
    for _ in range(5):
        protected = protect(table, THREE, ABC)
        published = table.assign(published=protected["suppression"].eq("").to_numpy())
        intervals = feasible_intervals(published, THREE, ABC)
        bad = intervals[exposed(intervals)]
        if bad.empty:
            break
        wider = widen(published, bad, THREE, ABC)
        assert _hidden(wider) > _hidden(published)
        table = table.assign(status=np.where(wider["published"], "ok", "suppressed"))
    assert bad.empty
    assert ("u1", "a") in _hidden(published)


def test_each_reference_date_and_the_audit_mask() -> None:
    a = _hide(_two_by_two(), ("u1", "a")).assign(ref_date="2019")
    b = _hide(_two_by_two(), ("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "b")).assign(ref_date="2020")
    table = pd.concat([a, b], ignore_index=True)
    out = feasible_intervals(table, FLAT, AB)
    assert out.columns.tolist() == ["ref_date", "unit_key", "variable", "value", "lower", "upper", "exact"]
    assert out.groupby("ref_date")["exact"].all().to_dict() == {"2019": True, "2020": False}
    only = feasible_intervals(table, FLAT, AB, audit=table["variable"].eq("b"))
    assert only[["ref_date", "unit_key"]].values.tolist() == [["2020", "u1"], ["2020", "u2"]]
    none = feasible_intervals(table.assign(published=True), FLAT, AB)
    assert none.empty and "lower" in none.columns


def test_bad_input_is_reported() -> None:
    with pytest.raises(SozialmonitorError, match="Spalte 'published' fehlt"):
        feasible_intervals(_two_by_two().drop(columns="published"), FLAT, AB)
    table = _hide(_two_by_two(), ("u1", "a"))
    with pytest.raises(SozialmonitorError, match="anderen Index"):
        feasible_intervals(table, FLAT, AB, audit=pd.Series([True]))
    bad = _hide(_two_by_two(), ("u1", "a"), ("u1", "b"))
    bad.loc[(bad.unit_key == "T") & (bad.variable == "a"), "value"] = 1.0  # u1.a = 1 − 4 < 0
    # a published total that contradicts its parts is no equation an attacker can use: it is left out
    # (real data: a city total published by the statistics office that is not the sum of its districts)
    iv = feasible_intervals(bad, FLAT, AB)
    assert len(iv) == 2 and (iv["lower"] <= iv["value"]).all() and (iv["upper"] >= iv["value"]).all()
    twice = pd.concat([table, table.iloc[:1]], ignore_index=True)
    with pytest.raises(SozialmonitorError, match="mehrfach"):
        feasible_intervals(twice, FLAT, AB)


# ---------------------------------------------------------------------------------------------------------
# fast paths against brute force


def _lp_interval(a: np.ndarray | sparse.spmatrix, b: np.ndarray, j: int) -> tuple[float, float]:
    c = np.zeros(a.shape[1])
    c[j] = 1.0
    lo = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    hi = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    assert lo.status == 0 and hi.status in (0, 3)
    return lo.fun, (np.inf if hi.status == 3 else -hi.fun)


def test_closed_form_of_one_equation_matches_linear_programming() -> None:
    rng = np.random.default_rng(11)
    for _ in range(120):
        n = int(rng.integers(1, 6))
        coef = rng.choice([-1.0, 1.0], n) * rng.choice([1.0, 1.0, 2.0], n)
        x = rng.integers(0, 6, n).astype(float) * (rng.random(n) < 0.8)
        b = np.array([coef @ x])
        matrix = sparse.csr_matrix(coef.reshape(1, -1))
        lower, upper = _single_equation_bounds(matrix, b, np.zeros(n, dtype=int), np.arange(n))
        for j in range(n):
            lo, hi = _lp_interval(coef.reshape(1, -1), b, j)
            assert lower[j] == pytest.approx(lo, abs=1e-7), (coef, x, j)
            assert upper[j] == pytest.approx(hi, abs=1e-7), (coef, x, j)


def _random_hierarchy(rng: np.random.Generator) -> pd.DataFrame:
    rows: list[tuple[str, str]] = []
    for i in range(int(rng.integers(1, 4))):
        rows.append((f"m{i}", "top"))
        rows += [(f"m{i}l{j}", f"m{i}") for j in range(int(rng.integers(1, 5)))]
    return pd.DataFrame(rows, columns=["unit_key", "parent_key"])


GROUPS_2 = [("total", ("male", "female")), ("total", ("young", "old"))]


def _random_table(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    hierarchy = _random_hierarchy(rng)
    n = int((~hierarchy["unit_key"].isin(hierarchy["parent_key"])).sum())
    small = rng.random(n) < 0.4
    male = np.where(small, rng.integers(0, 4, n), rng.integers(0, 40, n))
    female = rng.integers(0, 40, n)
    young = rng.integers(0, male + female + 1)
    old = male + female - young
    values = {"male": male, "female": female, "young": young, "old": old, "total": male + female}
    return _table(values, hierarchy), hierarchy


def _brute_force(
    table: pd.DataFrame, hierarchy: pd.DataFrame, groups: VariableGroups | None
) -> dict[tuple[str, str], tuple[float, float]]:
    """Every hidden cell by two LPs over the whole table, without blocks, closed forms or shortcuts."""
    eq = build_equations(table, hierarchy, groups)
    cells = eq.cells.merge(
        table[["unit_key", "variable", "published"]], on=["unit_key", "variable"], how="left"
    )
    published = cells["published"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    a = eq.matrix.toarray()
    values = cells["value"].to_numpy(dtype=float)
    rhs = -a[:, published] @ values[published]
    a_h = a[:, ~published]
    keys = list(cells.loc[~published, ["unit_key", "variable"]].itertuples(index=False, name=None))
    present = set(zip(table["unit_key"], table["variable"], strict=True))
    return {k: _lp_interval(a_h, rhs, j) for j, k in enumerate(keys) if k in present}


@pytest.mark.parametrize("seed", range(24))
def test_audit_matches_brute_force_linear_programming(seed: int) -> None:
    rng = np.random.default_rng(seed)
    table, hierarchy = _random_table(rng)
    table["published"] = rng.random(len(table)) > (0.1, 0.2, 0.35)[seed % 3]
    # some cells unknown to the attacker (absent from the table): top totals, any cells, a whole unit
    if seed % 4 == 0:
        table = table[~((table["unit_key"] == "top") & (table["variable"].isin(["male", "young"])))]
    if seed % 4 == 1:
        table = table.drop(index=rng.choice(table.index, 3, replace=False))
    if seed % 4 == 2:
        table = table[table["unit_key"] != "top"]
    table = table.reset_index(drop=True)
    groups = None if seed % 5 in (1, 3) else GROUPS_2  # hierarchy only: many one-equation blocks
    out = feasible_intervals(table, hierarchy, groups, audit=pd.Series(True, index=table.index))
    expected = _brute_force(table, hierarchy, groups)
    got = _bounds(out)
    assert got.keys() == expected.keys()
    for cell, (lo, hi) in expected.items():
        assert got[cell][0] == pytest.approx(lo, abs=1e-6), cell
        assert got[cell][1] == pytest.approx(hi, abs=1e-6), cell
    assert out["exact"].tolist() == [hi - lo < 1e-6 for lo, hi in (expected[c] for c in got)]


@pytest.mark.parametrize("seed", range(20))
def test_protect_leaves_no_exact_cell(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    table, hierarchy = _random_table(rng)
    protected = protect(table.drop(columns="published"), hierarchy, GROUPS_2)
    audited = table.assign(published=protected["suppression"].eq("").to_numpy())
    out = feasible_intervals(audited, hierarchy, GROUPS_2)
    assert not out["exact"].any(), out[out["exact"]]
