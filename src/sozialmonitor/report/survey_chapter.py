"""Chapter „Ergebnisse der Haushaltebefragung“: stored survey estimates of the report year with their CIs.

Only present when the store holds survey estimates (``sozialmonitor survey publish``) dated in the report
year; estimates marked as too uncertain (n < 30 or CV > 30 %) are listed but not interpreted.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy.orm import Session

from sozialmonitor.fmt import number
from sozialmonitor.geo.units import units_frame
from sozialmonitor.indicators.survey_store import survey_estimates_frame
from sozialmonitor.report.labels import label
from sozialmonitor.report.model import Chapter, Table
from sozialmonitor.stats.indicators import rows_with_dates

MIN_N = 30
MAX_CV = 0.30


def _uncertain(n: Any, cv: Any, publishable: Any) -> bool:
    cv_f = float(cv) if cv is not None else math.nan
    return bool(not publishable or int(n) < MIN_N or (math.isfinite(cv_f) and cv_f > MAX_CV))


def survey_chapter(session: Session, year: int, lang: str) -> Chapter | None:
    df = survey_estimates_frame(session)
    if df.empty:
        return None
    df = rows_with_dates(df, lambda d: d.year == year)
    if df.empty:
        return None
    units = units_frame(session)
    names = {
        (str(lv), str(k)): str(n)
        for lv, k, n in zip(units["level"], units["unit_key"], units["name"], strict=True)
    }
    ranks = {str(lv): int(r) for lv, r in zip(units["level"], units["rank"], strict=True)}
    out = Chapter(id="k-befragung", key="befragung", title=label(lang, "survey_chapter"))
    surveys = sorted(set(df["survey"]))
    out.paragraphs.append(label(lang, "survey_intro", surveys=", ".join(surveys), year=year))
    out.paragraphs.append(label(lang, "survey_uncertain_rule"))
    header = [
        label(lang, "survey_area"),
        label(lang, "survey_estimate"),
        label(lang, "survey_ci"),
        "n",
        label(lang, "survey_quality"),
    ]
    n_uncertain = 0
    for i, ((survey, _indicator), part) in enumerate(df.groupby(["survey", "indicator"], sort=True), start=1):
        part = part.assign(_rank=[ranks.get(str(lv), 99) for lv in part["level"]])
        part = part.sort_values(["_rank", "unit_key"])
        rows = []
        for r in part.to_dict("records"):
            bad = _uncertain(r["n"], r["cv"], r["publishable"])
            n_uncertain += bad
            rows.append(
                [
                    names.get((str(r["level"]), str(r["unit_key"])), str(r["unit_key"])),
                    number(r["estimate"], 1, lang),
                    f"{number(r['ci_low'], 1, lang)} – {number(r['ci_high'], 1, lang)}",
                    number(int(r["n"]), 0, lang),
                    ("⚠ " + label(lang, "survey_too_uncertain")) if bad else label(lang, "survey_ok"),
                ]
            )
        first = part.iloc[0]
        unit = f" ({first['unit']})" if first["unit"] else ""
        caption = f"{first['name_de']}{unit} – {survey}"
        out.tables.append(
            Table(
                f"tab-befragung-{i}",
                caption,
                header,
                rows,
                [False, True, True, True, False],
                label(lang, "survey_table_note"),
            )
        )
    if n_uncertain:
        out.paragraphs.append(label(lang, "survey_n_uncertain", n=n_uncertain))
    return out
