"""Typology of districts by cluster analysis on standardised indicators, with a readable description.

Indicators are z-standardised (population SD) so that each counts equally; then either k-means (scipy
``kmeans2`` with k-means++ start, 20 seeded restarts, the solution with the smallest within-cluster sum of
squares) or Ward's hierarchical method (``scipy.cluster.hierarchy``). Clusters are numbered 1…k by size
(largest first). Each cluster is described by its mean z-values: |z| ≥ 1 "deutlich über-/unter-
durchschnittlich", 0.5 ≤ |z| < 1 "über-/unterdurchschnittlich"; smaller deviations are not mentioned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.cluster.vq import kmeans2

from sozialmonitor.errors import SozialmonitorError

CATEGORIES: tuple[tuple[float, str], ...] = (
    (1.0, "deutlich überdurchschnittlich"),
    (0.5, "überdurchschnittlich"),
    (-0.5, ""),
    (-1.0, "unterdurchschnittlich"),
    (-np.inf, "deutlich unterdurchschnittlich"),
)


@dataclass(frozen=True)
class TypologyResult:
    clusters: pd.Series
    """Cluster number 1…k per unit (``<NA>`` for units with missing values)."""
    centres: pd.DataFrame
    """Mean z-value per cluster (rows) and indicator (columns)."""
    sizes: pd.Series
    descriptions: dict[int, str]


def _category(z: float) -> str:
    for bound, text in CATEGORIES:
        if z >= bound:
            return text
    return ""  # pragma: no cover


def describe_cluster(
    number: int,
    size: int,
    centre: pd.Series,
    names: Mapping[str, str] | None = None,
    unit_words: tuple[str, str] = ("Gebiet", "Gebiete"),
) -> str:
    """``"Cluster 2 (8 Bezirke): deutlich überdurchschnittlich bei SGB-II-Quote, unterdurchschnittlich bei
    Anteil 65+"``."""
    names = names or {}
    groups: dict[str, list[str]] = {}
    for key in centre.abs().sort_values(ascending=False).index:
        text = _category(float(centre[key]))
        if text:
            groups.setdefault(text, []).append(names.get(key, key))
    order = [t for _, t in CATEGORIES if t in groups]
    parts = [
        f"{t} bei {' und '.join(groups[t]) if len(groups[t]) < 3 else ', '.join(groups[t])}" for t in order
    ]
    word = unit_words[0] if size == 1 else unit_words[1]
    body = ", ".join(parts) if parts else "bei allen Indikatoren etwa durchschnittlich"
    return f"Cluster {number} ({size} {word}): {body}"


def typology(
    data: pd.DataFrame,
    k: int,
    method: Literal["kmeans", "ward"] = "kmeans",
    seed: int = 0,
    names: Mapping[str, str] | None = None,
    unit_words: tuple[str, str] = ("Gebiet", "Gebiete"),
) -> TypologyResult:
    """Cluster the units (rows of ``data``, one numeric column per indicator) into ``k`` types."""
    x = data.astype(float)
    complete = x.notna().all(axis=1)
    if not 2 <= k <= int(complete.sum()):
        raise SozialmonitorError(
            f"Typisierung: k = {k}, erwartet 2 ≤ k ≤ {int(complete.sum())} "
            "(Einheiten mit vollständigen Werten)",
            f"typology: k = {k}, expected 2 ≤ k ≤ {int(complete.sum())} (units with complete values)",
        )
    sd = x[complete].std(ddof=0).replace(0, 1.0)
    z = (x[complete] - x[complete].mean()) / sd
    arr = z.to_numpy()
    if method == "kmeans":
        best: tuple[float, np.ndarray] | None = None
        for restart in range(20):
            centroids, labels = kmeans2(arr, k, minit="++", seed=seed + restart)
            if len(np.unique(labels)) < k:
                continue
            inertia = float(((arr - centroids[labels]) ** 2).sum())
            if best is None or inertia < best[0] - 1e-12:
                best = (inertia, labels)
        if best is None:
            raise SozialmonitorError(
                f"Typisierung: keine Lösung mit {k} nicht-leeren Clustern",
                f"typology: no solution with {k} clusters",
            )
        raw = best[1]
    elif method == "ward":
        raw = fcluster(linkage(arr, method="ward"), t=k, criterion="maxclust") - 1
    else:
        raise SozialmonitorError(
            f"Typisierung: Verfahren {method!r} unbekannt (kmeans, ward)",
            f"typology: unknown method {method!r} (kmeans, ward)",
        )
    raw_sizes = pd.Series(raw).value_counts()
    centre_sum = pd.DataFrame(arr).groupby(raw).mean().sum(axis=1)
    order = sorted(raw_sizes.index, key=lambda c: (-raw_sizes[c], -centre_sum[c]))
    renumber = {old: new for new, old in enumerate(order, start=1)}
    numbers = np.array([renumber[c] for c in raw])
    clusters = pd.Series(pd.NA, index=x.index, dtype="Int64")
    clusters[complete] = numbers
    centres = z.groupby(numbers).mean()
    centres.index.name = "cluster"
    sizes = pd.Series(numbers).value_counts().sort_index()
    descriptions = {
        int(c): describe_cluster(int(c), int(sizes[c]), centres.loc[c], names, unit_words)
        for c in centres.index
    }
    return TypologyResult(clusters, centres, sizes, descriptions)
