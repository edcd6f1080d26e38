"""The configurable social index (Jena config) on a small synthetic indicator table."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sozialmonitor.errors import ConfigError, SozialmonitorError
from sozialmonitor.indices.mss import zscore
from sozialmonitor.indices.social_index import index_input, load_config, parse_config, social_index

DATES = [dt.date(y, 12, 31) for y in (2015, 2016, 2017)]
UNITS = [f"u{i}" for i in range(8)]


def synthetic(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for key, scale in [
        ("unemployment_share_sgb2", 5),
        ("unemployment_share", 8),
        ("share_children_single_parents", 20),
        ("residents", 3000),
    ]:
        base = rng.uniform(0.5, 1.5, len(UNITS)) * scale
        for j, d in enumerate(DATES):
            for u, b in zip(UNITS, base, strict=True):
                rows.append(
                    {
                        "indicator": key,
                        "unit_key": u,
                        "ref_date": d,
                        "value": b * (1 + 0.05 * j * rng.normal()),
                        "status": "ok",
                        "flag_small": False,
                        "numerator": np.nan,
                        "denominator": np.nan,
                    }
                )
    table = pd.DataFrame(rows)
    table.loc[(table.unit_key == "u7") & (table.indicator == "residents"), "value"] = 120.0  # below 300
    return table


def test_shipped_jena_config_parses() -> None:
    cfg = load_config()
    assert cfg.status == ("unemployment_share_sgb2", "unemployment_share", "share_children_single_parents")
    assert cfg.periods == 2 and cfg.mss.min_population == 300
    assert cfg.mss.dynamic_indicators[0] == "unemployment_share_sgb2_change"


def test_social_index_follows_the_mss_recipe() -> None:
    table = synthetic()
    cfg = load_config()
    result = social_index(table, cfg)
    t = result.table
    assert not t.loc["u7", "valid"] and t.loc["u7", "reason"] == "below_min_population"
    wide = index_input(table, cfg)
    valid = wide.drop(index="u7")
    s = sum(zscore(valid[k].to_numpy()) for k in cfg.status)
    assert np.allclose(t.loc[valid.index, "status_index"], zscore(s))
    # dynamics = 2-year change in percentage points
    now = table[(table.ref_date == DATES[2]) & (table.indicator == "unemployment_share")].set_index(
        "unit_key"
    )
    then = table[(table.ref_date == DATES[0]) & (table.indicator == "unemployment_share")].set_index(
        "unit_key"
    )
    assert np.allclose(wide["unemployment_share_change"], (now["value"] - then["value"]).loc[wide.index])
    assert set(t.loc[valid.index, "status_class"]) <= {"hoch", "mittel", "niedrig", "sehr niedrig"}


def test_flagged_or_suppressed_values_make_a_unit_invalid() -> None:
    table = synthetic()
    hit = (table.unit_key == "u1") & (table.ref_date == DATES[2]) & (table.indicator == "unemployment_share")
    table.loc[hit, "status"] = "suppressed"
    table.loc[(table.unit_key == "u2") & (table.indicator == "unemployment_share_sgb2"), "flag_small"] = True
    t = social_index(table, load_config()).table
    assert t.loc["u1", "reason"] == "missing_values" and t.loc["u2", "reason"] == "missing_values"


def test_missing_indicator_and_bad_config() -> None:
    table = synthetic()
    with pytest.raises(SozialmonitorError, match="Indikatoren fehlen in der Tabelle: unemployment_share"):
        social_index(table[table.indicator != "unemployment_share"], load_config())
    with pytest.raises(ConfigError, match="'status' fehlt oder ist leer"):
        parse_config({"name": "x"})
    with pytest.raises(ConfigError, match=r"thresholds\.status"):
        parse_config({"status": [{"indicator": "a"}], "thresholds": {"status": [1, 2]}})


@pytest.mark.parametrize(
    ("raw", "where", "bad"),
    [
        ({"status": [{"indicator": "a"}], "dynamics_given": ["d1"]}, "oberste Ebene", "'dynamics_given'"),
        ({"status": [{"indicator": "a", "weigth": 2}]}, "status[1]", "'weigth'"),
        ({"status": [{"indicator": "a"}], "dynamics": {"period": 2}}, "dynamics", "'period'"),
        ({"status": [{"indicator": "a"}], "thresholds": {"state": [1, 2, 3]}}, "thresholds", "'state'"),
    ],
)
def test_a_misspelt_index_key_is_refused(raw: dict[str, object], where: str, bad: str) -> None:
    """A misspelt key (``weigth``) would otherwise silently fall back to the default."""
    with pytest.raises(ConfigError) as exc:
        parse_config(raw, "index.yaml")
    assert f"index.yaml: {where}" in exc.value.de and f"unbekannte Schlüssel {bad}" in exc.value.de
    assert "erlaubt sind" in exc.value.de and f"unknown keys {bad}" in exc.value.en
