"""The strategy as YAML: lossless round trip, default Handlungsfelder, precise errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from sozialmonitor.demo import JENA
from sozialmonitor.errors import ConfigError
from sozialmonitor.strategy.spec import GoalSpec, MeasureSpec, NoteSpec, OutputSpec, StrategySpec, TargetSpec
from sozialmonitor.strategy.yaml_io import default_fields, dump_strategy, load_strategy, strategy_from_dict

CATALOGUE_FIELDS = {"steuerung", "oekonomie_arbeit", "wohnen", "bildung", "kinder_jugend", "aeltere",
                    "migration", "gesundheit"}  # fmt: skip


def test_jena_example_round_trips_losslessly(tmp_path: Path) -> None:
    spec = load_strategy(JENA / "strategie.yaml")
    out = tmp_path / "s.yaml"
    out.write_text(dump_strategy(spec), encoding="utf-8")
    again = load_strategy(out)
    assert again == spec
    assert dump_strategy(again) == dump_strategy(spec)
    assert len(spec.goals) >= 8 and sum(len(g.measures) for g in spec.goals) >= 5


def test_default_fields_are_jenas_eight_with_the_catalogue_keys() -> None:
    fields = default_fields()
    assert [f.key for f in fields][:2] == ["steuerung", "oekonomie_arbeit"]
    assert {f.key for f in fields} == CATALOGUE_FIELDS
    assert fields[2].name_de == "Wohnen in Jena"
    assert strategy_from_dict({"goals": []}).fields == fields


def test_every_field_survives_the_round_trip() -> None:
    target = TargetSpec(
        "x", 2010, 2020, direction="increase", target_change=2.5, level="ortsteil", source="survey",
        units=["1", "02"], city_level="gesamt", quorum=0.75, key="x-bezirke", note="Notiz: ä",
    )  # fmt: skip
    measure = MeasureSpec(
        "m1", "Maßnahme", "Amt", ["A", "B"], "Familien", ["1"], dt.date(2020, 1, 1), dt.date(2021, 6, 30),
        1234.5, "stopped", [NoteSpec(dt.date(2020, 5, 1), "eins"), NoteSpec(dt.date(2020, 5, 1), "zwei")],
        [OutputSpec(2020, "cases", 17.0)],
    )  # fmt: skip
    goal = GoalSpec("g1", "bildung", "Ziel", "Goal", dt.date(2019, 1, 2), "BV 1", [target], [measure])
    spec = StrategySpec("S", default_fields()[:4], [goal])
    assert strategy_from_dict(yaml.safe_load(dump_strategy(spec))) == spec


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"handlungsfeld": "sport"}, "unbekanntes Handlungsfeld 'sport'"),
        ({"targets": [{"indicator": "x", "baseline_year": 2012, "target_year": 2020}]}, "genau eines"),
        (
            {"targets": [{"indicator": "x", "baseline_year": 2012, "target_year": 2010, "target_value": 1}]},
            "Zieljahr vor dem Basisjahr",
        ),
        ({"measures": [{"key": "m", "title": "t", "status": "paused"}]}, "status 'paused' ist nicht erlaubt"),
        ({"adopted": "19.06.2013"}, "Datum JJJJ-MM-TT"),
        (
            {
                "targets": [
                    {"indicator": "x", "baseline_year": "2012a", "target_year": 2020, "target_value": 1}
                ]
            },
            "goals[0].targets[0].baseline_year: ganze Zahl erwartet",
        ),
        ({"colour": "red"}, "unbekannte Felder ['colour']"),
    ],
)
def test_errors_name_the_place_and_what_is_expected(change: dict[str, object], expected: str) -> None:
    goal = {"key": "g", "handlungsfeld": "bildung", "text": "T", **change}
    with pytest.raises(ConfigError) as exc:
        strategy_from_dict({"goals": [goal]}, origin="s.yaml")
    assert expected in exc.value.de
    assert "s.yaml, goals[0]" in exc.value.de and exc.value.en
