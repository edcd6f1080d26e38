"""The JSON API under ``/api/v1`` (read-only; writes go through the signed-in pages with CSRF tokens)."""

from __future__ import annotations

from fastapi import APIRouter

from sozialmonitor.web.api import admin, analysis, data, export

router = APIRouter()
router.include_router(data.router, tags=["Daten / data"])
router.include_router(analysis.router, tags=["Auswertungen / analyses"])
router.include_router(export.router, tags=["Download"])
router.include_router(admin.router, tags=["Intern / internal"])
