"""`sozialmonitor survey publish`: survey indicators per area, with uncertainty, into the monitoring."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sozialmonitor.cli.common import DbOption, engine_for, handle_errors, out
from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import ConfigError
from sozialmonitor.fmt import number


def _store_margins(session: Any, cfg: Any, requests: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Population margins from the register data in the store, at ``margin_date``."""
    from sozialmonitor.indicators.service import level_observations

    if cfg.margin_date is None:
        raise ConfigError(
            "margin_date fehlt (Stichtag der Registerränder)", "margin_date missing (register date)"
        )
    margins: dict[str, dict[str, float]] = {}
    for column, spec in requests.items():
        if "from_store" in spec:
            obs = level_observations(session, cfg.level, [spec["from_store"]])
            obs = obs[obs["ref_date"] == cfg.margin_date]
            margins[column] = {str(k): float(v) for k, v in zip(obs["unit_key"], obs["value"], strict=True)}
            continue
        if not cfg.total_unit or not cfg.total_level:
            raise ConfigError(
                "Ränder aus Variablen brauchen total_unit und total_level",
                "margins from variables need total_unit and total_level",
            )
        variables = sorted({v for vs in spec.values() for v in vs})
        obs = level_observations(session, cfg.total_level, variables)
        obs = obs[(obs["ref_date"] == cfg.margin_date) & (obs["unit_key"] == cfg.total_unit)]
        values = dict(zip(obs["variable"], obs["value"], strict=True))
        missing = [v for v in variables if v not in values or values[v] != values[v]]
        if missing:
            raise ConfigError(
                f"Registerrand {column!r}: keine Werte für {missing} am {cfg.margin_date}",
                f"register margin {column!r}: no values for {missing} on {cfg.margin_date}",
            )
        margins[column] = {str(level): float(sum(values[v] for v in vs)) for level, vs in spec.items()}
    return margins


@handle_errors
def publish(
    data: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Befragungsdaten: CSV, XLSX, .sav")
    ],
    config: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Veröffentlichung (YAML)")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Nur schätzen und zeigen / estimate and show only")
    ] = False,
    db: DbOption = None,
) -> None:
    """Befragungsindikatoren je Gebiet mit Konfidenzintervall in das Monitoring übernehmen.

    Survey indicators per area with confidence intervals into the monitoring.
    """
    from sozialmonitor.indicators.survey_store import publish_estimates
    from sozialmonitor.survey.io import read_survey
    from sozialmonitor.survey.publish import estimate, load_publish_config, store_margin_requests

    cfg = load_publish_config(config)
    frame = read_survey(data).data
    engine = engine_for(db)
    with session_scope(engine) as s:
        margins = {
            k: {str(a): float(b) for a, b in v.items()}
            for k, v in cfg.rake.items()
            if k not in store_margin_requests(cfg)
        }
        margins.update(_store_margins(s, cfg, store_margin_requests(cfg)))
        table, report = estimate(frame, cfg, margins)
        digest = hashlib.sha256(data.read_bytes() + config.read_bytes()).hexdigest()
        extra = {cfg.total_unit: cfg.total_level} if cfg.total_unit and cfg.total_level else None
        import_id = publish_estimates(
            s,
            table,
            survey=cfg.survey,
            level_key=cfg.level,
            ref_date=cfg.ref_date,
            indicators=cfg.variable_items(),
            file_name=data.name,
            file_hash=digest,
            extra_units=extra,
            dry_run=dry_run,
        )
    if report:
        out.print(report)
    names = {i.key: i for i in cfg.indicators}
    t = Table("Gebiet", "Indikator", "Schätzwert", "95-%-KI", "n", "n eff.", "veröffentlichbar")
    for r in table.to_dict("records"):
        ind = names[str(r["indicator"])]
        t.add_row(
            str(r["unit_key"]),
            ind.name_de,
            number(r["estimate"], 1),
            f"{number(r['ci_low'], 1)} – {number(r['ci_high'], 1)}",
            str(int(r["n"])),
            number(r["n_eff"], 0),
            "ja" if r["publishable"] else "nein (zu unsicher)",
        )
    out.print(t)
    if import_id is None:
        out.print("Probelauf – nichts geschrieben / dry run – nothing written")
    else:
        out.print(f"Veröffentlicht als Import Nr. {import_id} / published as import no. {import_id}")


def register(app: typer.Typer) -> None:
    """Add ``publish`` to the ``survey`` command group."""
    app.command("publish")(publish)
