"""Survey analysis (signed-in users only): upload a survey file, estimate, download CSV/XLSX.

The uploaded answers are read in memory for the request and never stored.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.survey.tables import STATISTICS
from sozialmonitor.web.auth import csrf_ok
from sozialmonitor.web.common import lang_of, render, require
from sozialmonitor.web.i18n import translate
from sozialmonitor.web.survey_view import analyse, display_rows, read_upload, to_csv, to_xlsx

router = APIRouter()
MAX_SURVEY = 50 * 1024 * 1024


class _InMemoryParser(MultiPartParser):
    """Keeps uploaded files in memory: Starlette would otherwise spool parts over 1 MB to a temp file."""

    spool_max_size = MAX_SURVEY


async def _memory_form(request: Request) -> dict[str, Any]:
    """The submitted form after the CSRF check; the file as (name, bytes), never written to disk."""
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            parser = _InMemoryParser(
                request.headers, request.stream(), max_files=1, max_fields=50, max_part_size=MAX_SURVEY
            )
            form = await parser.parse()
        else:  # a form without a file (urlencoded): answered with "please choose a file"
            form = await request.form(max_files=0, max_fields=50)
    except MultiPartException as exc:
        raise HTTPException(400, f"Ungültiges Formular / invalid form: {exc.message}") from exc
    try:
        token = form.get("csrf_token")
        if not csrf_ok(request, token if isinstance(token, str) else None):
            raise HTTPException(403, translate("csrf_failed", lang_of(request)))
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if value.filename:
                    fields[key] = (value.filename.rsplit("/", 1)[-1][:200], await value.read(MAX_SURVEY + 1))
            else:
                fields[key] = value
        return fields
    finally:
        await form.close()


FIELDS = ("variable", "statistic", "denominator", "weights", "strata", "cluster", "domain")


def _page(request: Request, form: dict[str, str], status: int = 200, **extra: Any) -> Response:
    ctx: dict[str, Any] = {"f": form, "statistics": STATISTICS, "result": None, "error": None, **extra}
    return render(request, "survey.html", ctx, status)


@router.get("/befragung", response_class=HTMLResponse)
def survey_page(request: Request) -> Response:
    if request.session.get("user") is None:
        return RedirectResponse("/anmelden?next=/befragung", status_code=303)
    require(request, "viewer")
    return _page(request, {"statistic": "mean"})


def _attachment(form: dict[str, str], ext: str) -> dict[str, str]:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", form["variable"])[:60] or "variable"
    stat = re.sub(r"[^a-z]", "", form["statistic"])
    return {"Content-Disposition": f'attachment; filename="befragung_{safe}_{stat}.{ext}"'}


@router.post("/befragung", response_class=HTMLResponse)
async def survey_estimate(request: Request) -> Response:
    require(request, "viewer")
    raw = await _memory_form(request)  # CSRF checked here; the file is held in memory only
    lang = lang_of(request)
    form = {k: str(raw.get(k) or "").strip() for k in FIELDS}
    form["statistic"] = form["statistic"] or "mean"
    upload = raw.get("file")
    fmt = str(raw.get("format") or "html")
    try:
        if not isinstance(upload, tuple):
            raise SozialmonitorError("Bitte wählen Sie eine Datei aus.", "Please choose a file.")
        name, content = upload
        if len(content) > MAX_SURVEY:
            raise SozialmonitorError(
                "Die Datei ist zu groß (höchstens 50 MB).", "The file is too large (at most 50 MB)."
            )
        frame = read_upload(name, content)
        del content
        table = analyse(
            frame,
            variable=form["variable"],
            statistic=form["statistic"],
            weights=form["weights"] or None,
            strata=form["strata"] or None,
            cluster=form["cluster"] or None,
            domain=form["domain"] or None,
            denominator=form["denominator"] or None,
        )
        del frame
    except SozialmonitorError as exc:
        return _page(
            request,
            form,
            422,
            error=exc.de if lang == "de" else exc.en,
            error_other=exc.en if lang == "de" else exc.de,
        )
    if fmt == "csv":
        return Response(
            to_csv(table),
            media_type="text/csv; charset=utf-8",
            headers=_attachment(form, "csv"),
        )
    if fmt == "xlsx":
        return Response(
            to_xlsx(table),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=_attachment(form, "xlsx"),
        )
    result = {"rows": display_rows(table, lang), "file": name}
    return _page(request, form, result=result)
