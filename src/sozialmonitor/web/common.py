"""Shared request helpers: language, public/internal view, the current snapshot, templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.fmt import number
from sozialmonitor.web.auth import SessionUser, csrf_token, current_user
from sozialmonitor.web.i18n import LANGS, translate
from sozialmonitor.web.service import DataService, Snapshot

HERE = Path(__file__).parent
ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def lang_of(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in LANGS:
        return str(q)
    c = request.cookies.get("lang")
    return str(c) if c in LANGS else "de"


def user_of(request: Request) -> SessionUser | None:
    return current_user(request)


def is_public(request: Request) -> bool:
    """No signed-in user: only published, disclosure-controlled figures."""
    return current_user(request) is None


def data(request: Request) -> DataService:
    service: DataService = request.app.state.data
    return service


def snapshot(request: Request) -> Snapshot:
    return data(request).snapshot()


def require(request: Request, role: str) -> SessionUser:
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "Bitte melden Sie sich an. / Please sign in.")
    if not user.can(role):
        raise HTTPException(403, "Dafür fehlt Ihnen die Berechtigung. / You are not allowed to do this.")
    return user


def url_with(request: Request, **params: Any) -> str:
    q = dict(request.query_params)
    q.update({k: str(v) for k, v in params.items() if v is not None})
    return f"{request.url.path}?{urlencode(q)}"


def _data_state(request: Request, lang: str) -> dict[str, Any] | None:
    """The latest released year and when it was released ("Stand der Daten")."""
    try:
        releases = data(request).snapshot().release_info()
    except SozialmonitorError:
        return None
    if not releases:
        return None
    year = max(releases)
    at = releases[year].released_at
    return {"year": year, "at": f"{at:%d.%m.%Y}" if lang == "de" else at.date().isoformat()}


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    lang = lang_of(request)
    user = current_user(request)

    def t(key: str, **kw: Any) -> str:
        text = translate(key, lang)
        return text.format(**kw) if kw else text

    def fmt(value: float | None, decimals: int = 1) -> str:
        return number(value, decimals, lang)

    other = "en" if lang == "de" else "de"
    ctx = {
        "data_state": _data_state(request, lang) if user is None else None,
        "request": request,
        "lang": lang,
        "t": t,
        "fmt": fmt,
        "user": user,
        "public": user is None,
        "csrf": csrf_token(request),
        "path": request.url.path,
        "switch_url": url_with(request, lang=other),
        **context,
    }
    html = ENV.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
