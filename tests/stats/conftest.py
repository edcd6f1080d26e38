from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def jena_obs() -> pd.DataFrame:
    """Observations of the 42 Jena units 2007–2017 in the store's long format."""
    wide = pd.read_csv(DATA / "jena_statbez_fixture.csv", dtype={"statbez_id": str})
    long = wide.melt(["statbez_id", "jahr"], var_name="variable", value_name="value")
    return pd.DataFrame(
        {
            "unit_key": long["statbez_id"],
            "ref_date": [dt.date(int(y), 12, 31) for y in long["jahr"]],
            "variable": long["variable"],
            "value": long["value"].astype(float),
            "status": "ok",
        }
    )


@pytest.fixture(scope="session")
def jena_totals() -> pd.DataFrame:
    t = pd.read_csv(DATA / "jena_totals_fixture.csv")
    return pd.DataFrame(
        {
            "unit_key": "jena",
            "ref_date": [dt.date(int(y), 12, 31) for y in t["jahr"]],
            "variable": t["variable"],
            "value": t["wert"].astype(float),
            "status": "ok",
        }
    )
