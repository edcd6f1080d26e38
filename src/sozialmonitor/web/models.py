"""Tables of the web application: users of the internal area (publication state: ``publication.models``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from sozialmonitor.db.models import Base

ROLES: tuple[str, ...] = ("admin", "planner", "viewer")


class WebUser(Base):
    """A person who may sign in to the internal area (password stored as an argon2 hash)."""

    __tablename__ = "web_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # admin | planner | viewer
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
