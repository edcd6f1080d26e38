"""Tables of the strategy: Handlungsfelder, goals, target indicators, measures (notes, outputs) and the
history of every change (who, when, entity, field, old, new)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sozialmonitor.db.models import Base


class StrategyInfo(Base):
    """The strategy's name (one row)."""

    __tablename__ = "strategy_info"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")


class StrategyField(Base):
    """A Handlungsfeld (action field)."""

    __tablename__ = "strategy_field"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(50), unique=True)
    name_de: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class StrategyGoal(Base):
    """A Ziel (goal): text, adoption date and council decision reference."""

    __tablename__ = "strategy_goal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("strategy_field.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    adopted: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    decision: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    field: Mapped[StrategyField] = relationship()
    targets: Mapped[list[StrategyTarget]] = relationship(
        cascade="all, delete-orphan", order_by="StrategyTarget.position"
    )
    measures: Mapped[list[StrategyMeasure]] = relationship(
        cascade="all, delete-orphan", order_by="StrategyMeasure.position"
    )


class StrategyTarget(Base):
    """A target indicator of a goal (catalogue or survey indicator) with baseline and target."""

    __tablename__ = "strategy_target"
    __table_args__ = (UniqueConstraint("goal_id", "key", name="uq_strategy_target_goal_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("strategy_goal.id"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    indicator: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(12))  # catalogue | survey
    level: Mapped[str] = mapped_column(String(50))
    unit_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    selection: Mapped[str] = mapped_column(String(20), default="all")  # all | worse_than_city
    city_level: Mapped[str] = mapped_column(String(50), default="stadt")
    baseline_year: Mapped[int] = mapped_column(Integer)
    baseline_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_year: Mapped[int] = mapped_column(Integer)
    target_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_change: Mapped[float | None] = mapped_column(Float, nullable=True)
    direction: Mapped[str] = mapped_column(String(10))  # decrease | increase
    quorum: Mapped[float] = mapped_column(Float, default=1.0)
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class StrategyMeasure(Base):
    """A Maßnahme (measure): who, with whom, for whom, where, when, budget and status."""

    __tablename__ = "strategy_measure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("strategy_goal.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(300), default="")
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_group: Mapped[str] = mapped_column(Text, default="")
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)  # unit keys
    start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    budget: Mapped[float | None] = mapped_column(Float, nullable=True)  # EUR
    status: Mapped[str] = mapped_column(String(10))  # planned | running | done | stopped
    position: Mapped[int] = mapped_column(Integer, default=0)

    notes: Mapped[list[StrategyNote]] = relationship(
        cascade="all, delete-orphan", order_by="StrategyNote.position"
    )
    outputs: Mapped[list[StrategyOutput]] = relationship(
        cascade="all, delete-orphan", order_by="StrategyOutput.position"
    )


class StrategyNote(Base):
    """A dated progress note on a measure."""

    __tablename__ = "strategy_note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("strategy_measure.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


class StrategyOutput(Base):
    """An output indicator of a measure in one year: participants, offers or cases."""

    __tablename__ = "strategy_output"
    __table_args__ = (UniqueConstraint("measure_id", "year", "kind", name="uq_strategy_output_cell"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("strategy_measure.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # participants | offers | cases
    value: Mapped[float] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0)


class StrategyChange(Base):
    """History: one changed field of one entity, who changed it and when (never deleted)."""

    __tablename__ = "strategy_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    changed_by: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(20))  # handlungsfeld | goal | target | measure | note | output
    entity_key: Mapped[str] = mapped_column(String(300), index=True)
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
