"""Releases in the browser: which years the public sees, release (protect + audit) and withdraw.

Releasing runs the protection and the disclosure audit in a background job (off the event loop) with a
progress display; it can be cancelled, and a cancelled or refused release writes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from sozialmonitor.db.engine import session_scope
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.web.common import data, lang_of, render, require
from sozialmonitor.web.jobs import Jobs
from sozialmonitor.web.pages.admin import _form

router = APIRouter()


def jobs(request: Request) -> Jobs:
    if not hasattr(request.app.state, "jobs"):
        request.app.state.jobs = Jobs()
    registry: Jobs = request.app.state.jobs
    return registry


def _overview(request: Request) -> list[dict[str, Any]]:
    from sozialmonitor.publication.release import data_years, list_releases

    with session_scope(request.app.state.engine) as s:
        years = data_years(s)
        releases = list_releases(s)
        rows = []
        for year in sorted(set(years) | {r.year for r in releases}, reverse=True):
            mine = [r for r in releases if r.year == year]
            active = next((r for r in reversed(mine) if r.withdrawn_at is None), None)
            rows.append(
                {
                    "year": year,
                    "active": None
                    if active is None
                    else {
                        "id": active.id,
                        "at": f"{active.released_at:%d.%m.%Y %H:%M}",
                        "by": active.released_by,
                        "audit": active.audit or {},
                        "indicators": active.indicators,
                    },
                    "history": [
                        {
                            "id": r.id,
                            "at": f"{r.released_at:%d.%m.%Y %H:%M}",
                            "by": r.released_by,
                            "withdrawn": f"{r.withdrawn_at:%d.%m.%Y %H:%M} ({r.withdrawn_by})"
                            if r.withdrawn_at
                            else "",
                        }
                        for r in mine
                    ],
                }
            )
    return rows


@router.get("/verwaltung/freigabe", response_class=HTMLResponse)
def release_page(request: Request) -> Response:
    if request.session.get("user") is None:
        return RedirectResponse("/anmelden?next=/verwaltung/freigabe", status_code=303)
    user = require(request, "viewer")
    job = None
    raw = request.query_params.get("job", "")
    if raw.isdigit():
        found = jobs(request).get(int(raw))
        job = found.as_dict(lang_of(request)) if found else None
    ctx = {"years": _overview(request), "can_write": user.can("planner"), "job": job}
    return render(request, "release.html", ctx)


@router.post("/verwaltung/freigabe")
async def start_release(request: Request) -> Response:
    user = require(request, "planner")
    form = await _form(request)
    year_text = str(form.get("year", ""))
    if not year_text.isdigit() or not 1900 <= int(year_text) <= 2200:
        raise HTTPException(400, f"Ungültiges Jahr {year_text[:20]!r} / invalid year")
    year = int(year_text)
    engine = request.app.state.engine
    service = data(request)

    def work(progress: Any) -> dict[str, Any]:
        from sozialmonitor.publication.release import release_year

        with session_scope(engine) as s:
            rel = release_year(s, year, user.username, progress=progress)
            result = {"year": year, "id": rel.id, "audit": rel.audit}
        service.invalidate()
        return result

    job = jobs(request).start(f"Freigabe {year}", user.username, work)
    return RedirectResponse(f"/verwaltung/freigabe?job={job.id}", status_code=303)


@router.post("/verwaltung/freigabe/zurueckziehen")
async def withdraw_release(request: Request) -> Response:
    user = require(request, "planner")
    form = await _form(request)
    year_text = str(form.get("year", ""))
    if not year_text.isdigit():
        raise HTTPException(400, "Jahr fehlt / year missing")
    from sozialmonitor.publication.release import withdraw

    try:
        with session_scope(request.app.state.engine) as s:
            withdraw(s, int(year_text), user.username)
    except SozialmonitorError as exc:
        raise HTTPException(409, exc.de if lang_of(request) == "de" else exc.en) from exc
    data(request).invalidate()
    return RedirectResponse("/verwaltung/freigabe", status_code=303)


@router.get("/verwaltung/freigabe/auftrag/{job_id}")
def job_status(request: Request, job_id: int) -> Response:
    require(request, "viewer")
    job = jobs(request).get(job_id)
    if job is None:
        raise HTTPException(404, "Auftrag nicht gefunden / job not found")
    return JSONResponse(job.as_dict(lang_of(request)))


@router.post("/verwaltung/freigabe/auftrag/{job_id}/abbrechen")
async def cancel_job(request: Request, job_id: int) -> Response:
    require(request, "planner")
    await _form(request)
    job = jobs(request).get(job_id)
    if job is None:
        raise HTTPException(404, "Auftrag nicht gefunden / job not found")
    job.cancel.set()
    return RedirectResponse(f"/verwaltung/freigabe?job={job_id}", status_code=303)
