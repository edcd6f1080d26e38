"""Reading and writing the strategy as YAML (the city keeps it under version control).

``load → dump → load`` gives the same strategy. Fields at their default are left out when dumping, so
the file stays short; a file without ``handlungsfelder`` gets Jena's eight default fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from sozialmonitor.errors import ConfigError
from sozialmonitor.strategy.spec import (
    DIRECTIONS,
    MEASURE_STATUSES,
    OUTPUT_KINDS,
    SELECTIONS,
    SOURCES,
    FieldSpec,
    GoalSpec,
    MeasureSpec,
    NoteSpec,
    OutputSpec,
    StrategySpec,
    TargetSpec,
)
from sozialmonitor.yamlfile import read_yaml

DEFAULT_FIELDS_FILE = Path(__file__).parent / "handlungsfelder.yaml"


def default_fields() -> list[FieldSpec]:
    """Jena's eight Handlungsfelder (the default)."""
    raw = yaml.safe_load(DEFAULT_FIELDS_FILE.read_text(encoding="utf-8"))
    return [FieldSpec(**f) for f in raw]


class _Reader:
    """Builds the dataclasses from the parsed YAML, naming the place of every problem."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, de: str, en: str) -> ConfigError:
        return ConfigError(f"{self.origin}, {where}: {de}", f"{self.origin}, {where}: {en}")

    def mapping(self, raw: Any, where: str, cls: type[Any], required: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, "erwartet eine Zuordnung (key: value)", "expected a mapping (key: value)")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - names)
        if unknown:
            raise self.fail(
                where,
                f"unbekannte Felder {unknown}; erlaubt: {sorted(names)}",
                f"unknown fields {unknown}; allowed: {sorted(names)}",
            )
        missing = [r for r in required if raw.get(r) in (None, "")]
        if missing:
            raise self.fail(where, f"Pflichtfelder fehlen: {missing}", f"required fields missing: {missing}")
        return dict(raw)

    def choice(self, value: str, allowed: tuple[str, ...], where: str, name: str) -> None:
        if value not in allowed:
            raise self.fail(
                where,
                f"{name} {value!r} ist nicht erlaubt; erlaubt: {', '.join(allowed)}",
                f"{name} {value!r} is not allowed; allowed: {', '.join(allowed)}",
            )

    def number(self, value: Any, kind: type[int] | type[float], where: str) -> Any:
        if isinstance(value, bool):
            value = "?"
        try:
            return kind(value)
        except (TypeError, ValueError):
            what = "ganze Zahl" if kind is int else "Zahl"
            raise self.fail(where, f"{what} erwartet: {value!r}", f"number expected: {value!r}") from None

    def date(self, value: Any, where: str) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(
                where, f"Datum JJJJ-MM-TT erwartet: {value!r}", f"date YYYY-MM-DD expected: {value!r}"
            ) from None

    def target(self, raw: Any, where: str) -> TargetSpec:
        d = self.mapping(raw, where, TargetSpec, ("indicator", "baseline_year", "target_year"))
        d["units"] = [str(u) for u in d.get("units") or []]
        kinds: dict[str, type[int] | type[float]] = {
            "baseline_year": int,
            "target_year": int,
            "quorum": float,
        }
        kinds.update(dict.fromkeys(("baseline_value", "target_value", "target_change"), float))
        for name, kind in kinds.items():
            if d.get(name) is not None:
                d[name] = self.number(d[name], kind, f"{where}.{name}")
        t = TargetSpec(**d)
        self.choice(t.direction, DIRECTIONS, where, "direction")
        self.choice(t.source, SOURCES, where, "source")
        self.choice(t.select, SELECTIONS, where, "select")
        if (t.target_value is None) == (t.target_change is None):
            raise self.fail(
                where,
                "genau eines von target_value und target_change angeben",
                "give exactly one of target_value and target_change",
            )
        if t.target_year < t.baseline_year:
            raise self.fail(where, "Zieljahr vor dem Basisjahr", "target year before the baseline year")
        if not 0 < t.quorum <= 1:
            raise self.fail(where, "quorum muss in (0, 1] liegen", "quorum must lie in (0, 1]")
        return t

    def measure(self, raw: Any, where: str) -> MeasureSpec:
        d = self.mapping(raw, where, MeasureSpec, ("key", "title"))
        d["key"] = str(d["key"])
        d["partners"] = [str(p) for p in d.get("partners") or []]
        d["districts"] = [str(u) for u in d.get("districts") or []]
        for name in ("start", "end"):
            d[name] = self.date(d.get(name), f"{where}.{name}")
        notes = []
        for i, n in enumerate(d.get("notes") or []):
            nd = self.mapping(n, f"{where}.notes[{i}]", NoteSpec, ("date", "text"))
            notes.append(
                NoteSpec(date=self.date(nd["date"], f"{where}.notes[{i}]") or dt.date.min, text=nd["text"])
            )
        d["notes"] = notes
        outputs = []
        for i, o in enumerate(d.get("outputs") or []):
            od = self.mapping(o, f"{where}.outputs[{i}]", OutputSpec, ("year", "kind", "value"))
            self.choice(od["kind"], OUTPUT_KINDS, f"{where}.outputs[{i}]", "kind")
            outputs.append(OutputSpec(year=int(od["year"]), kind=od["kind"], value=float(od["value"])))
        d["outputs"] = outputs
        m = MeasureSpec(**d)
        self.choice(m.status, MEASURE_STATUSES, where, "status")
        return m

    def goal(self, raw: Any, where: str, fields: set[str]) -> GoalSpec:
        d = self.mapping(raw, where, GoalSpec, ("key", "handlungsfeld", "text"))
        d["key"] = str(d["key"])
        if d["handlungsfeld"] not in fields:
            raise self.fail(
                where,
                f"unbekanntes Handlungsfeld {d['handlungsfeld']!r}; bekannt: {sorted(fields)}",
                f"unknown Handlungsfeld {d['handlungsfeld']!r}; known: {sorted(fields)}",
            )
        d["adopted"] = self.date(d.get("adopted"), f"{where}.adopted")
        d["targets"] = [self.target(t, f"{where}.targets[{i}]") for i, t in enumerate(d.get("targets") or [])]
        d["measures"] = [
            self.measure(m, f"{where}.measures[{i}]") for i, m in enumerate(d.get("measures") or [])
        ]
        _unique([t.key for t in d["targets"]], self, where, "targets.key")
        return GoalSpec(**d)


def _unique(keys: list[str], reader: _Reader, where: str, name: str) -> None:
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise reader.fail(where, f"{name} doppelt: {dupes}", f"{name} duplicated: {dupes}")


def strategy_from_dict(raw: Any, origin: str = "strategie.yaml") -> StrategySpec:
    reader = _Reader(origin)
    if not isinstance(raw, dict):
        raise reader.fail("Datei", "erwartet eine Zuordnung mit 'goals'", "expected a mapping with 'goals'")
    unknown = sorted(set(raw) - {"name", "handlungsfelder", "goals"})
    if unknown:
        raise reader.fail("Datei", f"unbekannte Felder {unknown}", f"unknown fields {unknown}")
    if raw.get("handlungsfelder"):
        fields = [
            FieldSpec(**reader.mapping(f, f"handlungsfelder[{i}]", FieldSpec, ("key", "name_de", "name_en")))
            for i, f in enumerate(raw["handlungsfelder"])
        ]
    else:
        fields = default_fields()
    keys = {f.key for f in fields}
    goals = [reader.goal(g, f"goals[{i}]", keys) for i, g in enumerate(raw.get("goals") or [])]
    _unique([f.key for f in fields], reader, "handlungsfelder", "key")
    _unique([g.key for g in goals], reader, "goals", "key")
    _unique([m.key for g in goals for m in g.measures], reader, "goals", "measures.key")
    return StrategySpec(name=str(raw.get("name") or ""), fields=fields, goals=goals)


def load_strategy(path: Path) -> StrategySpec:
    """Read a strategy YAML file (raises ConfigError naming the place of any problem)."""
    if not path.is_file():
        raise ConfigError(f"{path} fehlt", f"{path} is missing")
    raw = read_yaml(path)
    return strategy_from_dict(raw, origin=str(path))


def _compact(obj: Any) -> Any:
    """Dataclass → dict without fields at their default (recursively)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(obj, TargetSpec) and f.name == "key" and value == obj.indicator:
                continue
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required or value != default:
                out[f.name] = _compact(value)
        return out
    if isinstance(obj, list):
        return [_compact(v) for v in obj]
    return obj


def strategy_to_dict(spec: StrategySpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.name:
        out["name"] = spec.name
    if spec.fields != default_fields():
        out["handlungsfelder"] = _compact(spec.fields)
    out["goals"] = _compact(spec.goals)
    return out


def dump_strategy(spec: StrategySpec) -> str:
    """The strategy as YAML text (UTF-8, keys in the order of the model, umlauts kept)."""
    header = "# Armutspräventionsstrategie / poverty-prevention strategy – sozialmonitor (docs/strategy.md)\n"
    return header + yaml.safe_dump(
        strategy_to_dict(spec), allow_unicode=True, sort_keys=False, width=110, default_flow_style=False
    )
