"""Composite index by min–max normalisation ("Leitindikator" in KomMonitor).

Every indicator is rescaled to 0…1 over the units taken into account: ``n = (x − min) / (max − min)``.
Polarity orients it so that 1 is always the *most burdened* end: indicators with polarity ``negative`` (a
high value is worse, e.g. the SGB II share) keep ``n``, those with polarity ``positive`` (a high value is
better) enter as ``1 − n``. The composite is the weighted mean ``100 · Σ wᵢ nᵢ / Σ wᵢ`` (0 = most favourable
unit on every indicator, 100 = most burdened on every indicator). Units with a missing value or listed in
``exclude`` (e.g. flagged for a small denominator) are left out and get NaN.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from sozialmonitor.errors import ConfigError, SozialmonitorError


def minmax_composite(
    data: pd.DataFrame,
    polarity: Mapping[str, str],
    weights: Mapping[str, float] | None = None,
    exclude: Collection[str] = (),
    scale: float = 100.0,
) -> pd.DataFrame:
    """``data``: one row per unit (index = unit key), one column per indicator listed in ``polarity``.

    Returns ``n_<indicator>`` (oriented 0…1), ``composite`` and ``rank`` (1 = most burdened).
    """
    indicators = list(polarity)
    missing = [c for c in indicators if c not in data.columns]
    if missing:
        raise SozialmonitorError(
            f"Leitindikator: Spalten fehlen: {', '.join(missing)}",
            f"composite index: columns missing: {', '.join(missing)}",
        )
    bad = {k: p for k, p in polarity.items() if p not in ("positive", "negative")}
    if bad:
        raise ConfigError(
            f"Leitindikator: Polung muss 'positive' oder 'negative' sein: {bad}",
            f"composite index: polarity must be 'positive' or 'negative': {bad}",
        )
    w = pd.Series({k: float((weights or {}).get(k, 1.0)) for k in indicators})
    if (w < 0).any() or w.sum() <= 0:
        raise ConfigError("Leitindikator: Gewichte müssen ≥ 0 sein", "composite index: weights must be ≥ 0")
    x = data[indicators].astype(float)
    use = x.notna().all(axis=1) & ~x.index.isin(list(exclude))
    lo, hi = x[use].min(), x[use].max()
    span = (hi - lo).replace(0, np.nan)
    n = (x - lo) / span
    n = n.where(use, axis=0)
    flip = [k for k in indicators if polarity[k] == "positive"]
    n[flip] = 1.0 - n[flip]
    n = n.fillna(0.5).where(use, axis=0)  # constant indicator → 0.5 for all units
    out = n.add_prefix("n_")
    out["composite"] = scale * (n * w).sum(axis=1, min_count=1) / w.sum()
    out.loc[~use, "composite"] = np.nan
    out["rank"] = out["composite"].rank(method="min", ascending=False).astype("Int64")
    return out
