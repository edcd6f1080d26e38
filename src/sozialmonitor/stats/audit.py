"""Disclosure audit: play the attacker against a protected table (like sdcTable's ``attack()``).

The attacker knows the value of every published cell, every additive equation of the table (the same
equations as :func:`sozialmonitor.stats.disclosure.protect`: hierarchy sums and variable groups) and that
every cell is a count (≥ 0). Cells needed by an equation but absent from the table are unknown to the
attacker as hidden cells are. For every audited hidden cell, :func:`feasible_intervals` computes the
interval of values compatible with that knowledge, exactly, by linear programming (HiGHS, the solver of
``scipy.optimize.linprog``, one model per block re-solved for each bound).

:func:`exposed` compares the intervals with a protection level (tau-ARGUS style: with
``p = max(absolute, relative · value)`` the interval must reach down to ``value − p`` (or 0) and up to
``value + p``), and :func:`widen` hides further cells next to exposed ones. The caller loops
``protect → feasible_intervals → exposed → widen`` until nothing is exposed.

Algorithm of the audit, per key combination (e.g. reference date):

1. substitute the published values into the right-hand side; keep the equations with a hidden cell;
2. split the hidden cells into independent blocks (connected components of the equation–cell graph);
3. a block with one equation is solved in closed form;
4. for the other blocks, interval propagation over all equations gives valid outer bounds, the true values
   (and every LP solution found so far) give feasible points; where a feasible point reaches an outer bound,
   that bound is the exact answer and no LP is needed. Which cells can grow without bound is decided by one
   LP per block over the recession cone. Every other bound is one LP (min or max of the cell).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.optimize._highspy import _core as _highs
from scipy.sparse.csgraph import connected_components

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.stats.disclosure import (
    VariableGroups,
    block_key,
    build_equations,
    diagonal_block,
    row_entries,
)

EXACT_TOL = 1e-6
_TOL = 1e-7  # feasibility tolerance when a feasible point is compared with an outer bound
_PROPAGATION_ROUNDS = 25
_COLUMNS = ["unit_key", "variable", "value", "lower", "upper", "exact"]


@dataclass(frozen=True)
class ProtectionLevel:
    """Minimal uncertainty an attacker must keep about a hidden cell: ``max(absolute, relative · value)``."""

    absolute: float = 2.0  # persons
    relative: float = 0.25  # share of the cell value

    def __post_init__(self) -> None:
        if self.absolute < 0 or self.relative < 0:
            raise SozialmonitorError(
                f"Schutzniveau: negative Werte ({self.absolute}, {self.relative})",
                f"protection level: negative values ({self.absolute}, {self.relative})",
            )

    def required(self, value: float) -> float:
        """The protection level ``p`` of a cell with this value."""
        return max(self.absolute, self.relative * value)


# --------------------------------------------------------------------------------------------------------
# one key combination: the system of the hidden cells


@dataclass(frozen=True)
class _System:
    """Equations restricted to the hidden cells: ``matrix @ x == rhs``, ``x ≥ 0``."""

    matrix: sparse.csr_matrix  # equations with at least one hidden cell × hidden cells
    rhs: np.ndarray
    hidden: np.ndarray  # positions of the hidden cells among the cells of the equations
    truth: np.ndarray  # true values of the hidden cells (NaN where unknown)


def _system(matrix: sparse.csr_matrix, values: np.ndarray, published: np.ndarray) -> _System:
    hidden = np.flatnonzero(~published)
    pub = np.flatnonzero(published)
    rhs = -(matrix[:, pub] @ values[pub]) if len(pub) else np.zeros(matrix.shape[0])
    sub = matrix[:, hidden].tocsr()
    sub.eliminate_zeros()
    rows = np.flatnonzero(np.diff(sub.indptr) > 0)
    return _System(sub[rows].tocsr(), np.asarray(rhs, dtype=float)[rows], hidden, values[hidden])


def _blocks(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Block label of every equation and of every cell (connected components of the incidence graph)."""
    n_eq = matrix.shape[0]
    incidence = abs(matrix).tocsr()
    graph = sparse.bmat([[None, incidence], [incidence.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    return labels[:n_eq], labels[n_eq:]


def _single_equation_bounds(
    matrix: sparse.csr_matrix, rhs: np.ndarray, eq_of_cell: np.ndarray, cells: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Closed-form interval of ``cells``, each the only-equation block ``eq_of_cell`` it belongs to.

    One equation ``Σ a_i x_i = b`` with ``x ≥ 0``: a lone cell is ``b / a``. If all coefficients have the same
    sign, each cell lies in ``[0, b / a]``. With mixed signs every cell can grow without bound (the cells of
    the other sign absorb it); it can shrink to 0 unless it is the only cell of its sign, in which case it is
    at least ``max(b, 0) / a`` (for ``a > 0``; symmetric for ``a < 0``).
    """
    coo = matrix.tocoo()
    n_eq = matrix.shape[0]
    n_pos = np.bincount(coo.row, coo.data > 0, n_eq)
    n_neg = np.bincount(coo.row, coo.data < 0, n_eq)
    coef = np.asarray(matrix[eq_of_cell, cells]).ravel()
    b = rhs[eq_of_cell]
    pos, neg = n_pos[eq_of_cell], n_neg[eq_of_cell]
    same_sign = (pos == 0) | (neg == 0)
    bad = same_sign & (b / coef < -EXACT_TOL * (1 + np.abs(b)))
    if bad.any():
        raise _not_additive()
    ratio = np.maximum(b / coef, 0.0)
    alone = np.where(coef > 0, pos == 1, neg == 1)
    lower = np.where(pos + neg == 1, ratio, np.where(~same_sign & alone, ratio, 0.0))
    upper = np.where(same_sign, ratio, np.inf)
    return lower, upper


def _propagate(matrix: sparse.csr_matrix, rhs: np.ndarray, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Valid outer bounds of every cell by interval propagation over the equations (x ≥ 0 to start)."""
    lo = np.zeros(n_cells)
    hi = np.full(n_cells, np.inf)
    coo = matrix.tocoo()
    r, c, v = coo.row, coo.col, coo.data
    n_eq = matrix.shape[0]
    b = rhs[r]
    for _ in range(_PROPAGATION_ROUNDS):
        with np.errstate(invalid="ignore"):
            cmax = np.where(v > 0, v * hi[c], v * lo[c])
            cmin = np.where(v > 0, v * lo[c], v * hi[c])
        inf_max, inf_min = np.isinf(cmax), np.isinf(cmin)
        fmax, fmin = np.where(inf_max, 0.0, cmax), np.where(inf_min, 0.0, cmin)
        smax, nmax = np.bincount(r, fmax, n_eq), np.bincount(r, inf_max, n_eq)
        smin, nmin = np.bincount(r, fmin, n_eq), np.bincount(r, inf_min, n_eq)
        rest_max = np.where(nmax[r] - inf_max > 0, np.inf, smax[r] - fmax)  # Σ_{k≠j} a_k x_k, largest
        rest_min = np.where(nmin[r] - inf_min > 0, -np.inf, smin[r] - fmin)  # … smallest
        new_lo = np.where(v > 0, (b - rest_max) / v, (b - rest_min) / v)
        new_hi = np.where(v > 0, (b - rest_min) / v, (b - rest_max) / v)
        lo2, hi2 = lo.copy(), hi.copy()
        np.maximum.at(lo2, c, new_lo)
        np.minimum.at(hi2, c, new_hi)
        finite = np.isfinite(hi)
        gain = max((lo2 - lo).max(initial=0.0), (hi[finite] - hi2[finite]).max(initial=0.0))
        grew = (~finite & np.isfinite(hi2)).any()
        lo, hi = lo2, hi2
        if gain < _TOL and not grew:
            break
    if (lo > hi + EXACT_TOL * (1 + np.abs(hi))).any():
        raise _not_additive()
    return lo, np.maximum(hi, lo)


def _not_additive() -> SozialmonitorError:
    return SozialmonitorError(
        "Geheimhaltungsprüfung: die Tabelle ist nicht additiv (die veröffentlichten Werte widersprechen den "
        "Summenbeziehungen)",
        "disclosure audit: the table is not additive (the published values contradict the sums)",
    )


class _BlockLP:
    """The LP of one block, ``a @ x == b, x ≥ 0``, loaded into HiGHS once; each bound of a cell is a new
    objective on the same model, which HiGHS re-solves from the previous optimal basis (hot start). This
    avoids building the problem anew for every bound (``linprog`` costs milliseconds per call, the solve
    itself tens of microseconds for the blocks of a city table).

    Uses the HiGHS binding that ships with SciPy (``scipy.optimize._highspy``), the solver behind
    ``linprog(method="highs")``; the pinned SciPy version keeps that module in place.
    """

    def __init__(self, a: sparse.csr_matrix, b: np.ndarray) -> None:
        csc = a.tocsc()
        n_row, n_col = csc.shape
        lp = _highs.HighsLp()
        lp.num_col_, lp.num_row_ = n_col, n_row
        lp.col_cost_ = np.zeros(n_col)
        lp.col_lower_ = np.zeros(n_col)
        lp.col_upper_ = np.full(n_col, _highs.kHighsInf)
        lp.row_lower_ = np.asarray(b, dtype=float)
        lp.row_upper_ = np.asarray(b, dtype=float)
        lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr
        lp.a_matrix_.index_ = csc.indices
        lp.a_matrix_.value_ = csc.data.astype(float)
        self._h = _highs._Highs()
        self._h.setOptionValue("output_flag", False)
        self._h.passModel(lp)
        self._last = -1

    def minimize(self, j: int, sign: float) -> tuple[float, np.ndarray | None]:
        """Minimum of ``sign · x_j`` and the optimal point (−inf, None if unbounded)."""
        if self._last >= 0:
            self._h.changeColCost(self._last, 0.0)
        self._h.changeColCost(j, sign)
        self._last = j
        self._h.run()
        status = self._h.getModelStatus()
        if status == _highs.HighsModelStatus.kUnboundedOrInfeasible:
            # presolve could not tell which: solve without it
            self._h.setOptionValue("presolve", "off")
            self._h.run()
            status = self._h.getModelStatus()
        if status == _highs.HighsModelStatus.kUnbounded:
            return -np.inf, None
        if status == _highs.HighsModelStatus.kInfeasible:
            raise _not_additive()
        if status != _highs.HighsModelStatus.kOptimal:
            message = self._h.modelStatusToString(status)
            raise SozialmonitorError(
                f"Geheimhaltungsprüfung: lineares Programm nicht gelöst ({message})",
                f"disclosure audit: linear program not solved ({message})",
            )
        x = np.asarray(self._h.getSolution().col_value, dtype=float)
        return float(self._h.getInfo().objective_function_value), x


def _unbounded(a: sparse.csr_matrix) -> np.ndarray:
    """Cells that can grow without bound: the support of the recession cone {d ≥ 0, a d = 0}.

    One LP: maximise Σ t with 0 ≤ t ≤ 1, t ≤ d. A cell with a ray d_k > 0 gets t_k = 1 at the optimum
    (rays scale freely and add up), every other cell t_k = 0.
    """
    m, n = a.shape
    eye = sparse.identity(n, format="csr")
    a_eq = sparse.hstack([a, sparse.csr_matrix((m, n))], format="csr")
    a_ub = sparse.hstack([-eye, eye], format="csr")
    c = np.concatenate([np.zeros(n), -np.ones(n)])
    bounds = [(0, None)] * n + [(0, 1)] * n
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=np.zeros(m), bounds=bounds, method="highs")
    if res.status != 0:
        raise SozialmonitorError(
            f"Geheimhaltungsprüfung: lineares Programm nicht gelöst ({res.message})",
            f"disclosure audit: linear program not solved ({res.message})",
        )
    return np.asarray(res.x[n:]) > 0.5


def _block_bounds(
    a: sparse.csr_matrix,
    b: np.ndarray,
    targets: np.ndarray,
    lo_out: np.ndarray,
    hi_out: np.ndarray,
    truth: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact interval of the cells ``targets`` of one block (``a @ x == b``, ``x ≥ 0``)."""
    n = a.shape[1]
    seen_min = np.full(n, np.inf)  # smallest / largest value of each cell over the feasible points found
    seen_max = np.full(n, -np.inf)
    # the true values are a feasible point (they prove the bounds of cells that sit on them, e.g. exact ones)
    residual = np.abs(a @ np.nan_to_num(truth, nan=-1.0) - b)
    known = np.isfinite(truth).all() and (truth >= -_TOL).all()
    if known and (residual <= EXACT_TOL * (1 + np.abs(b))).all():
        seen_min, seen_max = truth.copy(), truth.copy()
    unbounded = np.zeros(n, dtype=bool)
    if np.isinf(hi_out[targets]).any():
        unbounded = _unbounded(a)
    lower = np.empty(len(targets))
    upper = np.empty(len(targets))
    lp: _BlockLP | None = None
    for i, j in enumerate(targets):
        if seen_min[j] <= lo_out[j] + _TOL * (1 + lo_out[j]):
            lower[i] = lo_out[j]
        else:
            lp = lp or _BlockLP(a, b)
            lower[i], x = lp.minimize(int(j), 1.0)
            if x is not None:
                np.minimum(seen_min, x, out=seen_min)
                np.maximum(seen_max, x, out=seen_max)
        if unbounded[j]:
            upper[i] = np.inf
        elif seen_max[j] >= hi_out[j] - _TOL * (1 + hi_out[j]):
            upper[i] = hi_out[j]
        else:
            lp = lp or _BlockLP(a, b)
            fun, x = lp.minimize(int(j), -1.0)
            upper[i] = -fun
            if x is not None:
                np.minimum(seen_min, x, out=seen_min)
                np.maximum(seen_max, x, out=seen_max)
    lower = np.maximum(lower, 0.0)
    return lower, np.maximum(upper, lower)


BlockCache = dict[bytes, tuple[np.ndarray, np.ndarray]]
"""Intervals of blocks already solved, keyed by everything that determines them
(:func:`sozialmonitor.stats.disclosure.block_key`)."""


def _intervals_one(
    system: _System, audited: np.ndarray, cache: BlockCache | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the hidden cells at positions ``audited`` (indices into ``system.hidden``)."""
    n_hidden = len(system.hidden)
    lower = np.zeros(n_hidden)
    upper = np.full(n_hidden, np.inf)  # a hidden cell in no equation: [0, ∞)
    a, rhs = system.matrix, system.rhs
    if a.shape[0] == 0 or len(audited) == 0:
        return lower[audited], upper[audited]
    eq_label, cell_label = _blocks(a)
    n_blocks = int(max(eq_label.max(), cell_label.max())) + 1
    eqs_per_block = np.bincount(eq_label, minlength=n_blocks)
    todo = audited[eqs_per_block[cell_label[audited]] > 0]
    single = eqs_per_block[cell_label[todo]] == 1
    # one equation: closed form
    cells = todo[single]
    if len(cells):
        eq_of_block = np.full(n_blocks, -1)
        eq_of_block[eq_label] = np.arange(len(eq_label))  # unique for the blocks used here
        lower[cells], upper[cells] = _single_equation_bounds(a, rhs, eq_of_block[cell_label[cells]], cells)
    multi = todo[~single]
    if len(multi) == 0:
        return lower[audited], upper[audited]
    # several equations: outer bounds, feasible points, LPs; blocks are diagonal slices after sorting
    lo_out, hi_out = _propagate(a, rhs, n_hidden)
    eq_order = np.argsort(eq_label, kind="stable")
    cell_order = np.argsort(cell_label, kind="stable")
    perm = a[eq_order][:, cell_order].tocsr()
    perm_rhs, perm_truth = rhs[eq_order], system.truth[cell_order]
    perm_lo, perm_hi = lo_out[cell_order], hi_out[cell_order]
    eq_start = np.searchsorted(eq_label[eq_order], np.arange(n_blocks + 1))
    cell_start = np.searchsorted(cell_label[cell_order], np.arange(n_blocks + 1))
    where = np.empty(n_hidden, dtype=int)
    where[cell_order] = np.arange(n_hidden)  # position of each hidden cell in the sorted order
    multi = multi[np.argsort(cell_label[multi], kind="stable")]
    blocks, first = np.unique(cell_label[multi], return_index=True)
    for block, lo_t, hi_t in zip(blocks, first, [*first[1:], len(multi)], strict=True):
        e0, e1 = eq_start[block], eq_start[block + 1]
        c0, c1 = cell_start[block], cell_start[block + 1]
        targets = multi[lo_t:hi_t]
        indptr, indices, data = diagonal_block(perm, e0, e1, c0)
        block = sparse.csr_matrix((data, indices, indptr), shape=(e1 - e0, c1 - c0))
        args = (
            block,
            perm_rhs[e0:e1],
            where[targets] - c0,
            perm_lo[c0:c1],
            perm_hi[c0:c1],
            perm_truth[c0:c1],
        )
        if cache is None:
            lower[targets], upper[targets] = _block_bounds(*args)
            continue
        # the interval of a block is a function of its equations, right-hand side, targets, outer bounds and
        # true values: a block that an earlier round of the audit solved is not solved again
        key = block_key(block.shape, block.indptr, block.indices, block.data, *args[1:])
        if key not in cache:
            cache[key] = _block_bounds(*args)
        lower[targets], upper[targets] = cache[key]
    return lower[audited], upper[audited]


# --------------------------------------------------------------------------------------------------------
# public API


def _check(table: pd.DataFrame, columns: Sequence[str]) -> None:
    for column in columns:
        if column not in table.columns:
            raise SozialmonitorError(
                f"Geheimhaltungsprüfung: Spalte {column!r} fehlt",
                f"disclosure audit: column {column!r} missing",
            )


def _groups(table: pd.DataFrame, keys: list[str]) -> list[tuple[tuple[object, ...], pd.DataFrame]]:
    if not keys:
        return [((), table)]
    return [
        (k if isinstance(k, tuple) else (k,), part)
        for k, part in table.groupby(keys, sort=False, dropna=False)
    ]


def _equations(
    part: pd.DataFrame, hierarchy: pd.DataFrame | None, variable_groups: VariableGroups | None
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """Equations of one key combination: matrix, values, published flags, row positions, cells."""
    duplicated = part.duplicated(["unit_key", "variable"])
    if duplicated.any():
        dup = tuple(part.loc[duplicated, ["unit_key", "variable"]].iloc[0])
        raise SozialmonitorError(
            f"Geheimhaltungsprüfung: Zelle {dup} mehrfach in der Tabelle",
            f"disclosure audit: cell {dup} occurs more than once in the table",
        )
    eq = build_equations(part, hierarchy, variable_groups)
    positions = eq.rows
    values, published = _published_flags(part, positions)
    return _true_equations(eq.matrix.tocsr(), values), values, published, positions, eq.cells


def _true_equations(matrix: sparse.csr_matrix, values: np.ndarray) -> sparse.csr_matrix:
    """Drop equations that the true values contradict (e.g. a published city total that is not the sum of
    its districts): an attacker cannot use them to narrow anything down, and they would make the LP
    infeasible. Equations with a cell of unknown value are kept."""
    known = np.where(np.isnan(values), 0.0, values)
    residual = np.abs(matrix @ known)
    unknown = (abs(matrix) @ np.isnan(values).astype(float)) > 0
    scale = np.maximum(1.0, abs(matrix) @ np.abs(known))
    keep = unknown | (residual <= 1e-9 * scale)
    if keep.all():
        return matrix
    out = sparse.diags(keep.astype(float)) @ matrix
    out = sparse.csr_matrix(out)
    out.eliminate_zeros()
    return out


def _published_flags(part: pd.DataFrame, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values and published flags of the cells of the equations (absent cells are hidden, value NaN)."""
    present = positions >= 0
    flags = part["published"].fillna(False).to_numpy(dtype=bool)
    vals = part["value"].to_numpy(dtype=float)
    published = np.zeros(len(positions), dtype=bool)
    published[present] = flags[positions[present]]
    values = np.full(len(positions), np.nan)
    values[present] = vals[positions[present]]
    if np.isnan(values[published]).any():
        raise SozialmonitorError(
            "Geheimhaltungsprüfung: veröffentlichte Zelle ohne Wert",
            "disclosure audit: published cell without a value",
        )
    return values, published


def feasible_intervals(
    table: pd.DataFrame,
    hierarchy: pd.DataFrame | None = None,
    variable_groups: VariableGroups | None = None,
    by: Sequence[str] = ("ref_date",),
    audit: pd.Series | None = None,
    cache: BlockCache | None = None,
) -> pd.DataFrame:
    """Feasible interval of hidden cells as an attacker can compute it.

    ``table``: ``unit_key, variable, value`` (the true value: it gives the right-hand side of published cells
    and is reported), ``published`` (bool) and the key columns in ``by`` that are present; ``hierarchy`` and
    ``variable_groups`` as for :func:`~sozialmonitor.stats.disclosure.protect`. ``audit`` (bool, same index as
    ``table``) selects the hidden cells to compute; default every hidden cell with ``value > 0``; published
    rows in it are ignored.

    ``cache``: a dictionary kept between calls on the same table (e.g. the rounds of an audit loop that hides
    more cells each round): blocks of hidden cells that did not change are not solved again.

    Returns one row per audited cell: the key columns, ``unit_key, variable, value, lower, upper`` (``inf``
    when unbounded) and ``exact`` (``upper − lower < 1e-6``: the attacker knows the value).
    """
    _check(table, ("unit_key", "variable", "value", "published"))
    keys = [k for k in by if k in table.columns]
    hidden_rows = ~table["published"].fillna(False).to_numpy(dtype=bool)
    if audit is None:
        mask = hidden_rows & (table["value"].to_numpy(dtype=float) > 0)
    else:
        if not audit.index.equals(table.index):
            raise SozialmonitorError(
                "Geheimhaltungsprüfung: die Auswahl der zu prüfenden Zellen hat einen anderen Index als die "
                "Tabelle",
                "disclosure audit: the mask of cells to audit has a different index than the table",
            )
        mask = hidden_rows & audit.fillna(False).to_numpy(dtype=bool)
    work = table.assign(_audit=mask, _row=np.arange(len(table)))
    rows: list[np.ndarray] = []
    lowers: list[np.ndarray] = []
    uppers: list[np.ndarray] = []
    for _key, part in _groups(work, keys):
        if not part["_audit"].any():
            continue
        matrix, values, published, positions, _cells = _equations(part, hierarchy, variable_groups)
        system = _system(matrix, values, published)
        # audited cells as positions among the hidden cells
        hidden_pos = positions[system.hidden]
        selected = np.flatnonzero(hidden_pos >= 0)
        selected = selected[part["_audit"].to_numpy()[hidden_pos[selected]]]
        lower, upper = _intervals_one(system, selected, cache)
        rows.append(part["_row"].to_numpy()[hidden_pos[selected]])
        lowers.append(lower)
        uppers.append(upper)
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=table[c].dtype) for c in keys} | _empty())
    row = np.concatenate(rows)
    order = np.argsort(row, kind="stable")
    out = table.iloc[row[order]][[*keys, "unit_key", "variable", "value"]].reset_index(drop=True)
    out["lower"] = np.concatenate(lowers)[order]
    out["upper"] = np.concatenate(uppers)[order]
    out["exact"] = (out["upper"] - out["lower"]).to_numpy() < EXACT_TOL
    return out


def _empty() -> dict[str, pd.Series]:
    return {
        "unit_key": pd.Series(dtype=object),
        "variable": pd.Series(dtype=object),
        "value": pd.Series(dtype=float),
        "lower": pd.Series(dtype=float),
        "upper": pd.Series(dtype=float),
        "exact": pd.Series(dtype=bool),
    }


def exposed(intervals: pd.DataFrame, level: ProtectionLevel = ProtectionLevel()) -> pd.Series:
    """Whether each cell of :func:`feasible_intervals` is exposed at the protection ``level``.

    With ``p = level.required(value)`` a cell is safe when ``lower ≤ value − min(value, p)`` and
    ``upper ≥ value + p``. A cell of unknown value (NaN) is exposed when its interval is exact.
    """
    value = intervals["value"].to_numpy(dtype=float)
    lower = intervals["lower"].to_numpy(dtype=float)
    upper = intervals["upper"].to_numpy(dtype=float)
    p = np.maximum(level.absolute, level.relative * value)
    safe = (lower <= value - np.minimum(value, p) + 1e-9) & (upper >= value + p - 1e-9)
    unknown = np.isnan(value)
    exact = (upper - lower) < EXACT_TOL
    return pd.Series(np.where(unknown, exact, ~safe), index=intervals.index, name="exposed")


def _candidates(
    matrix: sparse.csr_matrix, eqs: np.ndarray, values: np.ndarray, published: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Published non-zero cells of the equations ``eqs``: eq (position in ``eqs``), cell, sign, value."""
    row, cell, sign = row_entries(matrix, eqs)
    value = values[cell]
    ok = published[cell] & (value > 0)  # NaN (unknown) is not > 0
    return row[ok], cell[ok], sign[ok], value[ok]


def _pick(
    matrix: sparse.csr_matrix, eqs: np.ndarray, values: np.ndarray, published: np.ndarray, required: float
) -> int:
    """The published non-zero cell of equations ``eqs`` to hide: the smallest one of at least ``required``
    (parts before totals), else the largest one; −1 if there is none."""
    _, cell, sign, value = _candidates(matrix, eqs, values, published)
    if len(cell) == 0:
        return -1
    big = value >= required
    if big.any():
        c, sg, v = cell[big], sign[big], value[big]
        return int(c[np.lexsort((c, v, sg))[0]])  # by sign (parts first), value, cell
    return int(cell[np.lexsort((cell, sign, -value))[0]])  # largest value, parts first, cell


def _close(matrix: sparse.csr_matrix, values: np.ndarray, published: np.ndarray) -> None:
    """Group rule (as in :func:`~sozialmonitor.stats.disclosure.protect`): while an equation has exactly one
    hidden cell, which it would give away, hide its smallest published non-zero cell (parts first)."""
    incidence = abs(matrix).tocsr()
    while True:
        single = np.flatnonzero(incidence @ (~published).astype(float) == 1)
        eq, cell, sign, value = _candidates(matrix, single, values, published)
        if len(cell) == 0:
            return
        order = np.lexsort((cell, value, sign, eq))
        _, first = np.unique(eq[order], return_index=True)
        published[cell[order[first]]] = False


def _by_hidden_mass(
    matrix: sparse.csr_matrix, eqs: np.ndarray, cell: int, values: np.ndarray, hidden: np.ndarray
) -> np.ndarray:
    """``eqs`` ordered by the sum of the other hidden cells in them (unknown values count as infinite):
    the equation with the least hidden mass next to ``cell`` is the one that pins it down."""
    row, col, _ = row_entries(matrix, eqs)
    other = hidden[col] & (col != cell)
    mass = np.where(np.isnan(values[col]), np.inf, np.abs(values[col]))
    total = np.bincount(row, np.where(other, mass, 0.0), len(eqs))
    total[np.isnan(total)] = np.inf
    return np.asarray(np.asarray(eqs)[np.argsort(total, kind="stable")])


def widen(
    table: pd.DataFrame,
    exposed_cells: pd.DataFrame,
    hierarchy: pd.DataFrame | None = None,
    variable_groups: VariableGroups | None = None,
    by: Sequence[str] = ("ref_date",),
    level: ProtectionLevel = ProtectionLevel(),
) -> pd.DataFrame:
    """Hide further cells next to exposed ones; returns ``table`` with more ``published`` False.

    For each exposed cell (rows of :func:`feasible_intervals` with key columns, ``unit_key, variable,
    value``) one of its equations is widened, the one with the least hidden mass next to the cell first (it
    is the one that pins the cell down): its published non-zero cell with the smallest value of at least
    ``level.required(value)`` is hidden (parts before totals), or, if none is that large, the largest one.
    If no equation of the cell has such a cell, the equations linked to them through hidden cells are used.
    An exposed cell whose chosen equation already received a newly hidden cell in this call is skipped (one
    more cell may be enough for both). Finally, as in :func:`~sozialmonitor.stats.disclosure.protect`, every
    equation left with exactly one hidden cell gets its smallest published non-zero cell hidden too.

    The caller audits again and calls :func:`widen` until nothing is exposed. If nothing could be hidden,
    the returned ``published`` equals the input's: the loop must stop there.
    """
    _check(table, ("unit_key", "variable", "value", "published"))
    _check(exposed_cells, ("unit_key", "variable", "value"))
    keys = [k for k in by if k in table.columns]
    _check(exposed_cells, keys)
    out = table.copy()
    published_out = out["published"].fillna(False).to_numpy(dtype=bool).copy()
    if exposed_cells.empty:
        out["published"] = published_out
        return out
    work = table.assign(_row=np.arange(len(table)))
    targets = {k: part for k, part in _groups(exposed_cells, keys)}
    for key, part in _groups(work, keys):
        wanted = targets.get(key)
        if wanted is None:
            continue
        matrix, values, published, positions, eq_cells = _equations(part, hierarchy, variable_groups)
        before = published.copy()
        csc = matrix.tocsc()
        index = pd.MultiIndex.from_frame(eq_cells[["unit_key", "variable"]])
        cells = index.get_indexer(pd.MultiIndex.from_frame(wanted[["unit_key", "variable"]]))
        touched = np.zeros(matrix.shape[0], dtype=bool)
        for cell, value in zip(cells, wanted["value"].to_numpy(dtype=float), strict=True):
            if cell < 0:
                continue
            required = level.required(0.0 if np.isnan(value) else value)
            eqs = csc.indices[csc.indptr[cell] : csc.indptr[cell + 1]]
            pick, used = -1, np.array([], dtype=int)
            for e in _by_hidden_mass(matrix, eqs, int(cell), values, ~published):
                if touched[e]:
                    break
                pick, used = _pick(matrix, np.array([e]), values, published, required), np.array([e])
                if pick >= 0:
                    break
            else:  # no equation of the cell has a published non-zero cell left
                used = _linked(matrix, csc, int(cell), ~published)
                pick = _pick(matrix, used, values, published, required)
            if pick >= 0:
                published[pick] = False
                touched[used] = True
        _close(matrix, values, published)
        newly = np.flatnonzero(before & ~published)
        published_out[part["_row"].to_numpy()[positions[newly]]] = False
    out["published"] = published_out
    return out


def _linked(matrix: sparse.csr_matrix, csc: sparse.csc_matrix, cell: int, hidden: np.ndarray) -> np.ndarray:
    """Equations reachable from ``cell`` by walking equation → hidden cell → equation."""
    seen_eq = np.zeros(matrix.shape[0], dtype=bool)
    seen_cell = np.zeros(matrix.shape[1], dtype=bool)
    seen_cell[cell] = True
    frontier = [cell]
    while frontier:
        eqs = np.unique(np.concatenate([csc.indices[csc.indptr[c] : csc.indptr[c + 1]] for c in frontier]))
        eqs = eqs[~seen_eq[eqs]]
        seen_eq[eqs] = True
        if len(eqs) == 0:
            break
        reached = np.unique(matrix[eqs].indices)
        reached = reached[hidden[reached] & ~seen_cell[reached]]
        seen_cell[reached] = True
        frontier = reached.tolist()
    return np.flatnonzero(seen_eq)
