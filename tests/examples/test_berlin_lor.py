"""The bundled Berlin LOR example: a second real city, built from its folder alone, across the 2021 reform.

Checked against the outside world: the published Bezirk totals of 31.12.2024 (a file of the statistics
office that the build does not import) and the population tables themselves, read independently here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sozialmonitor.cli.main import app
from sozialmonitor.db.engine import make_engine, session_scope
from sozialmonitor.examples import CITY_FOLDERS
from sozialmonitor.geo.units import units_frame, units_history
from sozialmonitor.indicators.service import level_observations, observations_on_grid

FOLDER = CITY_FOLDERS["berlin-lor"]
DATA = FOLDER / "data"
runner = CliRunner()


@pytest.fixture(scope="module")
def lor_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('lor') / 'lor.sqlite'}"
    result = runner.invoke(app, ["example", "berlin-lor", "--db", url])
    assert result.exit_code == 0, result.output
    assert "planungsraum 542" in result.output
    return url


def _table(year: int, table: str) -> pd.DataFrame:
    return pd.read_csv(
        DATA / f"berlin-lor-population-{year}-02-{table}-planning-areas.csv", dtype={"id": str}
    )


def _on(frame: pd.DataFrame, day: str) -> pd.DataFrame:
    return frame[frame["ref_date"] == dt.date.fromisoformat(day)]


# the columns of the published Bezirk file and the variables the mapping gives them
T2 = {
    "inhabitants_age_below_6": "residents_age_0_6",
    "inhabitants_age_6_15": "residents_age_6_15",
    "inhabitants_age_15_18": "residents_age_15_18",
    "inhabitants_age_18_27": "residents_age_18_27",
    "inhabitants_age_27_45": "residents_age_27_45",
    "inhabitants_age_45_55": "residents_age_45_55",
    "inhabitants_age_55_65": "residents_age_55_65",
    "inhabitants_age_above_65": "residents_age_65_plus",
    "inhabitants_female": "residents_female",
    "inhabitants": "residents_main",
    "inhabitants_foreigners": "residents_foreign",
}


def test_grids_and_reform(lor_db: str) -> None:
    with session_scope(make_engine(lor_db)) as s:
        history = units_history(s)
    plr = history[history["level"] == "planungsraum"]
    old, new = plr[plr["valid_to"].notna()], plr[plr["valid_to"].isna()]
    assert len(old) == 448 and len(new) == 542
    assert set(old["valid_to"]) == {dt.date(2021, 1, 1)}
    assert set(new["valid_from"]) == {dt.date(2021, 1, 1)}
    # every Planungsraum sits in the Bezirk its key names (old grid by overlay, new grid by attribute)
    assert (plr["unit_key"].str[:2] == plr["parent_key"]).all()


def test_2024_sums_equal_the_published_bezirk_totals(lor_db: str) -> None:
    published = pd.read_csv(DATA / "berlin-lor-population-2024-02-t2-districts.csv", dtype={"id": str})
    with session_scope(make_engine(lor_db)) as s:
        bezirk = _on(level_observations(s, "bezirk"), "2024-12-31")
    sums = bezirk.pivot(index="unit_key", columns="variable", values="value")
    assert sorted(sums.index) == sorted(published["id"])
    for column, variable in T2.items():
        expected = published.set_index("id")[column]
        got = sums[variable].reindex(expected.index)
        assert (got == expected).all(), (column, (got - expected)[got != expected])


@pytest.mark.parametrize("level", ["planungsraum", "bezirk", "stadt"])
def test_working_age_difference_equals_the_sum_of_its_bands(lor_db: str, level: str) -> None:
    """``expression: residents_main - <the bands outside 15–65>`` (city.yaml) gives the sum of the bands
    15–65 that the files publish, at every level; and the relation is known to disclosure control."""
    from sozialmonitor.indicators.variables import relations, variable_kinds

    with session_scope(make_engine(lor_db)) as s:
        obs = level_observations(s, level)
        assert variable_kinds(s)["residents_working_age"] == "count"
        assert (
            "residents_main",
            ["residents_working_age", "residents_age_0_6", "residents_age_6_15", "residents_age_65_plus"],
        ) in relations(s)
    wide = obs.pivot_table(index=["unit_key", "ref_date"], columns="variable", values="value")
    bands = [f"residents_age_{b}" for b in ("15_18", "18_27", "27_45", "45_55", "55_65")]
    assert len(wide) > 0 and wide["residents_working_age"].notna().all()
    assert (wide["residents_working_age"] == wide[bands].sum(axis=1)).all()


@pytest.mark.parametrize(("year", "n_units"), [(2020, 448), (2021, 542)])
def test_city_totals_equal_their_own_planungsraum_sums(lor_db: str, year: int, n_units: int) -> None:
    day = f"{year}-12-31"
    t1, t2 = _table(year, "t1"), _table(year, "t2")
    assert len(t1) == n_units
    with session_scope(make_engine(lor_db)) as s:
        city = _on(level_observations(s, "stadt"), day).set_index("variable")["value"]
        bezirk = _on(level_observations(s, "bezirk"), day)
    assert (city.index.size > 10) and (city.notna().all())
    assert city["residents_main"] == t1["inhabitants"].sum()
    assert city["residents_foreign"] == t1["inhabitants_foreigners"].sum()
    assert city["residents_german"] == t1["inhabitants_germans"].sum()
    assert city["residents_age_65_plus"] == t2["inhabitants_age_above_65"].sum()
    assert city["residents_female"] == t2["inhabitants_female"].sum()
    # the Bezirk totals of that year are the sums over the Planungsräume of that year's grid (by key)
    expected = t1.groupby(t1["id"].str[:2])["inhabitants"].sum()
    got = bezirk[bezirk["variable"] == "residents_main"].set_index("unit_key")["value"]
    assert got.reindex(expected.index).tolist() == expected.tolist()


def test_earlier_sums_do_not_change_with_the_reform(lor_db: str) -> None:
    """Before the fix, the old Planungsräume dropped out of every sum once the new grid was imported."""
    with session_scope(make_engine(lor_db)) as s:
        city = level_observations(s, "stadt")
    totals = city[city["variable"] == "residents_main"].set_index("ref_date")["value"]
    for year in range(2020, 2025):
        assert totals[dt.date(year, 12, 31)] == _table(year, "t1")["inhabitants"].sum()


@pytest.mark.parametrize("weight", [None, "residents_main"])
def test_change_2020_to_2024_for_every_new_planungsraum(lor_db: str, weight: str | None) -> None:
    with session_scope(make_engine(lor_db)) as s:
        grid = observations_on_grid(s, "planungsraum", ["residents_main"], weight_variable=weight)
        parents = units_frame(s, "planungsraum").set_index("unit_key")["parent_key"]
        bezirk = _on(level_observations(s, "bezirk"), "2020-12-31")
    y2020, y2024 = _on(grid, "2020-12-31"), _on(grid, "2024-12-31")
    assert y2020["unit_key"].nunique() == 542 and y2024["unit_key"].nunique() == 542
    assert set(y2020["status"]) == {"estimated"} and set(y2024["status"]) == {"ok"}
    assert y2020["value"].notna().all()
    # carried counts keep the city total exactly, and the Bezirk totals (no lineage crosses a Bezirk)
    assert y2020["value"].sum() == pytest.approx(_table(2020, "t1")["inhabitants"].sum(), abs=1e-6)
    est = y2020.groupby(y2020["unit_key"].map(parents))["value"].sum()
    true = bezirk[bezirk["variable"] == "residents_main"].set_index("unit_key")["value"]
    assert (est - true.reindex(est.index)).abs().max() < 1e-6


def test_population_weighting_is_closer_than_area_weighting(lor_db: str) -> None:
    """Error of the estimate for 31.12.2020 on the new grid, against the first counts of the new grid
    (31.12.2021; the difference also holds one year of real change). Numbers in docs/gebietsreform.md."""
    errors = {}
    with session_scope(make_engine(lor_db)) as s:
        for weight in (None, "residents_main"):
            grid = observations_on_grid(s, "planungsraum", ["residents_main"], weight_variable=weight)
            wide = grid.pivot(index="unit_key", columns="ref_date", values="value")
            a, b = wide[dt.date(2020, 12, 31)], wide[dt.date(2021, 12, 31)]
            errors[weight] = ((a - b).abs() / b.clip(lower=1)).quantile([0.5, 0.9])
    area, population = errors[None], errors["residents_main"]
    assert population[0.5] < 0.02 and population[0.9] < 0.08
    assert area[0.9] > 2 * population[0.9]


def test_export_changes_across_the_reform(lor_db: str, tmp_path: Path) -> None:
    out = tmp_path / "changes.csv"
    args = ["export", "changes", "--indicator", "residents", "--from", "2020", "--to", "2024"]
    args += ["--level", "planungsraum", "--db", lor_db, "--out", str(out)]
    plain = runner.invoke(app, args)
    assert "542 Werte ohne Veränderung" in plain.output  # without: no unit is comparable across the reform
    result = runner.invoke(app, [*args, "--across-reforms", "--weight-variable", "residents_main"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert len(table) == 542 and table["Status"].eq("geschätzt").all()
    stuler = table.set_index("Schlüssel").loc["01100101"]
    assert stuler["Wert Vergleichsjahr"] == "3580"  # 31.12.2024, from the t1 table


def test_years_on_both_grids_can_be_released(lor_db: str, tmp_path: Path) -> None:
    """Each year is protected along the units valid then: 2020 along the old grid, 2024 along the new one;
    the audit finds no withheld cell that could be recalculated (tiny Planungsräume withhold all counts)."""
    import shutil

    from sozialmonitor.publication.figures import public_tables
    from sozialmonitor.publication.release import public_scope, published_indicators

    copy = tmp_path / "released.sqlite"
    shutil.copy(lor_db.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    assert runner.invoke(app, ["publish", "--all", "--db", url]).exit_code == 0
    result = runner.invoke(app, ["release", "2020", "2024", "--user", "test", "--db", url])
    assert result.exit_code == 0, result.output
    with session_scope(make_engine(url)) as s:
        from sozialmonitor.indicators.catalogue import load_catalogue

        scope = public_scope(s)
        tables, _ = public_tables(s, load_catalogue(), published_indicators(s), scope.levels)
    bezirk = tables["bezirk"]
    residents = bezirk[bezirk["indicator"] == "residents"].set_index(["unit_key", "ref_date"])["value"]
    t1 = _table(2020, "t1")
    expected = t1.groupby(t1["id"].str[:2])["inhabitants"].sum()
    got = [residents[(k, dt.date(2020, 12, 31))] for k in expected.index]
    assert got == expected.tolist()
    plr = tables["planungsraum"]
    shown_2020 = plr[(plr["ref_date"] == dt.date(2020, 12, 31)) & (plr["indicator"] == "residents")]
    assert shown_2020["unit_key"].nunique() == 448  # the old grid's units, withheld ones with a reason
    assert shown_2020.loc[shown_2020["value"].isna(), "reason"].ne("").all()


@pytest.mark.parametrize("weight", ["nonsense", "share_foreigners"])
def test_a_weight_variable_that_is_no_count_is_refused(lor_db: str, weight: str) -> None:
    args = ["export", "changes", "--indicator", "residents", "--from", "2020", "--to", "2024"]
    args += ["--level", "planungsraum", "--across-reforms", "--weight-variable", weight, "--db", lor_db]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "keine bekannte Zählvariable" in result.output + (result.stderr if result.stderr_bytes else "")


def test_the_report_names_the_units_by_their_level(lor_db: str, tmp_path: Path) -> None:
    """Without a word configured in the report folder, sentences use the level's own name: Planungsräume,
    not Jena's "Bezirke" (and the dative after "von": Planungsräumen)."""
    from sozialmonitor.report.settings import term_for_level

    out = tmp_path / "bericht"
    args = ["report", "--year", "2024", "--compare-year", "2021", "--out", str(out), "--format", "html"]
    result = runner.invoke(app, [*args, "--edition", "internal", "--db", lor_db])
    assert result.exit_code == 0, result.output
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "auf der Ebene von 542 Planungsräumen" in html
    assert "542 Bezirke" not in html and "nach Bezirke " not in html
    assert term_for_level("Bezirksregion") is not None and term_for_level("Bezirksregion").article == "die"
    assert term_for_level("Statistischer Bezirk") is None  # unknown words keep the configured term
