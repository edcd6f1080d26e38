"""Design-based estimation: means, totals, proportions, ratios, crosstabs, domains, proportion CIs.

Standard errors by Taylor linearisation (influence values, as R's ``survey`` package) for
:class:`SurveyDesign`, or from replicate weights for :class:`ReplicateDesign`.

Domains (``mask`` / :func:`by_domain`) keep the full design, like R's ``subset()`` and ``svyby``:
rows outside the domain get weight zero but still count as sampling units.
Missing values of the analysis variables are left out the same way (R's ``na.rm=TRUE``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.survey.design import SurveyDesign
from sozialmonitor.survey.profile import profile_ci
from sozialmonitor.survey.replicate import ReplicateDesign

Design = SurveyDesign | ReplicateDesign

SMALL_N = 30
MAX_CV = 0.30


@dataclass(frozen=True)
class SurveyEstimate:
    """Estimates with their covariance matrix; ``df`` are the design's (or domain's) degrees of freedom."""

    statistic: str
    names: tuple[str, ...]
    estimate: np.ndarray
    vcov: np.ndarray
    df: int
    n: np.ndarray
    n_eff: np.ndarray

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.vcov), 0, None))

    @property
    def cv(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.estimate != 0, self.se / np.abs(self.estimate), np.nan)

    def confint(
        self, level: float = 0.95, dist: str = "z", df: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Wald interval: ``dist="z"`` (R's ``confint`` default) or ``"t"`` with ``df`` (default: own df)."""
        q = _quantile(level, dist, self.df if df is None else df)
        return self.estimate - q * self.se, self.estimate + q * self.se

    def publishable(self) -> np.ndarray:
        """False for small domains (n < 30) or too uncertain estimates (CV > 30 %)."""
        cv = self.cv
        return (self.n >= SMALL_N) & np.isfinite(cv) & (cv <= MAX_CV)

    def __getitem__(self, name: str) -> float:
        return float(self.estimate[self.names.index(name)])

    def to_frame(self, level: float = 0.95, dist: str = "z") -> pd.DataFrame:
        low, high = self.confint(level, dist)
        return pd.DataFrame(
            {
                "name": list(self.names),
                "statistic": self.statistic,
                "estimate": self.estimate,
                "se": self.se,
                "ci_low": low,
                "ci_high": high,
                "df": self.df,
                "n": self.n,
                "n_eff": self.n_eff,
                "cv": self.cv,
                "publishable": self.publishable(),
            }
        )


def _quantile(level: float, dist: str, df: int) -> float:
    if not 0 < level < 1:
        raise SozialmonitorError(
            f"Konfidenzniveau muss zwischen 0 und 1 liegen, erhalten: {level}.",
            f"Confidence level must be between 0 and 1, got: {level}.",
        )
    a = (1 - level) / 2
    if dist == "z":
        return float(stats.norm.ppf(1 - a))
    if dist == "t":
        return float(stats.t.ppf(1 - a, df)) if df > 0 else float("nan")
    raise SozialmonitorError(
        f"Unbekannte Verteilung {dist!r} (z oder t).", f"Unknown distribution {dist!r} (z or t)."
    )


def _column(design: Design, name: str) -> pd.Series:
    if name not in design.data.columns:
        raise SozialmonitorError(
            f"Variable {name!r} fehlt in den Daten.", f"Variable {name!r} is missing from the data."
        )
    return design.data[name]


def _numeric(design: Design, name: str) -> np.ndarray:
    col = _column(design, name)
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object:
        conv = pd.to_numeric(col, errors="coerce")
        if conv.isna().sum() > col.isna().sum():
            raise SozialmonitorError(
                f"Variable {name!r} ist nicht numerisch; für Kategorien Anteile schätzen.",
                f"Variable {name!r} is not numeric; estimate proportions for categories.",
            )
        col = conv
    return np.asarray(pd.to_numeric(col, errors="coerce"), dtype=float)


def _base_mask(design: Design, mask: np.ndarray | None) -> np.ndarray:
    if mask is None:
        return np.ones(design.n, dtype=bool)
    m = np.asarray(mask, dtype=bool)
    if m.shape != (design.n,):
        raise SozialmonitorError("Domänenmaske hat die falsche Länge.", "Domain mask has the wrong length.")
    return m


def _core(
    design: Design, y: np.ndarray, x: np.ndarray | None, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimate (totals, or ratios y/x), covariance and SRS-with-replacement variance for deff."""
    w = design.weights * mask
    ty = w @ y
    n = int(np.count_nonzero(w))
    if x is None:
        est = ty
        infl = w[:, None] * y
    else:
        tx = w @ x
        with np.errstate(divide="ignore", invalid="ignore"):
            est = ty / tx
        if np.any(tx == 0):
            raise SozialmonitorError(
                "Die Domäne ist leer oder der Nenner ist null.",
                "The domain is empty or the denominator is zero.",
            )
        infl = w[:, None] * (y - est * x) / tx
    if isinstance(design, ReplicateDesign):
        rw = design.factors * w[:, None]
        tyr = rw.T @ y
        if x is None:
            thetas = tyr
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                thetas = tyr / (rw.T @ x)
        v = design.replicate_variance(thetas)
    else:
        v = design.variance(infl)
    # with-replacement SRS variance of the same estimator (R's deff="replace")
    wsum = w.sum()
    if n > 1 and wsum > 0:
        z = infl / w[:, None].clip(min=1e-300) * (w[:, None] > 0)
        zbar = (w @ z) / wsum
        s2 = (w @ (z - zbar) ** 2) / wsum * n / (n - 1)
        vsrs = s2 * wsum**2 / n
    else:
        vsrs = np.full(y.shape[1], np.nan)
    return np.asarray(est), np.asarray(v), np.asarray(vsrs)


def _finish(
    statistic: str,
    names: Sequence[str],
    design: Design,
    est: np.ndarray,
    v: np.ndarray,
    vsrs: np.ndarray,
    n: np.ndarray,
    mask: np.ndarray,
    domain_df: bool,
) -> SurveyEstimate:
    var = np.diag(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(var > 0, n * vsrs / var, np.nan)
    df = design.degf(mask) if domain_df else design.degf()
    return SurveyEstimate(statistic, tuple(names), est, v, df, n.astype(int), n_eff)


def _prepare(
    design: Design, variables: str | Sequence[str], mask: np.ndarray | None
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    names = [variables] if isinstance(variables, str) else list(variables)
    base = _base_mask(design, mask)
    y = np.column_stack([_numeric(design, v) for v in names])
    ok = base & ~np.isnan(y).any(axis=1)
    y = np.where(ok[:, None], y, 0.0)
    n = np.full(len(names), np.count_nonzero(ok & (design.weights > 0)))
    return names, y, ok, n


def mean(design: Design, variables: str | Sequence[str], mask: np.ndarray | None = None) -> SurveyEstimate:
    """Weighted mean(s), like ``svymean``."""
    names, y, ok, n = _prepare(design, variables, mask)
    est, v, vsrs = _core(design, y, np.ones_like(y), ok)
    return _finish("mean", names, design, est, v, vsrs, n, _base_mask(design, mask), mask is not None)


def total(design: Design, variables: str | Sequence[str], mask: np.ndarray | None = None) -> SurveyEstimate:
    """Estimated population total(s), like ``svytotal``."""
    names, y, ok, n = _prepare(design, variables, mask)
    est, v, vsrs = _core(design, y, None, ok)
    return _finish("total", names, design, est, v, vsrs, n, _base_mask(design, mask), mask is not None)


def ratio(design: Design, numerator: str, denominator: str, mask: np.ndarray | None = None) -> SurveyEstimate:
    """Ratio of two totals, like ``svyratio``."""
    _, yx, ok, n = _prepare(design, [numerator, denominator], mask)
    est, v, vsrs = _core(design, yx[:, :1], yx[:, 1:], ok)
    return _finish(
        "ratio",
        [f"{numerator}/{denominator}"],
        design,
        est,
        v,
        vsrs,
        n[:1],
        _base_mask(design, mask),
        mask is not None,
    )


def levels_of(series: pd.Series) -> list[Any]:
    """Category levels in R's order: categorical order if given, else sorted distinct values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    return sorted(series.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))


def _indicators(
    design: Design, variables: Sequence[str], mask: np.ndarray | None
) -> tuple[list[str], np.ndarray, np.ndarray]:
    base = _base_mask(design, mask)
    cols = [_column(design, v) for v in variables]
    ok = base.copy()
    for c in cols:
        ok &= c.notna().to_numpy()
    combos: list[tuple[Any, ...]] = [()]
    for c in cols:
        combos = [(*prev, lev) for lev in levels_of(c) for prev in combos]  # first varies fastest
    names = [".".join(str(v) for v in combo) for combo in combos]
    y = np.ones((design.n, len(combos)))
    for k, combo in enumerate(combos):
        for c, lev in zip(cols, combo, strict=True):
            y[:, k] *= (c == lev).to_numpy()
    y[~ok] = 0.0
    return names, y, ok


def proportion(design: Design, variable: str, mask: np.ndarray | None = None) -> SurveyEstimate:
    """Share of each level of a categorical variable (``svymean(~factor)``)."""
    names, y, ok = _indicators(design, [variable], mask)
    n = np.full(len(names), np.count_nonzero(ok & (design.weights > 0)))
    est, v, vsrs = _core(design, y, np.ones_like(y), ok)
    return _finish("proportion", names, design, est, v, vsrs, n, _base_mask(design, mask), mask is not None)


def crosstab(
    design: Design, row: str, col: str, statistic: str = "total", mask: np.ndarray | None = None
) -> SurveyEstimate:
    """Cells of a two-way table as totals or shares of the whole (``svytotal(~interaction(row, col))``).

    Names are ``"row_level.col_level"`` with the row variable varying fastest (R's order).
    Row percentages are domain proportions: ``by_domain(design, row, proportion, col)``.
    """
    names, y, ok = _indicators(design, [row, col], mask)
    n = (y * (design.weights > 0)[:, None]).sum(axis=0)
    if statistic == "total":
        est, v, vsrs = _core(design, y, None, ok)
    elif statistic == "proportion":
        est, v, vsrs = _core(design, y, np.ones_like(y), ok)
    else:
        raise SozialmonitorError(
            f"Unbekannte Statistik {statistic!r} (total oder proportion).",
            f"Unknown statistic {statistic!r} (total or proportion).",
        )
    return _finish(
        f"crosstab_{statistic}", names, design, est, v, vsrs, n, _base_mask(design, mask), mask is not None
    )


def by_domain(
    design: Design, domain: str, fn: Callable[..., SurveyEstimate], *args: Any, **kwargs: Any
) -> dict[Any, SurveyEstimate]:
    """Estimate ``fn(design, *args, mask=...)`` for each level of ``domain`` (R's ``svyby``).

    Each domain keeps the full design; its ``df`` is the domain's own (PSUs minus strata in it).
    """
    col = _column(design, domain)
    present = col[(design.weights > 0) & col.notna().to_numpy()]
    out: dict[Any, SurveyEstimate] = {}
    for lev in levels_of(present if not isinstance(col.dtype, pd.CategoricalDtype) else col):
        m = (col == lev).to_numpy()
        if not (m & (design.weights > 0)).any():
            continue
        out[lev] = fn(design, *args, mask=m, **kwargs)
    return out


@dataclass(frozen=True)
class PropCI:
    """A proportion with its confidence interval (R's ``svyciprop``)."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    method: str
    level: float


def ciprop(
    design: Design,
    variable: str,
    value: Any = True,
    method: str = "logit",
    level: float = 0.95,
    mask: np.ndarray | None = None,
) -> PropCI:
    """Share of rows with ``variable == value`` and its CI, like ``svyciprop``.

    ``method="logit"``: Wald interval on the logit scale with t(df) quantile; ``"beta"``:
    Clopper–Pearson / Korn–Graubard with effective n (as R, where n is ``nrow(design)``);
    ``"mean"``: Wald with t(df). ``df`` is the degrees of freedom of the (domain) design.
    """
    base = _base_mask(design, mask)
    col = _column(design, variable)
    ok = base & col.notna().to_numpy()
    y = (col == value).to_numpy(dtype=float)[:, None] * ok[:, None]
    est, v, _ = _core(design, y, np.ones_like(y), ok)
    p = float(est[0])
    var = float(v[0, 0])
    se = float(np.sqrt(var))
    df = design.degf(base) if mask is not None else design.degf()
    alpha = 1 - level
    if method in ("logit", "xlogit"):
        q = float(stats.t.ppf(1 - alpha / 2, df))
        eta = np.log(p / (1 - p))
        se_eta = se / (p * (1 - p))
        low, high = (1 / (1 + np.exp(-(eta + s * q * se_eta))) for s in (-1, 1))
    elif method == "beta":
        # R uses nrow(design): the domain's rows for an uncalibrated design (subset drops rows),
        # all rows for a calibrated design (subset only zeroes weights)
        nrow = design.n if (mask is None or design.is_calibrated) else int(np.count_nonzero(base))
        n_eff = p * (1 - p) / var * (stats.t.ppf(alpha / 2, nrow - 1) / stats.t.ppf(alpha / 2, df)) ** 2
        low = float(stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1))
        high = float(stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)))
    elif method == "asin":
        q = float(stats.t.ppf(1 - alpha / 2, df))
        centre = np.arcsin(np.sqrt(p))
        half = q * se / (2 * np.sqrt(p * (1 - p)))
        low, high = (float(np.sin(centre + s * half) ** 2) for s in (-1, 1))
    elif method == "likelihood":
        rows = ok if (mask is not None and not design.is_calibrated) else col.notna().to_numpy()
        yy = y[rows, 0]

        def total_variance(u: np.ndarray) -> float:
            full = np.zeros(design.n)
            full[rows] = u
            return float(_core(design, full[:, None], None, rows)[1][0, 0])

        low, high = profile_ci(yy, design.weights[rows], total_variance, df, level)
    elif method == "mean":
        q = float(stats.t.ppf(1 - alpha / 2, df))
        low, high = p - q * se, p + q * se
    else:
        raise SozialmonitorError(
            f"Unbekannte Methode {method!r} (logit, xlogit, likelihood, asin, beta, mean).",
            f"Unknown method {method!r} (logit, xlogit, likelihood, asin, beta, mean).",
        )
    return PropCI(p, se, float(low), float(high), df, method, level)
