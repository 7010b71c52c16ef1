"""The pages people open in a browser: the playground at `/`, Swagger UI at `/docs` and
ReDoc at `/redoc`.

Every asset is served by the app itself, never by a CDN, so the pages work offline and
behind firewalls: the playground from `imagegen/static/`, Swagger UI's and ReDoc's
bundles from the `fastapi-offline` package, under `/static/vendor/`.
"""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
_FAVICON = "/static/favicon.svg"

# Content-Security-Policy: the pages may load nothing from elsewhere. ReDoc, for one,
# would fetch its vendor's logo from a CDN; the browser refuses it without a request.
_PLAYGROUND_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'"
# Swagger UI and ReDoc start from inline scripts, style with inline styles and data:
# images, and ReDoc searches in a blob: worker.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'"
)


def add_pages(app: FastAPI) -> None:
    """Add `/`, `/docs`, `/redoc` and the static files they load; none is in the spec.

    Build `app` with `docs_url=None, redoc_url=None`: these replace FastAPI's own pages,
    which load their scripts from a CDN.
    """
    # The more specific mount first: `/static` would also match `/static/vendor/...`.
    app.mount("/static/vendor", StaticFiles(directory=VENDOR_DIR), name="vendor")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/", include_in_schema=False)
    def playground() -> FileResponse:
        page = FileResponse(STATIC_DIR / "index.html", media_type="text/html")
        page.headers["content-security-policy"] = _PLAYGROUND_CSP
        return page

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}/static/vendor/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/static/vendor/swagger-ui.css",
            swagger_favicon_url=root + _FAVICON,
            # No badge from the public validator service: that would be a request out.
            swagger_ui_parameters={"validatorUrl": None},
        )
        page.headers["content-security-policy"] = _DOCS_CSP
        return page

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}/static/vendor/redoc.standalone.js",
            redoc_favicon_url=root + _FAVICON,
            with_google_fonts=False,
        )
        page.headers["content-security-policy"] = _DOCS_CSP
        return page
