"""One profile page per district: location, headline indicators against the city, trend, social index."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sozialmonitor.report.charts import line_chart
from sozialmonitor.report.data import comparable, far_districts
from sozialmonitor.report.index_chapter import IndexOutcome
from sozialmonitor.report.maps import locator
from sozialmonitor.report.model import Chapter, Figure, Section, Table
from sozialmonitor.report.text import cell, fmt_change, fmt_value

if TYPE_CHECKING:
    from sozialmonitor.report.build import Builder


def profiles_chapter(self: Builder, idx: IndexOutcome) -> Chapter:
    lang, data = self.lang, self.data
    cmp = data.compare_year
    out = Chapter(id="k-profile", key="profile", title=self.L("profiles", units=self.units_word))
    out.paragraphs.append(self.L("profiles_intro", unit=self.unit_word, cmp=cmp or "–"))
    inds = [i for k in self.s.profile_indicators if (i := data.indicator(k)) is not None]
    series = {(k, u): g for (k, u), g in data.long.groupby(["indicator", "unit_key"], sort=True)}
    city = data.city_name or self.L("city_value")
    for key, name in zip(data.units["unit_key"], data.units["name"], strict=True):
        sec = Section(id=f"p-{key}", title=f"{name} ({key})", page_break=True)
        if self.base is not None:
            sec.figures.append(
                Figure(f"f-p-{key}", name, locator(self.base, key, f"p-{key}", name), "locator")
            )
        rows, far = [], []
        for ind in inds:
            r = ind.table.loc[key] if key in ind.table.index else None
            if r is None:
                continue
            value = cell(r["value"], r["status"], r["flag_small"], ind.defn.decimals, lang)
            diff = (
                float(r["value"]) - ind.city
                if (ind.city is not None and r["usable"] and comparable(ind))
                else None
            )
            change = None if pd.isna(r["change"]) else float(r["change"])
            rows.append(
                [
                    ind.defn.name(lang),
                    f"{value} {ind.defn.unit}".strip() if value not in (".", "/", "–") else value,
                    fmt_value(ind.city, ind.defn, lang),
                    fmt_change(diff, ind.defn, lang),
                    fmt_change(change, ind.defn, lang),
                ]
            )
            above, below = far_districts(ind)
            if name in {n for n, _ in above}:
                far.append(f"{ind.defn.name(lang)} ({self.L('above')})")
            elif name in {n for n, _ in below}:
                far.append(f"{ind.defn.name(lang)} ({self.L('below')})")
        if key in idx.table.index:
            r = idx.table.loc[key]
            if bool(r["valid"]):
                sec.paragraphs.append(
                    self.L(
                        "profile_index",
                        status=r["status_class"],
                        dynamics=r["dynamics_class"] or "–",
                        code=r["gesamtindex"],
                    )
                )
            else:
                sec.paragraphs.append(
                    self.L("profile_index_invalid", reason=idx.reason_text(str(r["reason"])))
                )
        sec.paragraphs.append(
            self.L("profile_far", items=", ".join(far)) if far else self.L("profile_none_far")
        )
        header = [
            self.L("indicator"),
            f"{self.s.year}",
            city,
            self.L("difference"),
            self.L("change", cmp=cmp) if cmp else self.L("change", cmp="–"),
        ]
        sec.tables.append(
            Table(
                f"tab-p-{key}",
                f"{name}: {self.L('indicator')}",
                header,
                rows,
                [False, True, True, True, True],
            )
        )
        trend = next((i for i in inds if i.defn.unit == "%" and len(i.series) > 1), None)
        if trend is not None and (trend.defn.key, key) in series:
            g = series[(trend.defn.key, key)]
            by_year = {
                d.year: (float(v) if s == "ok" else None)
                for d, v, s in zip(g["ref_date"], g["value"], g["status"], strict=True)
            }
            years = [int(y) for y in trend.series["year"]]
            lines = [(str(name), [by_year.get(y) for y in years], "solid")]
            if trend.series["city"].notna().any():
                lines.append(
                    (city, [None if pd.isna(v) else float(v) for v in trend.series["city"]], "dashed")
                )
            cap = f"{trend.defn.name(lang)}: {self.L('timeseries', first=years[0], last=years[-1])}"
            svg = line_chart(years, lines, f"pt-{key}", cap, lang, height=190)
            if svg:
                sec.figures.append(Figure(f"f-pt-{key}", cap, svg))
        out.sections.append(sec)
    return out
