"""Survey indicators published into the monitoring: raking to register margins from the store, CIs, undo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sozialmonitor.cli.main import app
from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.geo.units import add_unit, ensure_level
from sozialmonitor.indicators.store import import_observations
from sozialmonitor.indicators.survey_store import survey_estimates_frame
from sozialmonitor.indicators.variables import upsert_variables
from sozialmonitor.survey.synthetic import synthetic_survey

runner = CliRunner()
REGISTER_DATE = dt.date(2023, 12, 31)


@pytest.fixture(scope="module")
def synth():  # type: ignore[no-untyped-def]
    return synthetic_survey(n_population=30_000, n_sample=4_000, seed=7)


@pytest.fixture
def city(tmp_path: Path, synth) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """A city with one planning area per synthetic area; residents in the store = the synthetic register."""
    url = f"sqlite:///{tmp_path / 'stadt.sqlite'}"
    engine = make_engine(url)
    from sozialmonitor.db.engine import upgrade

    upgrade(engine)
    areas = sorted(synth.margins["planning_area"])
    keys = {name: str(i + 1) for i, name in enumerate(areas)}
    with session_scope(engine) as s:
        ensure_level(s, "stadt", "Stadt", "City", 1)
        ensure_level(s, "planungsraum", "Planungsraum", "Planning area", 2)
        c = add_unit(s, "stadt", "99", "Musterstadt")
        for name, key in keys.items():
            add_unit(s, "planungsraum", key, name, c)
        upsert_variables(s, [{"key": "residents_main", "name_de": "Einwohner"}])
        df = pd.DataFrame(
            {
                "unit_key": [keys[a] for a in areas],
                "ref_date": REGISTER_DATE,
                "variable": "residents_main",
                "value": [synth.margins["planning_area"][a] for a in areas],
                "status": "ok",
            }
        )
        import_observations(s, df, level_key="planungsraum", file_name="register.csv", file_hash="r")
    engine.dispose()
    return url, keys


def write_inputs(
    tmp_path: Path, synth, keys: dict[str, str], survey: str = "Befragung 2024"
) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    data = tmp_path / "antworten.csv"
    synth.respondents.to_csv(data, index=False)
    cfg = {
        "survey": survey,
        "ref_date": "2024-06-30",
        "level": "planungsraum",
        "area_column": "planning_area",
        "area_keys": keys,
        "total_unit": "99",
        "total_level": "stadt",
        "margin_date": REGISTER_DATE.isoformat(),
        "design": {"weights": "design_weight", "strata": "planning_area"},
        "rake": {
            "age_group": synth.margins["age_group"],
            "sex": synth.margins["sex"],
            "planning_area": {"from_store": "residents_main"},
        },
        "indicators": {
            "survey_financial_worries": {
                "name_de": "Anteil mit finanziellen Sorgen",
                "variable": "financial_worries",
                "statistic": "proportion",
                "value": 1,
            },
            "survey_life_satisfaction": {
                "name_de": "Lebenszufriedenheit",
                "variable": "life_satisfaction",
                "statistic": "mean",
                "unit": "Punkte (0–100)",
            },
        },
    }
    config = tmp_path / "veroeffentlichung.yaml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return data, config


def current(url: str) -> pd.DataFrame:
    with session_scope(make_engine(url)) as s:
        return survey_estimates_frame(s)


def test_publish_rakes_to_register_margins_and_stores_estimates_with_their_uncertainty(
    tmp_path: Path,
    city,
    synth,  # type: ignore[no-untyped-def]
) -> None:
    url, keys = city
    data, config = write_inputs(tmp_path, synth, keys)
    result = runner.invoke(app, ["survey", "publish", str(data), "--config", str(config), "--db", url])
    assert result.exit_code == 0, result.stderr + result.stdout
    est = current(url)
    assert len(est) == 2 * (len(keys) + 1)  # every area + the city, two indicators
    city_row = est[(est.unit_key == "99") & (est.indicator == "survey_financial_worries")].iloc[0]
    truth = 100 * synth.truth["financial_worries"]
    assert city_row["ci_low"] < truth < city_row["ci_high"]  # raking removed the age bias
    assert city_row["level"] == "stadt" and city_row["publishable"]
    assert (est["ci_low"] <= est["estimate"]).all() and (est["estimate"] <= est["ci_high"]).all()
    small = est[est["n"] < 30]
    assert not small["publishable"].any()


def test_dry_run_writes_nothing_and_undo_restores_the_previous_publication(
    tmp_path: Path,
    city,
    synth,  # type: ignore[no-untyped-def]
) -> None:
    url, keys = city
    data, config = write_inputs(tmp_path, synth, keys)
    result = runner.invoke(
        app, ["survey", "publish", str(data), "--config", str(config), "--dry-run", "--db", url]
    )
    assert result.exit_code == 0 and "Probelauf" in result.stdout
    assert current(url).empty
    runner.invoke(app, ["survey", "publish", str(data), "--config", str(config), "--db", url])
    first = current(url)
    # a second publication with a different sample replaces the first …
    other = synthetic_survey(n_population=30_000, n_sample=4_000, seed=8)
    data2, _ = write_inputs(tmp_path, other, keys)
    result = runner.invoke(app, ["survey", "publish", str(data2), "--config", str(config), "--db", url])
    assert result.exit_code == 0
    second = current(url)
    assert not second["estimate"].equals(first["estimate"])
    import_id = result.stdout.split("Import Nr. ")[1].split()[0]
    # … and undoing it brings the first back
    assert runner.invoke(app, ["import", "undo", import_id, "--db", url]).exit_code == 0
    pd.testing.assert_frame_equal(current(url), first)


def test_unknown_area_is_rejected_and_nothing_is_written(tmp_path: Path, city, synth) -> None:  # type: ignore[no-untyped-def]
    url, keys = city
    data, config = write_inputs(tmp_path, synth, {k: v for k, v in list(keys.items())[1:]})
    result = runner.invoke(app, ["survey", "publish", str(data), "--config", str(config), "--db", url])
    assert result.exit_code in (1, 2)
    assert "Göschwitz" in result.stderr
    assert current(url).empty
