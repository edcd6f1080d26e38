"""The Jena report, built once per test session from the demo database (with test interviews)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from sozialmonitor.db.engine import make_engine, session_scope, upgrade
from sozialmonitor.report.interviews import import_codings, import_transcripts
from sozialmonitor.report.pseudonymise import Pseudonymiser
from sozialmonitor.report.settings import PSEUDONYM_FILE, TEXT_DIR, ReportSettings, load_folder_settings
from sozialmonitor.report.texts import init_folder
from sozialmonitor.report.write import write_report

DATA = Path(__file__).parent / "data"
ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts" / "report"
JENA_SOURCES = Path(__file__).parent.parent.parent / "src" / "sozialmonitor" / "demo" / "jena" / "SOURCES.md"
REPORT_DATE = dt.date(2024, 3, 1)
PLANNER_TEXT = "Die Sozialplanung weist auf den **Rückgang der Arbeitslosigkeit** in Lobeda hin."


@dataclass(frozen=True)
class BuiltReport:
    url: str
    folder: Path
    settings: ReportSettings
    files: dict[str, Path]


@pytest.fixture(scope="session")
def report_setup(released_db: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A writable copy of the released Jena demo database (the public edition reads the releases) with the
    test interviews, and an initialised folder."""
    tmp = tmp_path_factory.mktemp("report")
    src = Path(released_db.removeprefix("sqlite:///"))
    shutil.copy(src, tmp / "jena.sqlite")
    url = f"sqlite:///{tmp / 'jena.sqlite'}"
    folder = tmp / "bericht"
    init_folder(folder)
    shutil.copy(DATA / "pseudonyme.csv", folder / PSEUDONYM_FILE)
    (folder / TEXT_DIR / "arbeitsmarkt.md").write_text(PLANNER_TEXT + "\n", encoding="utf-8")
    engine = make_engine(url)
    upgrade(engine)
    pseudo = Pseudonymiser.from_folder(folder)
    with session_scope(engine) as s:
        import_transcripts(s, sorted((DATA / "interviews").glob("*.md")), pseudo)
        import_codings(s, DATA / "codings.csv", pseudo)
    engine.dispose()
    return url, folder


@pytest.fixture(scope="session")
def jena_report(report_setup: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> BuiltReport:
    """All three formats of the Jena report 2017 (comparison 2012); PDF, DOCX and page renders kept."""
    url, folder = report_setup
    settings = load_folder_settings(
        folder, ReportSettings(year=2017, report_date=REPORT_DATE, sources=(JENA_SOURCES,))
    )
    out = tmp_path_factory.mktemp("out")
    engine = make_engine(url)
    with session_scope(engine) as s:
        files = write_report(s, settings, out, ["html", "pdf", "docx"])
    engine.dispose()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in files.values():
        shutil.copy(path, ARTIFACTS / path.name)
    if shutil.which("pdftoppm"):
        for page in (1, 2, 3, 5, 6):
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    str(files["pdf"]),
                    str(ARTIFACTS / f"page-{page:03d}"),
                ],
                check=True,
            )
    return BuiltReport(url, folder, settings, files)
