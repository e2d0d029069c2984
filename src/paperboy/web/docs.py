"""/api/docs: Swagger UI from the package's own files (static/swagger-ui, vendored by
scripts/vendor-static.sh), where FastAPI's default page loads it from a CDN.

FastAPI's recipe for offline docs: the app is made with docs_url=None and redoc_url=None, and
this route serves get_swagger_ui_html with local script, stylesheet and icon. The page gets a
Content-Security-Policy like every other page's, allowing only its one inline script (by
hash), so nothing can be fetched from another host even by Swagger UI itself.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def add_docs(app: FastAPI, path: str = "/api/docs", static: str = "/static") -> None:
    """Serve Swagger UI for `app`'s OpenAPI document at `path`, from files under `static`."""
    if app.openapi_url is None:
        raise ValueError("add_docs: the app serves no OpenAPI document (openapi_url is None)")
    page = get_swagger_ui_html(
        openapi_url=app.openapi_url,
        title=f"{app.title} API",
        swagger_js_url=f"{static}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{static}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{static}/favicon.svg",
        oauth2_redirect_url=None,
        # Swagger UI would otherwise show a badge fetched from validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
    body = bytes(page.body)
    headers = {
        "Content-Security-Policy": _policy(body.decode()),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }

    @app.get(path, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(body, headers=headers)


def _policy(html: str) -> str:
    """Same-origin only; the page's inline scripts allowed by their sha256."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
