"""Status codes of observations and how they combine.

An observation is ``ok``, ``estimated``, ``missing`` or ``suppressed``. When several inputs are combined
(a ratio, a sum over units), the result takes the *worst* status: suppressed > missing > estimated > ok.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OK = "ok"
ESTIMATED = "estimated"
MISSING = "missing"
SUPPRESSED = "suppressed"

STATUSES: tuple[str, ...] = (OK, ESTIMATED, MISSING, SUPPRESSED)
"""Ordered from best to worst; the code of a status is its position."""

_CODE = {s: i for i, s in enumerate(STATUSES)}


def status_codes(status: pd.Series) -> np.ndarray:
    """Integer codes (0 ok … 3 suppressed); unknown or empty status counts as ``missing``."""
    return status.map(_CODE).fillna(_CODE[MISSING]).to_numpy(dtype=np.int8)


def status_names(codes: np.ndarray) -> np.ndarray:
    """Inverse of :func:`status_codes`."""
    return np.asarray(STATUSES, dtype=object)[codes]
