"""Small counts planted into the demo: the public portal hides them and keeps them from being derived."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from sozialmonitor.db.engine import make_engine

from .conftest import PLANNER, make_app, prepare_db, sign_in

IND = "unemployment_share_sgb2"
PLANTED = {"12": 1.0, "21": 2.0}  # statistical districts 12 and 21: 1 and 2 SGB II unemployed in 2017


@pytest.fixture(scope="module")
def planted(
    jena_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, TestClient]]:
    url = prepare_db(jena_db, Path(tmp_path_factory.mktemp("planted")) / "planted.sqlite")
    eng = make_engine(url)
    with eng.begin() as c:
        for key, value in PLANTED.items():
            c.execute(
                text(
                    "update observation set value = :v, status = 'ok' where ref_date = '2017-12-31' "
                    "and variable_id = (select id from variable where key = 'unemployed_sgb2') "
                    "and unit_id = (select u.id from spatial_unit u join spatial_level l "
                    "on l.id = u.level_id where l.key = 'statbez' and u.key = :k)"
                ),
                {"v": value, "k": key},
            )
    eng.dispose()
    app = make_app(url)
    with TestClient(app) as public, TestClient(app) as internal:
        sign_in(internal, PLANNER)
        yield public, internal


def test_planted_small_counts_are_internal_only(planted: tuple[TestClient, TestClient]) -> None:
    public, internal = planted
    params = {"indicator": IND, "level": "statbez", "year": 2017}
    inside = {u["key"]: u for u in internal.get("/api/v1/atlas", params=params).json()["units"]}
    outside = {u["key"]: u for u in public.get("/api/v1/atlas", params=params).json()["units"]}
    for key, value in PLANTED.items():
        assert inside[key]["numerator"] == value and inside[key]["value"] is not None
        assert outside[key]["numerator"] is None and outside[key]["value"] is None
        assert outside[key]["status"] == "suppressed"
        for url in (f"/api/v1/profile/statbez/{key}", f"/profil/statbez/{key}"):
            assert public.get(url).status_code == 200
        prof = public.get(f"/api/v1/profile/statbez/{key}").json()
        assert next(r for r in prof["indicators"] if r["key"] == IND)["value"] is None
        ts = public.get(
            "/api/v1/timeseries", params={"indicator": IND, "level": "statbez", "unit": key}
        ).json()
        assert ts["series"][-1]["value"] is None


def test_planted_counts_cannot_be_derived_from_the_ortsteil(planted: tuple[TestClient, TestClient]) -> None:
    """Ortsteil total minus the published districts would reveal the small count: it must not be possible."""
    public, _ = planted
    units = public.get("/api/v1/levels/statbez/units").json()
    parent = {u["key"]: u["parent"] for u in units}
    d = {
        u["key"]: u
        for u in public.get(
            "/api/v1/atlas", params={"indicator": IND, "level": "statbez", "year": 2017}
        ).json()["units"]
    }
    o = {
        u["key"]: u
        for u in public.get(
            "/api/v1/atlas", params={"indicator": IND, "level": "ortsteil", "year": 2017}
        ).json()["units"]
    }
    for key in PLANTED:
        siblings = [k for k, p in parent.items() if p == parent[key]]
        hidden = [k for k in siblings if d[k]["numerator"] is None]
        assert o[parent[key]]["numerator"] is None or len(hidden) >= 2, (key, hidden)


def test_csv_download_hides_planted_counts(planted: tuple[TestClient, TestClient]) -> None:
    public, _ = planted
    body = public.get("/api/v1/download", params={"indicator": IND, "level": "statbez", "year": 2017}).text
    for line in body.splitlines()[1:]:
        cells = line.split(";")
        if cells[0] in PLANTED:
            assert cells[4] == "" and cells[6] == "geheim" and cells[7] == ""
