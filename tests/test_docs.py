"""Docs cannot drift: the command reference is generated, every setting is documented."""

from __future__ import annotations

from pathlib import Path

from sozialmonitor.cli.main import app
from sozialmonitor.cli.reference import render
from sozialmonitor.config import SETTINGS

DOCS = Path(__file__).parent.parent / "docs"


def test_command_reference_is_current() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == render(app), (
        "docs/cli.md is out of date: run `.venv/bin/python -m sozialmonitor.cli.reference`"
    )


def test_every_setting_is_documented_in_the_user_guide() -> None:
    text = (DOCS / "benutzerhandbuch.md").read_text(encoding="utf-8") + (DOCS / "konfiguration.md").read_text(
        encoding="utf-8"
    )
    missing = [s.env for s in SETTINGS.values() if s.env not in text]
    assert not missing, f"undocumented settings: {missing}"


def test_docs_link_to_existing_files() -> None:
    import re

    for page in DOCS.glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+\.md)\)", page.read_text(encoding="utf-8")):
            assert (DOCS / target).exists(), f"{page.name} links to missing {target}"


def _documented(key: str, text: str) -> bool:
    import re

    return re.search(rf"(`{key}`|\b{key}:)", text) is not None


def test_every_city_and_mapping_key_is_documented() -> None:
    """Every key the city.yaml check and the mapping loader accept appears in docs/konfiguration.md."""
    from dataclasses import fields

    from sozialmonitor.demo.city_config import accepted_keys
    from sozialmonitor.ingest.mapping import TableMapping

    text = (DOCS / "konfiguration.md").read_text(encoding="utf-8")
    keys = accepted_keys() | {f.name for f in fields(TableMapping)}
    missing = sorted(k for k in keys if not _documented(k, text))
    assert not missing, f"keys accepted but not documented in konfiguration.md: {missing}"


def test_every_index_and_report_key_is_documented() -> None:
    """Every key the social index and bericht.yaml accept is documented with an example."""
    from sozialmonitor.indices.social_index import INDEX_KEYS
    from sozialmonitor.report.settings import REPORT_KEYS

    for doc, accepted in (("konfiguration.md", INDEX_KEYS), ("report.md", REPORT_KEYS)):
        text = (DOCS / doc).read_text(encoding="utf-8")
        keys = set().union(*accepted.values())
        missing = sorted(k for k in keys if not _documented(k, text))
        assert not missing, f"keys accepted but not documented in {doc}: {missing}"
