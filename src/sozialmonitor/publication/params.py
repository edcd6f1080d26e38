"""Protection parameters of a release: read from the settings, validated, recorded with every release."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from sozialmonitor.config import SETTINGS, setting
from sozialmonitor.errors import ConfigError


@dataclass(frozen=True)
class ProtectionParams:
    """How figures are protected before they reach the public.

    ``threshold``: counts below it (and above 0) are suppressed (primary suppression).
    ``min_denominator``: a rate or share is published only if its denominator reaches it; a share of 0 % or
    100 % from a smaller base hides its numerator too (small base).
    ``min_population``: no rates or shares for units with fewer residents (``population_variable``).
    ``protection_absolute`` / ``protection_relative``: the audit's protection interval — a sensitive cell
    (small count, small base) of value v must not be narrowed by an attacker below [v − p, v + p],
    p = max(absolute, relative · v); a cell withheld only to protect others (secondary) not below
    [v − absolute, v + absolute].
    """

    threshold: int = 3
    min_denominator: float = 20.0
    min_population: float = 100.0
    population_variable: str = "residents_main"
    protection_absolute: float = 2.0
    protection_relative: float = 0.25

    def __post_init__(self) -> None:
        checks = [
            ("threshold", self.threshold, 1, "eine ganze Zahl ≥ 1", "a whole number ≥ 1"),
            ("min_denominator", self.min_denominator, 0, "eine Zahl ≥ 0", "a number ≥ 0"),
            ("min_population", self.min_population, 0, "eine Zahl ≥ 0", "a number ≥ 0"),
            ("protection_absolute", self.protection_absolute, 0, "eine Zahl ≥ 0", "a number ≥ 0"),
            ("protection_relative", self.protection_relative, 0, "eine Zahl ≥ 0", "a number ≥ 0"),
        ]
        for name, value, low, de, en in checks:
            bad = not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value)
            if bad or value < low or (name == "threshold" and value != int(value)):
                raise ConfigError(
                    f"Geheimhaltung: {name} = {value!r} ist ungültig; erwartet {de}",
                    f"disclosure control: {name} = {value!r} is invalid; expected {en}",
                )
        if self.protection_relative > 1:
            raise ConfigError(
                f"Geheimhaltung: protection_relative = {self.protection_relative!r} ist ungültig; "
                "erwartet einen Anteil zwischen 0 und 1 (0,25 = 25 %)",
                f"disclosure control: protection_relative = {self.protection_relative!r} is invalid; "
                "expected a share between 0 and 1 (0.25 = 25 %)",
            )
        if not self.population_variable:
            raise ConfigError(
                "Geheimhaltung: population_variable ist leer",
                "disclosure control: population_variable is empty",
            )

    @classmethod
    def from_settings(cls, **overrides: Any) -> ProtectionParams:
        """Parameters from ``SOZIALMONITOR_DISCLOSURE_*`` (command-line values in ``overrides`` win)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if overrides.get(f.name) is not None:
                values[f.name] = overrides[f.name]
                continue
            name = "disclosure_" + f.name
            raw = setting(name)
            if f.name == "population_variable":
                values[f.name] = raw.strip()
                continue
            try:
                number = float(raw.replace(",", "."))
            except ValueError:
                raise ConfigError(
                    f"{SETTINGS[name].env}={raw!r}: erwartet eine Zahl ({SETTINGS[name].help_de})",
                    f"{SETTINGS[name].env}={raw!r}: expected a number ({SETTINGS[name].help_en})",
                ) from None
            if f.name == "threshold":
                if number != int(number) or not math.isfinite(number):
                    raise ConfigError(
                        f"{SETTINGS[name].env}={raw!r}: erwartet eine ganze Zahl ≥ 1",
                        f"{SETTINGS[name].env}={raw!r}: expected a whole number ≥ 1",
                    )
                values[f.name] = int(number)
            else:
                values[f.name] = number
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ProtectionParams:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})
