"""Replicate-weight designs: delete-one-PSU jackknife JK1 (unstratified) and JKn (stratified).

Follows R's ``as.svrepdesign(design, type="JK1"|"JKn")`` with ``survey.replicates.mse = FALSE``:
the variance is ``scale * sum_r rscale_r (theta_r - mean(theta))^2``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.survey.design import SurveyDesign


@dataclass(frozen=True)
class ReplicateDesign:
    """Full-sample weights plus replicate weight factors (n rows, R replicates)."""

    data: pd.DataFrame
    weights: np.ndarray
    factors: np.ndarray  # replicate weight = factors[:, r] * weights
    scale: float
    rscales: np.ndarray
    type: str
    df: int

    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def is_calibrated(self) -> bool:
        return False

    def degf(self, mask: np.ndarray | None = None) -> int:
        return self.df

    def with_weights(self, weights: np.ndarray) -> ReplicateDesign:
        return replace(self, weights=np.asarray(weights, dtype=float))

    def replicate_variance(self, thetas: np.ndarray) -> np.ndarray:
        """Covariance from replicate estimates ``thetas`` (R, p); replicates giving NaN are dropped."""
        ok = np.all(np.isfinite(thetas), axis=1)
        if not ok.any():
            raise SozialmonitorError(
                "Alle Replikate ergaben fehlende Werte.", "All replicates gave missing results."
            )
        th = thetas[ok]
        rs = self.rscales[ok]
        centre = th[rs > 0].mean(axis=0)
        d = (th - centre) * np.sqrt(rs)[:, None]
        return np.asarray(d.T @ d * self.scale)


def as_replicate_design(design: SurveyDesign, type: str = "auto") -> ReplicateDesign:
    """Jackknife replicate weights from the first stage of ``design`` (R's ``as.svrepdesign``).

    ``type``: ``"JK1"`` (unstratified designs), ``"JKn"`` (stratified) or ``"auto"``.
    A first-stage fpc is carried into the replicate scales as R does.
    """
    if type == "auto":
        type = "JKn" if design.has_strata else "JK1"
    if type not in ("JK1", "JKn"):
        raise SozialmonitorError(f"Unbekannter Replikattyp {type!r}.", f"Unknown replicate type {type!r}.")
    if type == "JK1" and design.has_strata:
        raise SozialmonitorError(
            "JK1 ist nur für ungeschichtete Designs möglich; JKn verwenden.",
            "JK1 is only possible for unstratified designs; use JKn.",
        )
    st = design.stages[0]
    psu, first, inv = np.unique(st.clusters, return_index=True, return_inverse=True)
    inv = inv.ravel()
    n_units = len(psu)
    pstrata = st.strata[first]
    n_h = st.n_psu[first]
    pop = st.pop_size[first]
    fpc = np.where(np.isinf(pop), 1.0, (pop - n_h) / np.where(np.isinf(pop), 1.0, pop))
    rscales: list[float] = []
    if type == "JK1":
        n = n_units
        unit_factors = np.full((n, n), n / (n - 1))
        np.fill_diagonal(unit_factors, 0.0)
        scale = float(fpc[0] * (n - 1) / n)
        rscales = [1.0] * n
        factors = unit_factors[inv]
    else:
        scale = 1.0
        unit_factors_list: list[np.ndarray] = []
        for s in np.unique(pstrata):
            members = np.flatnonzero(pstrata == s)
            nh = len(members)
            if nh == 1:
                if fpc[members[0]] != 0:
                    raise SozialmonitorError(
                        "Eine Schicht enthält nur eine Auswahleinheit (PSU); JKn nicht möglich.",
                        "A stratum has only one sampling unit (PSU); JKn is not possible.",
                    )
                continue  # a certainty unit adds no variance
            for j in members:
                col = np.ones(n_units)
                col[members] = nh / (nh - 1)
                col[j] = 0.0
                unit_factors_list.append(col)
                rscales.append(float(fpc[j] * (nh - 1) / nh))
        factors = np.column_stack(unit_factors_list)[inv]
    cols_arr = factors
    rep = ReplicateDesign(
        data=design.data,
        weights=design.weights.copy(),
        factors=cols_arr,
        scale=scale,
        rscales=np.asarray(rscales),
        type=type,
        df=0,
    )
    analysis = cols_arr * design.weights[:, None]
    rank = int(np.linalg.matrix_rank(analysis, tol=_qr_tol(analysis)))
    return replace(rep, df=rank - 1)


def _qr_tol(m: np.ndarray) -> float:
    # R: qr(weights, tol=1e-5)$rank; an SVD rank with a relative tolerance gives the same here
    s = np.linalg.svd(m, compute_uv=False)
    return float(s.max() * 1e-5) if s.size else 0.0
