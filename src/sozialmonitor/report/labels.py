"""The report's fixed texts in German (formal "Sie") and English (``--lang en``)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "toc": "Inhalt",
        "summary": "Zusammenfassung der wichtigsten Ergebnisse",
        "summary_intro": (
            "Dieser Bericht beschreibt die Lebenslagen in {city} für das Jahr {year} auf der Ebene von "
            "{n} {units}. Die folgenden Ergebnisse wurden aus den Daten der Datenbank erzeugt."
        ),
        "missing_chapters": "Kapitel ohne Daten",
        "missing_chapters_intro": (
            "Für die folgenden Themen liegen in der Datenbank keine Daten vor; sie erscheinen deshalb nicht "
            "als eigene Kapitel:"
        ),
        "missing_indicators": "Ohne Daten in diesem Kapitel:",
        "index": "Sozialindex (Status und Dynamik)",
        "profiles": "Profile der {units}",
        "profiles_intro": (
            "Je {unit} eine Seite: Lage im Stadtgebiet, die wichtigsten Kennzahlen im Vergleich zum "
            "städtischen Wert und die Veränderung seit {cmp}."
        ),
        "qualitative": "Qualitative Interviews",
        "methodology": "Methodik",
        "glossary": "Glossar der Indikatoren",
        "sources": "Datenquellen und Lizenzen",
        "planner_text": "Anmerkung der Sozialplanung",
        "map": "Karte",
        "table": "Tabelle",
        "figure": "Abbildung",
        "indicator": "Indikator",
        "value": "Wert",
        "city_value": "Stadt",
        "difference": "Abstand zur Stadt",
        "change": "Veränderung seit {cmp}",
        "rank": "Rang",
        "district": "{unit}",
        "key": "Nr.",
        "trend_city": "Stadt",
        "trend_high": "höchster {unit}",
        "trend_low": "niedrigster {unit}",
        "timeseries": "Zeitreihe {first}–{last}",
        "ranking": "Die {n} höchsten und niedrigsten Werte {year}",
        "ranking_all": "Rangfolge {year}",
        "values_table": "Werte je {unit} {year}",
        "map_caption": "{name} {year} nach {unit} (Quantilsklassen)",
        "map_desc": (
            "Choroplethenkarte in Graustufen: je dunkler, desto höher der Wert. Schraffiert: keine Angabe. "
            "Die Werte stehen in der Tabelle {table}."
        ),
        "latest_year": "Letzter verfügbarer Stand: {year}.",
        "no_value": "keine Angabe",
        "legend_signs": (
            "Zeichen: „.“ Wert geheim gehalten (Statistikgeheimnis); „/“ Wert nicht sicher genug "
            "(zu kleine Bezugsgröße); „–“ keine Angabe."
        ),
        "definition": "Definition",
        "source": "Quelle",
        "polarity": "Wertung",
        "polarity_negative": "ein hoher Wert ist ungünstig",
        "polarity_positive": "ein hoher Wert ist günstig",
        "polarity_neutral": "beschreibend",
        "unit": "Einheit",
        "theme": "Thema",
        "report_date": "Stand: {date}",
        "comparison": "Vergleichsjahr: {cmp}",
        "no_comparison": "kein Vergleichsjahr",
        "internal_marking": "Nur für den Dienstgebrauch – interne Ausgabe mit ungeschützten Zahlen",
        "profile_index": "Sozialindex: Status {status}, Dynamik {dynamics} (Gesamtindex {code}).",
        "profile_index_invalid": "Sozialindex: nicht berechnet ({reason}).",
        "profile_far": "Deutlich vom städtischen Wert weichen ab: {items}.",
        "profile_none_far": "Keine der Kennzahlen weicht deutlich vom städtischen Wert ab.",
        "above": "darüber",
        "below": "darunter",
        "page": "Seite",
        "interviews": "Interviews",
        "passages": "codierte Passagen",
        "group": "Zielgruppe",
        "date": "Datum",
        "quotes": "Zitate",
        "theme_counts": "Themen der Interviews",
        "no_interviews": (
            "In der Datenbank sind keine Interviews gespeichert. Sie können Transkripte und Codierungen mit "
            "„sozialmonitor report interviews import“ einlesen."
        ),
        "footer_city": "{city}",
        "survey_chapter": "Ergebnisse der Haushaltebefragung",
        "survey_intro": (
            "Dieses Kapitel zeigt Ergebnisse aus {surveys} ({year}) je Gebiet als gewichtete Schätzwerte mit "
            "95-%-Konfidenzintervall und der Zahl der Antworten (n). Der wahre Wert liegt mit hoher "
            "Wahrscheinlichkeit im angegebenen Intervall."
        ),
        "survey_uncertain_rule": (
            "Schätzwerte, die als „zu unsicher“ markiert sind (weniger als 30 Antworten oder "
            "Variationskoeffizient über 30 %), werden in diesem Bericht nicht interpretiert."
        ),
        "survey_n_uncertain": "{n} Schätzwerte sind als zu unsicher markiert.",
        "survey_area": "Gebiet",
        "survey_estimate": "Schätzwert",
        "survey_ci": "95-%-Konfidenzintervall",
        "survey_quality": "Aussagekraft",
        "survey_too_uncertain": "zu unsicher – nicht interpretiert",
        "survey_ok": "ausreichend",
        "survey_table_note": "Gewichtete Schätzung aus einer Stichprobe; n: Zahl der Antworten.",
    },
    "en": {
        "toc": "Contents",
        "summary": "Summary of key findings",
        "summary_intro": (
            "This report describes the social situation in {city} in {year} for {n} {units}. The findings "
            "below were generated from the data in the database."
        ),
        "missing_chapters": "Chapters without data",
        "missing_chapters_intro": (
            "The database holds no data on the following themes, so they do not appear as chapters:"
        ),
        "missing_indicators": "Without data in this chapter:",
        "index": "Social index (status and dynamics)",
        "profiles": "Profiles of the {units}",
        "profiles_intro": (
            "One page per {unit}: location in the city, the main figures compared with the city value and "
            "the change since {cmp}."
        ),
        "qualitative": "Qualitative interviews",
        "methodology": "Methodology",
        "glossary": "Indicator glossary",
        "sources": "Data sources and licences",
        "planner_text": "Note by the social planning team",
        "map": "Map",
        "table": "Table",
        "figure": "Figure",
        "indicator": "Indicator",
        "value": "Value",
        "city_value": "City",
        "difference": "Difference to city",
        "change": "Change since {cmp}",
        "rank": "Rank",
        "district": "{unit}",
        "key": "No.",
        "trend_city": "City",
        "trend_high": "highest {unit}",
        "trend_low": "lowest {unit}",
        "timeseries": "Time series {first}–{last}",
        "ranking": "The {n} highest and lowest values {year}",
        "ranking_all": "Ranking {year}",
        "values_table": "Values per {unit} {year}",
        "map_caption": "{name} {year} by {unit} (quantile classes)",
        "map_desc": (
            "Greyscale choropleth map: the darker, the higher the value. Hatched: no value. The values are "
            "listed in table {table}."
        ),
        "latest_year": "Latest available year: {year}.",
        "no_value": "no value",
        "legend_signs": (
            "Signs: “.” value withheld (statistical confidentiality); “/” value not reliable (denominator "
            "too small); “–” no value."
        ),
        "definition": "Definition",
        "source": "Source",
        "polarity": "Assessment",
        "polarity_negative": "a high value is unfavourable",
        "polarity_positive": "a high value is favourable",
        "polarity_neutral": "descriptive",
        "unit": "Unit",
        "theme": "Theme",
        "report_date": "As of: {date}",
        "comparison": "Comparison year: {cmp}",
        "no_comparison": "no comparison year",
        "internal_marking": "For official use only – internal edition with unprotected figures",
        "profile_index": "Social index: status {status}, dynamics {dynamics} (overall index {code}).",
        "profile_index_invalid": "Social index: not computed ({reason}).",
        "profile_far": "Markedly different from the city value: {items}.",
        "profile_none_far": "None of the figures differs markedly from the city value.",
        "above": "above",
        "below": "below",
        "page": "Page",
        "interviews": "interviews",
        "passages": "coded passages",
        "group": "Target group",
        "date": "Date",
        "quotes": "Quotations",
        "theme_counts": "Themes of the interviews",
        "no_interviews": (
            "No interviews are stored in the database. You can read transcripts and codings with "
            "“sozialmonitor report interviews import”."
        ),
        "footer_city": "{city}",
        "survey_chapter": "Results of the household survey",
        "survey_intro": (
            "This chapter shows results from {surveys} ({year}) per area as weighted estimates with a 95 % "
            "confidence interval and the number of answers (n). The true value lies in the interval with "
            "high probability."
        ),
        "survey_uncertain_rule": (
            "Estimates marked as “too uncertain” (fewer than 30 answers or a coefficient of variation above "
            "30 %) are not interpreted in this report."
        ),
        "survey_n_uncertain": "{n} estimates are marked as too uncertain.",
        "survey_area": "Area",
        "survey_estimate": "Estimate",
        "survey_ci": "95 % confidence interval",
        "survey_quality": "Reliability",
        "survey_too_uncertain": "too uncertain – not interpreted",
        "survey_ok": "sufficient",
        "survey_table_note": "Weighted estimate from a sample; n: number of answers.",
    },
}


def label(lang: str, key: str, **kwargs: object) -> str:
    text = LABELS.get(lang, LABELS["de"])[key]
    return text.format(**kwargs) if kwargs else text
