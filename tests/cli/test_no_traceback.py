"""No traceback reaches a user: every command on an empty database, on a database with boundaries only and
on a city with a single level.

Each command runs with the arguments a new user would try (and some wrong ones); it must end with exit code
0 (done), 1 (a clear error) or 2 (invalid input), with a message and without a Python traceback. A new
command fails :func:`test_every_command_is_covered` until it is added to ``INVOCATIONS``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sozialmonitor.cli.main import app

runner = CliRunner()

# command path -> argument lists; {placeholders} are files made by the fixture below
INVOCATIONS: dict[str, list[list[str]]] = {
    "build": [["build", "{empty_dir}"], ["build", "{city_dir}"]],
    "catalogue list": [["catalogue", "list"]],
    "city check": [["city", "check", "{city_dir}"], ["city", "check", "{empty_dir}"]],
    "city init": [
        ["city", "init", "{tmp}/stadt", "--geo", "{geo}", "--table", "{csv}"],
        ["city", "init", "{tmp}/kaputt", "--geo", "{garbage}", "--table", "{csv}"],
        ["city", "init", "{tmp}/kaputt", "--geo", "{geo}", "--table", "{garbage}"],
        ["city", "init", "{tmp}/yaml", "--geo", "{geo}", "--table", "{mapping}"],
        ["city", "init", "{city_dir}", "--geo", "{geo}", "--table", "{csv}"],
    ],
    "db upgrade": [["db", "upgrade"]],
    "demo": [["demo"]],
    "example": [["example", "nope"], ["example", "berlin-lor"]],
    "export changes": [
        ["export", "changes", "--indicator", "residents", "--from", "2016", "--to", "2017"],
        [
            "export",
            "changes",
            "--indicator",
            "residents",
            "--from",
            "2016",
            "--to",
            "2017",
            "--across-reforms",
        ],
        ["export", "changes", "--indicator", "nope", "--from", "2016", "--to", "2017"],
    ],
    "export indicators": [
        ["export", "indicators"],
        ["export", "indicators", "--level", "bezirk", "--format", "xlsx", "--out", "{tmp}/i.xlsx"],
        ["export", "indicators", "--level", "nope"],
    ],
    "export observations": [["export", "observations"], ["export", "observations", "--level", "nope"]],
    "import geo": [
        ["import", "geo", "{geo}", "--level", "bezirk", "--key-field", "key", "--name-field", "name"],
        ["import", "geo", "{garbage}", "--level", "bezirk", "--key-field", "key"],
        ["import", "geo", "{geo}", "--level", "bezirk", "--key-field", "key", "--valid-from", "morgen"],
        ["import", "geo", "{geo}", "--level", "bezirk", "--key-field", "key", "--complete"],
    ],
    "import list": [["import", "list"]],
    "import register": [
        ["import", "register", "{csv}", "--spec", "{mapping}", "--level", "bezirk", "--date", "2017-12-31"]
    ],
    "import show": [["import", "show", "1"], ["import", "show", "999"]],
    "import table": [
        ["import", "table", "{csv}", "--mapping", "{mapping}", "--level", "bezirk"],
        ["import", "table", "{garbage}", "--mapping", "{mapping}", "--level", "bezirk"],
    ],
    "import undo": [["import", "undo", "1"], ["import", "undo", "999"]],
    "index mss": [["index", "mss"], ["index", "mss", "--data", "{csv}", "--config", "{mapping}"]],
    "index social": [["index", "social"], ["index", "social", "--edition", "internal"]],
    "publish": [["publish", "--all"], ["publish", "nope"]],
    "release": [
        ["release", "2017"],
        ["release", "--all-years"],
        ["release", "list"],
        ["release", "audit", "2017"],
        ["release", "withdraw", "2017"],
        ["release", "zweitausend"],
    ],
    "report": [["report", "--out", "{tmp}/bericht", "--format", "html"]],
    "report init": [["report", "init", "{tmp}/berichtsordner"]],
    "report interviews import": [["report", "interviews", "import", "{garbage}"]],
    "report interviews list": [["report", "interviews", "list"]],
    "report interviews mark": [["report", "interviews", "mark", "1"]],
    "serve": [],  # serves until stopped; the web app on an empty database is tested in tests/web
    "strategy dump": [["strategy", "dump"]],
    "strategy evaluate": [["strategy", "evaluate"]],
    "strategy history": [["strategy", "history"]],
    "strategy load": [["strategy", "load", "{garbage}", "--by", "test"]],
    "strategy report": [["strategy", "report", "--out", "{tmp}/strategie.html"]],
    "strategy set-measure": [["strategy", "set-measure", "nope", "--by", "test", "--status", "done"]],
    "strategy set-output": [
        ["strategy", "set-output", "nope", "--year", "2017", "--kind", "offers", "--by", "t", "--value", "1"]
    ],
    "strategy set-target": [["strategy", "set-target", "nope", "--by", "test", "--target-value", "1"]],
    "survey estimate": [["survey", "estimate", "{csv}", "--variable", "residents"]],
    "survey publish": [["survey", "publish", "{csv}", "--config", "{mapping}"]],
    "survey synthetic": [
        ["survey", "synthetic", "{tmp}/survey.csv", "--population", "2000", "--sample", "300"]
    ],
    "units list": [["units", "list"]],
    "user add": [["user", "add", "anna", "--password", "ein langes Passwort 123"]],
    "variables list": [["variables", "list"]],
    "variables load": [["variables", "load", "{garbage}"]],
    "version": [["version"]],
}


def _commands() -> Iterator[tuple[str, bool]]:
    """Every leaf command (path, takes --db)."""

    def walk(cmd: object, path: list[str]) -> Iterator[tuple[str, bool]]:
        subs = getattr(cmd, "commands", None)
        if subs:
            if getattr(cmd, "invoke_without_command", False) and path:
                yield " ".join(path), True
            for name, sub in sorted(subs.items()):
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), any(p.name == "db" for p in getattr(cmd, "params", []))

    yield from walk(typer.main.get_command(app), [])


TAKES_DB = dict(_commands())


def test_every_command_is_covered() -> None:
    assert sorted(TAKES_DB) == sorted(INVOCATIONS)


SQUARES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"key": key, "name": f"Bezirk {key}"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[x, 50.9], [x + 0.01, 50.9], [x + 0.01, 50.91], [x, 50.91], [x, 50.9]]],
            },
        }
        for key, x in (("1", 11.58), ("2", 11.59))
    ],
}
CSV = "bezirk;jahr;einwohner;arbeitslose\n1;2016;500;20\n2;2016;800;1\n1;2017;510;22\n2;2017;790;2\n"
MAPPING = """layout: wide
unit_column: bezirk
date_column: jahr
variables: {einwohner: residents_main, arbeitslose: unemployed}
"""
CITY = """name: Einebenenstadt
levels:
  - {key: bezirk, name_de: Bezirk, name_en: District, rank: 1}
boundaries:
  - {file: bezirke.geojson, level: bezirk, key_field: key, name_field: name}
variables: variables.yaml
tables:
  - {file: daten.csv, mapping: mapping.yaml, level: bezirk}
"""
VARIABLES = """variables:
  - {key: residents_main, name_de: Einwohner, kind: count}
  - {key: unemployed, name_de: Arbeitslose, kind: count}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("inputs")
    (root / "bezirke.geojson").write_text(json.dumps(SQUARES), encoding="utf-8")
    (root / "daten.csv").write_text(CSV, encoding="utf-8")
    (root / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (root / "garbage.bin").write_bytes(b"\x00\xff garbage \x89PNG\r\n" * 3)
    (root / "empty").mkdir()
    city = root / "city"
    city.mkdir()
    for name in ("bezirke.geojson", "daten.csv", "mapping.yaml"):
        shutil.copy(root / name, city / name)
    (city / "city.yaml").write_text(CITY, encoding="utf-8")
    (city / "variables.yaml").write_text(VARIABLES, encoding="utf-8")
    return {
        "geo": str(root / "bezirke.geojson"),
        "csv": str(root / "daten.csv"),
        "mapping": str(root / "mapping.yaml"),
        "garbage": str(root / "garbage.bin"),
        "empty_dir": str(root / "empty"),
        "city_dir": str(city),
    }


def _run(args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, args)
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{' '.join(args)} raised {result.exception!r}\n{out}") from result.exception
    assert "Traceback" not in out, out
    return result.exit_code, out


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory, files: dict[str, str]) -> dict[str, Path]:
    """Template databases: empty (schema only), boundaries only, a city with a single level."""
    root = tmp_path_factory.mktemp("states")
    out = {}
    empty = root / "empty.sqlite"
    assert _run(["db", "upgrade", "--db", f"sqlite:///{empty}"])[0] == 0
    out["empty"] = empty
    geo = root / "geo.sqlite"
    _copy(empty, geo)
    args = ["import", "geo", files["geo"], "--level", "bezirk", "--key-field", "key", "--name-field", "name"]
    code, text = _run([*args, "--db", f"sqlite:///{geo}"])
    assert code == 0, text
    out["geometry"] = geo
    city = root / "city.sqlite"
    code, text = _run(["build", files["city_dir"], "--db", f"sqlite:///{city}"])
    assert code == 0, text
    out["one_level"] = city
    return out


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database (its WAL file included)."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _counts(db: Path) -> tuple[int, ...]:
    import sqlite3

    with sqlite3.connect(db) as c:
        return tuple(
            c.execute(f"select count(*) from {t}").fetchone()[0] for t in ("spatial_unit", "observation")
        )


SLOW = {"demo", "example"}  # a full build: only where it must refuse (a database that holds data)


@pytest.mark.parametrize("state", ["empty", "geometry", "one_level"])
@pytest.mark.parametrize("command", sorted(c for c, runs in INVOCATIONS.items() if runs))
def test_no_traceback(
    command: str, state: str, states: dict[str, Path], files: dict[str, str], tmp_path: Path
) -> None:
    if command in SLOW and state == "empty":
        pytest.skip("builds a whole city; tested in tests/cli/test_cli.py and tests/examples")
    db = tmp_path / "db.sqlite"
    _copy(states[state], db)
    counts = _counts(db) if command in SLOW else None
    for args in INVOCATIONS[command]:
        filled = [a.format(tmp=tmp_path, **files) for a in args]
        if TAKES_DB[command]:
            filled += ["--db", f"sqlite:///{db}"]
        code, out = _run(filled)
        assert code in (0, 1, 2), (filled, code, out)
        if code != 0:
            assert out.strip(), filled  # a message, not silence
    if counts is not None:  # a build never replaces a database that holds data
        assert _counts(db) == counts
