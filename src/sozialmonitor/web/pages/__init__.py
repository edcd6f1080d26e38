"""Server-rendered pages (German, English switch): public portal and internal data management."""

from __future__ import annotations

from fastapi import APIRouter

from sozialmonitor.web.pages import admin, analysis, atlas, release, strategy, survey

router = APIRouter(include_in_schema=False)
router.include_router(atlas.router)
router.include_router(analysis.router)
router.include_router(admin.router)
router.include_router(release.router)
router.include_router(strategy.router)
router.include_router(survey.router)
