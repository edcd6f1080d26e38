"""The closing chapters: methodology, indicator glossary, data sources and licences."""

from __future__ import annotations

from sozialmonitor.report.data import ReportData
from sozialmonitor.report.labels import label
from sozialmonitor.report.model import Chapter, Table


def methodology(data: ReportData) -> Chapter:
    s, lang = data.settings, data.settings.lang
    de = lang == "de"
    term = s.unit_term
    ch = Chapter(id="k-methodik", key="methodik", title=label(lang, "methodology"))
    years = f"{data.years[0]}–{data.years[-1]}" if len(data.years) > 1 else str(data.years[0])
    if de:
        ch.paragraphs += [
            f"Datengrundlage sind die Beobachtungen der sozialmonitor-Datenbank für die Jahre {years} auf "
            "der "
            f"Ebene „{data.level}“ ({len(data.units)} {term.plural}). Berichtsjahr ist {s.year}, "
            "Vergleichsjahr "
            f"{data.compare_year or '–'}. Liegt für ein Indikator im Berichtsjahr kein Wert vor, wird der "
            "letzte "
            "verfügbare Stand gezeigt und genannt.",
            "Alle Indikatoren sind Quotienten aus Summen von Variablen nach dem Indikatorenkatalog (siehe "
            "Glossar). "
            "Der städtische Wert ist der veröffentlichte Gesamtwert der Stadt oder die Summe der Bezirke; "
            "für "
            "Indikatoren, die nur als Anteile je Bezirk geliefert werden, gibt es keinen Stadtwert.",
            "Werte, die das Statistikgeheimnis schützt („.“), und Werte mit zu kleiner Bezugsgröße („/“) "
            "gehen "
            "weder in Rangfolgen noch in Texte, Karten oder den Sozialindex ein. Die Karten teilen die "
            "Bezirke in "
            f"{s.classes} Quantilsklassen (gleich viele {term.plural} je Klasse); dunkler bedeutet höher.",
            "Als deutlich vom städtischen Wert abweichend gilt ein Bezirk, dessen Wert mehr als das "
            "1,5-Fache der "
            "Standardabweichung der Bezirkswerte über oder unter dem Stadtwert liegt. Veränderungen gelten "
            "als "
            "„gleich geblieben“, wenn sie in der veröffentlichten Genauigkeit null sind.",
            "Der Sozialindex folgt dem Verfahren des Berliner Monitorings Soziale Stadtentwicklung: "
            "z-standardisierte Status- und Dynamikindikatoren, Summenindex, erneut standardisiert; "
            "Statusklassen "
            "hoch (< −1), mittel, niedrig (> 1), sehr niedrig (> 1,5); Dynamik positiv (< −1), stabil, "
            "negativ "
            "(> 1). Bezirke unter der Mindesteinwohnerzahl gehen nicht ein.",
        ]
    else:
        ch.paragraphs += [
            f"The report uses the observations in the sozialmonitor database for {years} on the level "
            f"“{data.level}” ({len(data.units)} {term.plural_en}). Report year {s.year}, comparison year "
            f"{data.compare_year or '–'}. Where an indicator has no value in the report year, the latest "
            "available year is shown and named.",
            "All indicators are ratios of sums of variables as defined in the indicator catalogue (see "
            "glossary).",
            "Values withheld for statistical confidentiality (“.”) and values with a too small denominator "
            "(“/”) "
            f"are left out of rankings, texts, maps and the social index. Maps use {s.classes} quantile "
            "classes.",
            "A district differs markedly from the city if its value is more than 1.5 standard deviations "
            "of the "
            "district values above or below the city value.",
            "The social index follows the method of Berlin's Monitoring Soziale Stadtentwicklung (MSS).",
        ]
    return ch


def glossary(data: ReportData) -> Chapter:
    lang = data.settings.lang
    ch = Chapter(id="k-glossar", key="glossar", title=label(lang, "glossary"))
    inds = sorted(
        (i for c in data.with_data for i in c.indicators),
        key=lambda i: (
            data.catalogue.themes[i.defn.theme].order if i.defn.theme in data.catalogue.themes else 99,
            i.defn.name(lang),
        ),
    )
    rows = []
    for i in inds:
        d = i.defn
        theme = data.catalogue.themes.get(d.theme)
        rows.append(
            [
                d.name(lang),
                (d.definition_de if lang == "de" else d.definition_en or d.definition_de) or "–",
                d.unit,
                label(lang, f"polarity_{d.polarity}"),
                d.source or "–",
                (theme.name_de if lang == "de" else theme.name_en) if theme else d.theme,
            ]
        )
    header = [label(lang, k) for k in ("indicator", "definition", "unit", "polarity", "source", "theme")]
    ch.tables.append(Table("tab-glossar", label(lang, "glossary"), header, rows, [False] * 6))
    return ch


def sources(data: ReportData) -> Chapter:
    lang = data.settings.lang
    ch = Chapter(id="k-quellen", key="quellen", title=label(lang, "sources"))
    by_source: dict[str, list[str]] = {}
    for c in data.with_data:
        for i in c.indicators:
            by_source.setdefault(i.defn.source or "–", []).append(i.defn.name(lang))
    rows = [[src, ", ".join(sorted(names))] for src, names in sorted(by_source.items())]
    ch.tables.append(
        Table(
            "tab-quellen",
            label(lang, "sources"),
            [label(lang, "source"), label(lang, "indicator")],
            rows,
            [False, False],
        )
    )
    for path in data.settings.sources:
        if path.is_file():
            ch.extra_markdown.append(path.read_text(encoding="utf-8"))
    return ch


def chapters(data: ReportData) -> list[Chapter]:
    return [methodology(data), glossary(data), sources(data)]
