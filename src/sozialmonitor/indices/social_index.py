"""A social index by the MSS method from a long indicator table, configured in YAML.

The configuration (e.g. the shipped ``sozialindex_default.yaml``) names the status indicators (catalogue keys,
with weights and optional ``invert: true`` for indicators where high is good), the dynamics (the change of
indicators over ``periods`` reference dates, in the indicator's unit – percentage points for shares), the
population indicator and minimum, and the class thresholds. :func:`social_index` takes the output of
:func:`sozialmonitor.stats.indicators.compute_indicators` and returns an
:class:`~sozialmonitor.indices.mss.MssResult`.

Units whose value is missing, suppressed or flagged (``flag_small``) for any index indicator are not valid;
changes are computed only for units valid at both dates (see :func:`sozialmonitor.stats.timeseries.change`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sozialmonitor.errors import ConfigError, SozialmonitorError
from sozialmonitor.indices.mss import MssConfig, MssResult, mss_index
from sozialmonitor.stats.status import ESTIMATED, OK
from sozialmonitor.stats.timeseries import change
from sozialmonitor.yamlfile import check_keys, read_yaml

DEFAULT_CONFIG = Path(__file__).parent / "sozialindex_default.yaml"
CHANGE_SUFFIX = "_change"


@dataclass(frozen=True)
class SocialIndexConfig:
    name: str
    status: tuple[str, ...]
    dynamics: tuple[str, ...]
    periods: int
    mss: MssConfig
    population_indicator: str | None
    name_de: str = ""
    name_en: str = ""
    dynamics_given: tuple[str, ...] = ()
    """Indicators that already are changes (e.g. published MSS dynamics values): taken as given at the
    reference date instead of computing the change of the status indicators."""

    @property
    def indicators(self) -> tuple[str, ...]:
        """Every catalogue indicator the index reads."""
        keys = [*self.status, *self.dynamics, *self.dynamics_given]
        if self.population_indicator:
            keys.append(self.population_indicator)
        return tuple(dict.fromkeys(keys))


def _floats(raw: Any, n: int, what: str, file: str) -> Any:
    if not isinstance(raw, list) or len(raw) != n or not all(isinstance(v, int | float) for v in raw):
        raise ConfigError(f"{file}: {what}: erwartet {n} Zahlen", f"{file}: {what}: expected {n} numbers")
    return tuple(float(v) for v in raw)


INDEX_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "name",
            "name_de",
            "name_en",
            "status",
            "dynamics",
            "population_indicator",
            "min_population",
            "thresholds",
            "exclude",
            "unassigned_label",
        }
    ),
    "status": frozenset({"indicator", "weight", "invert"}),
    "dynamics": frozenset({"periods", "indicators", "given"}),
    "thresholds": frozenset({"status", "dynamics"}),
}
"""The keys a social index configuration accepts, per place (documented in docs/konfiguration.md)."""


def parse_config(raw: Mapping[str, Any], file: str = "<config>") -> SocialIndexConfig:
    """Validate a configuration mapping (the parsed YAML); unknown keys are refused, not ignored."""
    check_keys(raw, INDEX_KEYS[""], file, "oberste Ebene / top level")
    for section in ("dynamics", "thresholds"):
        if raw.get(section) is not None:
            check_keys(raw[section], INDEX_KEYS[section], file, section)
    for i, item in enumerate(raw.get("status") or [], start=1):
        if isinstance(item, dict):
            check_keys(item, INDEX_KEYS["status"], file, f"status[{i}]")
    status_raw = raw.get("status")
    if not isinstance(status_raw, list) or not status_raw:
        raise ConfigError(f"{file}: 'status' fehlt oder ist leer", f"{file}: 'status' missing or empty")
    status, weights, invert = [], {}, []
    for item in status_raw:
        if not isinstance(item, dict) or not isinstance(item.get("indicator"), str):
            raise ConfigError(
                f"{file}: jeder Statuseintrag braucht 'indicator'",
                f"{file}: every status entry needs 'indicator'",
            )
        key = item["indicator"]
        status.append(key)
        weights[key] = float(item.get("weight", 1.0))
        if item.get("invert"):
            invert.append(key)
    dyn_raw = raw.get("dynamics") or {}
    if not isinstance(dyn_raw, dict):
        raise ConfigError(f"{file}: 'dynamics' muss ein Objekt sein", f"{file}: 'dynamics' must be a mapping")
    periods = int(dyn_raw.get("periods", 2))
    given = tuple(str(k) for k in dyn_raw.get("given") or ())
    dyn_inds = dyn_raw.get("indicators", "same" if not given else [])
    dynamics = tuple(status) if dyn_inds == "same" else tuple(dyn_inds or ())
    for key in dynamics:
        weights[key + CHANGE_SUFFIX] = weights.get(key, 1.0)
        if key in invert:
            invert.append(key + CHANGE_SUFFIX)
    dynamic_columns = tuple(k + CHANGE_SUFFIX for k in dynamics) + given
    thresholds = raw.get("thresholds") or {}
    mss = MssConfig(
        status_indicators=tuple(status),
        dynamic_indicators=dynamic_columns,
        weights=weights,
        invert=tuple(invert),
        status_thresholds=_floats(thresholds.get("status", [-1.0, 1.0, 1.5]), 3, "thresholds.status", file),
        dynamics_thresholds=_floats(thresholds.get("dynamics", [-1.0, 1.0]), 2, "thresholds.dynamics", file),
        min_population=float(raw.get("min_population", 300)),
        population_column="population",
        exclude=tuple(str(k) for k in raw.get("exclude", ())),
        unassigned_label=str(raw.get("unassigned_label", "ohne Zuordnung")),
    )
    return SocialIndexConfig(
        name=str(raw.get("name", Path(file).stem)),
        status=tuple(status),
        dynamics=dynamics,
        periods=periods,
        mss=mss,
        population_indicator=raw.get("population_indicator"),
        name_de=str(raw.get("name_de", "")),
        name_en=str(raw.get("name_en", "")),
        dynamics_given=given,
    )


def load_config(path: Path = DEFAULT_CONFIG) -> SocialIndexConfig:
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: erwartet ein Objekt", f"{path}: expected a mapping")
    return parse_config(raw, str(path))


def index_input(
    indicator_table: pd.DataFrame,
    config: SocialIndexConfig,
    ref_date: dt.date | None = None,
    valid_units: Mapping[dt.date, Collection[str]] | None = None,
    lineage: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Input of :func:`mss_index`: one row per unit, status values at ``ref_date``, changes, population."""
    ind = indicator_table
    keys = set(config.indicators)
    absent = sorted(keys - set(ind["indicator"].unique()))
    if absent:
        raise SozialmonitorError(
            f"Sozialindex {config.name}: Indikatoren fehlen in der Tabelle: {', '.join(absent)}",
            f"social index {config.name}: indicators missing from the table: {', '.join(absent)}",
        )
    date = ref_date or max(ind["ref_date"])
    ind = ind[ind["indicator"].isin(keys)]
    usable = ind["status"].isin([OK, ESTIMATED]) & ~ind["flag_small"].astype(bool)
    clean = ind.assign(value=ind["value"].where(usable))
    now = clean[clean["ref_date"] == date].pivot(index="unit_key", columns="indicator", values="value")
    wide = now.reindex(columns=list(dict.fromkeys([*config.status, *config.dynamics_given])))
    if config.population_indicator:
        pop = ind[(ind["ref_date"] == date) & (ind["indicator"] == config.population_indicator)]
        wide["population"] = pop.set_index("unit_key")["value"]
    if config.dynamics:
        dates = sorted(d for d in clean["ref_date"].unique() if d <= date)
        if len(dates) <= config.periods:
            raise SozialmonitorError(
                f"Sozialindex {config.name}: zu wenige Stichtage vor {date} "
                f"für die Veränderung über {config.periods} Perioden",
                f"social index {config.name}: not enough dates before {date} "
                f"for a {config.periods}-period change",
            )
        base = dates[-1 - config.periods]
        sub = clean[clean["ref_date"].isin([base, date]) & clean["indicator"].isin(config.dynamics)]
        ch = change(sub, periods=1, valid_units=valid_units, lineage=lineage).table
        changes = ch.pivot(index="unit_key", columns="indicator", values="change_abs")
        for key in config.dynamics:
            col = changes[key] if key in changes.columns else pd.Series(dtype=float)
            wide[key + CHANGE_SUFFIX] = col.reindex(wide.index)
    return wide


def social_index(
    indicator_table: pd.DataFrame,
    config: SocialIndexConfig,
    ref_date: dt.date | None = None,
    valid_units: Mapping[dt.date, Collection[str]] | None = None,
    lineage: Mapping[str, str] | None = None,
) -> MssResult:
    """Status and dynamics index (MSS method) of every unit at ``ref_date`` (default: the latest date)."""
    return mss_index(index_input(indicator_table, config, ref_date, valid_units, lineage), config.mss)
