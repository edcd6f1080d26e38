"""Description of a person-level register extract (Melderegister-Auszug) and its YAML loader.

Keys (YAML or :class:`RegisterSpec` in code)::

    unit_column: bezirk            # spatial-unit key of the person's address (required)
    age_column: alter              # age in completed years at the reference date, or …
    birth_year_column: null        # … birth year (age = reference year − birth year, i.e. age reached in
    birth_date_column: null        # … that year), or birth date (2001-05-17 / 17.05.2001; exact age)
    sex_column: geschlecht         # optional
    nationality_column: staatsangehoerigkeit   # optional
    household_column: haushalt_id  # optional; persons without id live in no private household
    residence_column: null         # optional filter, e.g. wohnungsstatus …
    main_residence_values: []      # … keeping only these values, e.g. ["HW", "H"]
    sex_codes: {m: male, w: female, d: other, …}   # code → male | female | other (defaults below)
    domestic_codes: ["000", "DE", "DEU", "D", "deutsch"]   # nationality codes counted as German
    age_bands: [[0, 2], [3, 5], …, [75, null]]   # inclusive bands; null = open end
    foreigner_age_bands: [[0, 17], [15, 64], [65, null]]
    max_age: 120
    skip_units: []
    delimiter: auto                # CSV only
    encoding: auto                 # CSV only: auto (UTF-8, else Latin-1), utf-8, utf-16 or latin-1 (= cp1252)
    source: null
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sozialmonitor.errors import ConfigError
from sozialmonitor.yamlfile import read_yaml

DEFAULT_SEX_CODES: dict[str, str] = {
    "m": "male",
    "M": "male",
    "1": "male",
    "männlich": "male",
    "w": "female",
    "W": "female",
    "f": "female",
    "F": "female",
    "2": "female",
    "weiblich": "female",
    "d": "other",
    "D": "other",
    "3": "other",
    "divers": "other",
    "x": "other",
    "X": "other",
    "4": "other",
}
"""Register sex codes: m/w/d and x (ohne Angabe, since 2018), and the numeric codes 1/2/3/4."""

SEXES: tuple[str, ...] = ("male", "female", "other")

AgeBand = tuple[int, int | None]

DEFAULT_AGE_BANDS: list[AgeBand] = [
    (0, 2),
    (3, 5),
    (6, 9),
    (10, 14),
    (15, 17),
    (18, 24),
    (25, 44),
    (45, 64),
    (65, 74),
    (75, None),
    (15, 64),  # working age
    (0, 5),  # under 6 (Kita age)
    (0, 9),  # under 10 (Präventionskette 0–10)
    (0, 14),  # under 15 (denominator of child poverty under SGB II)
    (0, 17),  # minors
    (0, 20),  # under 21 (denominator of Hilfen zur Erziehung)
    (0, 64),  # under 65 (denominator of the SGB II rate)
    (18, None),  # adults
    (18, 64),
    (60, None),
    (65, None),
    (80, None),  # Hochaltrige
]
DEFAULT_FOREIGNER_AGE_BANDS: list[AgeBand] = [(0, 17), (15, 64), (65, None)]


def band_suffix(band: AgeBand) -> str:
    low, high = band
    return f"{low}_plus" if high is None else f"{low}_{high}"


@dataclass
class RegisterSpec:
    """Column names and codes of a register extract (see the module docstring)."""

    unit_column: str
    age_column: str | None = None
    birth_year_column: str | None = None
    birth_date_column: str | None = None
    sex_column: str | None = None
    nationality_column: str | None = None
    household_column: str | None = None
    residence_column: str | None = None
    main_residence_values: list[str] = field(default_factory=list)
    sex_codes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEX_CODES))
    domestic_codes: list[str] = field(default_factory=lambda: ["000", "DE", "DEU", "D", "deutsch"])
    age_bands: list[AgeBand] = field(default_factory=lambda: list(DEFAULT_AGE_BANDS))
    foreigner_age_bands: list[AgeBand] = field(default_factory=lambda: list(DEFAULT_FOREIGNER_AGE_BANDS))
    max_age: int = 120
    skip_units: list[str] = field(default_factory=list)
    delimiter: str = "auto"
    encoding: str = "auto"
    source: str | None = None

    def __post_init__(self) -> None:
        def bad(de: str, en: str) -> ConfigError:
            return ConfigError(f"Registerbeschreibung: {de}", f"register spec: {en}")

        ages = [c for c in (self.age_column, self.birth_year_column, self.birth_date_column) if c]
        if not self.unit_column:
            raise bad("unit_column fehlt", "unit_column is missing")
        if len(ages) != 1:
            raise bad(
                "genau eines von age_column, birth_year_column, birth_date_column",
                "exactly one of age_column, birth_year_column, birth_date_column",
            )
        for code, sex in self.sex_codes.items():
            if sex not in SEXES:
                raise bad(f"Geschlecht {code!r}: eines von {SEXES}", f"sex {code!r}: one of {SEXES}")
        for low, high in [*self.age_bands, *self.foreigner_age_bands]:
            if low < 0 or (high is not None and high < low):
                raise bad(f"Altersgruppe [{low}, {high}] ungültig", f"age band [{low}, {high}] invalid")
        if self.residence_column and not self.main_residence_values:
            raise bad(
                "residence_column braucht main_residence_values",
                "residence_column needs main_residence_values",
            )
        if self.encoding.lower() not in (
            "auto",
            "utf-8",
            "utf8",
            "utf-16",
            "latin-1",
            "latin1",
            "cp1252",
            "iso-8859-1",
        ):
            raise bad(
                "encoding: auto, utf-8, utf-16 oder latin-1", "encoding: auto, utf-8, utf-16 or latin-1"
            )

    def duckdb_encoding(self) -> str:
        e = self.encoding.lower()
        if e in ("latin1", "cp1252", "iso-8859-1"):
            return "latin-1"
        return "utf-8" if e == "utf8" else e


def _bands(value: Any, key: str) -> list[AgeBand]:
    try:
        return [(int(low), None if high is None else int(high)) for low, high in value]
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"Registerbeschreibung: {key} als Liste von [von, bis]",
            f"register spec: {key} as a list of [from, to]",
        ) from exc


def register_spec_from_dict(data: dict[str, Any], origin: str = "<dict>") -> RegisterSpec:
    known = {f.name for f in fields(RegisterSpec)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"Registerbeschreibung {origin}: unbekannte Schlüssel {unknown}",
            f"register spec {origin}: unknown keys {unknown}",
        )
    d = dict(data)
    for key in ("age_bands", "foreigner_age_bands"):
        if key in d:
            d[key] = _bands(d[key], key)
    for key in ("main_residence_values", "domestic_codes", "skip_units"):
        if key in d:
            d[key] = [str(v) for v in (d[key] or [])]
    if "sex_codes" in d:
        d["sex_codes"] = {str(k): str(v) for k, v in (d["sex_codes"] or {}).items()}
    return RegisterSpec(**d)


def load_register_spec(path: Path) -> RegisterSpec:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(
            f"Registerbeschreibung {path}: Schlüssel erwartet", f"register spec {path}: expected keys"
        )
    return register_spec_from_dict(data, str(path))
