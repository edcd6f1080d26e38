"""The social index chapter: status × dynamics (MSS method) with maps, the 4 × 3 table and the unit list."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.fmt import number
from sozialmonitor.indices.mss import DYNAMICS_CLASSES, STATUS_CLASSES
from sozialmonitor.publication.social_index import city_index_config, compute_city_index
from sozialmonitor.report.data import ReportData
from sozialmonitor.report.maps import MapBase, choropleth
from sozialmonitor.report.model import Chapter, Figure, Table
from sozialmonitor.report.text import join

REASONS = {
    "de": {
        "missing_values": "Indikatorwerte fehlen oder sind gesperrt",
        "below_min_population": "weniger Einwohner als die Mindestzahl",
        "excluded": "ausdrücklich ausgeschlossen",
    },
    "en": {
        "missing_values": "indicator values missing or withheld",
        "below_min_population": "fewer residents than the minimum",
        "excluded": "excluded explicitly",
    },
}
STATUS_EN = ("high", "medium", "low", "very low")
DYNAMICS_EN = ("positive", "stable", "negative")


@dataclass
class IndexOutcome:
    chapter: Chapter | None
    table: pd.DataFrame
    summary: str
    missing: str
    lang: str

    def reason_text(self, reason: str) -> str:
        return REASONS.get(self.lang, REASONS["de"]).get(reason, reason)


def _compute(session: Session, data: ReportData) -> tuple[pd.DataFrame, str, tuple[str, ...]]:
    """The city's social index for the report year by the function the portal and the CLI use: from the
    released figures (public edition) or the raw ones (internal edition)."""
    year = data.settings.year
    cfg = city_index_config(session, data.settings.index.config)
    index = compute_city_index(
        session, data.level, year, cfg, catalogue=data.catalogue, public=not data.settings.internal
    )
    return index.table, cfg.name_de or cfg.name, cfg.status


def index_chapter(session: Session, data: ReportData, base: MapBase | None) -> IndexOutcome:
    lang = data.settings.lang
    de = lang == "de"
    title = "Sozialindex (Status und Dynamik)" if de else "Social index (status and dynamics)"
    try:
        t, name, status_indicators = _compute(session, data)
    except SozialmonitorError as exc:
        return IndexOutcome(None, pd.DataFrame(), "", exc.de if de else exc.en, lang)
    names = dict(zip(data.units["unit_key"], data.units["name"], strict=True))
    term = data.settings.unit_term
    units_word = term.plural if de else term.plural_en
    ch = Chapter(id="k-sozialindex", key="sozialindex", title=title)
    valid = t[t["valid"]]
    ind_names = [
        data.catalogue.indicators[k].name(lang) if k in data.catalogue.indicators else k
        for k in status_indicators
    ]
    if de:
        ch.paragraphs.append(
            f"Der Sozialindex ({name}) fasst die Indikatoren {join(ind_names)} zu einem Statusindex "
            "zusammen; "
            "der Dynamikindex beschreibt ihre Veränderung. Beide Indizes sind z-standardisiert; ein hoher "
            "Wert "
            f"bedeutet eine ungünstige Lage. {len(valid)} von {len(t)} {units_word} gehen in den Index ein."
        )
    else:
        ch.paragraphs.append(
            f"The social index ({name}) combines the indicators {join(ind_names, 'en')} into a status "
            "index; the "
            f"dynamics index describes their change. Both are z-standardised; a high value means a "
            f"disadvantaged situation. {len(valid)} of {len(t)} {units_word} enter the index."
        )
    status_names = list(STATUS_CLASSES) if de else list(STATUS_EN)
    dyn_names = list(DYNAMICS_CLASSES) if de else list(DYNAMICS_EN)
    counts = pd.crosstab(valid["status_class_n"].astype(int), valid["dynamics_class_n"].astype(int))
    rows = []
    for s in (1, 2, 3, 4):
        row = [status_names[s - 1]]
        for d in (1, 3, 5):
            n = counts.at[s, d] if s in counts.index and d in counts.columns else 0
            row.append(str(int(str(n))))
        row.append(str(int((valid["status_class_n"] == s).sum())))
        rows.append(row)
    header = [
        "Status",
        *(f"Dynamik {n}" if de else f"Dynamics {n}" for n in dyn_names),
        "Summe" if de else "Total",
    ]
    ch.tables.append(
        Table(
            "tab-index-matrix",
            ("Anzahl der " if de else "Number of ") + f"{units_word}: Status × Dynamik",
            header,
            rows,
            [False, True, True, True, True],
        )
    )
    worst = valid[valid["status_class_n"] == 4]
    names_worst = sorted(names.get(str(k), str(k)) for k in worst.index)
    if de:
        summary = (
            f"Sozialindex: {len(names_worst)} {term.plural if len(names_worst) != 1 else term.singular} "
            f"mit sehr niedrigem Status" + (f" ({join(names_worst)})." if names_worst else ".")
        )
    else:
        summary = f"Social index: {len(names_worst)} {term.plural_en} with very low status" + (
            f" ({join(names_worst, 'en')})." if names_worst else "."
        )
    ch.paragraphs.append(summary)
    if base is not None:
        status_cat = {str(k): int(v) - 1 for k, v in valid["status_class_n"].items()}
        dyn_cat = {str(k): (int(v) - 1) // 2 for k, v in valid["dynamics_class_n"].dropna().items()}
        for key, cats, labels, cap in (
            ("status", status_cat, status_names, "Statusindex" if de else "Status index"),
            ("dynamik", dyn_cat, dyn_names, "Dynamikindex" if de else "Dynamics index"),
        ):
            svg = choropleth(
                base,
                {},
                f"m-index-{key}",
                f"{cap} {data.settings.year}",
                "Klassen in Graustufen; schraffiert: nicht im Index."
                if de
                else "Classes in grey; hatched: not in the index.",
                categories=cats,
                category_labels=labels,
                missing_label="nicht im Index" if de else "not in the index",
            )
            ch.figures.append(Figure(f"f-index-{key}", f"{cap} {data.settings.year}", svg, "map"))
    rows = []
    for key in data.units["unit_key"]:
        if key not in t.index:
            continue
        r = t.loc[key]
        ok = bool(r["valid"])
        rows.append(
            [
                str(key),
                names.get(str(key), str(key)),
                number(float(r["status_index"]), 2, lang) if ok else "–",
                status_names[int(r["status_class_n"]) - 1] if ok else "–",
                number(float(r["dynamics_index"]), 2, lang) if ok and pd.notna(r["dynamics_index"]) else "–",
                dyn_names[(int(r["dynamics_class_n"]) - 1) // 2]
                if ok and pd.notna(r["dynamics_class_n"])
                else "–",
                str(r["gesamtindex"])
                if ok
                else REASONS[lang if lang in REASONS else "de"].get(str(r["reason"]), str(r["reason"])),
            ]
        )
    header = [
        "Nr." if de else "No.",
        term.singular if de else term.singular_en,
        "Statusindex" if de else "Status index",
        "Status",
        "Dynamikindex" if de else "Dynamics index",
        "Dynamik" if de else "Dynamics",
        "Gesamtindex" if de else "Overall",
    ]
    ch.tables.append(
        Table(
            "tab-index-units",
            ("Sozialindex je " if de else "Social index per ") + (term.singular if de else term.singular_en),
            header,
            rows,
            [False, False, True, False, True, False, False],
        )
    )
    return IndexOutcome(ch, t, summary, "", lang)
