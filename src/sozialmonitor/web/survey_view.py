"""Survey analysis in the web app: uploaded answers read in memory, estimate tables, stored survey indicators.

Uploaded answers are never written to disk or to the database: :func:`read_upload` parses the bytes of the
request, :func:`analyse` returns the result table, and the answers are dropped with the request.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.fmt import number, safe_frame
from sozialmonitor.indicators.survey_store import survey_estimates_frame
from sozialmonitor.survey.design import survey_design
from sozialmonitor.survey.io import SUFFIXES, read_survey_bytes
from sozialmonitor.survey.tables import GERMAN_HEADERS, STATISTICS, decimals_for, estimate_table
from sozialmonitor.web.service import Snapshot

MAX_CV = 0.30
MIN_N = 30


def _unreadable(name: str, why: str) -> SozialmonitorError:
    return SozialmonitorError(
        f"Die Datei {name} konnte nicht gelesen werden ({why}).",
        f"The file {name} could not be read ({why}).",
    )


def read_upload(name: str, content: bytes) -> pd.DataFrame:
    """Parse an uploaded survey file in memory (``survey.io.read_survey_bytes``); failures become messages."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise SozialmonitorError(
            f"Unbekanntes Dateiformat {suffix or name!r} (erwartet .csv, .xlsx, .sav).",
            f"Unknown file format {suffix or name!r} (expected .csv, .xlsx, .sav).",
        )
    if not content:
        raise _unreadable(name, "leer / empty")
    try:
        frame = read_survey_bytes(name, content).data
    except SozialmonitorError:
        raise
    except Exception as exc:  # any parser failure of a user's file is a message, not a server error
        raise _unreadable(name, type(exc).__name__) from exc
    if not isinstance(frame, pd.DataFrame) or frame.empty or len(frame.columns) < 1:
        raise _unreadable(name, "keine Daten / no data")
    return frame


def _need_column(frame: pd.DataFrame, column: str, role_de: str, role_en: str) -> None:
    if column not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:30]))
        raise SozialmonitorError(
            f"Die Variable {column!r} ({role_de}) fehlt in der Datei. Vorhanden: {shown}",
            f"The variable {column!r} ({role_en}) is not in the file. Present: {shown}",
        )


def analyse(
    frame: pd.DataFrame,
    *,
    variable: str,
    statistic: str,
    weights: str | None = None,
    strata: str | None = None,
    cluster: str | None = None,
    domain: str | None = None,
    denominator: str | None = None,
) -> pd.DataFrame:
    """``estimate_table`` for a design given by column names (empty names: not used)."""
    if statistic not in STATISTICS:
        raise SozialmonitorError(
            f"Unbekannte Statistik {statistic!r} (mean, total, proportion, ratio).",
            f"Unknown statistic {statistic!r} (mean, total, proportion, ratio).",
        )
    if not variable:
        raise SozialmonitorError("Bitte eine Variable angeben.", "Please name a variable.")
    checks = [
        (variable, "Variable", "variable"),
        (weights, "Gewicht", "weights"),
        (strata, "Schicht", "strata"),
        (cluster, "Cluster", "cluster"),
        (domain, "Domäne", "domain"),
        (denominator if statistic == "ratio" else None, "Nenner", "denominator"),
    ]
    for col, de, en in checks:
        if col:
            _need_column(frame, col, de, en)
    try:
        design = survey_design(frame, ids=[cluster] if cluster else None, strata=strata, weights=weights)
        return estimate_table(
            design, variable, statistic, domain, denominator if statistic == "ratio" else None
        )
    except SozialmonitorError:
        raise
    except Exception as exc:  # e.g. text in a numeric variable
        raise SozialmonitorError(
            f"Die Schätzung ist mit diesen Angaben nicht möglich ({type(exc).__name__}: {exc}).",
            f"The estimate is not possible with these settings ({type(exc).__name__}: {exc}).",
        ) from exc


def is_uncertain(n: Any, cv: Any, publishable: Any = True) -> bool:
    """Too uncertain to publish: n < 30 or CV > 30 % (or marked so by the survey package)."""
    cv_f = float(cv) if cv is not None else math.nan
    return bool(not publishable or int(n) < MIN_N or (math.isfinite(cv_f) and cv_f > MAX_CV))


def display_rows(table: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """The result table formatted for the page (German or English number format)."""
    dec = decimals_for(table["estimate"])
    rows = []
    for r in table.to_dict("records"):
        cv = float(r["cv"])
        rows.append(
            {
                "domain": str(r["domain"]),
                "name": str(r["name"]),
                "estimate": number(float(r["estimate"]), dec, lang),
                "se": number(float(r["se"]), dec, lang),
                "ci_low": number(float(r["ci_low"]), dec, lang),
                "ci_high": number(float(r["ci_high"]), dec, lang),
                "n": number(int(r["n"]), 0, lang),
                "n_eff": number(float(r["n_eff"]), 1, lang),
                "cv": number(cv * 100, 1, lang) + " %" if math.isfinite(cv) else "–",
                "uncertain": is_uncertain(r["n"], cv, r["publishable"]),
            }
        )
    return rows


def german_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The result with German headers and ja/nein (as the CLI's CSV and XLSX)."""
    out = table.copy()
    out["publishable"] = [
        not is_uncertain(n, cv, p) for n, cv, p in zip(out["n"], out["cv"], out["publishable"], strict=True)
    ]
    out = out.rename(columns=GERMAN_HEADERS)
    col = GERMAN_HEADERS["publishable"]
    out[col] = out[col].map({True: "ja", False: "nein"})
    return out


def to_csv(table: pd.DataFrame) -> bytes:
    """CSV for Excel (German): BOM, ``;``, decimal comma; text cells neutralised (``fmt.safe_frame``)."""
    text = safe_frame(german_frame(table)).to_csv(sep=";", decimal=",", index=False)
    return ("\ufeff" + text).encode("utf-8")


def to_xlsx(table: pd.DataFrame) -> bytes:
    """XLSX (German headers); text cells neutralised, so no cell is stored as a formula."""
    buf = io.BytesIO()
    safe_frame(german_frame(table)).to_excel(buf, index=False)
    return buf.getvalue()


# --- stored survey indicators (profile) -----------------------------------------------------------


def stored_estimates(snap: Snapshot) -> pd.DataFrame:
    """All current survey estimates of the store (cached per data state)."""

    def load() -> pd.DataFrame:
        with session_scope(snap.engine) as s:
            return survey_estimates_frame(s)

    return snap.memo(("survey_estimates",), load)


def _chain(snap: Snapshot, level: str, unit: str) -> list[tuple[str, str, str]]:
    """The unit and its ancestors as (level, key, name)."""
    units = snap.units.set_index(["level", "unit_key"])
    out: list[tuple[str, str, str]] = []
    cur: tuple[Any, Any] = (level, unit)
    while cur[0] is not None and cur in units.index and len(out) < 10:
        row = units.loc[cur]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        out.append((str(cur[0]), str(cur[1]), str(row["name"])))
        parent = row["parent_level"], row["parent_key"]
        cur = (None, None) if parent[0] is None or pd.isna(parent[0]) else (str(parent[0]), str(parent[1]))
    return out


def profile_survey_rows(
    snap: Snapshot, level: str, unit: str, public: bool, lang: str
) -> list[dict[str, Any]]:
    """Survey estimates of the unit or (if it has none) of its nearest ancestor that has some.

    Public visitors see only publishable estimates of published survey indicators (``IndicatorPublication``).
    """
    df = stored_estimates(snap)
    if df.empty:
        return []
    for lv, key, name in _chain(snap, level, unit):
        rows = df[(df["level"] == lv) & (df["unit_key"] == key)]
        if public:
            ok = [
                bool(p) and not is_uncertain(n, cv) and ind in snap.published
                for p, n, cv, ind in zip(
                    rows["publishable"], rows["n"], rows["cv"], rows["indicator"], strict=True
                )
            ]
            rows = rows[np.asarray(ok, dtype=bool)] if len(rows) else rows
        if rows.empty:
            continue
        rows = rows.sort_values("ref_date").groupby(["survey", "indicator"], as_index=False).tail(1)
        out = []
        for r in rows.sort_values(["survey", "indicator"]).to_dict("records"):
            cv = r["cv"]
            out.append(
                {
                    "survey": str(r["survey"]),
                    "name": str(r["name_de"]),
                    "unit": str(r["unit"] or ""),
                    "area": name,
                    "own": lv == level and key == unit,
                    "year": r["ref_date"].year,
                    "estimate": number(r["estimate"], 1, lang),
                    "ci_low": number(r["ci_low"], 1, lang),
                    "ci_high": number(r["ci_high"], 1, lang),
                    "n": number(int(r["n"]), 0, lang),
                    "uncertain": is_uncertain(r["n"], cv, r["publishable"]),
                }
            )
        return out
    return []
