"""Index of dissimilarity against hand-computed and textbook values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.stats.segregation import dissimilarity, dissimilarity_by_date


def test_complete_separation_is_one_and_even_spread_is_zero() -> None:
    assert dissimilarity([100, 0], [100, 100]) == pytest.approx(1.0)
    assert dissimilarity([10, 20, 30], [100, 200, 300]) == pytest.approx(0.0)


def test_hand_computed_value() -> None:
    # group 10/20/30 of totals 40/40/40 → rest 30/20/10; ½(|1/6−1/2| + 0 + |1/2−1/6|) = 1/3
    assert dissimilarity([10, 20, 30], [40, 40, 40]) == pytest.approx(1 / 3)


def test_share_that_would_have_to_move() -> None:
    # 4 tracts of 100: the group (100) lives half-and-half in tracts 1 and 2.
    # a/A = ½,½,0,0; b/B = 50/300,50/300,100/300,100/300 → ½(2·|½−⅙| + 2·⅓) = ⅔
    assert dissimilarity([50, 50, 0, 0], [100, 100, 100, 100]) == pytest.approx(2 / 3)
    # moving ⅔ of the group (33⅓ from each of tracts 1, 2 to tracts 3, 4) makes every tract 25 %
    assert dissimilarity([25, 25, 25, 25], [100, 100, 100, 100]) == pytest.approx(0.0)


def test_invalid_input() -> None:
    with pytest.raises(SozialmonitorError, match="0 ≤ Gruppe ≤ Gesamtzahl"):
        dissimilarity([5], [3])
    assert np.isnan(dissimilarity([0, 0], [3, 4]))


def test_per_date_with_suppressed_unit_left_out() -> None:
    rows = []
    for year, values in [(2019, [(10, 40), (20, 40), (30, 40)]), (2020, [(10, 40), (20, 40), (None, 40)])]:
        for i, (g, t) in enumerate(values):
            d = dt.date(year, 12, 31)
            rows.append(
                {
                    "unit_key": f"u{i}",
                    "ref_date": d,
                    "variable": "sgb2",
                    "value": g,
                    "status": "ok" if g is not None else "suppressed",
                }
            )
            rows.append({"unit_key": f"u{i}", "ref_date": d, "variable": "pop", "value": t, "status": "ok"})
    res = dissimilarity_by_date(pd.DataFrame(rows), "sgb2", "pop")
    assert res.table.loc[0, "d"] == pytest.approx(1 / 3)
    assert res.table.loc[1, "n_units"] == 2 and res.excluded["unit_key"].tolist() == ["u2"]
