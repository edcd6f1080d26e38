"""Sign-in and data management: import through the browser, list and undo imports, publish indicators.

Every form carries the session's CSRF token; every POST checks it before anything else.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import ImportValidationError, SozialmonitorError
from sozialmonitor.web import admin_queries
from sozialmonitor.web.auth import authenticate, csrf_ok, sign_in, sign_out
from sozialmonitor.web.common import data, lang_of, render, require, snapshot
from sozialmonitor.web.i18n import translate
from sozialmonitor.web.service import set_published

router = APIRouter()
MAX_UPLOAD = 50 * 1024 * 1024


async def _form(request: Request) -> Any:
    """The submitted form after the CSRF check (uploaded files are read into memory, temp files closed)."""
    form = await request.form(max_part_size=MAX_UPLOAD)
    token = form.get("csrf_token")
    if not csrf_ok(request, token if isinstance(token, str) else None):
        await form.close()
        raise HTTPException(403, translate("csrf_failed", lang_of(request)))
    fields: dict[str, Any] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            fields[key] = (_file_name(value), await value.read()) if value.filename else None
        else:
            fields[key] = value
    await form.close()
    return fields


def _safe_next(target: object) -> str:
    text = str(target or "/verwaltung")
    ok = text.startswith("/") and not text.startswith("//") and "\\" not in text and len(text) < 500
    return text if ok else "/verwaltung"


@router.get("/anmelden", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return render(
        request, "login.html", {"error": None, "next": _safe_next(request.query_params.get("next"))}
    )


@router.post("/anmelden", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await _form(request)
    with session_scope(request.app.state.engine) as s:
        user = authenticate(s, str(form.get("username", "")), str(form.get("password", "")))
    if user is None:
        ctx = {"error": translate("login_failed", lang_of(request)), "next": _safe_next(form.get("next"))}
        return render(request, "login.html", ctx, 401)
    sign_in(request, user)
    return RedirectResponse(_safe_next(form.get("next")), status_code=303)


@router.post("/abmelden")
async def logout(request: Request) -> Response:
    await _form(request)
    sign_out(request)
    return RedirectResponse("/", status_code=303)


def _admin_page(request: Request, **extra: Any) -> Response:
    user = require(request, "viewer")
    snap = snapshot(request)
    with session_scope(request.app.state.engine) as s:
        imports = admin_queries.imports(s)
    ctx = {
        "imports": imports,
        "levels": [{"key": k, "name": snap.levels[k].name(lang_of(request))} for k in snap.scope],
        "can_write": user.can("planner"),
        "result": None,
        "problems": None,
        "message": None,
        **extra,
    }
    return render(request, "admin.html", ctx, int(extra.get("status", 200)))


@router.get("/verwaltung", response_class=HTMLResponse)
def admin_page(request: Request) -> Response:
    if request.session.get("user") is None:
        return RedirectResponse("/anmelden?next=/verwaltung", status_code=303)
    m = re.fullmatch(r"undone-(\d{1,10})", request.query_params.get("msg") or "")
    message = translate("undo_done", lang_of(request)).format(id=m.group(1)) if m else None
    return _admin_page(request, message=message)


def _file_name(upload: UploadFile) -> str:
    name = Path(upload.filename or "upload").name
    return re.sub(r"[^\w.\- ]", "_", name)[:200] or "upload"


@router.post("/verwaltung/import", response_class=HTMLResponse)
async def import_upload(request: Request) -> Response:
    require(request, "planner")
    form = await _form(request)
    upload, mapping_upload = form.get("file"), form.get("mapping")
    level = str(form.get("level", ""))
    dry_run = form.get("dry_run") == "1"
    lang = lang_of(request)
    if not isinstance(upload, tuple) or not isinstance(mapping_upload, tuple):
        msg = (
            "Bitte Datei und Zuordnungsdatei wählen."
            if lang == "de"
            else "Please choose a file and a mapping."
        )
        return _admin_page(request, problems=[msg], status=400)
    from sozialmonitor.indicators.store import import_observations
    from sozialmonitor.ingest import load_mapping, read_table

    name, content = upload
    mapping_name, mapping_bytes = mapping_upload
    try:
        with tempfile.TemporaryDirectory(prefix="sozialmonitor-upload-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(content)
            mpath = Path(tmp) / ("mapping_" + mapping_name)
            mpath.write_bytes(mapping_bytes)
            mapping = load_mapping(mpath)
            df = read_table(path, mapping, display_name=name)
        with session_scope(request.app.state.engine) as s:
            res = import_observations(
                s,
                df,
                level_key=level,
                file_name=name,
                file_hash=hashlib.sha256(content).hexdigest(),
                source=mapping.source,
                dry_run=dry_run,
                options={"mapping": mapping_name, "via": "web"},
            )
    except ImportValidationError as exc:
        lines = (exc.de if lang == "de" else exc.en).splitlines()
        return _admin_page(request, problems=lines, status=422)
    except SozialmonitorError as exc:
        return _admin_page(request, problems=[exc.de if lang == "de" else exc.en], status=422)
    data(request).invalidate()
    return _admin_page(request, result=res.summary(lang))


@router.post("/verwaltung/importe/{import_id}/rueckgaengig")
async def undo(request: Request, import_id: int) -> Response:
    require(request, "planner")
    await _form(request)
    from sozialmonitor.indicators.store import undo_import

    lang = lang_of(request)
    try:
        with session_scope(request.app.state.engine) as s:
            undo_import(s, import_id)
    except SozialmonitorError as exc:
        return _admin_page(request, problems=[exc.de if lang == "de" else exc.en], status=409)
    data(request).invalidate()
    return RedirectResponse(f"/verwaltung?msg=undone-{import_id}", status_code=303)


@router.get("/verwaltung/importe/{import_id}", response_class=HTMLResponse)
def import_detail(request: Request, import_id: int) -> Response:
    require(request, "viewer")
    with session_scope(request.app.state.engine) as s:
        changes = admin_queries.changes(s, import_id)
        imports = [i for i in admin_queries.imports(s) if i["id"] == import_id]
    if not imports:
        raise HTTPException(404, "Import nicht gefunden / import not found")
    return render(request, "import_detail.html", {"imp": imports[0], "changes": changes})


@router.post("/katalog/veroeffentlichung")
async def publish(request: Request) -> Response:
    user = require(request, "planner")
    form = await _form(request)
    snap = snapshot(request)
    key = str(form.get("indicator", ""))
    if key not in snap.catalogue.indicators:
        raise HTTPException(404, "Unbekannter Indikator / unknown indicator")
    with session_scope(request.app.state.engine) as s:
        set_published(s, [key], form.get("action") == "publish", user.username)
    data(request).invalidate()
    return RedirectResponse(f"/katalog#ind-{key}", status_code=303)
