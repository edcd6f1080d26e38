"""The application factory: FastAPI with server-rendered pages and the JSON API under ``/api/v1``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from sozialmonitor import __version__
from sozialmonitor.db.engine import make_engine, upgrade
from sozialmonitor.errors import NotFoundError, SozialmonitorError
from sozialmonitor.web.common import render
from sozialmonitor.web.service import DataService
from sozialmonitor.web.settings import WebSettings

HERE = Path(__file__).parent
VENDOR = {
    "leaflet": "leaflet/dist",
    "vega": "vega/build",
    "vega-lite": "vega-lite/build",
    "vega-embed": "vega-embed/build",
    "axe-core": "axe-core",
}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    # Vega compiles its expressions with Function(): 'unsafe-eval' for scripts from this host only
    "script-src 'self' 'unsafe-eval'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


def node_modules() -> Path:
    """Folder of the front-end libraries: ``npm ci`` at the repository root, or SOZIALMONITOR_NODE_MODULES."""
    env = os.environ.get("SOZIALMONITOR_NODE_MODULES")
    if env:
        return Path(env)
    for base in (Path.cwd(), *HERE.parents):
        if (base / "node_modules").is_dir():
            return base / "node_modules"
    return Path.cwd() / "node_modules"


def create_app(settings: WebSettings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or WebSettings.from_env()
    if engine is None:
        engine = make_engine(settings.db_url)
        upgrade(engine)
    app = FastAPI(
        title="sozialmonitor API",
        version=__version__,
        description="Kleinräumige Indikatoren, Steckbriefe, Sozialindex. Ohne Anmeldung: nur "
        "veröffentlichte, geheimhaltungsgeschützte Zahlen. / Small-area indicators, profiles, social index. "
        "Without sign-in: published, disclosure-controlled figures only.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.data = DataService(engine)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="sozialmonitor_session",
        max_age=8 * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.session.get("user"):
            response.headers["Cache-Control"] = "no-store"
        return response

    app.mount("/static/app", StaticFiles(directory=HERE / "static"), name="static")
    nm = node_modules()
    for name, sub in VENDOR.items():
        if (nm / sub).is_dir():
            app.mount(f"/static/vendor/{name}", StaticFiles(directory=nm / sub), name=f"vendor-{name}")

    from sozialmonitor.web.api import router as api_router
    from sozialmonitor.web.pages import router as pages_router

    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)

    def _is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def _error(request: Request, status: int, de: str, en: str) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": {"de": de, "en": en}}, status_code=status)
        return render(request, "error.html", {"status": status, "message_de": de, "message_en": en}, status)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, exc.de, exc.en)

    @app.exception_handler(SozialmonitorError)
    async def bad_request(request: Request, exc: SozialmonitorError) -> Response:
        return _error(request, 400, exc.de, exc.en)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        text = str(exc.detail)
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "message_de": text, "message_en": text},
            exc.status_code,
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> HTMLResponse:
        return HTMLResponse("ok")

    return app
