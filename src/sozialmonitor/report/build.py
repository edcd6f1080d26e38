"""Assembling the report: thematic chapters with maps, charts, tables and generated text; district profiles.

:func:`build_report` is the one entry point: store → :class:`~sozialmonitor.report.model.Report`, from which
:mod:`~sozialmonitor.report.html`, :mod:`~sozialmonitor.report.pdf` and :mod:`~sozialmonitor.report.docx`
write the formats.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlalchemy.orm import Session

from sozialmonitor.geo.units import geometries
from sozialmonitor.report import appendix, interviews, texts
from sozialmonitor.report.charts import line_chart, ranking_chart
from sozialmonitor.report.data import (
    ChapterData,
    IndicatorData,
    ReportData,
    collect,
    comparable,
    far_districts,
)
from sozialmonitor.report.index_chapter import IndexOutcome, index_chapter
from sozialmonitor.report.labels import LABELS, label
from sozialmonitor.report.maps import MapBase, choropleth
from sozialmonitor.report.model import Chapter, Figure, Report, Section, Table
from sozialmonitor.report.profiles import profiles_chapter
from sozialmonitor.report.pseudonymise import Pseudonymiser
from sozialmonitor.report.settings import ReportSettings
from sozialmonitor.report.survey_chapter import survey_chapter
from sozialmonitor.report.text import (
    cell,
    city_change_sentence,
    district_changes_sentence,
    extremes_sentence,
    far_sentence,
    fmt_change,
    fmt_value,
)

FAR_SD = 1.5
TABLE_COLUMNS = 4
RANKING_N = 5
PROFILE_MAX_FAR = 4


class Builder:
    def __init__(self, data: ReportData, base: MapBase | None) -> None:
        self.data = data
        self.s = data.settings
        self.lang = data.settings.lang
        self.term = data.settings.unit_term
        self.base = base
        self.unit_word = self.term.singular if self.lang == "de" else self.term.singular_en
        self.units_word = self.term.plural if self.lang == "de" else self.term.plural_en
        # after "von", "nach": dative plural (von 542 Planungsräumen, nach Bezirken)
        self.units_dative = self.term.dative_plural if self.lang == "de" else self.term.plural_en

    def L(self, key: str, **kw: object) -> str:
        return label(self.lang, key, **kw)

    # --- thematic chapters -----------------------------------------------------------------------
    def indicator_section(self, ch: ChapterData, ind: IndicatorData) -> Section:
        d, lang = ind.defn, self.lang
        sec = Section(id=f"ind-{d.key}", title=d.name(lang))
        if ind.year != self.s.year:
            sec.paragraphs.append(self.L("latest_year", year=ind.year))
        usable = ind.table[ind.table["usable"]]
        values = list(zip(usable["name"], usable["value"].astype(float), strict=True))
        text = [extremes_sentence(values, d, self.term, lang)]
        text.append(
            city_change_sentence(
                ind.city, ind.city_cmp, ind.year, ind.compare_year, d, self.data.city_name, lang
            )
        )
        changes = [float(c) for c in ind.table["change"].dropna()]
        text.append(district_changes_sentence(changes, ind.compare_year, d, self.term, lang))
        above, below = far_districts(ind)
        if comparable(ind):
            text.append(far_sentence(above, below, ind.city, d, self.term, lang))
        sec.paragraphs.append(" ".join(t for t in text if t))
        table_name = self.L("values_table", unit=self.unit_word, year=self.s.year)
        if self.base is not None:
            vals = {
                str(k): (float(v) if u else None)
                for k, v, u in zip(ind.table.index, ind.table["value"], ind.table["usable"], strict=True)
            }
            caption = self.L("map_caption", name=d.name(lang), year=ind.year, unit=self.units_dative)
            svg = choropleth(
                self.base,
                vals,
                f"m-{d.key}",
                caption,
                self.L("map_desc", table=f"„{table_name}“"),
                decimals=d.decimals,
                unit="%" if d.unit == "%" else "",
                k=self.s.classes,
                missing_label=self.L("no_value"),
            )
            sec.figures.append(Figure(f"f-m-{d.key}", caption, svg, "map"))
        ranked = usable.sort_values(["value", "name"], ascending=[False, True])
        items = list(zip(ranked["name"], ranked["value"].astype(float), strict=True))
        if len(items) > 2 * RANKING_N + 2:
            items = items[:RANKING_N] + items[-RANKING_N:]
            cap = self.L("ranking", n=RANKING_N, year=ind.year)
        else:
            cap = self.L("ranking_all", year=ind.year)
        city_label = self.data.city_name or self.L("city_value")
        # the city value is a reference line for rates only: a count of the whole city dwarfs every district
        reference = ind.city if d.denominator else None
        svg = ranking_chart(
            items, f"r-{d.key}", f"{d.name(lang)}: {cap}", d.decimals, reference, city_label, lang
        )
        if svg:
            sec.figures.append(Figure(f"f-r-{d.key}", f"{d.name(lang)}: {cap}", svg))
        if len(ind.series) > 1:
            years = [int(y) for y in ind.series["year"]]
            lines: list[tuple[str, list[float | None], str]] = [
                (self.L("trend_high", unit=self.unit_word), [float(v) for v in ind.series["high"]], "dashed"),
                (self.L("trend_low", unit=self.unit_word), [float(v) for v in ind.series["low"]], "dotted"),
            ]
            if ind.series["city"].notna().any():
                city_vals = [None if pd.isna(v) else float(v) for v in ind.series["city"]]
                lines.insert(0, (city_label, city_vals, "solid"))
                if not comparable(ind):
                    lines = lines[:1]
            cap = f"{d.name(lang)}: {self.L('timeseries', first=years[0], last=years[-1])}"
            svg = line_chart(years, lines, f"t-{d.key}", cap, lang)
            if svg:
                sec.figures.append(Figure(f"f-t-{d.key}", cap, svg))
        return sec

    def overview_table(self, ch: ChapterData) -> Table | None:
        rows, lang = [], self.lang
        cmp = self.data.compare_year
        for ind in ch.indicators:
            if ind.city is None:
                continue
            delta = ind.city - ind.city_cmp if ind.city_cmp is not None else None
            rows.append(
                [
                    ind.defn.name(lang),
                    ind.defn.unit,
                    str(ind.year),
                    fmt_value(ind.city_cmp, ind.defn, lang) if ind.compare_year else "–",
                    fmt_value(ind.city, ind.defn, lang),
                    fmt_change(delta, ind.defn, lang),
                ]
            )
        if not rows:
            return None
        city = self.data.city_name or self.L("city_value")
        header = [
            self.L("indicator"),
            self.L("unit"),
            "Jahr" if lang == "de" else "Year",
            str(cmp) if cmp else "–",
            city,
            self.L("change", cmp=cmp) if cmp else self.L("change", cmp="–"),
        ]
        cap = f"{ch.spec.title(lang)}: {city}"
        return Table(f"tab-{ch.spec.key}-stadt", cap, header, rows, [False, False, True, True, True, True])

    def value_tables(self, ch: ChapterData) -> list[Table]:
        out = []
        inds = ch.indicators
        for part, start in enumerate(range(0, len(inds), TABLE_COLUMNS), start=1):
            chunk = inds[start : start + TABLE_COLUMNS]
            header = [self.L("key"), self.L("district", unit=self.unit_word)]
            header += [f"{i.defn.name(self.lang)} ({i.defn.unit})" for i in chunk]
            rows = []
            for key, name in zip(self.data.units["unit_key"], self.data.units["name"], strict=True):
                row = [str(key), str(name)]
                for i in chunk:
                    r = i.table.loc[key] if key in i.table.index else None
                    row.append(
                        cell(r["value"], r["status"], r["flag_small"], i.defn.decimals, self.lang)
                        if r is not None
                        else "–"
                    )
                rows.append(row)
            n_parts = math.ceil(len(inds) / TABLE_COLUMNS)
            suffix = f" ({part}/{n_parts})" if n_parts > 1 else ""
            cap = self.L("values_table", unit=self.unit_word, year=self.s.year) + suffix
            out.append(
                Table(
                    f"tab-{ch.spec.key}-{part}",
                    f"{ch.spec.title(self.lang)}: {cap}",
                    header,
                    rows,
                    [False, False, *([True] * len(chunk))],
                    self.L("legend_signs"),
                )
            )
        return out

    def chapter(self, ch: ChapterData) -> Chapter:
        out = Chapter(id=f"k-{ch.spec.key}", key=ch.spec.key, title=ch.spec.title(self.lang))
        overview = self.overview_table(ch)
        if overview:
            out.tables.append(overview)
        out.sections = [self.indicator_section(ch, i) for i in ch.indicators]
        out.tables += self.value_tables(ch)
        out.missing = [d.name(self.lang) for d in ch.missing]
        return out

    # --- summary -----------------------------------------------------------------------------------
    def summary(self, idx: IndexOutcome) -> Chapter:
        lang = self.lang
        out = Chapter(id="k-zusammenfassung", key="zusammenfassung", title=self.L("summary"))
        out.paragraphs.append(
            self.L(
                "summary_intro",
                city=self.data.city_name,
                year=self.s.year,
                n=len(self.data.units),
                units=self.units_dative,
            )
        )
        findings = []
        for ch in self.data.with_data:
            for ind in ch.indicators:
                if ind.defn.polarity == "neutral" and ind.defn.key != "residents":
                    continue
                if ind.city is None or ind.city_cmp is None or ind.compare_year is None:
                    continue
                rel = abs(ind.city - ind.city_cmp) / abs(ind.city_cmp) if ind.city_cmp else 0.0
                sentence = city_change_sentence(
                    ind.city, ind.city_cmp, ind.year, ind.compare_year, ind.defn, self.data.city_name, lang
                )
                findings.append(
                    (ind.defn.key != "residents", -rel, ind.defn.key, f"{ind.defn.name(lang)}: {sentence}")
                )
        out.bullets = [f[3] for f in sorted(findings)[:8]]
        if idx.summary:
            out.bullets.append(idx.summary)
        if self.data.without_data:
            out.paragraphs.append(self.L("missing_chapters_intro"))
            out.missing = [
                f"{c.spec.title(lang)} ({', '.join(d.name(lang) for d in c.missing) or '–'})"
                for c in self.data.without_data
            ]
        return out


def build_report(session: Session, settings: ReportSettings, today: dt.date | None = None) -> Report:
    """The whole report as a document tree."""
    data = collect(session, settings)
    lang = settings.lang
    geo = geometries(session, data.level)
    geo = geo[geo["unit_key"].isin(set(data.units["unit_key"]))]
    base = MapBase.from_geometries(geo) if len(geo) else None
    b = Builder(data, base)
    idx = index_chapter(session, data, base)
    blocks = texts.read_blocks(settings.folder)
    pseudo = Pseudonymiser.from_folder(settings.folder)
    qualitative = interviews.qualitative_chapter(session, lang, pseudo)
    summary = b.summary(idx)
    if idx.chapter is None:
        summary.missing.append(f"{label(lang, 'index')} ({idx.missing})")
    if qualitative is None:
        summary.missing.append(f"{label(lang, 'qualitative')} ({label(lang, 'no_interviews')})")
    if summary.missing and not data.without_data:
        summary.paragraphs.append(label(lang, "missing_chapters_intro"))
    chapters = [summary]
    chapters += [b.chapter(c) for c in data.with_data]
    survey = survey_chapter(session, settings.year, lang)
    if survey is not None:
        chapters.append(survey)
    if idx.chapter is not None:
        chapters.append(idx.chapter)
    chapters.append(profiles_chapter(b, idx))
    if qualitative is not None:
        chapters.append(qualitative)
    chapters += appendix.chapters(data)
    for ch in chapters:
        texts.attach(ch, blocks)
    date = settings.report_date or today or dt.date.today()
    date_text = date.strftime("%d.%m.%Y") if lang == "de" else date.isoformat()
    cmp = data.compare_year
    subtitle = " · ".join(
        [
            label(lang, "report_date", date=date_text),
            label(lang, "comparison", cmp=cmp) if cmp else label(lang, "no_comparison"),
        ]
    )
    report = Report(
        lang=lang,
        title=settings.heading()
        if settings.city_name
        else ReportSettings(**{**settings.__dict__, "city_name": data.city_name}).heading(),
        subtitle=subtitle,
        city=data.city_name,
        date_text=date_text,
        chapters=chapters,
        labels=dict(LABELS[lang]),
        marking=label(lang, "internal_marking") if settings.internal else "",
    )
    return pseudo.apply_report(report)
