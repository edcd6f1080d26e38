"""A synthetic, Jena-like household survey with a known population (for demo, docs and tests).

A register population (default 100,000 adults in 10 planning areas, age group × sex), a sample of
10,000 persons stratified by planning area × age group × sex (proportional allocation), and
about 25 % response that rises with age. The answers (life satisfaction 0–100, financial worries
yes/no) depend on age and planning area, so the unweighted respondent mean is biased and
weighting to register margins can be checked against the true population value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

PLANNING_AREAS = (
    "Nord",
    "West",
    "Zentrum",
    "Ost",
    "Süd",
    "Lobeda",
    "Winzerla",
    "Göschwitz",
    "Ortschaften Nord",
    "Ortschaften Süd",
)
AGE_GROUPS = ("18-29", "30-44", "45-64", "65-79", "80+")
AGE_SHARES = np.array([0.20, 0.24, 0.31, 0.18, 0.07])
SEXES = ("m", "w")
RESPONSE_BY_AGE = np.array([0.13, 0.20, 0.27, 0.36, 0.30])
SATISFACTION_BY_AGE = np.array([72.0, 64.0, 62.0, 70.0, 63.0])
WORRIES_BY_AGE = np.array([0.38, 0.42, 0.30, 0.18, 0.15])


@dataclass(frozen=True)
class SyntheticSurvey:
    """Population register, drawn sample (with response flag), respondents and register margins."""

    population: pd.DataFrame
    sample: pd.DataFrame
    respondents: pd.DataFrame
    margins: dict[str, dict[str, float]]
    truth: dict[str, float]


def synthetic_population(n_persons: int = 100_000, seed: int = 2024) -> pd.DataFrame:
    """Register population with true answers; area sizes and age structure differ between areas."""
    rng = np.random.default_rng(seed)
    n_areas = len(PLANNING_AREAS)
    area_size = rng.dirichlet(np.full(n_areas, 8.0))
    area = rng.choice(n_areas, size=n_persons, p=area_size)
    # older areas (e.g. Lobeda, Winzerla) and younger ones (Zentrum, West)
    shift = np.linspace(-0.6, 0.6, n_areas)[rng.permutation(n_areas)]
    age_logits = np.log(AGE_SHARES)[None, :] + shift[:, None] * np.array([-1.0, -0.5, 0.0, 0.6, 0.8])[None, :]
    age_p = np.exp(age_logits) / np.exp(age_logits).sum(axis=1, keepdims=True)
    u = rng.random(n_persons)
    age = (u[:, None] > np.cumsum(age_p[area], axis=1)).sum(axis=1)
    age = np.minimum(age, len(AGE_GROUPS) - 1)
    female_p = np.array([0.48, 0.49, 0.50, 0.54, 0.64])[age]
    sex = (rng.random(n_persons) < female_p).astype(int)
    area_effect = rng.normal(0, 4.0, n_areas)
    satisfaction = (
        SATISFACTION_BY_AGE[age] + area_effect[area] + 2.0 * (sex == 1) + rng.normal(0, 16, n_persons)
    )
    worries_logit = np.log(WORRIES_BY_AGE / (1 - WORRIES_BY_AGE))[age] - area_effect[area] / 10
    worries = rng.random(n_persons) < 1 / (1 + np.exp(-worries_logit))
    return pd.DataFrame(
        {
            "person_id": np.arange(1, n_persons + 1),
            "planning_area": pd.Categorical.from_codes(area, pd.Index(PLANNING_AREAS)),
            "age_group": pd.Categorical.from_codes(age, pd.Index(AGE_GROUPS)),
            "sex": pd.Categorical.from_codes(sex, pd.Index(SEXES)),
            "life_satisfaction": np.clip(np.round(satisfaction), 0, 100).astype(int),
            "financial_worries": worries.astype(int),
        }
    )


def draw_sample(population: pd.DataFrame, n_sample: int = 10_000, seed: int = 2025) -> pd.DataFrame:
    """Stratified sample (planning area × age group × sex, proportional allocation, at least 2 per
    stratum) with design weights and a response flag whose probability rises with age."""
    rng = np.random.default_rng(seed)
    strata = population.groupby(["planning_area", "age_group", "sex"], observed=True).indices
    sizes = {k: len(v) for k, v in strata.items()}
    total = sum(sizes.values())
    exact = {k: n_sample * s / total for k, s in sizes.items()}
    alloc = {k: max(2, int(np.floor(v))) for k, v in exact.items()}
    rest = n_sample - sum(alloc.values())
    for k in sorted(exact, key=lambda k: exact[k] - np.floor(exact[k]), reverse=True)[: max(rest, 0)]:
        alloc[k] += 1
    parts = []
    for k, idx in strata.items():
        take = rng.choice(idx, size=min(alloc[k], len(idx)), replace=False)
        part = population.iloc[np.sort(take)].copy()
        part["stratum"] = "|".join(str(x) for x in k)  # type: ignore[attr-defined]
        part["stratum_size"] = sizes[k]
        part["design_weight"] = sizes[k] / len(take)
        parts.append(part)
    sample = pd.concat(parts, ignore_index=True)
    age_code = sample["age_group"].cat.codes.to_numpy()
    p = RESPONSE_BY_AGE[age_code] * (1.0 + 0.15 * (sample["sex"] == "w").to_numpy())
    sample["responded"] = rng.random(len(sample)) < p
    return sample


def register_margins(population: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Population counts per level of age group, sex and planning area (the raking margins)."""
    return {
        var: {str(k): float(v) for k, v in population[var].value_counts(sort=False).items()}
        for var in ("age_group", "sex", "planning_area")
    }


def synthetic_survey(
    n_population: int = 100_000, n_sample: int = 10_000, seed: int = 2024
) -> SyntheticSurvey:
    """The whole synthetic survey; deterministic for a given seed."""
    pop = synthetic_population(n_population, seed)
    sample = draw_sample(pop, n_sample, seed + 1)
    respondents = sample[sample["responded"]].drop(columns="responded").reset_index(drop=True)
    truth: dict[str, Any] = {
        "life_satisfaction": float(pop["life_satisfaction"].mean()),
        "financial_worries": float(pop["financial_worries"].mean()),
    }
    return SyntheticSurvey(pop, sample, respondents, register_margins(pop), truth)
