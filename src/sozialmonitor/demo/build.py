"""Build a city's database from a configuration folder (``city.yaml`` and the files it names).

Nothing here knows about Jena: the bundled demo is just one such folder
(``sozialmonitor/demo/jena``). Every step goes through the same import functions as
the CLI, so the demo proves the import path end to end.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sozialmonitor.db.engine import session_scope, upgrade
from sozialmonitor.db.models import SpatialUnit
from sozialmonitor.demo.city_config import check_city
from sozialmonitor.errors import ConfigError, SozialmonitorError
from sozialmonitor.geo.read import read_boundaries
from sozialmonitor.geo.units import add_unit, current_units, ensure_level, get_level, import_boundaries
from sozialmonitor.indicators.expression import (
    DerivedPlan,
    Expression,
    derive_frame,
    derived_expression,
    plan_derived,
)
from sozialmonitor.indicators.kinds import parse_kind
from sozialmonitor.indicators.source_zeros import ZeroRule, group_variables, resolve_source_zeros
from sozialmonitor.indicators.store import import_observations, observations_frame
from sozialmonitor.indicators.variables import load_variables_file, set_relations, upsert_variables
from sozialmonitor.ingest.mapping import TableMapping, load_mapping, mapping_date, mapping_from_dict
from sozialmonitor.ingest.table import read_table
from sozialmonitor.publication.social_index import store_index_config
from sozialmonitor.strategy.store import save_strategy
from sozialmonitor.strategy.yaml_io import load_strategy
from sozialmonitor.yamlfile import read_yaml

Progress = Callable[[str, int, int], None]


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class BuildReport:
    city: str
    units: dict[str, int] = field(default_factory=dict)
    variables: int = 0
    observations: int = 0
    suppressed_zeros: int = 0
    imports: list[str] = field(default_factory=list)


def load_city(config_dir: Path) -> dict[str, Any]:
    """The checked ``city.yaml`` of a configuration folder (unknown keys are refused, not ignored)."""
    path = config_dir / "city.yaml"
    if not path.is_file():
        raise ConfigError(f"{path} fehlt", f"{path} is missing")
    return check_city(read_yaml(path), path)


def _steps(cfg: dict[str, Any]) -> int:
    return (
        len(cfg.get("boundaries", []))
        + len(cfg.get("tables", []))
        + len(cfg.get("derived", []))
        + (1 if cfg.get("comparison") else 0)
        + 1
    )


@dataclass(frozen=True)
class Derived:
    """A ``derived`` entry, checked: its variable fields, formula, kind and the sum relation it forms."""

    entry: dict[str, Any]
    expression: Expression
    plan: DerivedPlan

    @property
    def key(self) -> str:
        return str(self.entry["key"])

    def variable(self) -> dict[str, Any]:
        fields = {k: v for k, v in self.entry.items() if k not in ("sum", "expression")}
        return {**fields, "kind": self.plan.kind}


def derived_variables(
    cfg: dict[str, Any],
    variables: list[dict[str, Any]],
    path: Path,
    errors: list[SozialmonitorError] | None = None,
) -> list[Derived]:
    """Every ``derived`` entry checked against the variables' kinds (in order: one may use an earlier one).
    The first problem is raised, or with ``errors`` every problem is collected there (``city check``)."""
    kinds = {str(v["key"]): str(v["kind"]) for v in variables}
    out: list[Derived] = []
    for i, d in enumerate(cfg.get("derived") or [], start=1):
        where = f"{path}: derived[{i}] ({d['key']})"
        try:
            declared = parse_kind(d["kind"], f"{where}, kind") if d.get("kind") else None
            expr = derived_expression(d, where)
            plan = plan_derived(str(d["key"]), expr, kinds, declared, where)
        except SozialmonitorError as exc:
            if errors is None:
                raise
            errors.append(exc)
            kinds[str(d["key"])] = "count"  # later entries may use it: no follow-up "unknown variable"
            continue
        kinds[str(d["key"])] = plan.kind
        out.append(Derived(d, expr, plan))
    return out


def table_mapping(config_dir: Path, entry: dict[str, Any]) -> TableMapping:
    """The mapping of a ``tables`` entry; its ``date`` (one mapping for the files of several reference
    dates) replaces the mapping's date or date column."""
    mapping = load_mapping(config_dir / str(entry["mapping"]))
    if entry.get("date"):
        date = mapping_date(entry["date"], mapping.reference_day, Path(str(entry["file"])).name)
        mapping = replace(mapping, date_column=None, date=date)
    return mapping


def build_city(config_dir: Path, engine: Engine, progress: Progress | None = None) -> BuildReport:
    """Create the schema and import everything the city configuration names.

    Each file is one import (one transaction), exactly as ``sozialmonitor import`` does it.
    """
    cfg = load_city(config_dir)
    total = _steps(cfg)
    step = 0

    def tick(label: str) -> None:
        nonlocal step
        step += 1
        if progress:
            progress(label, step, total)

    upgrade(engine)
    report = BuildReport(city=str(cfg.get("name", config_dir.name)))
    rule = ZeroRule.from_config(cfg["source_zeros"]) if cfg.get("source_zeros") else None
    variables = load_variables_file(config_dir / cfg["variables"])
    derived = derived_variables(cfg, variables, config_dir / "city.yaml")
    with session_scope(engine) as s:
        for lv in cfg["levels"]:
            ensure_level(s, lv["key"], lv.get("name_de"), lv.get("name_en"), lv.get("rank"))
        for u in cfg.get("units", []):
            parent = _find_unit(s, u.get("parent"))
            add_unit(s, u["level"], str(u["key"]), u["name"], parent)
        report.variables = upsert_variables(s, variables)
        upsert_variables(s, [d.variable() for d in derived])
        # additive relations, so that disclosure control also guards against differencing across variables
        additive = [(g.total, list(g.parts)) for g in rule.groups] if rule else []
        additive += [(t, list(p)) for t, p in (d.plan.relation for d in derived if d.plan.relation)]
        additive += [(str(r["total"]), [str(p) for p in r["parts"]]) for r in cfg.get("relations", [])]
        set_relations(s, additive, source=str(config_dir.name))
        if cfg.get("social_index"):
            store_index_config(s, config_dir / str(cfg["social_index"]))
    tick("Einheiten und Variablen")
    for b in cfg.get("boundaries", []):
        path = config_dir / b["file"]
        with session_scope(engine) as s:
            gdf = read_boundaries(path, crs=b.get("crs"))
            geo_res = import_boundaries(
                s,
                gdf,
                file_name=path.name,
                file_hash=file_hash(path),
                level_key=b["level"],
                key_field=b["key_field"],
                name_field=b.get("name_field"),
                parent_level=b.get("parent_level"),
                parent_field=b.get("parent_field"),
                valid_from=mapping_date(b["valid_from"], "01-01", f"{path.name}: valid_from")
                if b.get("valid_from")
                else None,
                complete=bool(b.get("complete", False)),
                repair=bool(b.get("repair", False)),
            )
            if b.get("parent_unit"):
                parent = _find_unit(s, str(b["parent_unit"]))
                assert parent is not None
                for unit in current_units(s, get_level(s, b["level"])).values():
                    unit.parent_id = parent.id
        closed = f", {len(geo_res.closed)} beendet" if geo_res.closed else ""
        report.imports.append(f"{path.name}: {len(geo_res.inserted)} Einheiten{closed}")
        tick(path.name)
    with session_scope(engine) as s:
        for u in cfg.get("extra_units", []):
            add_unit(s, u["level"], str(u["key"]), u["name"], _find_unit(s, u.get("parent")))
    for t in cfg.get("tables", []):
        path = config_dir / t["file"]
        mapping = table_mapping(config_dir, t)
        df = read_table(path, mapping)
        with session_scope(engine) as s:
            if rule is not None and t.get("source_zeros", True):
                vars_here = set(df["variable"])
                local = ZeroRule(frozenset(vars_here), rule.groups, rule.threshold)
                related = sorted(group_variables(rule, vars_here) - vars_here)
                context = observations_frame(s, variables=related, level_key=t["level"]) if related else None
                before = int((df["status"] == "suppressed").sum())
                df = resolve_source_zeros(df, local, context)
                report.suppressed_zeros += int((df["status"] == "suppressed").sum()) - before
            res = import_observations(
                s,
                df,
                level_key=t["level"],
                file_name=path.name,
                file_hash=file_hash(path),
                source=mapping.source,
                options={"mapping": t["mapping"]},
            )
        report.observations += res.inserted
        report.imports.append(f"{path.name}: {res.summary()}")
        tick(path.name)
    if cfg.get("comparison"):
        report.observations += _import_comparison(engine, config_dir, cfg)
        tick("Vergleichswerte")
    for d in derived:
        report.observations += _derive(engine, d)
        tick(d.key)
    if cfg.get("strategy"):
        _load_strategy(engine, config_dir / cfg["strategy"])
    with session_scope(engine) as s:
        for lv in cfg["levels"]:
            report.units[lv["key"]] = len(current_units(s, get_level(s, lv["key"])))
    return report


def _load_strategy(engine: Engine, path: Path) -> None:
    """The city's poverty-prevention strategy (YAML); the history records it as loaded by the demo."""
    with session_scope(engine) as s:
        save_strategy(s, load_strategy(path), by="demo", comment=path.name)


def _find_unit(s: Session, key: str | None) -> SpatialUnit | None:
    if key is None:
        return None
    unit = s.scalar(select(SpatialUnit).where(SpatialUnit.key == str(key), SpatialUnit.valid_to.is_(None)))
    if unit is None:
        raise ConfigError(f"Einheit {key!r} nicht gefunden", f"unit {key!r} not found")
    return unit


def _import_comparison(engine: Engine, config_dir: Path, cfg: dict[str, Any]) -> int:
    """Published totals for higher levels, one long file split into parts by a column (e.g. theme)."""
    c = cfg["comparison"]
    path = config_dir / c["file"]
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    aliases = {str(k): str(v) for k, v in (c.get("unit_aliases") or {}).items()}
    levels = {str(k): str(v) for k, v in c["levels"].items()}
    tables = {Path(t["mapping"]).stem: t for t in cfg["tables"]}
    inserted = 0
    with tempfile.TemporaryDirectory() as tmp:
        for part, rows in raw.groupby(c["split_column"], sort=False):
            table = tables.get(str(part))
            if table is None:
                continue
            wide_mapping = load_mapping(config_dir / table["mapping"])
            rows = rows.assign(**{c["unit_column"]: rows[c["unit_column"]].map(lambda u: aliases.get(u, u))})
            part_file = Path(tmp) / f"{path.stem}_{part}.csv"
            rows.to_csv(part_file, index=False, sep=";")
            mapping = mapping_from_dict(
                {
                    "layout": "long",
                    "unit_column": c["unit_column"],
                    "date_column": c["date_column"],
                    "variable_column": c["variable_column"],
                    "value_column": c["value_column"],
                    "reference_day": wide_mapping.reference_day,
                    "variables": wide_mapping.variables,
                    "counts": wide_mapping.counts,
                    "ignore_unmapped": True,
                    "source": wide_mapping.source,
                    "markers": dict(c.get("markers") or {}),
                },
                origin=str(path),
            )
            df = read_table(part_file, mapping, display_name=f"{path.name} ({part})")
            for unit_key, level in levels.items():
                sub = df[df["unit_key"] == unit_key]
                if sub.empty:
                    continue
                with session_scope(engine) as s:
                    res = import_observations(
                        s,
                        sub.reset_index(drop=True),
                        level_key=level,
                        file_name=f"{path.name} ({part}, {unit_key})",
                        file_hash=file_hash(path),
                        source=mapping.source,
                    )
                inserted += res.inserted
    return inserted


def _derive(engine: Engine, d: Derived) -> int:
    """A derived variable per unit and date; suppressed, missing and estimated inputs propagate."""
    with session_scope(engine) as s:
        obs = observations_frame(s, variables=list(d.expression.variables))
        values = derive_frame(obs, d.expression)
        if values.empty:
            return 0
        values["variable"] = d.key
        inserted = 0
        digest = hashlib.sha256(d.expression.text.encode()).hexdigest()
        for level, sub in values.groupby("level"):
            res = import_observations(
                s,
                sub.reset_index(drop=True),
                level_key=str(level),
                file_name=f"abgeleitet: {d.key}",
                file_hash=digest,
                kind="derived",
                source=f"abgeleitet / derived: {d.key} = {d.expression.text}",
            )
            inserted += res.inserted
    return inserted
