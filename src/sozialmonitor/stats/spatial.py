"""Spatial autocorrelation of an indicator: global Moran's I and local hot/cold spots (LISA).

Wraps PySAL: ``libpysal`` Queen contiguity (units sharing an edge or a corner are neighbours),
row-standardised; ``esda.Moran`` and ``esda.Moran_Local`` with conditional permutation p-values
(999 permutations, seeded so that results are reproducible). Units with a missing value are left out;
units that then have no neighbour (islands) are left out as well and reported as ``"keine Nachbarn"``.

LISA labels (Moran scatterplot quadrants, only where the pseudo p-value ≤ ``alpha``):
``HH`` hot spot (high value, high neighbours), ``LL`` cold spot, ``HL`` / ``LH`` spatial outliers;
otherwise ``"nicht signifikant"``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.errors import SozialmonitorError

QUADRANT_LABELS: dict[int, str] = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
NOT_SIGNIFICANT = "nicht signifikant"
NO_NEIGHBOURS = "keine Nachbarn"
DEFAULT_SEED = 20211231


@dataclass(frozen=True)
class MoranResult:
    i: float
    expected: float
    z_sim: float
    p_sim: float
    p_norm: float
    n: int
    permutations: int


def contiguity_weights(geo: Any, id_column: str) -> Any:
    """Queen contiguity weights (``libpysal.weights.W``) keyed by ``geo[id_column]``."""
    from libpysal.weights import Queen

    if id_column not in geo.columns:
        raise SozialmonitorError(
            f"Geometrie: Spalte {id_column!r} fehlt", f"geometry: column {id_column!r} missing"
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*islands.*", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*not fully connected.*", category=UserWarning)
        return Queen.from_dataframe(geo, ids=geo[id_column].tolist(), use_index=False)


def _prepare(values: pd.Series, w: Any) -> tuple[np.ndarray, Any, list[str], list[str]]:
    """Values in the order of the weights' ids, restricted to units with a value and a neighbour."""
    from libpysal.weights import w_subset

    series = pd.Series(values, dtype=float)
    ids = [i for i in w.id_order if i in series.index and pd.notna(series[i])]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*islands.*", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*not fully connected.*", category=UserWarning)
        sub = w_subset(w, ids, silence_warnings=True)
        islands = [str(i) for i in sub.islands]
        if islands:
            ids = [i for i in ids if i not in set(sub.islands)]
            sub = w_subset(w, ids, silence_warnings=True)
    if len(ids) < 3:
        raise SozialmonitorError(
            f"Räumliche Statistik: nur {len(ids)} Einheiten mit Wert und Nachbarn, mindestens 3 nötig",
            f"spatial statistics: only {len(ids)} units with a value and neighbours, at least 3 needed",
        )
    sub.transform = "r"
    return series.loc[ids].to_numpy(), sub, ids, islands


def morans_i(values: pd.Series, w: Any, permutations: int = 999, seed: int = DEFAULT_SEED) -> MoranResult:
    """Global Moran's I of ``values`` (index = unit key) under the weights ``w``."""
    import esda

    y, sub, ids, _ = _prepare(values, w)
    state = np.random.get_state()
    np.random.seed(seed)  # esda.Moran draws its permutations from the global generator
    try:
        m = esda.Moran(y, sub, permutations=permutations)
    finally:
        np.random.set_state(state)
    return MoranResult(
        float(m.I), float(m.EI), float(m.z_sim), float(m.p_sim), float(m.p_norm), len(ids), permutations
    )


def lisa(
    values: pd.Series, w: Any, permutations: int = 999, alpha: float = 0.05, seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """Local Moran's I per unit: ``local_i``, ``quadrant`` (1 HH, 2 LH, 3 LL, 4 HL), ``p_sim``, ``label``.

    Index = unit key of ``values``; units without value get NaN, islands the label ``"keine Nachbarn"``.
    """
    import esda

    y, sub, ids, islands = _prepare(values, w)
    local = esda.Moran_Local(y, sub, permutations=permutations, seed=seed, keep_simulations=False)
    quadrant = np.asarray(local.q, dtype=int)
    significant = np.asarray(local.p_sim) <= alpha
    labels = np.where(significant, [QUADRANT_LABELS[q] for q in quadrant], NOT_SIGNIFICANT)
    out = pd.DataFrame(
        {"local_i": local.Is, "quadrant": quadrant, "p_sim": local.p_sim, "label": labels}, index=ids
    )
    out = out.reindex(pd.Index(values.index))
    out.loc[out.index.isin(islands), "label"] = NO_NEIGHBOURS
    return out
