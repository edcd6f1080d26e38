"""Statistical disclosure control (Geheimhaltung) for every table that leaves the system.

One function, :func:`protect`, takes a long table of counts (``unit_key, variable, value`` and optional
key columns such as ``ref_date``) together with its additive structure:

* ``hierarchy`` (``unit_key, parent_key``, a tree over any number of levels, e.g. statistical district →
  Ortsteil → city): for every variable, a parent's count is the sum of its children's counts;
* ``variable_groups`` (``{"residents": ("residents_male", "residents_female")}``, or a list of
  ``(total, parts)`` pairs when a total has several breakdowns, e.g. by sex and by age): for every unit, the
  total variable is the sum of its part variables. A relation that reaches outside the table takes part
  too: its variables that are not in the table are unknowns (the public does not see them, but it can
  combine the relation with others, e.g. residents − working age = under 16 + 65 and over when working age
  is itself the sum of age bands nobody publishes).

Every such sum is an *equation* ``total − Σ parts = 0``. Rows, columns, hierarchy sums and differences
between levels (Ortsteil minus its other districts) are all consequences of these equations.

Algorithm
---------
1. **Primary suppression**: counts with ``0 < value < threshold`` (default 3; zeros too if
   ``suppress_zeros``) and cells already suppressed or missing at the source.
2. **Secondary suppression, group rule**: in every equation with exactly one suppressed cell, also suppress
   the smallest non-zero published cell of that equation (parts before the total). Repeat to a fixpoint.
3. **Secondary suppression, exact check**: for every connected block of suppressed cells the equations are
   solved symbolically: a suppressed cell is *determined* when its unit vector lies in the row space of the
   equations restricted to suppressed cells (null-space test via SVD). For every determined cell the
   smallest non-zero published cell of one of its equations is suppressed (if those equations have none
   left, of any equation linked to them through suppressed cells); then back to step 2. A cell that stays
   determined when nothing linked to it is published any more is fixed by the structure of the table alone
   (e.g. ``total = a + b`` and ``total = a + b + c`` make ``c`` zero): it is left as it is.

Guarantee: after :func:`protect`, no suppressed cell is a linear function of the published cells under the
given equations, except cells that the equations fix without any published value (structural zeros).
Because every suppressed cell that is not a structural zero has a value ≥ 1, the feasible
interval of each suppressed cell (published cells fixed, equations, non-negativity) has positive width, so
differencing, row/column totals and linear programming cannot recover it. Not guaranteed: a minimum width of
that interval (protection level), and protection against tables published *outside* this call — include every
level the public can see (e.g. the city total) in the same table. The hierarchy must be a tree (nested units).

Rates are made public by computing them with :func:`sozialmonitor.stats.indicators.compute_indicators` on the
protected counts: a rate whose numerator or denominator is suppressed is suppressed too.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.linalg import qr
from scipy.sparse.csgraph import connected_components

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.stats.status import MISSING, OK, SUPPRESSED

Relation = Mapping[str, float]
"""A linear relation between variables, ``Σ coefficient · variable = 0`` for every unit."""
VariableGroups = Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]] | Relation]
PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Equations:
    """Cells of one table and its additive equations (``matrix @ values == 0``)."""

    cells: pd.DataFrame  # unit_key, variable, value, present
    matrix: sparse.csr_matrix  # n_equations × n_cells, +1 total, −1 parts
    rows: np.ndarray  # row position in the table of every cell, −1 for cells absent from it


def relation_coefficients(variable_groups: VariableGroups) -> list[dict[str, float]]:
    """Every relation as coefficients: ``(total, parts)`` becomes ``{total: 1, part: −1, …}``."""
    items = list(variable_groups.items()) if isinstance(variable_groups, Mapping) else list(variable_groups)
    out: list[dict[str, float]] = []
    for item in items:
        if isinstance(item, Mapping):
            out.append({str(k): float(v) for k, v in item.items() if v})
        else:
            total, parts = item
            coefs: dict[str, float] = {str(total): 1.0}
            for p in parts:
                coefs[str(p)] = coefs.get(str(p), 0.0) - 1.0
            out.append({k: v for k, v in coefs.items() if v})
    return [c for c in out if c]


def eliminate_unseen(variable_groups: VariableGroups, seen: set[str]) -> list[dict[str, float]]:
    """The relations among the ``seen`` variables that follow from ``variable_groups``.

    Variables nobody sees (not in ``seen``) are eliminated by Gaussian elimination: residents = Σ age bands
    and working age = Σ some of those bands give residents − working age = Σ the other bands. What is left
    is exactly what the public can combine (the same row space, without the unknowns), so the exact check
    of :func:`protect` stays small. Coefficients stay small integers for nested sums.
    """
    rows = [dict(r) for r in relation_coefficients(variable_groups)]
    unseen = sorted({v for r in rows for v in r} - seen)
    for var in unseen:
        with_var = [r for r in rows if abs(r.get(var, 0.0)) > 1e-12]
        if not with_var:
            continue
        pivot = min(with_var, key=len)
        rows = [r for r in rows if r is not pivot]
        for r in rows:
            factor = r.get(var, 0.0) / pivot[var]
            if abs(factor) > 1e-12:
                for k, v in pivot.items():
                    r[k] = r.get(k, 0.0) - factor * v
                for k in [k for k, v in r.items() if abs(v) < 1e-9]:
                    del r[k]
    unique: dict[tuple[tuple[str, float], ...], dict[str, float]] = {}
    for r in rows:
        if not r or not set(r) <= seen:
            continue
        first = r[min(r)]
        norm = {k: round(v / first, 9) for k, v in r.items()}
        unique.setdefault(tuple(sorted(norm.items())), norm)
    return list(unique.values())


_STRUCTURES: OrderedDict[bytes, tuple[pd.DataFrame, sparse.csr_matrix]] = OrderedDict()
_STRUCTURES_LOCK = threading.Lock()
_STRUCTURES_KEPT = 4


def build_equations(
    table: pd.DataFrame,
    hierarchy: pd.DataFrame | None = None,
    variable_groups: VariableGroups | None = None,
) -> Equations:
    """The cells of ``table`` (one key combination) and its equations; cells needed by an equation but
    absent from ``table`` are added as unknown (``present`` False).

    The equations depend only on which cells the table has, not on their values: the last few structures
    are kept (keyed by a hash of the cells, the hierarchy and the groups), so that protecting and auditing
    the same table round after round builds them once.
    """
    key = _structure_key(table, hierarchy, variable_groups)
    with _STRUCTURES_LOCK:
        hit = _STRUCTURES.get(key)
        if hit is not None:
            _STRUCTURES.move_to_end(key)
    if hit is None:
        hit = _structure(table, hierarchy, variable_groups)
        with _STRUCTURES_LOCK:
            _STRUCTURES[key] = hit
            while len(_STRUCTURES) > _STRUCTURES_KEPT:
                _STRUCTURES.popitem(last=False)
    frame, matrix = hit
    rows = frame["_row"].to_numpy()
    values = np.full(len(frame), np.nan)
    values[rows >= 0] = table["value"].to_numpy(dtype=float)[rows[rows >= 0]]
    cells = pd.DataFrame(
        {
            "unit_key": frame["unit_key"].to_numpy(),
            "variable": frame["variable"].to_numpy(),
            "value": values,
            "present": rows >= 0,
        }
    )
    return Equations(cells, matrix, rows)


def _structure_key(
    table: pd.DataFrame, hierarchy: pd.DataFrame | None, variable_groups: VariableGroups | None
) -> bytes:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(
        pd.util.hash_pandas_object(table[["unit_key", "variable"]], index=False).to_numpy().tobytes()
    )
    if hierarchy is not None and len(hierarchy):
        cols = hierarchy[["unit_key", "parent_key"]]
        digest.update(b"|h|" + pd.util.hash_pandas_object(cols, index=False).to_numpy().tobytes())
    if variable_groups:
        digest.update(b"|g|" + repr(relation_coefficients(variable_groups)).encode())
    return digest.digest()


def _structure(
    table: pd.DataFrame,
    hierarchy: pd.DataFrame | None,
    variable_groups: VariableGroups | None,
) -> tuple[pd.DataFrame, sparse.csr_matrix]:
    """Cells (``unit_key, variable, _row``: row position in ``table``, −1 for absent cells) and matrix."""
    cells = table[["unit_key", "variable"]].assign(_row=np.arange(len(table)))
    variables = cells["variable"].unique()
    units = cells["unit_key"].unique()
    eq_rows: list[pd.DataFrame] = []
    if hierarchy is not None and len(hierarchy):
        h = hierarchy[["unit_key", "parent_key"]].drop_duplicates()
        h = h[h["unit_key"].isin(units) | h["parent_key"].isin(units)]
        parents = pd.Index(h["parent_key"].unique())
        grid = pd.MultiIndex.from_product([parents, variables], names=["eq_unit", "variable"]).to_frame(
            index=False
        )
        grid["eq"] = np.arange(len(grid))
        tot = grid.assign(unit_key=grid["eq_unit"], sign=1.0)
        part = grid.merge(h, left_on="eq_unit", right_on="parent_key").assign(sign=-1.0)
        eq_rows += [tot[["eq", "unit_key", "variable", "sign"]], part[["eq", "unit_key", "variable", "sign"]]]
    if variable_groups:
        offset = int(eq_rows[0]["eq"].max()) + 1 if eq_rows else 0
        present = set(variables)
        members = [
            (i, v, c)
            for i, coefs in enumerate(relation_coefficients(variable_groups))
            if set(coefs) & present
            for v, c in coefs.items()
        ]
        groups = pd.DataFrame(members, columns=["group", "variable", "sign"])
        if len(groups):
            ug = pd.MultiIndex.from_product(
                [units, groups["group"].unique()], names=["unit_key", "group"]
            ).to_frame(index=False)
            ug["eq"] = np.arange(len(ug)) + offset
            eq_rows.append(ug.merge(groups, on="group")[["eq", "unit_key", "variable", "sign"]])
    if not eq_rows:
        return cells.reset_index(drop=True), sparse.csr_matrix((0, len(cells)))
    members_df = pd.concat(eq_rows, ignore_index=True)
    needed = members_df[["unit_key", "variable"]].drop_duplicates()
    cells = cells.merge(needed, on=["unit_key", "variable"], how="outer")
    cells["_row"] = cells["_row"].fillna(-1).astype(int)
    cells = cells.reset_index(drop=True)
    pos = pd.Series(np.arange(len(cells)), index=pd.MultiIndex.from_frame(cells[["unit_key", "variable"]]))
    col = pos.reindex(pd.MultiIndex.from_frame(members_df[["unit_key", "variable"]])).to_numpy()
    n_eq = int(members_df["eq"].max()) + 1
    matrix = sparse.csr_matrix(
        (members_df["sign"].to_numpy(), (members_df["eq"].to_numpy(), col)), shape=(n_eq, len(cells))
    )
    return cells, matrix


def row_entries(matrix: sparse.csr_matrix, eqs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-zero entries of the rows ``eqs`` of ``matrix``: row (position in ``eqs``), column, coefficient."""
    eqs = np.asarray(eqs, dtype=int)
    starts, ends = matrix.indptr[eqs], matrix.indptr[eqs + 1]
    lengths = ends - starts
    row = np.repeat(np.arange(len(eqs)), lengths)
    at = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(
        lengths.sum()
    )
    return row, matrix.indices[at], matrix.data[at]


def _smallest_candidate(
    eqs: np.ndarray, matrix: sparse.csr_matrix, values: np.ndarray, suppressed: np.ndarray
) -> np.ndarray:
    """For every equation in ``eqs`` the published non-zero cell to suppress (parts before totals,
    then smallest value); −1 if there is none."""
    row, cell, sign = row_entries(matrix, eqs)
    value = values[cell]
    ok = ~suppressed[cell] & (value > 0)
    row, cell, sign, value = row[ok], cell[ok], sign[ok], value[ok]
    order = np.lexsort((cell, value, sign, row))  # by equation; sign −1 (parts) first, then smallest
    _, first = np.unique(row[order], return_index=True)
    out = np.full(len(eqs), -1)
    out[row[order[first]]] = cell[order[first]]
    return out


def _linked_equations(matrix: sparse.csr_matrix, cells: np.ndarray, suppressed: np.ndarray) -> np.ndarray:
    """Equations reachable from ``cells`` by walking equation → suppressed cell → equation."""
    incidence = abs(matrix).tocsc()
    rows = abs(matrix).tocsr()
    frontier = np.zeros(matrix.shape[1], dtype=bool)
    frontier[cells] = True
    seen_eqs = np.zeros(matrix.shape[0], dtype=bool)
    while frontier.any():
        eqs = np.unique(incidence[:, np.flatnonzero(frontier)].nonzero()[0])
        new_eqs = eqs[~seen_eqs[eqs]]
        if len(new_eqs) == 0:
            break
        seen_eqs[new_eqs] = True
        reached = np.zeros(matrix.shape[1], dtype=bool)
        reached[rows[new_eqs].nonzero()[1]] = True
        frontier = reached & suppressed & ~frontier
    return np.flatnonzero(seen_eqs)


def _group_rule(matrix: sparse.csr_matrix, values: np.ndarray, suppressed: np.ndarray) -> None:
    incidence = abs(matrix).tocsr()
    while True:
        n_supp = incidence @ suppressed.astype(float)
        single = np.flatnonzero(n_supp == 1)
        if len(single) == 0:
            return
        pick = _smallest_candidate(single, matrix, values, suppressed)
        pick = pick[pick >= 0]
        if len(pick) == 0:
            return
        suppressed[pick] = True


def _in_row_space(dense: np.ndarray, tol: float) -> np.ndarray:
    """For every column j of ``dense``: is the unit vector e_j in the row space (the cell determined)?

    The row space is spanned by the first ``rank`` columns of Q in a rank-revealing QR of ``dense``ᵀ; e_j
    lies in it exactly when row j of that Q has norm 1 (equivalently, the null space has no weight on j).
    Much cheaper than a full SVD for the tall blocks of a city table.
    """
    q, r, _ = qr(dense.T, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    if diag.size == 0 or diag[0] == 0:
        return np.zeros(dense.shape[1], dtype=bool)
    rank = int((diag > max(dense.shape) * np.finfo(float).eps * diag[0] * 10).sum())
    leverage = (q[:, :rank] ** 2).sum(axis=1)
    return np.asarray(1.0 - leverage < max(tol, 1e-9), dtype=bool)


_DETERMINED: dict[bytes, np.ndarray] = {}
"""Which cells of a block of suppressed cells are determined, by the block's equations: protection runs
the check again after every added suppression, and an audit loop runs protection again each round, while
most blocks stay as they were."""
_DETERMINED_KEPT = 100_000


def diagonal_block(
    matrix: sparse.csr_matrix, e0: int, e1: int, c0: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (``indptr, indices, data``) of the block of rows ``e0:e1`` of a block-diagonal matrix whose
    columns start at ``c0`` (its rows have no entry outside the block's columns)."""
    start, end = matrix.indptr[e0], matrix.indptr[e1]
    return matrix.indptr[e0 : e1 + 1] - start, matrix.indices[start:end] - c0, matrix.data[start:end]


def block_key(shape: tuple[int, int], *arrays: np.ndarray) -> bytes:
    """A hash of a block of equations (its shape and arrays), to recognise a block seen before."""
    digest = hashlib.blake2b(repr(shape).encode(), digest_size=20)
    for array in arrays:
        digest.update(b"|" + np.ascontiguousarray(array).tobytes())
    return digest.digest()


def determined_cells(matrix: sparse.csr_matrix, suppressed: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Indices of suppressed cells that are a linear function of the published cells."""
    idx = np.flatnonzero(suppressed)
    if len(idx) == 0 or matrix.shape[0] == 0:
        return np.array([], dtype=int)
    sub = matrix[:, idx].tocsr()
    rows = np.flatnonzero(np.diff(sub.indptr) > 0)
    sub = sub[rows]
    if sub.shape[0] == 0:
        return np.array([], dtype=int)
    # bipartite graph equations–cells → independent blocks
    inc = abs(sub).tocsr()
    graph = sparse.bmat([[None, inc], [inc.T, None]])
    _, labels = connected_components(graph, directed=False)
    cell_labels = labels[sub.shape[0] :]
    eq_labels = labels[: sub.shape[0]]
    # sorted by block, every block is a slice on the diagonal (cheaper than fancy indexing per block)
    eq_order = np.argsort(eq_labels, kind="stable")
    cell_order = np.argsort(cell_labels, kind="stable")
    perm = sub[eq_order][:, cell_order].tocsr()
    n_blocks = int(labels.max()) + 1
    eq_start = np.searchsorted(eq_labels[eq_order], np.arange(n_blocks + 1))
    cell_start = np.searchsorted(cell_labels[cell_order], np.arange(n_blocks + 1))
    out: list[int] = []
    for lab in np.unique(cell_labels):
        e0, e1 = eq_start[lab], eq_start[lab + 1]
        c0, c1 = cell_start[lab], cell_start[lab + 1]
        if e1 == e0:
            continue
        indptr, indices, data = diagonal_block(perm, e0, e1, c0)
        key = block_key((e1 - e0, c1 - c0), indptr, indices, data)
        with _STRUCTURES_LOCK:
            determined = _DETERMINED.get(key)
        if determined is None:
            dense = np.zeros((e1 - e0, c1 - c0))
            dense[np.repeat(np.arange(e1 - e0), np.diff(indptr)), indices] = data
            determined = _in_row_space(dense, tol)
            with _STRUCTURES_LOCK:
                if len(_DETERMINED) >= _DETERMINED_KEPT:
                    _DETERMINED.clear()
                _DETERMINED[key] = determined
        out.extend(idx[cell_order[c0:c1][determined]].tolist())
    return np.asarray(sorted(out), dtype=int)


def _protect_one(
    eq: Equations, threshold: float, suppress_zeros: bool, source_suppressed: np.ndarray
) -> pd.DataFrame:
    cells = eq.cells
    values = cells["value"].to_numpy(dtype=float)
    small = (values < threshold) & ((values > 0) | suppress_zeros)
    primary = small | ~cells["present"].to_numpy() | source_suppressed | np.isnan(values)
    suppressed = primary.copy()
    ranking = np.where(np.isnan(values), np.inf, values)
    matrix = eq.matrix
    structural = np.zeros(len(cells), dtype=bool)  # determined by published zeros alone: nothing to hide
    while True:
        _group_rule(matrix, ranking, suppressed)
        det = determined_cells(matrix, suppressed)
        det = det[~structural[det]]
        if len(det) == 0:
            break
        incidence = abs(matrix[:, det]).tocsc()
        eqs = np.unique([incidence.indices[incidence.indptr[j]] for j in range(len(det))])
        pick = _smallest_candidate(eqs, matrix, ranking, suppressed)
        if (pick < 0).all():
            # the equations of the determined cells have no published non-zero cell left: look in every
            # equation linked to them through suppressed cells, then fall back to published zeros
            eqs = _linked_equations(matrix, det, suppressed)
            pick = _smallest_candidate(eqs, matrix, ranking, suppressed)
            if (pick < 0).all():
                pick = _smallest_candidate(eqs, matrix, np.where(ranking == 0, 0.5, ranking), suppressed)
            if (pick < 0).all():
                # every published cell those equations contain is suppressed already: the determined
                # cells are fixed by the structure of the table (e.g. one breakdown nested in another)
                # and reveal nothing that is not zero by definition
                structural[det] = True
                continue
        suppressed[pick[pick >= 0]] = True
    out = cells.copy()
    out["suppression"] = np.where(primary, PRIMARY, np.where(suppressed, SECONDARY, ""))
    return out


def protect(
    table: pd.DataFrame,
    hierarchy: pd.DataFrame | None = None,
    variable_groups: VariableGroups | None = None,
    threshold: float = 3,
    by: Sequence[str] = ("ref_date",),
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Protect a table of counts for publication; see the module docstring for the algorithm.

    ``table``: ``unit_key, variable, value`` plus optional ``status`` and the key columns in ``by`` that
    are present (each key combination, e.g. each reference date, is an independent table). Returns the rows
    of ``table`` with ``value`` set to NaN where suppressed, ``status`` (``suppressed`` or the input status)
    and ``suppression`` (``primary`` | ``secondary`` | empty).
    """
    for column in ("unit_key", "variable", "value"):
        if column not in table.columns:
            raise SozialmonitorError(
                f"Geheimhaltung: Spalte {column!r} fehlt", f"disclosure control: column {column!r} missing"
            )
    if threshold < 1:
        raise SozialmonitorError(
            f"Geheimhaltung: Schwelle {threshold} < 1", f"disclosure control: threshold {threshold} < 1"
        )
    keys = [k for k in by if k in table.columns]
    status = table["status"] if "status" in table.columns else pd.Series(OK, index=table.index)
    work = table.assign(_src=status.isin([SUPPRESSED, MISSING]).to_numpy())
    parts = []
    groups = work.groupby(keys, sort=False, dropna=False) if keys else [((), work)]
    for _key, part in groups:
        eq = build_equations(part, hierarchy, variable_groups)
        present = eq.rows >= 0
        src = np.ones(len(eq.rows), dtype=bool)  # absent cells count as unknown
        src[present] = part["_src"].to_numpy(dtype=bool)[eq.rows[present]]
        res = _protect_one(eq, threshold, suppress_zeros, src)
        suppression = np.full(len(part), "", dtype=object)
        suppression[eq.rows[present]] = res["suppression"].to_numpy()[present]
        parts.append(part.drop(columns="_src").assign(suppression=suppression))
    out = pd.concat(parts, ignore_index=True)
    hidden = out["suppression"].ne("")
    out.loc[hidden, "value"] = np.nan
    base_status = out["status"] if "status" in out.columns else pd.Series(OK, index=out.index)
    out["status"] = np.where(hidden, SUPPRESSED, base_status)
    return out
