"""Query parameters shared by the API endpoints (validated, so that bad input gives 422, never 500)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query

KEY_PATTERN = r"^[A-Za-z0-9_.:\-]{1,100}$"
Lang = Annotated[Literal["de", "en"], Query(description="Sprache der Texte / language of texts")]
IndicatorQ = Annotated[str, Query(pattern=KEY_PATTERN, description="Indikatorschlüssel / indicator key")]
LevelQ = Annotated[str, Query(pattern=KEY_PATTERN, description="Raumebene / spatial level")]
LevelP = Annotated[str, Path(pattern=KEY_PATTERN, description="Raumebene / spatial level")]
UnitP = Annotated[str, Path(pattern=KEY_PATTERN, description="Schlüssel der Einheit / unit key")]
UnitQ = Annotated[str, Query(pattern=KEY_PATTERN, description="Schlüssel der Einheit / unit key")]
YearQ = Annotated[int | None, Query(ge=1900, le=2200, description="Jahr (Standard: das letzte) / year")]
Method = Annotated[
    Literal["quantiles", "equal_interval", "natural_breaks", "std_mean"],
    Query(description="Klassenbildung / classification"),
]
Palette = Annotated[Literal["sequential", "diverging"], Query(description="Farbschema / palette")]
Classes = Annotated[int, Query(ge=2, le=9, description="Anzahl Klassen / number of classes")]
