"""Configuration of a survey publication: which indicators, which design, which margins, which units.

A publication turns a survey data file into survey indicators per unit (e.g. planning area) with their
uncertainty, ready to be stored in the monitoring. The YAML file::

    survey: Haushaltebefragung 2024
    ref_date: 2024-06-30
    level: planungsraum            # spatial level of the areas
    area_column: planungsraum      # survey column holding the unit key (or a label, see area_keys)
    area_keys: {Nord: "1", …}      # optional: label in the data → unit key
    total_unit: "16053000"         # optional: an extra row for the whole city …
    total_level: stadt             # … on this level
    design: {weights: gewicht, strata: schicht, cluster: [], fpc: []}
    rake:                          # optional raking margins, per survey column:
      sex: {m: 52000, w: 55000}    #   literal population counts, or
      age_group:                   #   sums of store variables at the city unit on margin_date
        "18-29": [residents_age_18_25, residents_age_25_27]
      planungsraum: {from_store: residents_main}   # per unit of `level`
    margin_date: 2023-12-31
    confidence: 0.95
    indicators:
      financial_worries:
        name_de: Anteil mit finanziellen Sorgen
        name_en: Share with financial worries
        variable: sorgen
        statistic: proportion      # share of rows with variable == value (in per cent)
        value: 1
      life_satisfaction: {name_de: Lebenszufriedenheit (0–100), variable: zufriedenheit, statistic: mean,
                          unit: Punkte}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sozialmonitor.errors import ConfigError
from sozialmonitor.survey.design import survey_design
from sozialmonitor.survey.indicators import IndicatorSpec, area_indicators
from sozialmonitor.survey.weighting import rake
from sozialmonitor.yamlfile import read_yaml

StoreMargin = dict[str, Any]


@dataclass(frozen=True)
class PublishedIndicator:
    key: str
    name_de: str
    name_en: str
    variable: str
    statistic: str
    value: Any = 1
    unit: str = "%"
    factor: float = 100.0


@dataclass(frozen=True)
class PublishConfig:
    survey: str
    ref_date: dt.date
    level: str
    area_column: str
    indicators: tuple[PublishedIndicator, ...]
    weights: str | None = None
    strata: str | None = None
    cluster: tuple[str, ...] = ()
    fpc: tuple[str, ...] = ()
    area_keys: dict[str, str] = field(default_factory=dict)
    total_unit: str | None = None
    total_level: str | None = None
    rake: dict[str, Any] = field(default_factory=dict)
    margin_date: dt.date | None = None
    confidence: float = 0.95

    def variable_items(self) -> list[dict[str, str]]:
        """Variable definitions of the indicators (the store keeps names and units as variables)."""
        return [
            {
                "key": i.key,
                "name_de": i.name_de,
                "name_en": i.name_en,
                "unit": i.unit,
                "theme": "Befragung",
                "source": self.survey,
            }
            for i in self.indicators
        ]


def _date(raw: Any, what: str, file: str) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ConfigError(
            f"{file}: {what} {raw!r} ist kein Datum (JJJJ-MM-TT)",
            f"{file}: {what} {raw!r} is not a date (YYYY-MM-DD)",
        ) from None


def load_publish_config(path: Path) -> PublishConfig:
    raw = read_yaml(path)
    file = str(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: erwartet ein Objekt", f"{file}: expected a mapping")
    for key in ("survey", "ref_date", "level", "area_column", "indicators"):
        if key not in raw:
            raise ConfigError(f"{file}: Pflichtfeld {key!r} fehlt", f"{file}: required field {key!r} missing")
    indicators = []
    for key, spec in (raw["indicators"] or {}).items():
        if not isinstance(spec, dict) or "variable" not in spec:
            raise ConfigError(
                f"{file}: Indikator {key!r} braucht 'variable'", f"{file}: indicator {key!r} needs 'variable'"
            )
        statistic = str(spec.get("statistic", "mean"))
        if statistic not in ("mean", "proportion"):
            raise ConfigError(
                f"{file}: Indikator {key!r}: statistic mean oder proportion",
                f"{file}: indicator {key!r}: statistic mean or proportion",
            )
        is_share = statistic == "proportion"
        indicators.append(
            PublishedIndicator(
                key=str(key),
                name_de=str(spec.get("name_de", key)),
                name_en=str(spec.get("name_en", spec.get("name_de", key))),
                variable=str(spec["variable"]),
                statistic=statistic,
                value=spec.get("value", 1),
                unit=str(spec.get("unit", "%" if is_share else "")),
                factor=float(spec.get("factor", 100 if is_share else 1)),
            )
        )
    design = raw.get("design") or {}
    return PublishConfig(
        survey=str(raw["survey"]),
        ref_date=_date(raw["ref_date"], "ref_date", file),
        level=str(raw["level"]),
        area_column=str(raw["area_column"]),
        indicators=tuple(indicators),
        weights=design.get("weights"),
        strata=design.get("strata"),
        cluster=tuple(design.get("cluster") or ()),
        fpc=tuple(design.get("fpc") or ()),
        area_keys={str(k): str(v) for k, v in (raw.get("area_keys") or {}).items()},
        total_unit=str(raw["total_unit"]) if raw.get("total_unit") is not None else None,
        total_level=raw.get("total_level"),
        rake=dict(raw.get("rake") or {}),
        margin_date=_date(raw["margin_date"], "margin_date", file) if raw.get("margin_date") else None,
        confidence=float(raw.get("confidence", 0.95)),
    )


def store_margin_requests(cfg: PublishConfig) -> dict[str, Any]:
    """The raking margins that must be read from the store (lists of variables or ``from_store``)."""
    return {
        col: spec
        for col, spec in cfg.rake.items()
        if isinstance(spec, dict)
        and ("from_store" in spec or any(isinstance(v, list) for v in spec.values()))
    }


def estimate(
    data: pd.DataFrame, cfg: PublishConfig, margins: dict[str, dict[str, float]]
) -> tuple[pd.DataFrame, str]:
    """Weight (rake to ``margins`` if given) and estimate every indicator per area; table and report."""
    frame = data.copy()
    if cfg.area_keys:
        frame[cfg.area_column] = frame[cfg.area_column].astype(str).map(lambda v: cfg.area_keys.get(v, v))
    design = survey_design(
        frame,
        ids=list(cfg.cluster) or None,
        strata=cfg.strata,
        weights=cfg.weights,
        fpc=list(cfg.fpc) or None,
    )
    report = ""
    if margins:
        result = rake(design, margins)
        design = result.design
        report = result.report()
    specs = {i.key: IndicatorSpec(i.variable, i.statistic, i.value) for i in cfg.indicators}
    table = area_indicators(
        design, cfg.area_column, specs, level=cfg.confidence, include_total=cfg.total_unit
    )
    factors = {i.key: i.factor for i in cfg.indicators}
    f = table["indicator"].map(factors).astype(float)
    for col in ("estimate", "se", "ci_low", "ci_high"):
        table[col] = table[col].astype(float) * f
    return table, report
