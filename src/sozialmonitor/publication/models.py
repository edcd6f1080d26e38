"""Tables of the publication service: releases and the protected public cells each release froze."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sozialmonitor.db.models import Base


class Release(Base):
    """A planner released a reference year (or some indicators of it) for the public.

    ``params`` are the protection parameters used, ``audit`` the result of the disclosure audit
    (cells published/suppressed, narrowest feasible interval). A withdrawn release stays as a record.
    """

    __tablename__ = "release"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    indicators: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # None = every published one
    released_at: Mapped[dt.datetime] = mapped_column(DateTime)
    released_by: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    audit: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class PublicCell(Base):
    """One protected figure of a release: a unit's value of a variable at a reference date.

    ``value`` is NULL where suppressed; ``reason`` says why (``primary``, ``secondary``, ``small_base``,
    ``source``) and is empty for published cells.
    """

    __tablename__ = "public_cell"
    __table_args__ = (Index("ix_public_cell_release_level", "release_id", "level"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(50))
    unit_key: Mapped[str] = mapped_column(String(50))
    variable: Mapped[str] = mapped_column(String(100))
    ref_date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(12), default="")


class IndicatorPublication(Base):
    """Whether a catalogue indicator is shown on the public portal (absent row = not published)."""

    __tablename__ = "indicator_publication"
    indicator: Mapped[str] = mapped_column(String(100), primary_key=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(100))
