"""Settings of the web application, from environment variables with the prefix ``SOZIALMONITOR_``.

* ``SOZIALMONITOR_SECRET_KEY`` – signs the session cookie; required unless development mode is on.
* ``SOZIALMONITOR_DEV`` – ``1``: development mode (a fixed, publicly known secret is allowed; the
  session cookie is sent over plain http).
* ``SOZIALMONITOR_COOKIE_SECURE`` – ``1``/``0``: send the session cookie only over https (default: on,
  off in development mode).
* ``SOZIALMONITOR_DB`` – database URL (shared with the command line).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sozialmonitor.config import database_url
from sozialmonitor.errors import ConfigError

DEV_SECRET = "sozialmonitor-dev-secret-not-for-production"
MIN_SECRET_LENGTH = 32


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(f"SOZIALMONITOR_{name}")
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "ja", "on"}


@dataclass(frozen=True)
class WebSettings:
    db_url: str
    secret_key: str
    dev: bool
    cookie_secure: bool

    @classmethod
    def from_env(cls, db_url: str | None = None, dev: bool | None = None) -> WebSettings:
        dev_mode = _flag("DEV", False) if dev is None else dev
        secret = os.environ.get("SOZIALMONITOR_SECRET_KEY", "")
        if not secret:
            if not dev_mode:
                raise ConfigError(
                    "SOZIALMONITOR_SECRET_KEY ist nicht gesetzt. Setzen Sie einen zufälligen Schlüssel "
                    "(mindestens 32 Zeichen), oder starten Sie zum Ausprobieren mit --dev "
                    "(SOZIALMONITOR_DEV=1).",
                    "SOZIALMONITOR_SECRET_KEY is not set. Set a random key (at least 32 characters), or "
                    "start with --dev (SOZIALMONITOR_DEV=1) to try things out.",
                )
            secret = DEV_SECRET
        elif len(secret) < MIN_SECRET_LENGTH and not dev_mode:
            raise ConfigError(
                f"SOZIALMONITOR_SECRET_KEY ist zu kurz (mindestens {MIN_SECRET_LENGTH} Zeichen)",
                f"SOZIALMONITOR_SECRET_KEY is too short (at least {MIN_SECRET_LENGTH} characters)",
            )
        return cls(
            db_url=database_url(db_url),
            secret_key=secret,
            dev=dev_mode,
            cookie_secure=_flag("COOKIE_SECURE", not dev_mode),
        )
