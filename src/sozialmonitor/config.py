"""Settings registry: every setting has one place, a default and a help text.

Settings come from environment variables with the prefix ``SOZIALMONITOR_``;
command-line options override them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help_de: str
    help_en: str

    @property
    def env(self) -> str:
        return f"SOZIALMONITOR_{self.name.upper()}"

    def get(self) -> str:
        return os.environ.get(self.env, self.default)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "db",
            "sqlite:///sozialmonitor.sqlite",
            "Datenbank-URL (SQLite-Datei oder postgresql+psycopg://…)",
            "database URL (SQLite file or postgresql+psycopg://…)",
        ),
        Setting(
            "catalogue",
            "",
            "Zusätzliche Ordner mit Indikator-YAML-Dateien der Stadt (durch ':' getrennt)",
            "extra folders with the city's indicator YAML files (separated by ':')",
        ),
        Setting(
            "disclosure_threshold",
            "3",
            "Kleinste veröffentlichte Fallzahl (Geheimhaltung)",
            "smallest count published (statistical disclosure control)",
        ),
        Setting(
            "disclosure_min_denominator",
            "20",
            "Kleinste Bezugsgröße, für die ein Anteil veröffentlicht wird (kleine Basis)",
            "smallest denominator for which a rate or share is published (small base)",
        ),
        Setting(
            "disclosure_min_population",
            "100",
            "Kleinste Einwohnerzahl einer Einheit, für die Anteile veröffentlicht werden",
            "smallest population of a unit for which rates and shares are published",
        ),
        Setting(
            "disclosure_population_variable",
            "residents_main",
            "Variable mit der Einwohnerzahl für die Mindestbevölkerung",
            "variable holding the population for the minimum population rule",
        ),
        Setting(
            "disclosure_protection_absolute",
            "2",
            "Schutzintervall der Prüfung: mindestens ± so viele Personen",
            "protection interval of the audit: at least ± this many persons",
        ),
        Setting(
            "disclosure_protection_relative",
            "0.25",
            "Schutzintervall der Prüfung: mindestens ± dieser Anteil des Werts (0,25 = 25 %)",
            "protection interval of the audit: at least ± this share of the value (0.25 = 25 %)",
        ),
    ]
}


def setting(name: str) -> str:
    return SETTINGS[name].get()


def database_url(explicit: str | None = None) -> str:
    """The database URL: explicit value, else ``SOZIALMONITOR_DB``, else an SQLite file here."""
    return explicit or setting("db")


def catalogue_dirs() -> list[Path]:
    raw = setting("catalogue")
    return [Path(p) for p in raw.split(":") if p]
