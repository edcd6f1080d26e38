"""Users, publication state and the data stamp on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.web.auth import add_user, authenticate
from sozialmonitor.web.models import WebUser
from sozialmonitor.web.service import data_stamp, published_indicators, set_published


def test_users_and_passwords(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_user(s, "planerin", "ein-langes-passwort", "planner")
    with session_scope(engine) as s:
        user = s.query(WebUser).one()
        assert user.password_hash.startswith("$argon2") and "ein-langes" not in user.password_hash
        assert authenticate(s, "planerin", "ein-langes-passwort") is not None
        assert authenticate(s, "planerin", "falsch-falsch-falsch") is None
        assert authenticate(s, "niemand", "ein-langes-passwort") is None
        add_user(s, "planerin", "neues-langes-passwort", "viewer")  # new password and role
    with session_scope(engine) as s:
        u = authenticate(s, "planerin", "neues-langes-passwort")
        assert u is not None and u.role == "viewer" and not u.can("planner") and u.can("viewer")
        with pytest.raises(SozialmonitorError, match="zu kurz"):
            add_user(s, "x", "kurz", "viewer")
        with pytest.raises(SozialmonitorError, match="Rolle"):
            add_user(s, "x", "lang-genug-passwort", "chef")


def test_publication_changes_the_data_stamp(engine: Engine) -> None:
    with session_scope(engine) as s:
        before = data_stamp(s)
        assert published_indicators(s) == frozenset()
        set_published(s, ["residents", "share_foreigners"], True, "test")
    with session_scope(engine) as s:
        after = data_stamp(s)
        assert after != before and published_indicators(s) == {"residents", "share_foreigners"}
        set_published(s, ["share_foreigners"], False, "test")
    with session_scope(engine) as s:
        assert published_indicators(s) == {"residents"}
        assert data_stamp(s) != after
