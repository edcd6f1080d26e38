"""Sign-in for the internal area: argon2 password hashes, roles, session user, CSRF tokens."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.web.models import ROLES, WebUser

_hasher = PasswordHasher()
# a hash to verify against when the user does not exist, so that timing does not reveal user names
_DUMMY_HASH = _hasher.hash("not-a-password")
MIN_PASSWORD_LENGTH = 10
ROLE_LEVEL = {"viewer": 1, "planner": 2, "admin": 3}


@dataclass(frozen=True)
class SessionUser:
    username: str
    role: str

    def can(self, role: str) -> bool:
        return ROLE_LEVEL.get(self.role, 0) >= ROLE_LEVEL[role]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(session: Session, username: str, password: str, role: str) -> WebUser:
    """Create a user (or give an existing one a new password and role)."""
    if role not in ROLES:
        raise SozialmonitorError(
            f"Unbekannte Rolle {role!r}; erwartet {', '.join(ROLES)}",
            f"unknown role {role!r}; expected {', '.join(ROLES)}",
        )
    name = username.strip()
    if not name or len(name) > 100:
        raise SozialmonitorError("Benutzername fehlt oder ist zu lang", "user name missing or too long")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SozialmonitorError(
            f"Das Passwort ist zu kurz (mindestens {MIN_PASSWORD_LENGTH} Zeichen)",
            f"the password is too short (at least {MIN_PASSWORD_LENGTH} characters)",
        )
    user = session.scalar(select(WebUser).where(WebUser.username == name))
    if user is None:
        user = WebUser(username=name, created_at=dt.datetime.now(), active=True, role=role, password_hash="")
        session.add(user)
    user.password_hash = hash_password(password)
    user.role = role
    user.active = True
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> SessionUser | None:
    user = session.scalar(select(WebUser).where(WebUser.username == username.strip()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return SessionUser(user.username, user.role)


def current_user(request: Request) -> SessionUser | None:
    data = request.session.get("user")
    if not isinstance(data, dict):
        return None
    name, role = data.get("name"), data.get("role")
    if not isinstance(name, str) or role not in ROLE_LEVEL:
        return None
    return SessionUser(name, str(role))


def sign_in(request: Request, user: SessionUser) -> None:
    request.session.clear()  # new session on sign-in (no session fixation)
    request.session["user"] = {"name": user.username, "role": user.role}
    request.session["csrf"] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    token = request.session.get("csrf")
    return isinstance(token, str) and isinstance(submitted, str) and hmac.compare_digest(token, submitted)
