"""Survey designs: strata, one- or two-stage clusters, finite population correction, weights.

The variance of a design-based estimator is computed from its *influence values* (one row per
respondent, one column per estimate) exactly like R's ``survey::svyrecvar``: calibration
adjustments are applied first (residuals of post-stratification, raking or GREG), then the
ultimate-cluster / multistage variance with finite population correction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError

FloatArray = np.ndarray


@dataclass(frozen=True)
class Stage:
    """One sampling stage. All arrays have one entry per row of the data."""

    clusters: np.ndarray  # int codes, unique across the whole design (nested in strata and earlier stages)
    strata: np.ndarray  # int codes, unique across the whole design (nested in earlier stages)
    n_psu: np.ndarray  # number of sampled units in the row's stratum at this stage
    pop_size: np.ndarray  # population size of the row's stratum at this stage (inf: no fpc)


@dataclass(frozen=True)
class PostStratAdjustment:
    """Post-stratification as R's ``postStratify`` records it."""

    cells: np.ndarray
    new_weights: np.ndarray
    old_weights: np.ndarray


@dataclass(frozen=True)
class RakingAdjustment:
    """Raking (IPF) as R's ``rake`` records it: the margins of the last sweep with their weights."""

    margins: tuple[tuple[np.ndarray, np.ndarray], ...]


@dataclass(frozen=True)
class GregAdjustment:
    """Calibration (linear, raking or logit metric): regression residuals as R's ``calibrate``."""

    q: np.ndarray  # orthonormal basis of the column space of model_matrix * sqrt(old weights)
    w: np.ndarray  # g * sqrt(old weights)


Adjustment = PostStratAdjustment | RakingAdjustment | GregAdjustment


@dataclass(frozen=True)
class SurveyDesign:
    """A survey design on a data frame (like R's ``svydesign``).

    Use :func:`survey_design` to build one. ``weights`` are the current analysis weights
    (after any weighting step); ``adjustments`` record calibration steps for the variance.
    """

    data: pd.DataFrame
    weights: np.ndarray
    stages: tuple[Stage, ...]
    has_fpc: bool
    has_strata: bool
    adjustments: tuple[Adjustment, ...] = field(default=())
    description: str = ""

    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def is_calibrated(self) -> bool:
        return len(self.adjustments) > 0

    def with_weights(self, weights: np.ndarray, adjustment: Adjustment | None = None) -> SurveyDesign:
        adj = self.adjustments if adjustment is None else (*self.adjustments, adjustment)
        return replace(self, weights=np.asarray(weights, dtype=float), adjustments=adj)

    def degf(self, mask: np.ndarray | None = None) -> int:
        """Degrees of freedom as R's ``degf``: PSUs minus strata among rows with non-zero weight."""
        inset = self.weights != 0
        if mask is not None:
            inset = inset & mask
        st = self.stages[0]
        return int(len(np.unique(st.clusters[inset])) - len(np.unique(st.strata[inset])))

    def variance(self, influence: np.ndarray) -> np.ndarray:
        """Covariance matrix of totals of the influence values (columns) under this design."""
        x = np.asarray(influence, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        x = apply_adjustments(x, self.adjustments)
        return multistage_variance(x, self.stages, self.has_fpc)


def _codes(frame: pd.DataFrame) -> np.ndarray:
    """Integer codes for the distinct combinations of the frame's columns."""
    if frame.shape[1] == 0:
        return np.zeros(len(frame), dtype=np.int64)
    return np.asarray(
        frame.groupby(list(frame.columns), sort=True, dropna=False, observed=True).ngroup(), dtype=np.int64
    )


def _as_list(value: str | Sequence[str | None] | None) -> list[str | None]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _missing_column(col: str) -> SozialmonitorError:
    return SozialmonitorError(
        f"Designvariable {col!r} fehlt in den Daten.", f"Design variable {col!r} is missing from the data."
    )


def survey_design(
    data: pd.DataFrame,
    *,
    ids: str | Sequence[str] | None = None,
    strata: str | Sequence[str | None] | None = None,
    weights: str | None = None,
    fpc: str | Sequence[str] | None = None,
) -> SurveyDesign:
    """Build a design like ``svydesign(id=, strata=, weights=, fpc=, data=)``.

    ``ids``: cluster variable(s), one per stage (``None``: every row is its own unit).
    ``strata``: stratum variable for the first stage, or a list with one entry per stage.
    ``fpc``: one variable per stage, population size (counts) or sampling fraction (all values <= 1).
    ``weights``: sampling weights; without them the weights are derived from the fpc.
    Clusters are always treated as nested in strata (R's ``nest=TRUE``).
    """
    data = data.reset_index(drop=True)
    n = len(data)
    id_cols = _as_list(ids)
    n_stages = max(1, len(id_cols))
    strata_cols = _as_list(strata)
    fpc_cols = _as_list(fpc)
    for col in [*id_cols, *strata_cols, *fpc_cols, *([weights] if weights else [])]:
        if col is not None and col not in data.columns:
            raise _missing_column(col)
    if fpc_cols and len(fpc_cols) != n_stages:
        raise SozialmonitorError(
            f"Für {n_stages} Auswahlstufe(n) werden {n_stages} fpc-Variablen gebraucht, "
            f"angegeben: {len(fpc_cols)}.",
            f"{n_stages} sampling stage(s) need {n_stages} fpc variables, given: {len(fpc_cols)}.",
        )
    stages: list[Stage] = []
    parent = np.zeros(n, dtype=np.int64)
    prob = np.ones(n)
    for k in range(n_stages):
        scol = strata_cols[k] if k < len(strata_cols) else None
        sframe = pd.DataFrame({"_p": parent})
        if scol is not None:
            if data[scol].isna().any():
                raise SozialmonitorError(
                    f"Schichtvariable {scol!r} hat fehlende Werte.",
                    f"Stratum variable {scol!r} has missing values.",
                )
            sframe["_s"] = data[scol].to_numpy()
        strata_codes = _codes(sframe)
        cframe = sframe.copy()
        cframe["_s"] = strata_codes
        if k < len(id_cols) and id_cols[k] is not None:
            col = id_cols[k]
            assert col is not None
            if data[col].isna().any():
                raise SozialmonitorError(
                    f"Clustervariable {col!r} hat fehlende Werte.",
                    f"Cluster variable {col!r} has missing values.",
                )
            cframe["_c"] = data[col].to_numpy()
            cluster_codes = _codes(cframe)
        else:
            cluster_codes = np.arange(n, dtype=np.int64)
        # number of distinct clusters per stratum
        first = np.unique(cluster_codes, return_index=True)[1]
        per_stratum = np.bincount(strata_codes[first], minlength=int(strata_codes.max()) + 1 if n else 0)
        n_psu = per_stratum[strata_codes].astype(float)
        if fpc_cols:
            fcol = fpc_cols[k]
            assert fcol is not None
            f = pd.to_numeric(data[fcol], errors="coerce").to_numpy(dtype=float)
            if np.isnan(f).any() or (f <= 0).any():
                raise SozialmonitorError(
                    f"fpc-Variable {fcol!r} muss überall positiv sein.",
                    f"fpc variable {fcol!r} must be positive.",
                )
            pop = n_psu / f if np.all(f <= 1) else f
            if np.any(pop < n_psu - 1e-9):
                raise SozialmonitorError(
                    f"fpc-Variable {fcol!r}: Populationsgröße kleiner als Stichprobengröße.",
                    f"fpc variable {fcol!r}: population size smaller than sample size.",
                )
            prob = prob * n_psu / pop
        else:
            pop = np.full(n, np.inf)
        stages.append(Stage(cluster_codes, strata_codes, n_psu, pop))
        parent = cluster_codes
    if weights is not None:
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
        if np.isnan(w).any() or (w < 0).any():
            raise SozialmonitorError(
                f"Gewichtsvariable {weights!r} hat fehlende oder negative Werte.",
                f"Weight variable {weights!r} has missing or negative values.",
            )
    elif fpc_cols:
        w = 1.0 / prob
    else:
        w = np.ones(n)
    desc = f"ids={id_cols or ['1']}, strata={strata_cols or None}, weights={weights}, fpc={fpc_cols or None}"
    return SurveyDesign(
        data=data,
        weights=w,
        stages=tuple(stages),
        has_fpc=bool(fpc_cols),
        has_strata=bool([s for s in strata_cols if s is not None]),
        description=desc,
    )


def group_sums(codes: np.ndarray, x: np.ndarray, size: int) -> np.ndarray:
    """Column-wise sums of ``x`` (n, p) by integer ``codes``; result (size, p)."""
    out = np.empty((size, x.shape[1]))
    for j in range(x.shape[1]):
        out[:, j] = np.bincount(codes, weights=x[:, j], minlength=size)
    return out


def _onestage(x: np.ndarray, stage: Stage, multiplier: np.ndarray) -> np.ndarray:
    """Between-unit variance at one stage, summed over strata (R's ``onestage``/``onestrat``)."""
    ucl, first, inv = np.unique(stage.clusters, return_index=True, return_inverse=True)
    totals = group_sums(inv.ravel(), x, len(ucl))
    cstrat = stage.strata[first]
    n_h = stage.n_psu[first]
    pop = stage.pop_size[first]
    f = np.where(np.isinf(pop), 1.0, (pop - n_h) / np.where(np.isinf(pop), 1.0, pop))
    f = np.where(f < 1e-7, 0.0, f)
    lonely = (n_h <= 1) & (f > 0)
    if lonely.any():
        raise SozialmonitorError(
            "Eine Schicht enthält nur eine Auswahleinheit (PSU); die Varianz ist nicht schätzbar "
            "(wie R survey.lonely.psu='fail'). Schichten zusammenlegen.",
            "A stratum has only one sampling unit (PSU); its variance cannot be estimated "
            "(as R survey.lonely.psu='fail'). Collapse strata.",
        )
    scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f) * multiplier[first]
    us, sinv = np.unique(cstrat, return_inverse=True)
    sinv = sinv.ravel()
    n_per = np.bincount(sinv, weights=np.ones(len(sinv)), minlength=len(us))
    # R pads missing units with zero rows: the stratum mean divides by the design's n_h
    denom = np.maximum(np.bincount(sinv, weights=n_h, minlength=len(us)) / n_per, 1.0)
    means = group_sums(sinv, totals, len(us)) / denom[:, None]
    centred = totals - means[sinv]
    v = (centred * scale[:, None]).T @ centred
    # padded (absent) units contribute (0 - mean)^2 each
    missing = denom - n_per
    if np.any(missing > 0):
        s_scale = np.bincount(sinv, weights=scale, minlength=len(us)) / n_per
        pad = missing * s_scale
        v = v + (means * pad[:, None]).T @ means
    return np.asarray(v)


def multistage_variance(x: np.ndarray, stages: Sequence[Stage], has_fpc: bool) -> np.ndarray:
    """R's ``multistage``: first-stage variance plus, with fpc, later stages weighted by n/N."""
    v = _onestage(x, stages[0], np.ones(len(x)))
    if has_fpc and len(stages) > 1:
        mult = np.ones(len(x))
        for k in range(1, len(stages)):
            prev = stages[k - 1]
            mult = mult * np.where(np.isinf(prev.pop_size), 1.0, prev.n_psu / prev.pop_size)
            v = v + _onestage(x, stages[k], mult)
    return v


def apply_adjustments(x: np.ndarray, adjustments: Sequence[Adjustment]) -> np.ndarray:
    """Replace influence values by calibration residuals, in the order the weighting steps were done."""
    for adj in adjustments:
        if isinstance(adj, GregAdjustment):
            z = x / adj.w[:, None]
            z = z - adj.q @ (adj.q.T @ z)
            x = z * adj.w[:, None]
        elif isinstance(adj, RakingAdjustment):
            for _ in range(10):
                for cells, psw in adj.margins:
                    size = int(cells.max()) + 1
                    counts = np.bincount(cells, minlength=size).astype(float)
                    means = group_sums(cells, x / psw[:, None], size) / np.maximum(counts, 1)[:, None]
                    x = x - psw[:, None] * means[cells]
        else:
            psw = adj.new_weights.copy()
            oldw = adj.old_weights
            psw[(psw == 0) & (oldw == 0)] = 1.0
            size = int(adj.cells.max()) + 1
            sums = group_sums(adj.cells, x * (oldw / psw)[:, None], size)
            wsum = np.bincount(adj.cells, weights=oldw, minlength=size)
            means = sums / np.where(wsum == 0, 1.0, wsum)[:, None]
            x = x - means[adj.cells] * psw[:, None]
    return x
