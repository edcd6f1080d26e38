"""What a report is made of: chapters, the district term, options; read from the report folder's YAML."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sozialmonitor.errors import ConfigError
from sozialmonitor.indicators.catalogue import Catalogue, load_catalogue
from sozialmonitor.yamlfile import check_keys, read_yaml

SETTINGS_FILE = "bericht.yaml"
TEXT_DIR = "texte"
TEMPLATE_DIR = "vorlagen"
PSEUDONYM_FILE = "pseudonyme.csv"
FORMATS = ("html", "pdf", "docx")
EDITIONS = ("public", "internal")
"""``public``: every figure from the released, protected figure set; ``internal``: raw figures, every page
marked "Nur für den Dienstgebrauch"."""


REST = "*"
"""The theme of a chapter that takes every indicator no other chapter takes."""


@dataclass(frozen=True)
class ChapterSpec:
    """A thematic chapter: explicit indicator keys (first) and catalogue themes (for the rest); the theme
    ``*`` takes every indicator with data that no other chapter takes."""

    key: str
    title_de: str
    title_en: str
    indicators: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_de if lang == "de" else self.title_en

    @property
    def rest(self) -> bool:
        return REST in self.themes


REST_CHAPTER = ChapterSpec("weitere", "Weitere Indikatoren", "Further indicators", themes=(REST,))
"""Appended to any chapter list without a ``*`` chapter: no indicator with data is left out silently."""


def with_rest(chapters: tuple[ChapterSpec, ...]) -> tuple[ChapterSpec, ...]:
    return chapters if any(c.rest for c in chapters) else (*chapters, REST_CHAPTER)


@dataclass(frozen=True)
class UnitTerm:
    """The word for a district in generated sentences (masculine by default: der Bezirk, dem Bezirk)."""

    singular: str = "Bezirk"
    plural: str = "Bezirke"
    dative_plural: str = "Bezirken"
    article: str = "der"
    article_dative: str = "dem"
    one_dative: str = "einem"
    no_dative: str = "keinem"
    one_accusative: str = "einen"
    no_accusative: str = "keinen"
    singular_en: str = "district"
    plural_en: str = "districts"


_MASCULINE = {
    # name of the level: (plural, dative plural, English singular, English plural)
    "Bezirk": ("Bezirke", "Bezirken", "district", "districts"),
    "Stadtbezirk": ("Stadtbezirke", "Stadtbezirken", "borough", "boroughs"),
    "Planungsraum": ("Planungsräume", "Planungsräumen", "planning area", "planning areas"),
    "Sozialraum": ("Sozialräume", "Sozialräumen", "social area", "social areas"),
    "Stadtteil": ("Stadtteile", "Stadtteilen", "neighbourhood", "neighbourhoods"),
    "Ortsteil": ("Ortsteile", "Ortsteilen", "Ortsteil", "Ortsteile"),
}
_FEMININE = {
    "Bezirksregion": ("Bezirksregionen", "Bezirksregionen", "district region", "district regions"),
    "Gemeinde": ("Gemeinden", "Gemeinden", "municipality", "municipalities"),
}
_NEUTER = {"Quartier": ("Quartiere", "Quartieren", "quarter", "quarters")}


def term_for_level(name_de: str) -> UnitTerm | None:
    """The word for the units of a level with this German name, for generated sentences (None: unknown
    word, the configured or default term is used)."""
    name = name_de.strip()
    if name in _MASCULINE:
        plural, dative, en, en_plural = _MASCULINE[name]
        return UnitTerm(name, plural, dative, singular_en=en, plural_en=en_plural)
    if name in _FEMININE:
        plural, dative, en, en_plural = _FEMININE[name]
        return UnitTerm(name, plural, dative, "die", "der", "einer", "keiner", "eine", "keine", en, en_plural)
    if name in _NEUTER:
        plural, dative, en, en_plural = _NEUTER[name]
        return UnitTerm(name, plural, dative, "das", "dem", "einem", "keinem", "ein", "kein", en, en_plural)
    return None


DEFAULT_CHAPTERS: tuple[ChapterSpec, ...] = (
    ChapterSpec(
        "demografie",
        "Demografische Entwicklung",
        "Demographic development",
        themes=("demografie", "haushalte"),
    ),
    ChapterSpec(
        "arbeitsmarkt",
        "Arbeitsmarkt und Bezug von Sozialleistungen",
        "Labour market and recipients of social benefits",
        themes=("arbeitsmarkt",),
    ),
    ChapterSpec("verschuldung", "Private Verschuldung", "Private debt", indicators=("debtor_rate",)),
    ChapterSpec("wohnen", "Wohnen", "Housing", themes=("wohnen",)),
    ChapterSpec(
        "jugendhilfe",
        "Kinder- und Jugendhilfe",
        "Child and youth welfare",
        indicators=(
            "educational_support_rate",
            "share_single_parent_households",
            "share_children_single_parents",
        ),
    ),
    ChapterSpec(
        "bildung",
        "Bildung und Kinderbetreuung",
        "Education and childcare",
        indicators=("childcare_rate_under3", "gymnasium_transition"),
    ),
    ChapterSpec(
        "gesundheit",
        "Gesundheit",
        "Health",
        indicators=("school_entry_language_deficit", "school_entry_overweight"),
    ),
    ChapterSpec("migration", "Migration", "Migration", themes=("migration",)),
    ChapterSpec(
        "indexindikatoren",
        "Indikatoren des Monitorings Soziale Stadtentwicklung",
        "Indicators of the Monitoring of social urban development",
        themes=("mss",),
    ),
)

DEFAULT_PROFILE = (
    "residents",
    "share_minors",
    "share_elderly_65",
    "share_foreigners",
    "unemployment_share",
    "unemployment_share_sgb2",
    "share_children_single_parents",
    "share_one_person_households",
    "living_space_per_resident",
    "mss_s1",
    "mss_s3",
    "mss_s4",
)


@dataclass(frozen=True)
class IndexSpec:
    """The social index chapter: by default the city's index configuration (kept in the store); ``config``
    tries another file (internal edition only: the public edition shows the index as released)."""

    config: Path | None = None


@dataclass(frozen=True)
class ReportSettings:
    year: int
    compare_year: int | None = None
    level: str | None = None
    city_level: str = ""
    """The city's level (default: the finest level with a single unit, as for the portal)."""
    edition: str = "public"
    city_name: str = ""
    lang: str = "de"
    title: str = ""
    report_date: dt.date | None = None
    author: str = ""
    chapters: tuple[ChapterSpec, ...] = DEFAULT_CHAPTERS
    profile_indicators: tuple[str, ...] = DEFAULT_PROFILE
    unit_term: UnitTerm = field(default_factory=UnitTerm)
    index: IndexSpec = field(default_factory=IndexSpec)
    districts_with_geometry_only: bool = True
    classes: int = 5
    catalogue_dirs: tuple[Path, ...] | None = None
    sources: tuple[Path, ...] = ()
    """Markdown files with the data sources and licences (e.g. the city folder's SOURCES.md)."""
    folder: Path | None = None
    """The report folder (planner's texts, template overrides, pseudonymisation list)."""

    def __post_init__(self) -> None:
        if self.edition not in EDITIONS:
            raise ConfigError(
                f"Ausgabe {self.edition!r}: erwartet {' oder '.join(EDITIONS)}",
                f"edition {self.edition!r}: expected {' or '.join(EDITIONS)}",
            )
        if self.index.config is not None and self.edition == "public":
            raise ConfigError(
                "Der öffentliche Bericht zeigt den Sozialindex der Stadt, wie er freigegeben wurde; "
                "eine andere Index-Konfiguration geht nur mit --edition internal",
                "the public report shows the city's social index as released; another index configuration "
                "needs --edition internal",
            )

    @property
    def internal(self) -> bool:
        return self.edition == "internal"

    def catalogue(self) -> Catalogue:
        return load_catalogue(self.catalogue_dirs)

    def heading(self) -> str:
        if self.title:
            return self.title
        if self.lang == "de":
            return f"Lebenslagenbericht {self.city_name} {self.year}".replace("  ", " ")
        return f"Social situation report {self.city_name} {self.year}".replace("  ", " ")


REPORT_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "title",
            "author",
            "city_name",
            "city_level",
            "level",
            "chapters",
            "profile_indicators",
            "unit_term",
            "social_index",
            "sources",
            "classes",
        }
    ),
    "chapters": frozenset({"key", "title_de", "title_en", "indicators", "themes"}),
    "unit_term": frozenset(f.name for f in dataclasses.fields(UnitTerm)),
    "social_index": frozenset({"config"}),
}
"""The keys the report folder's ``bericht.yaml`` accepts, per place (documented in docs/report.md)."""


def _chapter(raw: dict[str, Any], file: Path, i: int) -> ChapterSpec:
    check_keys(raw, REPORT_KEYS["chapters"], file, f"chapters[{i}]")
    if "key" not in raw:
        raise ConfigError(
            f"{file}: chapters[{i}]: Kapitel ohne 'key'", f"{file}: chapters[{i}]: chapter without 'key'"
        )
    return ChapterSpec(
        key=str(raw["key"]),
        title_de=str(raw.get("title_de", raw["key"])),
        title_en=str(raw.get("title_en", raw.get("title_de", raw["key"]))),
        indicators=tuple(str(k) for k in raw.get("indicators") or ()),
        themes=tuple(str(k) for k in raw.get("themes") or ()),
    )


def load_folder_settings(folder: Path, base: ReportSettings) -> ReportSettings:
    """Overlay the report folder's ``bericht.yaml`` (if any) on ``base``; command-line values stay."""
    file = folder / SETTINGS_FILE
    if not file.is_file():
        return dataclasses.replace(base, folder=folder)
    raw = check_keys(read_yaml(file) or {}, REPORT_KEYS[""], file, "oberste Ebene / top level")
    for section in ("unit_term", "social_index"):
        if raw.get(section) is not None:
            check_keys(raw[section], REPORT_KEYS[section], file, section)
    changes: dict[str, Any] = {"folder": folder}
    for name in ("title", "author", "city_name", "city_level"):
        if raw.get(name) and not getattr(base, name):
            changes[name] = str(raw[name])
    if raw.get("city_level"):
        changes["city_level"] = str(raw["city_level"])
    if raw.get("level") and base.level is None:
        changes["level"] = str(raw["level"])
    if raw.get("chapters"):
        changes["chapters"] = tuple(_chapter(c, file, i) for i, c in enumerate(raw["chapters"], start=1))
    if raw.get("profile_indicators"):
        changes["profile_indicators"] = tuple(str(k) for k in raw["profile_indicators"])
    if raw.get("unit_term"):
        changes["unit_term"] = UnitTerm(**{str(k): str(v) for k, v in raw["unit_term"].items()})
    idx = raw.get("social_index")
    if isinstance(idx, dict):
        config = idx.get("config")
        changes["index"] = IndexSpec(config=(folder / str(config)) if config else None)
    if raw.get("sources") and not base.sources:
        changes["sources"] = tuple((folder / str(p)).resolve() for p in raw["sources"])
    if raw.get("classes"):
        changes["classes"] = int(raw["classes"])
    try:
        return dataclasses.replace(base, **changes)
    except TypeError as exc:
        raise ConfigError(f"{file}: {exc}", f"{file}: {exc}") from exc
