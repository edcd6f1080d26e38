"""Profile-likelihood CI for a proportion as R's ``svyciprop(method="likelihood")`` computes it.

R profiles the deviance of an intercept-only quasibinomial ``svyglm`` (MASS's ``profile.glm``
grid: steps of zmax/5 standard errors, at most 9 per side), scales the deviance by a
design-based dispersion, interpolates the profile with an FMM cubic spline (``spline()``) and
reads off the cut-offs with ``approx()``. This module repeats those steps so that the interval
agrees with R to many digits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats


def _fmm_coefficients(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cubic spline coefficients with Forsythe–Malcolm–Moler end conditions (R's ``fmm_spline``)."""
    n = len(x)
    b = np.zeros(n)
    c = np.zeros(n)
    d = np.zeros(n)
    if n < 3:
        b[:] = (y[1] - y[0]) / (x[1] - x[0])
        return b, c, d
    nm1 = n - 1
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, nm1):
        d[i] = x[i + 1] - x[i]
        b[i] = 2.0 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0] = -d[0]
    b[nm1] = -d[n - 2]
    c[0] = c[nm1] = 0.0
    if n > 3:
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        c[nm1] = c[n - 2] / (x[nm1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
        c[nm1] = -c[nm1] * d[n - 2] * d[n - 2] / (x[nm1] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] = b[i] - t * d[i - 1]
        c[i] = c[i] - t * c[i - 1]
    c[nm1] = c[nm1] / b[nm1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[nm1] = (y[nm1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[nm1])
    for i in range(nm1):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
        d[i] = (c[i + 1] - c[i]) / d[i]
        c[i] = 3.0 * c[i]
    c[nm1] = 3.0 * c[nm1]
    d[nm1] = d[n - 2]
    return b, c, d


def r_spline(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's ``spline(x, y)`` (method "fmm", n = 3 * length(x) equally spaced points)."""
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    b, c, d = _fmm_coefficients(x, y)
    xout = np.linspace(x[0], x[-1], 3 * len(x))
    idx = np.clip(np.searchsorted(x, xout, side="right") - 1, 0, len(x) - 1)
    dx = xout - x[idx]
    return xout, y[idx] + dx * (b[idx] + dx * (c[idx] + dx * d[idx]))


def r_approx(x: np.ndarray, y: np.ndarray, xout: np.ndarray) -> np.ndarray:
    """R's ``approx(x, y, xout)`` with ties averaged and NA outside the range."""
    ux, inv = np.unique(x, return_inverse=True)
    uy = np.bincount(inv.ravel(), weights=y) / np.bincount(inv.ravel())
    out = np.interp(xout, ux, uy)
    return np.where((xout < ux[0]) | (xout > ux[-1]), np.nan, out)


def _deviance(y: np.ndarray, w: np.ndarray, mu: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0)
        t0 = np.where(y < 1, (1 - y) * np.log(np.where(y < 1, 1 - y, 1) / (1 - mu)), 0.0)
    return float(2 * np.sum(w * (t1 + t0)))


def _deviance_rows(y: np.ndarray, w: np.ndarray, mu: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0)
        t0 = np.where(y < 1, (1 - y) * np.log(np.where(y < 1, 1 - y, 1) / (1 - mu)), 0.0)
    return float(2 * np.sum(w * (t1 + t0)))


def profile_ci(
    y: np.ndarray,
    sw: np.ndarray,
    total_variance: Callable[[np.ndarray], float],
    ddf: int,
    level: float,
) -> tuple[float, float]:
    """Profile-likelihood CI for the weighted share of ``y`` (0/1) among the rows R's glm sees.

    ``sw``: their sampling weights; ``total_variance(u)``: design variance of the estimated
    total of ``u`` (one value per row).
    """
    n = len(y)
    w = sw / sw.mean()
    # IRLS of R's glm.fit; R keeps the working weights of the last iteration (previous fitted values)
    mu_rows = (w * y + 0.5) / (w + 1)
    eta_rows = np.log(mu_rows / (1 - mu_rows))
    dev_old = _deviance_rows(y, w, mu_rows)
    for _ in range(25):
        ww = w * mu_rows * (1 - mu_rows)
        z = eta_rows + (y - mu_rows) / (mu_rows * (1 - mu_rows))
        b = float(ww @ z / ww.sum())
        m = 1 / (1 + np.exp(-b))
        dev = _deviance(y, w, m)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-8:
            break
        dev_old = dev
        mu_rows = np.full(n, m)
        eta_rows = np.full(n, b)
    b0 = b
    mu = float(m)
    dev0 = dev
    naive = 1.0 / float(ww.sum())
    # sandwich variance of the coefficient (R's svy.varcoef): estfun = working residual * working weight
    estfun_per_sw = (ww / w) * (y - mu) / (mu * (1 - mu)) / sw.mean()
    cov_b = naive**2 * total_variance(estfun_per_sw)
    se_b = float(np.sqrt(cov_b))
    lam = cov_b / naive
    nz = int(np.count_nonzero(sw))
    r = (y - mu) / np.sqrt(mu * (1 - mu))
    rbar = (sw @ r) / sw.sum()
    dispersion = float(sw @ (r - rbar) ** 2 / sw.sum() * nz / (nz - 1))
    alpha = float(stats.norm.cdf(stats.t.ppf((1 - level) / 2, ddf) * np.sqrt(lam)) / 2)
    zmax = float(np.sqrt(stats.f.isf(alpha, 1, n - 1)))
    delta = zmax / 5
    zs = [0.0]
    bs = [b0]
    for sgn in (-1, 1):
        step = 0
        zcur = 0.0
        while True:
            step += 1
            if not (step < 10 and abs(zcur) < zmax):
                break
            bi = b0 + sgn * step * delta * se_b
            zz = max((_deviance(y, w, float(1 / (1 + np.exp(-bi)))) - dev0) / dispersion, 0.0)
            zcur = sgn * float(np.sqrt(zz))
            zs.append(zcur)
            bs.append(bi)
    order = np.argsort(zs, kind="stable")
    sx, sy = r_spline(np.asarray(bs)[order], np.asarray(zs)[order])
    cut = np.array([stats.norm.ppf(2 * alpha), stats.norm.isf(2 * alpha)])
    lo, hi = r_approx(sy, sx, cut)
    return float(1 / (1 + np.exp(-lo))), float(1 / (1 + np.exp(-hi)))
