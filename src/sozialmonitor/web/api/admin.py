"""Internal API: the list of imports and what each changed (signed-in users only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from sozialmonitor.db.engine import session_scope
from sozialmonitor.web import admin_queries
from sozialmonitor.web.common import require

router = APIRouter()


@router.get("/imports", summary="Importe (intern) / imports (internal)")
def imports(request: Request) -> list[dict[str, Any]]:
    require(request, "viewer")
    with session_scope(request.app.state.engine) as s:
        return admin_queries.imports(s)


@router.get(
    "/imports/{import_id}/changes", summary="Änderungen eines Imports (intern) / changes of an import"
)
def import_changes(
    request: Request, import_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> list[dict[str, Any]]:
    require(request, "viewer")
    with session_scope(request.app.state.engine) as s:
        return admin_queries.changes(s, import_id)
