"""Generated sentences: rise, fall, no change, one district, ties, singular and plural."""

from __future__ import annotations

import dataclasses

from sozialmonitor.indicators.catalogue import IndicatorDef
from sozialmonitor.report.settings import UnitTerm
from sozialmonitor.report.text import (
    city_change_sentence,
    district_changes_sentence,
    extremes_sentence,
    far_sentence,
    fmt_change,
    fmt_value,
    join,
)

SHARE = IndicatorDef(
    key="x",
    name_de="Arbeitslosenanteil",
    name_en="Unemployment",
    theme="t",
    numerator=("a",),
    denominator=("b",),
    unit="%",
    decimals=1,
    polarity="negative",
)
COUNT = dataclasses.replace(SHARE, unit="Personen", decimals=0, polarity="neutral", denominator=())
T = UnitTerm()


def test_join_and_formats() -> None:
    assert join(["A"]) == "A"
    assert join(["A", "B"]) == "A und B"
    assert join(["A", "B", "C"], "en") == "A, B and C"
    assert fmt_value(12.345, SHARE) == "12,3\u202f%"
    assert fmt_value(108722, COUNT) == "108.722"
    assert fmt_change(1.0, dataclasses.replace(SHARE, decimals=0)) == "+1 Prozentpunkt"
    assert fmt_change(-2.5, SHARE) == "−2,5 Prozentpunkte"
    assert fmt_change(0.01, SHARE) == "0,0 Prozentpunkte"
    assert fmt_change(None, SHARE) == "–"


def test_extremes_single_highest_and_lowest() -> None:
    s = extremes_sentence([("Nord", 5.0), ("Süd", 9.0), ("Mitte", 7.0)], SHARE, T)
    assert (
        s
        == "Den höchsten Wert hat der Bezirk Süd (9,0\u202f%), den niedrigsten der Bezirk Nord (5,0\u202f%)."
    )


def test_extremes_ties_use_plural_and_je() -> None:
    s = extremes_sentence([("Nord", 5.0), ("Süd", 9.0), ("Ost", 9.04), ("West", 5.0)], SHARE, T)
    assert s == (
        "Den höchsten Wert haben die Bezirke Ost und Süd (je 9,0\u202f%), "
        "den niedrigsten die Bezirke Nord und West (je 5,0\u202f%)."
    )
    mixed = extremes_sentence([("Nord", 5.0), ("Süd", 9.0), ("Ost", 9.0)], SHARE, T)
    assert (
        mixed == "Den höchsten Wert haben die Bezirke Ost und Süd (je 9,0\u202f%), "
        "den niedrigsten der Bezirk Nord (5,0\u202f%)."
    )


def test_extremes_one_district_none_and_all_equal() -> None:
    assert extremes_sentence([("Nord", 5.0)], SHARE, T) == (
        "Nur für einen Bezirk liegt ein auswertbarer Wert vor: Nord (5,0\u202f%)."
    )
    assert extremes_sentence([], SHARE, T) == "Für keinen Bezirk liegt ein auswertbarer Wert vor."
    assert (
        extremes_sentence([("A", 1.0), ("B", 1.0)], SHARE, T)
        == "Alle 2 Bezirke haben denselben Wert (1,0\u202f%)."
    )


def test_extremes_many_ties_are_shortened() -> None:
    values = [(f"B{i}", 0.0) for i in range(8)] + [("Top", 3.0)]
    s = extremes_sentence(values, SHARE, T)
    assert "B0, B1, B2, B3 und 4 weitere (je 0,0\u202f%)" in s


def test_city_change_rise_fall_none_with_polarity() -> None:
    rise = city_change_sentence(6.0, 5.0, 2017, 2012, SHARE, "Jena")
    assert rise == (
        "In Jena ist der Wert von 5,0\u202f% (2012) auf 6,0\u202f% (2017) gestiegen, um 1,0 Prozentpunkte. "
        "Das ist eine ungünstige Entwicklung."
    )
    fall = city_change_sentence(4.0, 5.0, 2017, 2012, SHARE, "Jena")
    assert "gesunken" in fall and "günstige Entwicklung" in fall and "ungünstige" not in fall
    same = city_change_sentence(5.02, 5.0, 2017, 2012, SHARE, "Jena")
    assert same == "In Jena ist der Wert gegenüber 2012 unverändert geblieben (5,0\u202f%)."
    neutral = city_change_sentence(110, 100, 2017, 2012, COUNT, "")
    assert neutral == "Stadtweit ist der Wert von 100 (2012) auf 110 (2017) gestiegen, um 10."
    assert "rose" in city_change_sentence(6.0, 5.0, 2017, 2012, SHARE, "Jena", "en")
    assert city_change_sentence(6.0, None, 2017, 2012, SHARE, "Jena").startswith("Ein gesamtstädtischer")
    assert city_change_sentence(6.0, 5.0, 2017, None, SHARE, "Jena") == ""


def test_district_changes_singular_plural_and_all_same() -> None:
    s = district_changes_sentence([1.0, 2.0, -1.0, 0.0, 0.0], 2012, SHARE, T)
    assert s == (
        "Gegenüber 2012 ist der Wert in 2 Bezirken gestiegen, in einem Bezirk gesunken und in 2 Bezirken "
        "gleich geblieben."
    )
    assert district_changes_sentence([-1.0, -0.5], 2012, SHARE, T) == (
        "Gegenüber 2012 ist der Wert in allen 2 Bezirken gesunken."
    )
    assert (
        district_changes_sentence([0.3], 2012, SHARE, T)
        == "Gegenüber 2012 ist der Wert in einem Bezirk gestiegen."
    )
    assert (
        district_changes_sentence([], 2012, SHARE, T)
        == "Für keinen Bezirk ist ein Vergleich mit 2012 möglich."
    )
    assert "fell in one district" in district_changes_sentence([1.0, -1.0], 2012, SHARE, T, "en")


def test_far_sentence_singular_plural_none() -> None:
    one = far_sentence([("Nord", 20.0)], [], 10.0, SHARE, T)
    assert one == "Deutlich über dem städtischen Wert (10,0\u202f%) liegt der Bezirk Nord (20,0\u202f%)."
    two = far_sentence([], [("Ost", 1.0), ("West", 2.0)], 10.0, SHARE, T)
    assert (
        two == "Deutlich unter dem städtischen Wert (10,0\u202f%) liegen die Bezirke Ost (1,0\u202f%) "
        "und West (2,0\u202f%)."
    )
    assert (
        far_sentence([], [], 10.0, SHARE, T)
        == "Kein Bezirk weicht deutlich vom städtischen Wert (10,0\u202f%) ab."
    )
    term = UnitTerm("Planungsraum", "Planungsräume", "Planungsräumen")
    assert "die Planungsräume" in far_sentence([("A", 20.0), ("B", 30.0)], [], 10.0, SHARE, term)
