"""The shipped indicator catalogue and its extension by a city."""

from __future__ import annotations

from pathlib import Path

import pytest

from sozialmonitor.errors import ConfigError
from sozialmonitor.indicators.catalogue import load_catalogue, load_file

CITY = """\
theme: stadt
theme_de: Eigene Indikatoren
theme_en: Own indicators
indicators:
  - key: share_elderly_65
    name_de: Anteil 65+ (eigene Definition)
    name_en: Share 65+ (own definition)
    numerator: residents_age_65_plus
    denominator: residents_entitled
    polarity: neutral
  - key: kita_places_per_child
    name_de: Kita-Plätze je Kind unter 6
    name_en: Day-care places per child under 6
    numerator: kita_places
    denominator: [residents_age_0_3, residents_age_3_6]
    factor: 1
    unit: Plätze je Kind
    decimals: 2
    polarity: positive
"""


def test_shipped_catalogue_covers_the_mission_themes_with_complete_definitions() -> None:
    cat = load_catalogue(extra_dirs=[])
    assert {"demografie", "arbeitsmarkt", "haushalte", "wohnen", "migration", "weitere"} <= set(cat.themes)
    for d in cat:
        assert d.name_de and d.name_en and d.definition_de and d.definition_en and d.source, d.key
        assert d.handlungsfeld in {
            "steuerung",
            "oekonomie_arbeit",
            "wohnen",
            "bildung",
            "kinder_jugend",
            "aeltere",
            "migration",
            "gesundheit",
        }, d.key
    for key in (
        "share_children_0_6",
        "share_elderly_65",
        "share_single_parent_households",
        "unemployment_share_sgb2",
        "unemployment_share_sgb3",
        "share_foreigners",
        "share_one_person_60plus",
        "dwellings_per_1000",
    ):
        assert key in cat.indicators
    assert cat.get("unemployment_share_sgb2").polarity == "negative"


def test_city_folder_adds_and_overrides_indicators(tmp_path: Path) -> None:
    (tmp_path / "stadt.yaml").write_text(CITY, encoding="utf-8")
    cat = load_catalogue(extra_dirs=[tmp_path])
    assert cat.get("share_elderly_65").denominator == ("residents_entitled",)
    assert cat.get("kita_places_per_child").factor == 1
    assert len(cat) == len(load_catalogue(extra_dirs=[])) + 1


def test_computable_keeps_indicators_whose_variables_are_present() -> None:
    cat = load_catalogue(extra_dirs=[]).computable({"residents_main", "residents_foreign"})
    assert set(cat.indicators) == {"residents", "share_foreigners"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("theme: x\nindicators:\n  - name_de: a\n", "ohne 'key'"),
        ("theme: x\nindicators:\n  - {key: a, name_de: a, name_en: a}\n", "'numerator' fehlt"),
        (
            "theme: x\nindicators:\n  - {key: a, name_de: a, name_en: a, numerator: v, polarity: up}\n",
            "polarity",
        ),
        (
            "theme: x\nindicators:\n  - {key: a, name_de: a, name_en: a, numerator: v, colour: red}\n",
            "colour",
        ),
        ("indicators: []\n", "'theme'"),
        ("theme: [unclosed\n", "kein gültiges YAML"),
    ],
)
def test_invalid_catalogue_files_are_rejected_with_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_file(path)
    assert "bad.yaml" in info.value.en


def test_missing_city_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="existiert nicht"):
        load_catalogue(extra_dirs=[tmp_path / "nope"])
