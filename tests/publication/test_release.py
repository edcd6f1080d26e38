"""Releases from the command line, variable kinds instead of unit text, bad parameters, one social index."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from sozialmonitor.cli.main import app as cli
from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.errors import ConfigError
from sozialmonitor.indicators.catalogue import load_catalogue
from sozialmonitor.indicators.variables import load_variables_file
from sozialmonitor.publication.params import ProtectionParams
from sozialmonitor.publication.release import audit_year
from sozialmonitor.report.build import build_report
from sozialmonitor.report.settings import ReportSettings
from sozialmonitor.web.app import create_app
from sozialmonitor.web.service import set_published
from sozialmonitor.web.settings import WebSettings

INDICATORS = ["unemployment_share", "unemployment_share_sgb2", "share_elderly_65"]


def _copy(url: str, target: Path) -> str:
    shutil.copy(url.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="module")
def published(jena_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _copy(jena_db, tmp_path_factory.mktemp("kinds") / "k.sqlite")
    eng = make_engine(url)
    with session_scope(eng) as s:
        set_published(s, list(load_catalogue().indicators), True, "test")
    eng.dispose()
    return url


def _cells(url: str) -> pd.DataFrame:
    eng = make_engine(url)
    with session_scope(eng) as s:
        protected, _, _ = audit_year(s, 2017, indicators=INDICATORS)
    eng.dispose()
    cells = protected.cells.sort_values(["unit_key", "variable", "ref_date"]).reset_index(drop=True)
    return cells[["unit_key", "variable", "ref_date", "value", "status", "reason"]]


def test_renaming_a_unit_changes_nothing_in_protection_the_kind_decides(
    published: str, tmp_path: Path
) -> None:
    before = _cells(published)
    assert (before["reason"] != "").any()
    url = _copy(published, tmp_path / "renamed.sqlite")
    eng = make_engine(url)
    with eng.begin() as c:
        c.execute(text("update variable set unit = 'Arbeitslose' where key = 'unemployed_sgb2'"))
        c.execute(text("update variable set unit = '%' where key = 'unemployed'"))
    eng.dispose()
    pd.testing.assert_frame_equal(before, _cells(url))
    # the kind is what counts: declared a rate, the variable is no longer cell-suppressed as a count
    with eng.begin() as c:
        c.execute(text("update variable set kind = 'rate' where key = 'unemployed_sgb2'"))
    eng.dispose()
    as_rate = _cells(url)
    sgb2 = as_rate[as_rate["variable"] == "unemployed_sgb2"]
    assert set(sgb2["reason"]) <= {"", "source"}
    assert (
        before.loc[before["variable"] == "unemployed_sgb2", "reason"].isin(["primary", "secondary"])
    ).any()


def test_a_variable_without_kind_is_a_count_and_a_wrong_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "variables.yaml"
    path.write_text("variables:\n- {key: x, name_de: X, unit: Euro}\n", encoding="utf-8")
    assert load_variables_file(path)[0]["kind"] == "count"
    path.write_text("variables:\n- {key: x, name_de: X, kind: anteil}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_variables_file(path)
    assert "variables.yaml" in err.value.de and "'x'" in err.value.de and "anteil" in err.value.de
    assert "allowed: count, amount, rate, index, change" in err.value.en


@pytest.mark.parametrize(
    ("overrides", "word"),
    [
        ({"threshold": 0}, "threshold"),
        ({"threshold": 2.5}, "threshold"),
        ({"protection_absolute": -1}, "protection_absolute"),
        ({"protection_relative": 1.5}, "protection_relative"),
        ({"min_denominator": float("nan")}, "min_denominator"),
    ],
)
def test_protection_parameters_out_of_range_are_refused(overrides: dict[str, float], word: str) -> None:
    with pytest.raises(ConfigError) as err:
        ProtectionParams(**overrides)  # type: ignore[arg-type]
    assert word in err.value.de and word in err.value.en


def test_release_cli_bad_input_gives_messages_not_tracebacks(
    published: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _copy(published, tmp_path / "cli.sqlite")
    runner = CliRunner()
    cases = [
        (["release", "2017", "--threshold", "0", "--db", url], "threshold"),
        (["release", "2017", "--protection-absolute", "-2", "--db", url], "protection_absolute"),
        (["release", "1990", "--db", url], "keine Daten"),
        (["release", "zwanzig", "--db", url], "erwartet z. B. 2017"),
        (["release", "withdraw", "2030", "--db", url], "Keine gültige Freigabe"),
        (["release", "--db", url], "Jahr angeben"),
        (["release", "2017", "--indicators", "gibtsnicht", "--db", url], "Unbekannte Indikatoren"),
    ]
    for args, expected in cases:
        r = runner.invoke(cli, args)
        assert r.exit_code in (1, 2), (args, r.output)
        assert expected in r.output, (args, r.output)
        assert "Traceback" not in r.output
    monkeypatch.setenv("SOZIALMONITOR_DISCLOSURE_THRESHOLD", "drei")
    r = runner.invoke(cli, ["release", "audit", "2017", "--db", url])
    assert r.exit_code == 1 and "SOZIALMONITOR_DISCLOSURE_THRESHOLD='drei'" in r.output
    monkeypatch.delenv("SOZIALMONITOR_DISCLOSURE_THRESHOLD")
    eng = make_engine(url)
    with eng.connect() as c:
        assert c.execute(text("select count(*) from release")).scalar() == 0  # nothing written
    eng.dispose()


def test_release_audit_list_withdraw_on_the_command_line(published: str, tmp_path: Path) -> None:
    url = _copy(published, tmp_path / "cli.sqlite")
    runner = CliRunner()
    r = runner.invoke(cli, ["release", "audit", "2017", "--indicators", ",".join(INDICATORS), "--db", url])
    assert r.exit_code == 0, r.output
    assert "Zellen veröffentlicht" in r.output and "engstes Intervall" in r.output
    r = runner.invoke(
        cli, ["release", "2017", "--indicators", ",".join(INDICATORS), "--user", "anna", "--db", url]
    )
    assert r.exit_code == 0, r.output
    assert "2017 freigegeben" in r.output
    r = runner.invoke(cli, ["release", "list", "--db", url])
    assert "2017" in r.output and "anna" in r.output
    eng = make_engine(url)
    with eng.connect() as c:
        row = c.execute(text("select year, released_by, params, audit from release")).one()
    eng.dispose()
    assert row[0] == 2017 and row[1] == "anna"
    assert '"threshold": 3' in row[2] and '"exposed": 0' in row[3]
    r = runner.invoke(cli, ["release", "withdraw", "2017", "--user", "ben", "--db", url])
    assert r.exit_code == 0 and "zurückgezogen" in r.output


def _cli_index(url: str, edition: str) -> pd.DataFrame:
    import io

    args = [
        "index",
        "social",
        "--level",
        "statbez",
        "--year",
        "2017",
        "--format",
        "csv",
        "--edition",
        edition,
    ]
    r = CliRunner().invoke(cli, [*args, "--db", url])
    assert r.exit_code == 0, r.output
    return pd.read_csv(io.StringIO(r.output), dtype={"unit_key": str}).set_index("unit_key")


def _report_index(url: str, edition: str) -> list[list[str]]:
    eng = make_engine(url)
    with session_scope(eng) as s:
        settings = ReportSettings(year=2017, compare_year=2012, edition=edition)
        report = build_report(s, settings, today=dt.date(2024, 1, 1))
    eng.dispose()
    return next(t for ch in report.chapters for t in ch.tables if t.id == "tab-index-units").rows


def test_the_social_index_is_the_same_on_the_portal_in_the_report_and_from_the_cli(released_db: str) -> None:
    app = create_app(WebSettings(db_url=released_db, secret_key="x" * 40, dev=False, cookie_secure=False))
    with TestClient(app) as client:
        portal = client.get("/api/v1/social-index", params={"level": "statbez", "year": 2017}).json()
    portal_rows = {u["key"]: u for u in portal["units"]}
    compared = 0
    for edition in ("public", "internal"):
        cli_table = _cli_index(released_db, edition)
        for key, _name, status_text, status_class, *_ in _report_index(released_db, edition):
            cli_row = cli_table.loc[key]
            if pd.isna(cli_row["status_index"]):
                assert status_text == "–"
                if edition == "public":
                    assert portal_rows[key]["status_index"] is None
                continue
            value = f"{cli_row['status_index']:.2f}".replace(".", ",")
            assert status_text == value and status_class == cli_row["status_class"], key
            if edition == "public":
                assert value == portal_rows[key]["status_text"], key
                assert status_class == portal_rows[key]["status_class_name"], key
            compared += 1
        assert len(cli_table) == len(portal_rows)
    assert compared >= 30


def test_the_public_social_index_rates_only_units_whose_index_rates_are_published(released_db: str) -> None:
    """The index is a function of published figures only: a unit with a withheld rate is not rated."""
    app = create_app(WebSettings(db_url=released_db, secret_key="x" * 40, dev=False, cookie_secure=False))
    with TestClient(app) as client:
        index = client.get("/api/v1/social-index", params={"level": "statbez", "year": 2017}).json()
        rates = {}
        for ind in [i["key"] for i in index["indicators"]]:
            atlas = client.get(
                "/api/v1/atlas", params={"indicator": ind, "level": "statbez", "year": 2017}
            ).json()
            rates[ind] = {u["key"]: u["value"] for u in atlas["units"]}
    rated = [u for u in index["units"] if u["status_index"] is not None]
    unrated = [u for u in index["units"] if u["status_index"] is None]
    assert rated and unrated
    for u in rated:
        assert all(rates[ind][u["key"]] is not None for ind in rates), u["key"]


def test_years_audited_in_parallel_processes_equal_the_audit_one_by_one(published: str) -> None:
    """release --all-years audits the years in parallel processes: the same cells, reasons and intervals
    as auditing them one after the other in this process."""
    from sozialmonitor.publication.parallel import audit_years

    params = ProtectionParams()
    engine = make_engine(published)
    parallel = audit_years(engine, [(2016, None), (2017, None)], params, workers=2)
    for year in (2016, 2017):
        with session_scope(engine) as s:
            alone, _, _ = audit_year(s, year, params)
        keys = ["unit_key", "variable", "ref_date"]
        a = parallel[year].cells.sort_values(keys).reset_index(drop=True)
        b = alone.cells.sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)
        assert parallel[year].summary == alone.summary and parallel[year].rounds == alone.rounds
    engine.dispose()


def test_an_error_in_one_parallel_year_is_reported_and_nothing_is_released(
    published: str, tmp_path: Path
) -> None:
    url = _copy(published, tmp_path / "p.sqlite")
    result = CliRunner().invoke(cli, ["release", "2016", "1999", "--user", "t", "--db", url])
    assert result.exit_code == 1 and "1999" in result.output + (result.stderr if result.stderr_bytes else "")
    engine = make_engine(url)
    with engine.connect() as c:
        assert c.execute(text("select count(*) from release")).scalar() == 0
    engine.dispose()
