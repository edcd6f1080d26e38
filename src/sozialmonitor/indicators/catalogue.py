"""The indicator catalogue: YAML files shipped with the package, extendable by the city.

Each file holds one theme and its indicators. An indicator is a ratio of sums of
variables: ``factor * sum(numerator) / sum(denominator)`` (no denominator: the
numerator sum itself). Cities add or override indicators by pointing
``SOZIALMONITOR_CATALOGUE`` at folders of their own YAML files; an indicator with
the same key replaces the shipped one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sozialmonitor.config import catalogue_dirs
from sozialmonitor.errors import ConfigError
from sozialmonitor.yamlfile import read_yaml

SHIPPED = Path(__file__).parent / "catalogue"
Polarity = Literal["positive", "negative", "neutral"]
POLARITIES: tuple[str, ...] = ("positive", "negative", "neutral")


@dataclass(frozen=True)
class Theme:
    key: str
    name_de: str
    name_en: str
    order: int = 0


@dataclass(frozen=True)
class IndicatorDef:
    """Definition of one catalogue indicator.

    ``polarity``: ``negative`` = a higher value is worse (e.g. SGB II share),
    ``positive`` = a higher value is better, ``neutral`` = descriptive.
    ``min_denominator``: units whose denominator is below it are flagged and left
    out of rankings and indices.
    """

    key: str
    name_de: str
    name_en: str
    theme: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    factor: float = 100.0
    unit: str = "%"
    decimals: int = 1
    polarity: Polarity = "neutral"
    handlungsfeld: str | None = None
    definition_de: str = ""
    definition_en: str = ""
    source: str = ""
    min_denominator: float = 0.0
    base: bool = False  # part of the standard base indicator set (Basisindikatoren)
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def variables(self) -> tuple[str, ...]:
        return self.numerator + self.denominator

    def name(self, lang: str = "de") -> str:
        return self.name_de if lang == "de" else self.name_en


@dataclass(frozen=True)
class Catalogue:
    themes: dict[str, Theme]
    indicators: dict[str, IndicatorDef]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def get(self, key: str) -> IndicatorDef:
        try:
            return self.indicators[key]
        except KeyError:
            raise ConfigError(
                f"Unbekannter Indikator {key!r}; vorhanden: {', '.join(sorted(self.indicators))}",
                f"unknown indicator {key!r}; available: {', '.join(sorted(self.indicators))}",
            ) from None

    def computable(self, variables: Iterable[str]) -> Catalogue:
        """The part of the catalogue whose variables are all present."""
        have = set(variables)
        return Catalogue(self.themes, {k: d for k, d in self.indicators.items() if set(d.variables) <= have})


def _as_tuple(value: Any, file: Path, key: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(
        f"{file}: Indikator {key!r}, Feld {name!r}: erwartet Variablenschlüssel oder Liste davon",
        f"{file}: indicator {key!r}, field {name!r}: expected a variable key or a list of them",
    )


_FIELDS = {
    "key",
    "name_de",
    "name_en",
    "numerator",
    "denominator",
    "factor",
    "unit",
    "decimals",
    "polarity",
    "handlungsfeld",
    "definition_de",
    "definition_en",
    "source",
    "min_denominator",
    "base",
    "tags",
}


def _parse_indicator(raw: dict[str, Any], theme: str, file: Path) -> IndicatorDef:
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise ConfigError(f"{file}: Indikator ohne 'key'", f"{file}: indicator without 'key'")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ConfigError(
            f"{file}: Indikator {key!r}: unbekannte Felder {sorted(unknown)}",
            f"{file}: indicator {key!r}: unknown fields {sorted(unknown)}",
        )
    for required in ("name_de", "name_en", "numerator"):
        if required not in raw:
            raise ConfigError(
                f"{file}: Indikator {key!r}: Pflichtfeld {required!r} fehlt",
                f"{file}: indicator {key!r}: required field {required!r} missing",
            )
    polarity = raw.get("polarity", "neutral")
    if polarity not in POLARITIES:
        raise ConfigError(
            f"{file}: Indikator {key!r}: polarity {polarity!r}, erwartet eines von {POLARITIES}",
            f"{file}: indicator {key!r}: polarity {polarity!r}, expected one of {POLARITIES}",
        )
    numerator = _as_tuple(raw["numerator"], file, key, "numerator")
    if not numerator:
        raise ConfigError(
            f"{file}: Indikator {key!r}: leerer Zähler", f"{file}: indicator {key!r}: empty numerator"
        )
    denominator = _as_tuple(raw.get("denominator"), file, key, "denominator")
    return IndicatorDef(
        key=key,
        name_de=str(raw["name_de"]),
        name_en=str(raw["name_en"]),
        theme=theme,
        numerator=numerator,
        denominator=denominator,
        factor=float(raw.get("factor", 100.0 if denominator else 1.0)),
        unit=str(raw.get("unit", "%" if denominator else "Anzahl")),
        decimals=int(raw.get("decimals", 1)),
        polarity=polarity,
        handlungsfeld=raw.get("handlungsfeld"),
        definition_de=str(raw.get("definition_de", "")).strip(),
        definition_en=str(raw.get("definition_en", "")).strip(),
        source=str(raw.get("source", "")),
        min_denominator=float(raw.get("min_denominator", 0)),
        base=bool(raw.get("base", False)),
        tags=tuple(raw.get("tags", ())),
    )


def load_file(file: Path) -> tuple[Theme, list[IndicatorDef]]:
    raw = read_yaml(file)
    if not isinstance(raw, dict) or "theme" not in raw:
        raise ConfigError(
            f"{file}: erwartet ein Objekt mit 'theme' und 'indicators'",
            f"{file}: expected a mapping with 'theme' and 'indicators'",
        )
    theme = Theme(
        key=str(raw["theme"]),
        name_de=str(raw.get("theme_de", raw["theme"])),
        name_en=str(raw.get("theme_en", raw["theme"])),
        order=int(raw.get("order", 0)),
    )
    return theme, [_parse_indicator(i, theme.key, file) for i in raw.get("indicators") or []]


def load_catalogue(extra_dirs: Iterable[Path] | None = None) -> Catalogue:
    """Shipped catalogue plus the city's own folders (later files override earlier keys)."""
    dirs = [SHIPPED, *(catalogue_dirs() if extra_dirs is None else list(extra_dirs))]
    themes: dict[str, Theme] = {}
    indicators: dict[str, IndicatorDef] = {}
    for folder in dirs:
        if not folder.is_dir():
            raise ConfigError(
                f"Katalogordner {folder} existiert nicht", f"catalogue folder {folder} does not exist"
            )
        for file in sorted(folder.glob("*.yaml")):
            theme, defs = load_file(file)
            themes.setdefault(theme.key, theme)
            for d in defs:
                indicators[d.key] = d
    return Catalogue(dict(sorted(themes.items(), key=lambda kv: kv[1].order)), indicators)
