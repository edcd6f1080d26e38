"""Weighting: design weights, nonresponse adjustment, post-stratification, raking, calibration, trimming.

Each step returns a new :class:`SurveyDesign` whose variance accounts for the step exactly as
R's ``survey`` package does (``postStratify``, ``rake``, ``calibrate``, ``trimWeights``).

Population margins are given as ``{variable: {level: population count}}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.survey.design import (
    GregAdjustment,
    PostStratAdjustment,
    RakingAdjustment,
    SurveyDesign,
    group_sums,
)

Margins = Mapping[str, Mapping[Any, float]]


def design_weights(
    sample: pd.DataFrame, strata: str | Sequence[str], population: Mapping[Any, float]
) -> pd.Series:
    """Design weights N_h / n_h for a stratified simple random sample (keys: stratum value or tuple)."""
    cols = [strata] if isinstance(strata, str) else list(strata)
    keys = _cell_keys(sample, cols)
    n_h = keys.value_counts()
    pop = {_key(k): float(v) for k, v in population.items()}
    missing = sorted(set(n_h.index) - set(pop))
    if missing:
        raise SozialmonitorError(
            f"Für Schicht(en) {missing} fehlt die Populationszahl.",
            f"Population count missing for stratum {missing}.",
        )
    return pd.Series([pop[k] / n_h[k] for k in keys], index=sample.index, name="design_weight")


def adjust_nonresponse(
    sample: pd.DataFrame, weight: str, responded: str, classes: str | Sequence[str]
) -> pd.Series:
    """Weighting-class nonresponse adjustment.

    Respondents' weights are multiplied by (sum of weights of all sampled units in the class) /
    (sum of weights of respondents in the class); nonrespondents get weight 0.
    """
    cols = [classes] if isinstance(classes, str) else list(classes)
    keys = _cell_keys(sample, cols)
    w = pd.to_numeric(sample[weight]).astype(float)
    resp = sample[responded].astype(bool)
    all_w = w.groupby(keys).sum()
    resp_w = w[resp].groupby(keys[resp]).sum()
    empty = sorted(str(k) for k in all_w.index if resp_w.get(k, 0.0) <= 0)
    if empty:
        raise SozialmonitorError(
            f"Gewichtungsklasse(n) ohne Antworten: {', '.join(empty)}. Klassen zusammenlegen.",
            f"Weighting class(es) without respondents: {', '.join(empty)}. Collapse classes.",
        )
    factor = keys.map(all_w / resp_w).astype(float)
    return (w * factor).where(resp, 0.0).rename(f"{weight}_nr")


def level_key(value: Any) -> str:
    """Normalised text key of a level (1.0 and 1 and '1' match)."""
    return _key(value)


def _key(value: Any) -> str:
    if isinstance(value, tuple):
        return "\x1f".join(_key(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _cell_keys(data: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    for c in cols:
        if c not in data.columns:
            raise SozialmonitorError(
                f"Variable {c!r} fehlt in den Daten.", f"Variable {c!r} is missing from the data."
            )
        if data[c].isna().any():
            raise SozialmonitorError(
                f"Gewichtungsvariable {c!r} hat fehlende Werte.",
                f"Weighting variable {c!r} has missing values.",
            )
    parts = []
    for c in cols:
        codes, uniques = pd.factorize(data[c].astype(object))
        ukeys = np.array([_key(u) for u in uniques], dtype=object)
        parts.append(pd.Series(ukeys[codes], index=data.index, dtype=object))
    out = parts[0]
    for p in parts[1:]:
        out = out + "\x1f" + p
    return out.reset_index(drop=True)


def _poststrat_weights(
    w: np.ndarray,
    keys: pd.Series | tuple[np.ndarray, np.ndarray],
    population: Mapping[Any, float],
    label: str,
) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(keys, tuple):
        codes, uniques = keys
    else:
        codes, uniques = _factorize(keys)
    pop = {_key(k): float(v) for k, v in population.items()}
    sample_tot = np.bincount(codes, weights=w, minlength=len(uniques))
    pop_arr = np.array([pop.get(k, 0.0) for k in uniques])
    unknown = [str(k) for k, t, pv in zip(uniques, sample_tot, pop_arr, strict=True) if t > 0 and pv <= 0]
    if unknown:
        shown = [k.replace(chr(31), " × ") for k in unknown]
        raise SozialmonitorError(
            f"{label}: Zelle(n) {shown} kommen in der Stichprobe vor, aber nicht in den Populationsrändern.",
            f"{label}: cell(s) {shown} occur in the sample but not in the population margins.",
        )
    present = {k for k, tot in zip(uniques, sample_tot, strict=True) if tot > 0}
    empty = [k for k, v in pop.items() if v > 0 and k not in present]
    if empty:
        shown_empty = [e.replace(chr(31), " × ") for e in empty]
        raise SozialmonitorError(
            f"{label}: Randzelle(n) {shown_empty} ohne Befragte in der Stichprobe. Zellen zusammenlegen.",
            f"{label}: margin cell(s) {shown_empty} have no respondents. Collapse cells.",
        )
    factor = np.divide(pop_arr, sample_tot, out=np.zeros_like(pop_arr), where=sample_tot > 0)
    return w * factor[codes], codes


def _factorize(keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(keys, sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def poststratify(
    design: SurveyDesign, variables: str | Sequence[str], population: Mapping[Any, float]
) -> SurveyDesign:
    """Post-stratify to population cell counts (R's ``postStratify``); keys are levels or tuples of levels."""
    cols = [variables] if isinstance(variables, str) else list(variables)
    keys = _cell_keys(design.data, cols)
    new_w, codes = _poststrat_weights(design.weights, keys, population, "Nachschichtung/post-stratification")
    return design.with_weights(new_w, PostStratAdjustment(codes, new_w, design.weights.copy()))


@dataclass(frozen=True)
class WeightingResult:
    """A weighted design plus the convergence report of the weighting step."""

    design: SurveyDesign
    converged: bool
    iterations: int
    max_deviation: float
    method: str

    def report(self) -> str:
        state = "konvergiert/converged" if self.converged else "NICHT konvergiert/NOT converged"
        return (
            f"{self.method}: {state} nach/after {self.iterations} Iteration(en), "
            f"Abweichung/deviation {self.max_deviation:.3g}"
        )


def rake(
    design: SurveyDesign,
    margins: Margins,
    max_iter: int = 100,
    epsilon: float = 1e-8,
    raise_on_failure: bool = True,
) -> WeightingResult:
    """Raking / iterative proportional fitting to population margins (R's ``rake``).

    Converged when no cell of the joint table of all margin variables changes by more than
    ``epsilon`` in one sweep (``epsilon < 1`` is relative to the sum of weights, as in R).
    """
    if not margins:
        raise SozialmonitorError("Keine Ränder zum Raking angegeben.", "No margins given for raking.")
    keys = {var: _factorize(_cell_keys(design.data, [var])) for var in margins}
    eps = epsilon * design.weights.sum() if epsilon < 1 else epsilon
    code_matrix = np.column_stack([c for c, _ in keys.values()])
    joint_codes = np.unique(code_matrix, axis=0, return_inverse=True)[1].ravel().astype(np.int64)
    n_joint = int(joint_codes.max()) + 1 if len(joint_codes) else 0
    w = design.weights.copy()
    old = np.bincount(joint_codes, weights=w, minlength=n_joint)
    converged = False
    it = 0
    delta = float("inf")
    record: list[tuple[np.ndarray, np.ndarray]] = []
    while it < max_iter:
        record = []
        for var, pop in margins.items():
            w, codes = _poststrat_weights(w, keys[var], pop, f"Raking {var!r}")
            record.append((codes, w.copy()))
        new = np.bincount(joint_codes, weights=w, minlength=n_joint)
        delta = float(np.max(np.abs(old - new)))
        if delta < eps:
            converged = True
            break
        old = new
        it += 1
    if not converged and raise_on_failure:
        raise SozialmonitorError(
            f"Raking ist nach {max_iter} Iterationen nicht konvergiert (Abweichung {delta:.3g}). "
            "Ränder prüfen (widersprüchliche Summen?) oder Zellen zusammenlegen.",
            f"Raking did not converge after {max_iter} iterations (deviation {delta:.3g}). "
            "Check the margins (inconsistent totals?) or collapse cells.",
        )
    new_design = design.with_weights(w, RakingAdjustment(tuple(record)))
    return WeightingResult(new_design, converged, min(it + 1, max_iter), delta, "raking")


def calibration_matrix(
    data: pd.DataFrame,
    margins: Margins | None,
    totals: Mapping[str, float] | None,
    population_size: float | None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Model matrix (intercept, level dummies without each margin's first level, numeric columns)."""
    margins = margins or {}
    totals = totals or {}
    sizes = [sum(float(v) for v in m.values()) for m in margins.values()]
    if population_size is None:
        if not sizes:
            raise SozialmonitorError(
                "Populationsgröße fehlt (population_size oder ein kategorialer Rand).",
                "Population size missing (population_size or a categorical margin).",
            )
        population_size = sizes[0]
    for var, size in zip(margins, sizes, strict=True):
        if abs(size - population_size) > 1e-6 * max(1.0, population_size) + 0.5:
            raise SozialmonitorError(
                f"Rand {var!r} summiert sich zu {size:g}, erwartet {population_size:g}.",
                f"Margin {var!r} sums to {size:g}, expected {population_size:g}.",
            )
    cols = [np.ones(len(data))]
    pop = [float(population_size)]
    names = ["(Intercept)"]
    for var, m in margins.items():
        keys = _cell_keys(data, [var])
        popm = {_key(k): float(v) for k, v in m.items()}
        unknown = sorted(set(keys) - set(popm))
        if unknown:
            raise SozialmonitorError(
                f"Rand {var!r}: Stufe(n) {unknown} kommen in der Stichprobe vor, "
                "aber nicht in der Population.",
                f"Margin {var!r}: level(s) {unknown} occur in the sample but not in the population.",
            )
        empty = [k for k, v in popm.items() if v > 0 and not (keys == k).any()]
        if empty:
            raise SozialmonitorError(
                f"Rand {var!r}: Zelle(n) {empty} ohne Befragte. Zellen zusammenlegen.",
                f"Margin {var!r}: cell(s) {empty} have no respondents. Collapse cells.",
            )
        for k in list(popm)[1:]:
            cols.append(np.asarray((keys == k).to_numpy(), dtype=float))
            pop.append(popm[k])
            names.append(f"{var}{k}")
    for var, tot in totals.items():
        x = pd.to_numeric(data[var], errors="coerce").to_numpy(dtype=float)
        if np.isnan(x).any():
            raise SozialmonitorError(
                f"Kalibrierungsvariable {var!r} hat fehlende Werte.",
                f"Calibration variable {var!r} has missing values.",
            )
        cols.append(x)
        pop.append(float(tot))
        names.append(var)
    return np.column_stack(cols), np.asarray(pop), names


def _fm1(calfun: str, u: np.ndarray, lower: float, upper: float) -> tuple[np.ndarray, np.ndarray]:
    """g - 1 and its derivative for R's calibration metrics (cal.linear, cal.raking, cal.logit)."""
    if calfun == "linear":
        return np.minimum(np.maximum(u + 1, lower), upper) - 1, ((u < upper - 1) & (u > lower - 1)).astype(
            float
        )
    if calfun == "raking":
        e = np.exp(np.minimum(u, 700))
        return np.minimum(np.maximum(e, lower), upper) - 1, np.where(
            (u < upper - 1) & (u > lower - 1), e, 0.0
        )
    if calfun == "logit":
        if not (np.isfinite(lower) and np.isfinite(upper)):
            raise SozialmonitorError(
                "Logit-Kalibrierung braucht endliche Grenzen (bounds).",
                "Logit calibration requires finite bounds.",
            )
        a = (upper - lower) / ((upper - 1) * (1 - lower))
        e = np.exp(np.minimum(a * u, 700))
        den = upper - 1 + (1 - lower) * e
        num = lower * (upper - 1) + upper * (1 - lower) * e
        return num / den - 1, upper * (1 - lower) * e * a / den - num * ((1 - lower) * e * a) / den**2
    raise SozialmonitorError(
        f"Unbekannte Kalibrierungsfunktion {calfun!r} (linear, raking, logit).",
        f"Unknown calibration function {calfun!r} (linear, raking, logit).",
    )


def calibrate(
    design: SurveyDesign,
    margins: Margins | None = None,
    totals: Mapping[str, float] | None = None,
    population_size: float | None = None,
    calfun: str = "linear",
    bounds: tuple[float, float] = (-np.inf, np.inf),
    max_iter: int = 50,
    epsilon: float = 1e-7,
) -> WeightingResult:
    """Calibrate weights to population totals (R's ``calibrate``; GREG for ``calfun="linear"``).

    ``margins``: categorical margins ``{var: {level: count}}``; ``totals``: totals of numeric
    variables; ``bounds``: limits for g = new weight / old weight. Raises when it does not converge.
    """
    mm, pop, _names = calibration_matrix(design.data, margins, totals, population_size)
    ww = design.weights
    whalf = np.sqrt(ww)
    sample_total = ww @ mm
    lower, upper = float(bounds[0]), float(bounds[1])
    iterations = 1
    misfit_max = 0.0
    if calfun == "linear" and not (np.isfinite(lower) or np.isfinite(upper)):
        xs = mm * whalf[:, None]
        g = 1 + mm @ np.linalg.solve(xs.T @ xs, pop - sample_total)
    else:
        g, iterations, misfit_max, ok = _grake(mm, ww, calfun, lower, upper, pop, epsilon, max_iter)
        if not ok:
            raise SozialmonitorError(
                f"Kalibrierung ({calfun}) ist nach {max_iter} Iterationen nicht konvergiert "
                f"(relative Abweichung {misfit_max:.3g}). Grenzen lockern oder Ränder prüfen.",
                f"Calibration ({calfun}) did not converge after {max_iter} iterations "
                f"(relative deviation {misfit_max:.3g}). Relax the bounds or check the margins.",
            )
    new_w = ww * g
    xs = mm * whalf[:, None]
    u, s, _ = np.linalg.svd(xs, full_matrices=False)
    q = u[:, s > s.max() * 1e-10] if s.size else u
    adj = GregAdjustment(q=q, w=g * whalf)
    return WeightingResult(
        design.with_weights(new_w, adj), True, iterations, misfit_max, f"calibration ({calfun})"
    )


def _grake(
    mm: np.ndarray,
    ww: np.ndarray,
    calfun: str,
    lower: float,
    upper: float,
    pop: np.ndarray,
    epsilon: float,
    max_iter: int,
) -> tuple[np.ndarray, int, float, bool]:
    """Newton iterations of R's ``grake`` (generalised raking, Deville & Särndal 1992)."""
    sample_total = ww @ mm
    eta = np.zeros(mm.shape[1])
    xeta = mm @ eta
    scales = pop / sample_total
    scale = None
    if np.min(scales) > 20:
        scale = float(np.mean(scales))
        ww = ww * scale
        sample_total = sample_total * scale
    fm1, deriv = _fm1(calfun, xeta, lower, upper)
    it = 1
    ok = True
    while True:
        tmat = (mm * (ww * deriv)[:, None]).T @ mm
        misfit = pop - sample_total - (mm * ww[:, None]).T @ fm1
        deta = np.linalg.pinv(tmat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + deta
        fm1, deriv = _fm1(calfun, mm @ eta, lower, upper)
        while it < max_iter and not (np.all(np.isfinite(fm1)) and np.all(np.isfinite(deriv))):
            it += 1
            deta = deta / 2
            eta = eta - deta
            fm1, deriv = _fm1(calfun, mm @ eta, lower, upper)
        misfit = pop - sample_total - (mm * ww[:, None]).T @ fm1
        achieved = float(np.max(np.abs(misfit) / (1 + np.abs(pop))))
        if achieved < epsilon:
            break
        it += 1
        if it > max_iter:
            ok = False
            break
    g = 1 + fm1
    if scale is not None:
        g = g * scale
    return g, it, achieved, ok


def trim_weights(
    design: SurveyDesign, lower: float = -np.inf, upper: float = np.inf, strict: bool = False
) -> SurveyDesign:
    """Trim weights to [lower, upper]; the trimmed amount is spread equally over the untrimmed
    units (R's ``trimWeights``). ``strict=True`` repeats until no weight lies outside."""
    w = design.weights
    outside = (w < lower) | (w > upper)
    if not outside.any():
        return design
    if outside.all():
        raise SozialmonitorError(
            "Alle Gewichte liegen außerhalb der Trimmgrenzen.", "All weights lie outside the trimming limits."
        )
    new = np.clip(w, lower, upper)
    new[~outside] += (w - new).sum() / np.count_nonzero(~outside)
    out = design.with_weights(new)
    if strict:
        return trim_weights(out, lower, upper, strict=True)
    return out


def margin_totals(data: pd.DataFrame, weights: np.ndarray, var: str) -> pd.Series:
    """Weighted totals of a variable's levels (keys as used for margins)."""
    keys = _cell_keys(data, [var])
    codes, uniques = pd.factorize(keys, sort=True)
    sums = group_sums(codes.astype(np.int64), np.asarray(weights, dtype=float)[:, None], len(uniques))[:, 0]
    return pd.Series(sums, index=list(uniques), name=var)
