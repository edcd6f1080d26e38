"""The city's one social index: one configuration, one computation, used by the portal, report and CLI.

The configuration lives in the city folder (``social_index:`` in ``city.yaml``) and is kept in the store by
the city build (``city_setting``), so that the web server, the report and the command line all read the
same file; without one, the shipped default applies. :func:`compute_city_index` computes the index from the
store's figures (the MSS method works on shares; a z-standardised index reveals no count) with changes only
for units whose boundaries stayed the same. A release stores its result (:func:`index_payload`), and the
portal shows exactly that.
"""

from __future__ import annotations

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
from sozialmonitor.indicators.catalogue import Catalogue
from sozialmonitor.indicators.service import indicator_table
from sozialmonitor.indices.mss import MssResult
from sozialmonitor.indices.social_index import DEFAULT_CONFIG, SocialIndexConfig, load_config, parse_config
from sozialmonitor.indices.social_index import social_index as mss_social_index

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
) -> CityIndex:
    """The social index of every unit of ``level`` at the last date of ``year`` (default: the latest)."""
    cfg = config or city_index_config(session)
    table = indicator_table(session, level, indicators=list(cfg.indicators), catalogue=catalogue)
    ind = table[table["value"].notna()] if len(table) else table
    if ind.empty:
        raise SozialmonitorError(
            f"Keine Daten für den Sozialindex auf Ebene {level!r}",
            f"no data for the social index on {level!r}",
        )
    all_dates = sorted(set(ind["ref_date"]))
    dates = [d for d in all_dates if year is None or d.year == year]
    if not dates:
        have = sorted({d.year for d in all_dates})
        raise SozialmonitorError(
            f"Kein Sozialindex für {year} (Jahre mit Daten: {', '.join(map(str, have))})",
            f"no social index for {year} (years with data: {', '.join(map(str, have))})",
        )
    date = dates[-1]
    earlier = [d for d in all_dates if d <= date]
    base = earlier[max(0, len(earlier) - 1 - cfg.periods)]
    stable = stable_units(session, level, base, date)  # changes only where boundaries stayed the same
    table = table[[d <= date for d in table["ref_date"]]]
    result = mss_social_index(table, cfg, ref_date=date, valid_units={base: stable, date: stable})
    return CityIndex(cfg, level, date, result)


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


def payload_frame(payload: dict[str, Any]) -> pd.DataFrame:
    """The unit records of :func:`index_payload` as a table (index = unit key)."""
    frame = pd.DataFrame.from_dict(payload.get("units", {}), orient="index")
    for c in PAYLOAD_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    frame["valid"] = frame["valid"].fillna(False).astype(bool)
    return frame
