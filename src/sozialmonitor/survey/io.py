"""Reading survey data files: CSV (German or international format), XLSX and SPSS ``.sav``."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sozialmonitor.errors import SozialmonitorError


@dataclass(frozen=True)
class SurveyFile:
    """Data plus the labels an SPSS file carries (empty for CSV/XLSX)."""

    data: pd.DataFrame
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)

    def labelled(self) -> pd.DataFrame:
        """The data with value labels applied (labelled columns become categoricals)."""
        out = self.data.copy()
        for col, labels in self.value_labels.items():
            if col in out.columns and labels:
                mapped = out[col].map(lambda v, lab=labels: lab.get(v, v) if pd.notna(v) else v)
                order = [labels[k] for k in sorted(labels, key=lambda k: (str(type(k)), k))]
                extra = [v for v in mapped.dropna().unique() if v not in order]
                out[col] = pd.Categorical(mapped, categories=[*order, *extra])
        return out


SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".sav", ".zsav")


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_survey(path: str | Path) -> SurveyFile:
    """Read a survey file by extension: ``.csv`` (``;`` + decimal comma, or ``,``), ``.xlsx``, ``.sav``."""
    p = Path(path)
    if not p.exists():
        raise SozialmonitorError(f"Datei {p} nicht gefunden.", f"File {p} not found.")
    return read_survey_bytes(p.name, p.read_bytes())


def read_survey_bytes(name: str, content: bytes) -> SurveyFile:
    """Read survey data from bytes in memory (an upload); the format comes from the extension of ``name``."""
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt"):
        text = _decode(content)
        first = text.splitlines()[0] if text else ""
        german = first.count(";") > first.count(",")
        frame = pd.read_csv(
            io.StringIO(text),
            sep=";" if german else ",",
            decimal="," if german else ".",
            thousands="." if german else None,
        )
        return SurveyFile(frame)
    if suffix in (".xlsx", ".xlsm"):
        return SurveyFile(pd.read_excel(io.BytesIO(content)))
    if suffix in (".sav", ".zsav"):
        import pyreadstat

        frame, meta = pyreadstat.read_sav(io.BytesIO(content))
        labels = {k: dict(v) for k, v in (meta.variable_value_labels or {}).items()}
        var_labels = {k: v for k, v in zip(meta.column_names, meta.column_labels or [], strict=False) if v}
        return SurveyFile(frame, labels, var_labels)
    raise SozialmonitorError(
        f"Unbekanntes Dateiformat {suffix or name!r} (erwartet .csv, .xlsx, .sav).",
        f"Unknown file format {suffix or name!r} (expected .csv, .xlsx, .sav).",
    )
