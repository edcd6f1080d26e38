"""Tables for spreadsheets: Excel-ready CSV (UTF-8 with BOM, ';', decimal comma) and XLSX.

Shared by ``sozialmonitor export …`` and the web downloads, so that both write the same files. Text cells
go through :func:`sozialmonitor.fmt.safe_frame`: a unit name like ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.fmt import plain_decimal, safe_frame

HEADERS = {
    "de": {
        "unit_key": "Schlüssel",
        "name": "Name",
        "level": "Ebene",
        "ref_date": "Stichtag",
        "variable": "Variable",
        "indicator": "Indikator",
        "value": "Wert",
        "status": "Status",
        "reason": "Grund der Sperrung",
        "source": "Quelle",
        "numerator": "Zähler",
        "denominator": "Nenner",
        "flag_small": "Fallzahl zu klein",
        "unit": "Einheit",
        "reference": "Referenzwert",
        "deviation_abs": "Abweichung",
        "deviation_rel": "Abweichung (%)",
        "rank": "Rang",
        "n_ranked": "Anzahl mit Rang",
        "value_from": "Wert Basisjahr",
        "value_to": "Wert Vergleichsjahr",
        "change_abs": "Veränderung",
        "change_rel": "Veränderung (%)",
    },
    "en": {
        "unit_key": "key",
        "name": "name",
        "level": "level",
        "ref_date": "reference date",
        "variable": "variable",
        "indicator": "indicator",
        "value": "value",
        "status": "status",
        "reason": "reason withheld",
        "source": "source",
        "numerator": "numerator",
        "denominator": "denominator",
        "flag_small": "count too small",
        "unit": "unit",
        "reference": "reference",
        "deviation_abs": "deviation",
        "deviation_rel": "deviation (%)",
        "rank": "rank",
        "n_ranked": "number ranked",
        "value_from": "value base year",
        "value_to": "value comparison year",
        "change_abs": "change",
        "change_rel": "change (%)",
    },
}
STATUS = {
    "de": {"ok": "ok", "suppressed": "geheim", "missing": "fehlt", "estimated": "geschätzt"},
    "en": {"ok": "ok", "suppressed": "suppressed", "missing": "missing", "estimated": "estimated"},
}
NUMBER_COLUMNS = ("value", "numerator", "denominator")


def readable(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Status, dates and flags in words, column headers in ``lang``."""
    df = df.copy()
    if "status" in df:
        df["status"] = df["status"].map(STATUS[lang]).fillna(df["status"])
    if "ref_date" in df:
        df["ref_date"] = [d.strftime("%d.%m.%Y" if lang == "de" else "%Y-%m-%d") for d in df["ref_date"]]
    if "flag_small" in df:
        df["flag_small"] = df["flag_small"].map({True: "ja" if lang == "de" else "yes", False: ""})
    return df.rename(columns=HEADERS[lang])


def excel_csv(
    df: pd.DataFrame, decimal_comma: bool, lang: str, number_columns: tuple[str, ...] = NUMBER_COLUMNS
) -> str:
    """CSV for Excel: BOM, ';' separator, CRLF, optional decimal comma, dates as TT.MM.JJJJ (de)."""
    df = safe_frame(readable(df, lang))  # before the numbers become text: negative numbers stay numbers
    for col in number_columns:
        name = HEADERS[lang].get(col, col)
        if name in df:
            df[name] = [plain_decimal(v, decimal_comma) for v in df[name]]
    buf = io.StringIO()
    df.to_csv(buf, sep=";", index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return "\ufeff" + buf.getvalue()


def xlsx_bytes(df: pd.DataFrame, lang: str) -> bytes:
    """XLSX with headers in ``lang``; text cells neutralised, so no cell is stored as a formula."""
    buf = io.BytesIO()
    safe_frame(readable(df, lang)).to_excel(buf, index=False, engine="openpyxl")
    return buf.getvalue()


def check_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise SozialmonitorError(
            f"Format {fmt!r} unbekannt (csv, xlsx)", f"unknown format {fmt!r} (csv, xlsx)"
        )
