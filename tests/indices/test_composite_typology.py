"""Min–max composite and cluster typology."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sozialmonitor.errors import ConfigError, SozialmonitorError
from sozialmonitor.examples import load_example
from sozialmonitor.indices.composite import minmax_composite
from sozialmonitor.indices.typology import describe_cluster, typology

DATA = pd.DataFrame(
    {"sgb2": [10.0, 20.0, 30.0, 15.0], "employment": [60.0, 50.0, 40.0, np.nan]},
    index=["a", "b", "c", "d"],
)


def test_minmax_with_polarity_and_weights() -> None:
    out = minmax_composite(DATA, {"sgb2": "negative", "employment": "positive"}, weights={"sgb2": 3.0})
    assert out.loc["a", "composite"] == pytest.approx(0.0)
    assert out.loc["c", "composite"] == pytest.approx(100.0)
    assert out.loc["b", "composite"] == pytest.approx(100 * (3 * 0.5 + 0.5) / 4)
    assert np.isnan(out.loc["d", "composite"]) and pd.isna(out.loc["d", "rank"])
    assert out.loc["c", "rank"] == 1


def test_minmax_excludes_flagged_units_from_the_range() -> None:
    out = minmax_composite(DATA, {"sgb2": "negative"}, exclude=["c"])
    assert out.loc["b", "composite"] == pytest.approx(100.0) and np.isnan(out.loc["c", "composite"])


def test_minmax_rejects_neutral_polarity() -> None:
    with pytest.raises(ConfigError, match="Polung"):
        minmax_composite(DATA, {"sgb2": "neutral"})


def test_describe_cluster_text() -> None:
    centre = pd.Series({"sgb2": 1.4, "old": -0.7, "x": 0.1})
    text = describe_cluster(
        2, 8, centre, {"sgb2": "SGB-II-Quote", "old": "Anteil 65+"}, ("Bezirk", "Bezirke")
    )
    assert (
        text == "Cluster 2 (8 Bezirke): deutlich überdurchschnittlich bei SGB-II-Quote, "
        "unterdurchschnittlich bei Anteil 65+"
    )


@pytest.mark.parametrize("method", ["kmeans", "ward"])
def test_typology_separates_obvious_groups_deterministically(method: str) -> None:
    rng = np.random.default_rng(1)
    a = rng.normal([0, 0], 0.1, (10, 2))
    b = rng.normal([5, 5], 0.1, (6, 2))
    data = pd.DataFrame(np.vstack([a, b]), columns=["x", "y"], index=[f"u{i}" for i in range(16)])
    res = typology(data, 2, method=method, seed=3)
    assert res.clusters.iloc[:10].nunique() == 1 and res.clusters.iloc[10:].nunique() == 1
    assert res.clusters.iloc[0] == 1  # largest cluster first
    assert res.sizes.tolist() == [10, 6]
    assert "(6 Gebiete): deutlich überdurchschnittlich bei" in res.descriptions[2]
    assert "unterdurchschnittlich bei" in res.descriptions[1]
    assert typology(data, 2, method=method, seed=3).clusters.equals(res.clusters)


def test_typology_of_berlin_plr_on_mss_shares() -> None:
    ex = load_example("berlin-mss-2021")
    res = typology(
        ex.indicators[["S1", "S3", "S4"]],
        4,
        seed=0,
        names={"S1": "Arbeitslosigkeit", "S3": "Transferbezug", "S4": "Kinderarmut"},
        unit_words=("Planungsraum", "Planungsräume"),
    )
    assert res.clusters.notna().sum() == 536 and res.sizes.sum() == 536
    assert any("deutlich überdurchschnittlich bei" in d for d in res.descriptions.values())


def test_typology_bad_k() -> None:
    with pytest.raises(SozialmonitorError, match="k = 9"):
        typology(DATA, 9)
