"""Tables of the qualitative part of the report: interviews and their coded passages."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sozialmonitor.db.models import Base


class Interview(Base):
    """One interview: target group (e.g. single parents), date and the pseudonymised transcript."""

    __tablename__ = "interview"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[str] = mapped_column(String(200), unique=True)
    """Document name as the QDA tool knows it (the transcript's file name without extension)."""
    group_name: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    transcript: Mapped[str] = mapped_column(Text)


class InterviewPassage(Base):
    """A coded passage: theme (Handlungsfeld) and sub-code, position in the transcript, text."""

    __tablename__ = "interview_passage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id", ondelete="CASCADE"), index=True)
    theme: Mapped[str] = mapped_column(String(200))
    subcode: Mapped[str | None] = mapped_column(String(200), nullable=True)
    begin: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    for_report: Mapped[bool] = mapped_column(Boolean, default=False)
    """Marked by a planner to be quoted in the report."""
