from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sozialmonitor.errors import ImportValidationError, Problem
from sozialmonitor.ingest import TableMapping, read_table

DATA = Path(__file__).parent / "data"


def simple_mapping(**overrides: object) -> TableMapping:
    """Wide mapping for the small hand-written tables of the tests: key;jahr;Einwohner;Größe."""
    base: dict[str, object] = {
        "unit_column": "key",
        "date_column": "jahr",
        "variables": {"Einwohner": "residents", "Größe": "area"},
        "non_count_variables": [],
    }
    base.update(overrides)
    return TableMapping(**base)  # type: ignore[arg-type]


def problems_of(path: Path, mapping: TableMapping) -> list[Problem]:
    with pytest.raises(ImportValidationError) as info:
        read_table(path, mapping)
    return info.value.problems


def only_problem(path: Path, mapping: TableMapping) -> Problem:
    problems = problems_of(path, mapping)
    assert len(problems) == 1, [p.bilingual() for p in problems]
    return problems[0]


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def _write(content: str | bytes, name: str = "table.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return _write
