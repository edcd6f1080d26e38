"""Map classes agree with mapclassify; forced pivot breaks; German legend labels."""

from __future__ import annotations

import mapclassify
import numpy as np
import pandas as pd
import pytest

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.stats.classify import classify, format_number, legend_labels

RNG = np.random.default_rng(42)
Y = pd.Series(np.round(RNG.gamma(2.0, 5.0, 120), 2), index=[f"u{i}" for i in range(120)])


@pytest.mark.filterwarnings("ignore:Numba not installed:UserWarning")
@pytest.mark.parametrize(
    ("method", "reference"),
    [
        ("quantiles", lambda y: mapclassify.Quantiles(y, k=5)),
        ("equal_interval", lambda y: mapclassify.EqualInterval(y, k=5)),
        ("natural_breaks", lambda y: mapclassify.FisherJenks(y, k=5)),
        ("std_mean", lambda y: mapclassify.StdMean(y, multiples=[-2, -1, 1, 2])),
        ("manual", lambda y: mapclassify.UserDefined(y, bins=[5, 10, 20])),
    ],
)
def test_classes_agree_with_mapclassify(method: str, reference: object) -> None:
    ref = reference(Y.to_numpy())  # type: ignore[operator]
    result = classify(Y, method, k=5, breaks=[5, 10, 20])
    assert np.allclose(result.bins, ref.bins)
    assert result.classes.to_numpy(dtype=int).tolist() == list(ref.yb)
    assert result.counts.tolist() == list(ref.counts)


def test_missing_values_get_no_class() -> None:
    y = Y.copy()
    y.iloc[:3] = np.nan
    result = classify(y, "quantiles", k=4)
    assert result.classes.iloc[:3].isna().all()
    assert result.counts.sum() == 117


def test_pivot_is_forced_as_a_break() -> None:
    y = pd.Series([-5.0, -3.0, -1.0, 0.5, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0])
    result = classify(y, "equal_interval", k=4, pivot=0.0)
    assert 0.0 in result.bins
    assert result.n_below_pivot == int((result.bins <= 0).sum())
    # no class holds values on both sides of 0
    for c in range(result.k):
        members = y[result.classes == c]
        assert members.empty or members.max() <= 0 or members.min() > 0


def test_city_value_as_pivot_with_quantiles() -> None:
    result = classify(Y, "quantiles", k=4, pivot=11.11)
    assert 11.11 in result.bins and result.k == 5


def test_german_legend_labels() -> None:
    assert format_number(12345.678, 1) == "12.345,7"
    assert legend_labels([10.0, 12.5, 15.0], 1, "%") == [
        "bis 10,0 %",
        "über 10,0 bis 12,5 %",
        "über 12,5 bis 15,0 %",
    ]
    table = classify([1.0, 2.0, 3.0, 4.0], "manual", breaks=[2.0, 4.0]).table()
    assert table["label"].tolist() == ["bis 2,0", "über 2,0 bis 4,0"] and table["count"].tolist() == [2, 2]


def test_fewer_distinct_values_than_classes_lowers_k_without_warning() -> None:
    result = classify([1.0, 1.0, 2.0, 2.0, 3.0], "quantiles", k=5)
    assert result.k <= 3


def test_unknown_method_and_empty_input_are_errors() -> None:
    with pytest.raises(SozialmonitorError, match="Unbekanntes Klassifikationsverfahren 'kmeans'"):
        classify(Y, "kmeans")
    with pytest.raises(SozialmonitorError, match="keine Werte"):
        classify([np.nan], "quantiles")
    with pytest.raises(SozialmonitorError, match="keine Grenzen"):
        classify(Y, "manual")
