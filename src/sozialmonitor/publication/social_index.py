"""The city's one social index: one configuration, one computation, used by the portal, report and CLI.

The configuration lives in the city folder (``social_index:`` in ``city.yaml``) and is kept in the store by
the city build (``city_setting``), so that the web server, the report and the command line all read the
same file; without one, the shipped default applies. :func:`compute_city_index` computes the index from the
public figure set (released, protected rates: the index is then a function of published figures and cannot
reveal a withheld one) with changes only for units whose boundaries stayed the same; the portal, the public
report and the CLI call it alike. The internal view may compute it from the raw figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy.orm import Session

from sozialmonitor.db.models import CitySetting
from sozialmonitor.errors import ConfigError, SozialmonitorError
from sozialmonitor.geo.units import stable_units
from sozialmonitor.indicators.catalogue import Catalogue, load_catalogue
from sozialmonitor.indicators.service import indicator_table
from sozialmonitor.indices.mss import MssResult
from sozialmonitor.indices.social_index import DEFAULT_CONFIG, SocialIndexConfig, load_config, parse_config
from sozialmonitor.indices.social_index import social_index as mss_social_index
from sozialmonitor.stats.indicators import rows_with_dates

SETTING_KEY = "social_index"
PAYLOAD_COLUMNS = (
    "valid",
    "reason",
    "status_index",
    "status_class",
    "status_class_n",
    "dynamics_index",
    "dynamics_class",
    "dynamics_class_n",
    "gesamtindex",
)


def store_index_config(session: Session, path: Path) -> None:
    """Keep the city's index configuration (validated first) in the store."""
    text = path.read_text(encoding="utf-8")
    _parse(text, str(path))
    row = session.get(CitySetting, SETTING_KEY)
    if row is None:
        session.add(CitySetting(key=SETTING_KEY, value=text, source=path.name))
    else:
        row.value, row.source = text, path.name
    session.flush()


def _parse(text: str, file: str) -> SocialIndexConfig:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: kein gültiges YAML: {exc}", f"{file}: invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: erwartet ein Objekt", f"{file}: expected a mapping")
    return parse_config(raw, file)


def city_index_config(session: Session, override: Path | None = None) -> SocialIndexConfig:
    """``override`` (a file given on the command line), else the city's, else the shipped default."""
    if override is not None:
        return load_config(override)
    row = session.get(CitySetting, SETTING_KEY)
    if row is not None:
        return _parse(row.value, row.source or SETTING_KEY)
    return load_config(DEFAULT_CONFIG)


@dataclass(frozen=True)
class CityIndex:
    config: SocialIndexConfig
    level: str
    ref_date: dt.date
    result: MssResult

    @property
    def table(self) -> pd.DataFrame:
        return self.result.table


def compute_city_index(
    session: Session,
    level: str,
    year: int | None = None,
    config: SocialIndexConfig | None = None,
    catalogue: Catalogue | None = None,
    public: bool = True,
) -> CityIndex:
    """The social index of every unit of ``level`` at the last date of ``year`` (default: the latest).

    ``public`` (the default, used by the portal, the public report and the CLI): computed from the public
    figure set only — the released, protected rates; a unit with a withheld index indicator is not rated, so
    the index is a function of published figures and reveals nothing withheld. The dynamics need the rates
    of the date ``periods`` steps back (in the full data) to be released too. ``public=False``: the raw
    figures, for internal use only.
    """
    cfg = config or city_index_config(session)
    cat = catalogue or load_catalogue()
    raw = indicator_table(session, level, indicators=list(cfg.indicators), catalogue=cat)
    raw_dates = sorted(set(raw.loc[raw["value"].notna(), "ref_date"])) if len(raw) else []
    table = _public_table(session, level, cfg, cat) if public else raw
    ind = table[table["value"].notna()] if len(table) else table
    if ind.empty:
        raise SozialmonitorError(
            f"Keine {'freigegebenen ' if public else ''}Daten für den Sozialindex auf Ebene {level!r}",
            f"no {'released ' if public else ''}data for the social index on {level!r}",
        )
    have = sorted(set(ind["ref_date"]))
    dates = [d for d in have if year is None or d.year == year]
    if not dates:
        years = ", ".join(str(y) for y in sorted({d.year for d in have}))
        raise SozialmonitorError(
            f"Kein Sozialindex für {year} (Jahre mit {'freigegebenen ' if public else ''}Daten: {years})",
            f"no social index for {year} (years with {'released ' if public else ''}data: {years})",
        )
    date = dates[-1]
    earlier = [d for d in raw_dates if d <= date] or [date]
    base = earlier[max(0, len(earlier) - 1 - cfg.periods)]
    if cfg.dynamics and base not in set(have):
        raise SozialmonitorError(
            f"Die Dynamik des Sozialindex {date.year} braucht auch das Jahr {base.year}; es ist nicht "
            "freigegeben",
            f"the dynamics of the social index {date.year} need the year {base.year} too; it is not released",
        )
    stable = stable_units(session, level, base, date)  # changes only where boundaries stayed the same
    # the base date was chosen in the full data above: hand over just the two dates, one step apart
    table = rows_with_dates(table, lambda d: d in (base, date))
    two_dates = dataclasses.replace(cfg, periods=1) if cfg.dynamics and base != date else cfg
    result = mss_social_index(table, two_dates, ref_date=date, valid_units={base: stable, date: stable})
    return CityIndex(cfg, level, date, result)


def _public_table(session: Session, level: str, cfg: SocialIndexConfig, cat: Catalogue) -> pd.DataFrame:
    from sozialmonitor.publication.figures import public_tables
    from sozialmonitor.publication.release import public_scope, published_indicators

    published = published_indicators(session)
    missing = sorted(set(cfg.indicators) - published)
    if missing:
        raise SozialmonitorError(
            f"Der Sozialindex ist nicht öffentlich: nicht veröffentlicht sind {', '.join(missing)}",
            f"the social index is not public: not published are {', '.join(missing)}",
        )
    scope = public_scope(session)
    if level not in scope.levels:
        raise SozialmonitorError(f"Ebene {level!r} ist nicht öffentlich", f"level {level!r} is not public")
    tables, _ = public_tables(session, cat, published & set(cfg.indicators), [level])
    return tables[level]


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def index_payload(index: CityIndex) -> dict[str, Any]:
    """The index as plain data (for a release): config name, level, date, one record per unit."""
    t = index.table
    units = {
        str(key): {c: _plain(row.get(c)) for c in PAYLOAD_COLUMNS if c in t.columns}
        for key, row in t.iterrows()
    }
    return {
        "name": index.config.name,
        "name_de": index.config.name_de,
        "name_en": index.config.name_en,
        "level": index.level,
        "ref_date": index.ref_date.isoformat(),
        "status_classes": list(index.config.mss.status_class_names),
        "dynamics_classes": list(index.config.mss.dynamics_class_names),
        "status_indicators": list(index.config.status),
        "units": units,
    }
