"""Variable keys and names of a register aggregation, aligned with the indicator catalogue.

:func:`~sozialmonitor.ingest.register.aggregate_register` names its counts after what they count
(``residents_total``, ``households_one_person`` …). The catalogue uses the standard keys of the base
indicator set (``residents_main``, ``households_1p`` …); :data:`STANDARD_KEYS` renames the counts that
have a standard key so that register data feed the catalogue directly. :func:`describe` gives German
and English names for every key, so an import can register its variables itself.
"""

from __future__ import annotations

import re

import pandas as pd

STANDARD_KEYS: dict[str, str] = {
    "residents_total": "residents_main",
    "germans_total": "residents_german",
    "foreigners_total": "residents_foreign",
    "foreigners_male": "residents_foreign_male",
    "foreigners_female": "residents_foreign_female",
    "residents_age_15_64": "residents_working_age",
    "residents_age_0_14": "residents_under_15",
    "residents_age_0_20": "residents_under_21",
    "residents_age_0_64": "residents_under_65",
    "residents_age_18_plus": "residents_adult",
    "households_total": "households",
    "households_one_person": "households_1p",
    "households_one_person_60_plus": "households_1p_60plus",
    "households_one_person_under_30": "households_1p_under30",
    "households_one_person_30_59": "households_1p_30_60",
    "households_one_person_male": "households_1p_male",
    "households_one_person_female": "households_1p_female",
    "households_size_2": "households_2p",
    "households_size_3": "households_3p",
    "households_size_4": "households_4p",
    "households_size_5_plus": "households_5p_plus",
    "children_in_single_parent_households": "children_single_parents",
}

_FIXED: dict[str, tuple[str, str]] = {
    "residents_main": ("Einwohner insgesamt", "Residents, total"),
    "residents_male": ("Einwohner männlich", "Residents, male"),
    "residents_female": ("Einwohner weiblich", "Residents, female"),
    "residents_sex_other": ("Einwohner divers/ohne Angabe", "Residents, diverse/not stated"),
    "residents_german": ("Deutsche", "German nationals"),
    "residents_foreign": ("Ausländer", "Foreign nationals"),
    "residents_foreign_male": ("Ausländer männlich", "Foreign nationals, male"),
    "residents_foreign_female": ("Ausländer weiblich", "Foreign nationals, female"),
    "residents_working_age": ("Einwohner 15 bis unter 65 Jahre", "Residents aged 15 to under 65"),
    "residents_under_15": ("Einwohner unter 15 Jahren", "Residents under 15"),
    "residents_under_21": ("Einwohner unter 21 Jahren", "Residents under 21"),
    "residents_under_65": ("Einwohner unter 65 Jahren", "Residents under 65"),
    "residents_adult": ("Einwohner ab 18 Jahren", "Residents aged 18 and over"),
    "households": ("Privathaushalte", "Private households"),
    "households_1p": ("Einpersonenhaushalte", "One-person households"),
    "households_1p_60plus": ("Einpersonenhaushalte ab 60 Jahren", "One-person households aged 60+"),
    "households_1p_under30": ("Einpersonenhaushalte unter 30 Jahren", "One-person households under 30"),
    "households_1p_30_60": ("Einpersonenhaushalte 30 bis 59 Jahre", "One-person households aged 30-59"),
    "households_1p_male": ("Einpersonenhaushalte männlich", "One-person households, male"),
    "households_1p_female": ("Einpersonenhaushalte weiblich", "One-person households, female"),
    "households_one_person_65_plus": ("Einpersonenhaushalte ab 65 Jahren", "One-person households aged 65+"),
    "households_2p": ("Haushalte mit 2 Personen", "Two-person households"),
    "households_3p": ("Haushalte mit 3 Personen", "Three-person households"),
    "households_4p": ("Haushalte mit 4 Personen", "Four-person households"),
    "households_5p_plus": ("Haushalte mit 5 und mehr Personen", "Households with 5 or more persons"),
    "households_with_children": ("Haushalte mit Kindern unter 18", "Households with children under 18"),
    "households_three_plus_children": (
        "Haushalte mit 3 und mehr Kindern",
        "Households with 3 or more children",
    ),
    "households_single_parent": (
        "Haushalte von Alleinerziehenden (abgeleitet)",
        "Single-parent households (derived)",
    ),
    "households_seniors_only": ("Haushalte nur mit Personen ab 65", "Households of persons aged 65+ only"),
    "persons_in_households": ("Personen in Privathaushalten", "Persons in private households"),
    "children_in_households": (
        "Kinder unter 18 in Privathaushalten",
        "Children under 18 in private households",
    ),
    "children_single_parents": (
        "Kinder bei Alleinerziehenden (abgeleitet)",
        "Children of single parents (derived)",
    ),
}


def _band(text: str) -> tuple[str, str]:
    m = re.fullmatch(r"(\d+)_plus", text)
    if m:
        return f"{m.group(1)} Jahre und älter", f"aged {m.group(1)} and over"
    m = re.fullmatch(r"(\d+)_(\d+)", text)
    if m:
        lo, hi = m.groups()
        return f"{lo} bis {hi} Jahre", f"aged {lo} to {hi}"
    return text, text


def describe(key: str) -> tuple[str, str]:
    """German and English name of a register variable key."""
    if key in _FIXED:
        return _FIXED[key]
    if key.startswith("residents_age_"):
        de, en = _band(key.removeprefix("residents_age_"))
        return f"Einwohner {de}", f"Residents {en}"
    if key.startswith("foreigners_age_"):
        de, en = _band(key.removeprefix("foreigners_age_"))
        return f"Ausländer {de}", f"Foreign nationals {en}"
    return key, key


def standardise(df: pd.DataFrame) -> pd.DataFrame:
    """Rename register keys to the catalogue's standard keys (see :data:`STANDARD_KEYS`)."""
    return df.assign(variable=df["variable"].map(lambda k: STANDARD_KEYS.get(k, k)))


def variable_items(keys: list[str], source: str | None) -> list[dict[str, str]]:
    """Variable definitions (for ``upsert_variables``) of the given keys."""
    items = []
    for key in sorted(set(keys)):
        de, en = describe(key)
        items.append(
            {
                "key": key,
                "name_de": de,
                "name_en": en,
                "unit": "Anzahl",
                "theme": "Register",
                "source": source or "Melderegister",
            }
        )
    return items
