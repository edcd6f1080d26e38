"""city.yaml: unknown or missing keys are refused with the file, the place and the allowed keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from sozialmonitor.demo.build import load_city
from sozialmonitor.errors import ConfigError

BASE = """name: Teststadt
levels:
  - {key: bezirk, name_de: Bezirk, rank: 1}
variables: variables.yaml
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("boundary:\n  - {file: a.geojson}\n", "unbekannte Schlüssel 'boundary'"),
        (
            "boundaries:\n  - {file: a.geojson, level: bezirk, key_field: id, valid-from: 2021}\n",
            "'valid-from'",
        ),
        (
            "boundaries:\n  - {file: a.geojson, level: bezirk}\n",
            "boundaries[1]: Pflichtschlüssel fehlt: key_field",
        ),
        ("tables:\n  - {file: a.csv, mapping: m.yaml, level: bezirk, datum: 2024}\n", "tables[1]"),
        ("tables: {file: a.csv}\n", "tables: erwartet eine Liste"),
        ("comparison: {file: c.csv, unit: x}\n", "comparison: unbekannte Schlüssel 'unit'"),
    ],
)
def test_bad_keys_are_refused_with_the_place(tmp_path: Path, extra: str, message: str) -> None:
    (tmp_path / "city.yaml").write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_city(tmp_path)
    assert message in info.value.de
    assert "city.yaml" in info.value.de and "city.yaml" in info.value.en


def test_missing_required_top_level_key(tmp_path: Path) -> None:
    (tmp_path / "city.yaml").write_text("name: X\nlevels: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="variables"):
        load_city(tmp_path)
