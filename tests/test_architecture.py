"""Imports flow one way: adapters (cli, web, report, demo) → domains → stats → core.

A small import-linter: parses every module and checks what it imports from the project.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "sozialmonitor"
ADAPTERS = {"cli", "web", "report", "demo"}
CORE = {"errors", "config", "fmt", "__init__"}
# package -> project packages it must not import
FORBIDDEN: dict[str, set[str]] = {
    **{
        core: {"db", "geo", "indicators", "ingest", "stats", "indices", "survey", "examples", "publication"}
        | ADAPTERS
        for core in CORE
    },
    "stats": {"db", "geo", "ingest", "survey", "examples", "publication"} | ADAPTERS,
    "survey": {"db", "geo", "ingest", "indices", "examples"} | ADAPTERS,
    "ingest": {"db", "geo", "stats", "indices", "survey", "examples"} | ADAPTERS,
    "indices": {"db", "geo", "ingest", "survey"} | ADAPTERS,
    "db": {"geo", "indicators", "ingest", "stats", "indices", "survey", "examples", "cli", "demo"},
    "geo": {"indicators", "ingest", "stats", "indices", "survey", "examples"} | ADAPTERS,
    "indicators": {"indices", "survey", "examples", "publication"} | ADAPTERS,
    "publication": {"ingest", "examples"} | ADAPTERS,
    "examples": {"db", "geo", "ingest", "survey"} | ADAPTERS,
    "strategy": {"ingest", "indices", "survey", "examples", "publication"} | ADAPTERS,
}


def project_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "sozialmonitor" and len(parts) > 1:
                found.add(parts[1])
    return found


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_flow_from_adapters_down_to_the_core(path: Path) -> None:
    rel = path.relative_to(SRC)
    package = rel.parts[0].removesuffix(".py")
    bad = project_imports(path) & FORBIDDEN.get(package, set())
    if path.name == "models.py" and package == "db":
        bad -= {
            "report",
            "web",
            "publication",
        }  # the model registry pulls in the adapters' tables (one line each)
    assert not bad, f"{rel} imports {sorted(bad)}"


def test_files_stay_small_enough_to_read_in_one_sitting() -> None:
    too_long = {
        str(p.relative_to(SRC)): n
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700
    }
    assert not too_long
