"""The web reader: day pages, calendars, search, paper pages, feeds and a JSON API.

Everything is read from the store; each server thread keeps its own SQLite connection.
Counts over the whole archive and rendered pages (gzipped) are cached and renewed once after
the store changes (when `paperboy update` writes to it), so a page many readers open is
rendered once. The routes live in `paperboy.web.routes`, by kind; with accounts
(`paperboy.web.signin`) a lab's members sign in.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from paperboy import config
from paperboy.store import Location, open_store
from paperboy.web import docs
from paperboy.web.middleware import HeadAsGet
from paperboy.web.reader import Reader
from paperboy.web.rendering import STATIC, Renderer
from paperboy.web.routes import account, api, bibtex, feeds, foryou, lists, marks, pages
from paperboy.web.signin import (
    SESSION_COOKIE,
    Accounts,
    CSRFRejected,
    SignInRequired,
    gate,
    session_secret,
)
from paperboy.web.urls import Urls

CACHE_MB = 64


def create_app(
    db: Location,
    category: str | None = None,
    cache_mb: int = CACHE_MB,
    base_url: str | None = None,
    accounts: Accounts | None = None,
    read_db: Location | None = None,
) -> FastAPI:
    """The whole web app over the store at `db`; `cache_mb` bounds the cache (0 renders every
    request); feeds link to `base_url` (PAPERBOY_BASE_URL or http://127.0.0.1:8000). With
    `accounts`, a lab's server: members sign in, and each sees only their own profiles.
    With `read_db` (a read replica of `db`), pages read there and writes go to `db`."""
    reader = Reader(db, category, cache_mb, base_url or config.base_url(), read_db)
    renderer = Renderer(reader.default_category, accounts is not None)
    app = FastAPI(
        title="paperboy",
        summary="Read and search a local archive of arXiv papers.",
        version="1",
        docs_url=None,  # served from the package by docs.add_docs, not a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(reader.watch), Depends(gate)],
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    docs.add_docs(app)
    app.add_middleware(GZipMiddleware, minimum_size=1000)  # a day page is ~5x smaller
    if accounts is not None:
        app.add_middleware(
            SessionMiddleware,
            secret_key=session_secret(reader.primary),
            session_cookie=SESSION_COOKIE,
            max_age=accounts.session_seconds,
            same_site="lax",
            https_only=accounts.secure,
        )
    app.add_middleware(HeadAsGet)
    app.state.reader = reader  # what it holds is observable: tests bound its memory
    app.state.renderer = renderer
    app.state.accounts = accounts

    def api_call(request: Request) -> bool:
        return request.url.path.startswith(("/api/", "/feeds/", "/bibtex/"))

    @app.exception_handler(SignInRequired)
    def sign_in_first(request: Request, exc: SignInRequired) -> Response:
        if api_call(request) or request.method not in ("GET", "HEAD"):
            return Response(
                json.dumps({"detail": "Sign in first"}), 401, media_type="application/json"
            )
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(Urls("").login(here), status_code=303)

    @app.exception_handler(CSRFRejected)
    def csrf_rejected(request: Request, exc: CSRFRejected) -> Response:
        message = "This change was refused: the page that asked for it was not this site's "
        message += "(no CSRF token). Reload the page and try again."
        if api_call(request):
            return Response(json.dumps({"detail": message}), 403, media_type="application/json")
        return renderer.html("error.html", "", status=403, message=message, title="Refused")

    @app.exception_handler(StarletteHTTPException)
    def error_page(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            body = json.dumps({"detail": str(exc.detail)})
            return Response(body, status_code=exc.status_code, media_type="application/json")
        return renderer.html(
            "error.html", "", status=exc.status_code, message=str(exc.detail), title="Not found"
        )

    app.include_router(feeds.router)
    app.include_router(api.router)
    app.include_router(marks.router)
    app.include_router(bibtex.router)
    app.include_router(foryou.router)
    app.include_router(account.router)
    app.include_router(lists.router)
    app.include_router(pages.router)  # last: its category paths are patterns
    return app


def serve(
    db: Location,
    host: str = "127.0.0.1",
    port: int = 8000,
    category: str | None = None,
    cache_mb: int = CACHE_MB,
    base_url: str | None = None,
    accounts: bool = False,
    read_db: Location | None = None,
) -> None:
    """Run the app with uvicorn until interrupted; feeds link to `base_url`, by default
    PAPERBOY_BASE_URL or the address served; `accounts`: members sign in; `read_db`: a read
    replica of `db` that pages read from."""
    import uvicorn

    base = base_url or config.base_url(f"http://{host}:{port}")
    signin = Accounts(secure=base.startswith("https://")) if accounts else None
    app = create_app(db, category, cache_mb, base, signin, read_db)
    uvicorn.run(app, host=host, port=port, log_level="info")


def demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the real sample shipped in the package from a temporary store."""
    import tempfile

    from paperboy.importer import import_paths

    with tempfile.TemporaryDirectory(prefix="paperboy-demo-") as tmp:
        db = Path(tmp) / "demo.sqlite3"
        with open_store(db) as store:
            report = import_paths(store, [config.sample_dir()])
        print(report.summary().splitlines()[1], f"loaded into {db}")
        print(f"paperboy demo: open http://{host}:{port}/  (Ctrl-C to stop)")
        serve(db, host, port, config.DEFAULT_CATEGORY)
