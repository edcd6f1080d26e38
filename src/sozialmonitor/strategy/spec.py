"""The strategy as plain data: Handlungsfelder → Ziele (with target indicators) → Maßnahmen.

These dataclasses are what the YAML file holds, what the store reads and writes, and what the
evaluation and the report work on. They know nothing about files or the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

DIRECTIONS: tuple[str, ...] = ("decrease", "increase")
SOURCES: tuple[str, ...] = ("catalogue", "survey")
SELECTIONS: tuple[str, ...] = ("all", "worse_than_city")
MEASURE_STATUSES: tuple[str, ...] = ("planned", "running", "done", "stopped")
MEASURE_STATUS_DE: dict[str, str] = {
    "planned": "geplant",
    "running": "laufend",
    "done": "abgeschlossen",
    "stopped": "eingestellt",
}
OUTPUT_KINDS: tuple[str, ...] = ("participants", "offers", "cases")
OUTPUT_KIND_DE: dict[str, str] = {"participants": "Teilnehmende", "offers": "Angebote", "cases": "Fälle"}


@dataclass
class FieldSpec:
    """A Handlungsfeld (action field)."""

    key: str
    name_de: str
    name_en: str
    order: int = 0


@dataclass
class TargetSpec:
    """A target indicator of a goal.

    ``source``: ``catalogue`` (indicator computed from the store) or ``survey`` (stored survey estimate
    with its confidence interval). ``level``: the level evaluated (the city level or a district level).
    District targets apply to ``units`` (explicit keys) or, with ``select: worse_than_city``, to the
    units whose baseline value is worse than the value of the unit on ``city_level``. The target is
    ``target_value`` (the same for every unit) or ``target_change`` (change from each unit's baseline,
    in the indicator's unit). ``quorum``: share of evaluated units that must reach the target.
    ``baseline_value``: the value the council adopted; if empty, taken from the data.
    """

    indicator: str
    baseline_year: int
    target_year: int
    direction: str = "decrease"
    target_value: float | None = None
    target_change: float | None = None
    baseline_value: float | None = None
    level: str = "stadt"
    source: str = "catalogue"
    units: list[str] = field(default_factory=list)
    select: str = "all"
    city_level: str = "stadt"
    quorum: float = 1.0
    key: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            self.key = self.indicator


@dataclass
class NoteSpec:
    """A dated progress note on a measure."""

    date: dt.date
    text: str


@dataclass
class OutputSpec:
    """An output indicator of a measure in one year (participants, offers, cases)."""

    year: int
    kind: str
    value: float


@dataclass
class MeasureSpec:
    """A Maßnahme (measure) serving a goal."""

    key: str
    title: str
    responsible: str = ""
    partners: list[str] = field(default_factory=list)
    target_group: str = ""
    districts: list[str] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    budget: float | None = None
    status: str = "planned"
    notes: list[NoteSpec] = field(default_factory=list)
    outputs: list[OutputSpec] = field(default_factory=list)


@dataclass
class GoalSpec:
    """A Ziel (goal) of a Handlungsfeld, as adopted by the council."""

    key: str
    handlungsfeld: str
    text: str
    text_en: str = ""
    adopted: dt.date | None = None
    decision: str = ""
    targets: list[TargetSpec] = field(default_factory=list)
    measures: list[MeasureSpec] = field(default_factory=list)

    def target(self, key: str) -> TargetSpec | None:
        return next((t for t in self.targets if t.key == key), None)


@dataclass
class StrategySpec:
    """The whole strategy."""

    name: str = ""
    fields: list[FieldSpec] = field(default_factory=list)
    goals: list[GoalSpec] = field(default_factory=list)

    def goal(self, key: str) -> GoalSpec | None:
        return next((g for g in self.goals if g.key == key), None)

    def field_name(self, key: str, lang: str = "de") -> str:
        f = next((f for f in self.fields if f.key == key), None)
        if f is None:
            return key
        return f.name_de if lang == "de" else f.name_en
