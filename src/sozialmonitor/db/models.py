"""The relational model of the store (SQLite by default, PostgreSQL in production).

Geometries are kept as GeoJSON text in WGS84 so that both back ends store them the
same way; areas are computed once at import in a metric CRS.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

OBSERVATION_STATUSES = ("ok", "suppressed", "missing", "estimated")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class ImportRun(Base):
    """One import of one file: what, when, how many rows, and whether it was undone."""

    __tablename__ = "import_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # geo | table | register | demo
    file_name: Mapped[str] = mapped_column(String(500))
    file_hash: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="done")  # done | undone
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SpatialLevel(Base):
    """A level of the city's spatial hierarchy, e.g. Stadt › Ortsteil › statistischer Bezirk."""

    __tablename__ = "spatial_level"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(50), unique=True)
    name_de: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int] = mapped_column(Integer)  # 0 = whole city; larger = finer


class SpatialUnit(Base):
    """A unit of a level with a stable key, valid over [valid_from, valid_to)."""

    __tablename__ = "spatial_unit"
    __table_args__ = (UniqueConstraint("level_id", "key", "valid_from", name="uq_spatial_unit_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("spatial_level.id"), index=True)
    key: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("spatial_unit.id"), nullable=True)
    geometry: Mapped[str | None] = mapped_column(Text, nullable=True)  # GeoJSON geometry, WGS84
    area_m2: Mapped[float | None] = mapped_column(Float, nullable=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, default=dt.date(1900, 1, 1))
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id"), nullable=True)

    level: Mapped[SpatialLevel] = relationship()


class UnitLineage(Base):
    """Boundary history: ``unit`` arose (partly) from ``predecessor``."""

    __tablename__ = "unit_lineage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("spatial_unit.id"), index=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("spatial_unit.id"), index=True)
    share: Mapped[float | None] = mapped_column(Float, nullable=True)  # share of predecessor's area
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Variable(Base):
    """A base count or amount observed per unit and reference date."""

    __tablename__ = "variable"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name_de: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(50), default="Anzahl")
    kind: Mapped[str] = mapped_column(String(10), default="count", server_default="count")
    """count | amount | rate | index | change (see :mod:`sozialmonitor.indicators.kinds`)."""
    theme: Mapped[str | None] = mapped_column(String(100), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    max_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Largest plausible value (``max:`` in the variables file); larger values are refused at import."""


class Observation(Base):
    """Value of a variable for a unit at a reference date, with its status and origin."""

    __tablename__ = "observation"
    __table_args__ = (
        UniqueConstraint("unit_id", "variable_id", "ref_date", name="uq_observation_cell"),
        Index("ix_observation_variable_date", "variable_id", "ref_date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("spatial_unit.id"))
    variable_id: Mapped[int] = mapped_column(ForeignKey("variable.id"))
    ref_date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="ok")
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id"), nullable=True, index=True)


class VariableRelation(Base):
    """An additive relation between variables: ``total = sum(parts)`` for every unit and date.

    Kept so that disclosure control knows which sums the public could form (e.g. age bands add up to the
    residents total) and protects suppressed cells against differencing across variables, not only across
    the spatial hierarchy. Written by the city build from its additive checks and derived variables.
    """

    __tablename__ = "variable_relation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    total: Mapped[str] = mapped_column(String(100), index=True)
    parts: Mapped[list[str]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)


class SurveyEstimate(Base):
    """A published survey indicator for a unit: estimate with its uncertainty (one import = one publication).

    The indicator is a ``variable`` (name, unit). Publishing again adds rows under a new import; the latest
    import that is not undone is the current one, so undo brings back the previous publication.
    """

    __tablename__ = "survey_estimate"
    __table_args__ = (Index("ix_survey_estimate_variable_date", "variable_id", "ref_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey: Mapped[str] = mapped_column(String(200))
    variable_id: Mapped[int] = mapped_column(ForeignKey("variable.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("spatial_unit.id"))
    ref_date: Mapped[dt.date] = mapped_column(Date)
    estimate: Mapped[float | None] = mapped_column(Float, nullable=True)
    se: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    n: Mapped[int] = mapped_column(Integer)
    n_eff: Mapped[float | None] = mapped_column(Float, nullable=True)
    cv: Mapped[float | None] = mapped_column(Float, nullable=True)
    publishable: Mapped[bool] = mapped_column(Boolean)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"), index=True)


class ObservationChange(Base):
    """What an import changed, so that it can be listed and undone."""

    __tablename__ = "observation_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"), index=True)
    unit_id: Mapped[int] = mapped_column(Integer)
    variable_id: Mapped[int] = mapped_column(Integer)
    ref_date: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(8))  # insert | update | confirm (delivered again, unchanged)
    old_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    old_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    old_source: Mapped[str | None] = mapped_column(Text, nullable=True)
    old_import_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CitySetting(Base):
    """A piece of the city's configuration kept in the store, e.g. its social index configuration (YAML),
    so that every adapter (portal, report, CLI) uses the same one."""

    __tablename__ = "city_setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)


from sozialmonitor.publication import models as _publication_models  # noqa: E402,F401
from sozialmonitor.report import models as _report_models  # noqa: E402,F401
from sozialmonitor.strategy import models as _strategy_models  # noqa: E402,F401
from sozialmonitor.web import models as _web_models  # noqa: E402,F401
