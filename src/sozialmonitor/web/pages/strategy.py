"""The poverty-prevention strategy: overview (Handlungsfelder × goals), goal pages, editing, history.

Reading is public (the strategy is a council decision; figures for the public are disclosure-controlled).
Changing a target needs the role *planner* and the session's CSRF token; every change goes through
``strategy.store.set_target`` with the signed-in user's name and lands in the history.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import NotFoundError, SozialmonitorError
from sozialmonitor.strategy.spec import MEASURE_STATUSES, OUTPUT_KINDS
from sozialmonitor.web import strategy_view
from sozialmonitor.web.auth import csrf_ok
from sozialmonitor.web.common import is_public, lang_of, render, require, snapshot, user_of
from sozialmonitor.web.i18n import translate

router = APIRouter()


@router.get("/strategie", response_class=HTMLResponse)
def strategy_page(request: Request) -> Response:
    snap = snapshot(request)
    lang, public = lang_of(request), is_public(request)
    with session_scope(request.app.state.engine) as s:
        ev = strategy_view.evaluate(s, snap, public)
    return render(
        request,
        "strategy.html",
        {
            "name": ev.spec.name,
            "fields": strategy_view.overview(ev, snap, lang),
            "has_goals": bool(ev.spec.goals),
        },
    )


def _goal_page(request: Request, key: str, error: str | None = None, status: int = 200) -> Response:
    snap = snapshot(request)
    lang, public = lang_of(request), is_public(request)
    user = user_of(request)
    with session_scope(request.app.state.engine) as s:
        ev = strategy_view.evaluate(s, snap, public)
        goal = strategy_view.goal_page(ev, snap, key, lang)
        spec_goal = ev.spec.goal(key)
        changes = strategy_view.history(s, spec_goal, limit=50) if user else []
    return render(
        request,
        "strategy_goal.html",
        {
            "g": goal,
            "history": changes,
            "can_edit": bool(user and user.can("planner")),
            "error": error,
            "saved": request.query_params.get("msg") == "saved",
            "measure_statuses": MEASURE_STATUSES,
            "output_kinds": OUTPUT_KINDS,
        },
        status,
    )


@router.get("/strategie/ziel/{key}", response_class=HTMLResponse)
def goal_page(request: Request, key: str) -> Response:
    return _goal_page(request, key)


@router.post("/strategie/ziel/{key}/zielindikator/{target}")
async def edit_target(request: Request, key: str, target: str) -> Response:
    user = require(request, "planner")
    form = await request.form()
    token = form.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        raise HTTPException(403, translate("csrf_failed", lang_of(request)))
    fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    lang = lang_of(request)
    try:
        with session_scope(request.app.state.engine) as s:
            strategy_view.edit_target(s, key, target, fields, user.username, lang)
    except NotFoundError:
        raise
    except SozialmonitorError as exc:
        return _goal_page(request, key, exc.de if lang == "de" else exc.en, 422)
    return RedirectResponse(f"/strategie/ziel/{quote(key)}?msg=saved#target-{quote(target)}", status_code=303)


@router.get("/strategie/historie", response_class=HTMLResponse)
def history_page(request: Request) -> Response:
    require(request, "viewer")
    with session_scope(request.app.state.engine) as s:
        changes = strategy_view.history(s, None, limit=500)
    return render(request, "strategy_history.html", {"history": changes})
