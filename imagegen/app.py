"""The ASGI application: `create_app(settings)` builds it; nothing happens at import time."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from imagegen import __version__
from imagegen.cache import CacheMiddleware, RenderCache
from imagegen.errors import ApiError, error_response
from imagegen.fonts import FontLibrary
from imagegen.guards import QueryLimitMiddleware
from imagegen.openapi import install_openapi
from imagegen.pages import add_pages
from imagegen.processes import RenderPool, shared_pool
from imagegen.rendering import create_generators
from imagegen.routes import RenderService, add_generator_routes
from imagegen.settings import Settings
from imagegen.signing import SignatureMiddleware

logger = logging.getLogger("imagegen")

DESCRIPTION = """Dynamic images by URL: placeholders, QR codes and charts, ready for
`<img src>` in pages, emails and reports.

Every image route picks its format from the path's extension or `format=`; failing
those, from the `Accept` header (PNG when anything goes). Errors are JSON (`ErrorBody`)."""


class FontInfo(BaseModel):
    """A bundled font family."""

    name: str = Field(description="What to pass as `font`.")
    family: str = Field(description="The family's own name.")
    license: str | None = Field(
        description="The licence's name, such as `SIL Open Font License 1.1`."
    )
    license_url: str | None = Field(description="Where the licence's full text is served.")


class GeneratorInfo(BaseModel):
    """An image generator and how to call it."""

    name: str
    summary: str
    path: str = Field(description="The GET route, with its path parameters.")
    formats: list[str] = Field(description="Media types, in order of preference.")
    accepts_body: bool = Field(description="Whether `POST /{name}` takes a JSON body.")
    examples: list[dict[str, str]] = Field(
        description="Parameter sets that draw a good picture, as query parameters of the "
        "`GET` route, path parameters included: fill `path` with them and add the rest as "
        "the query string."
    )


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body.model_dump(), exc.body.status, headers=exc.headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path: Starlette's 405 names only those of
    the first route that matched the path, and GET, HEAD and POST are separate routes."""
    methods: set[str] = set()
    for route in request.app.routes:
        if (
            isinstance(route, BaseRoute)
            and route.matches({**request.scope, "method": "GET"})[0] != Match.NONE
        ):
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    error = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    response = error_response(exc.status_code, error, str(exc.detail))
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:
        response.headers["allow"] = _allowed_methods(request)
    return response


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "The server failed to render this image.")


class ImagegenApp(FastAPI):
    """FastAPI behind the request guards and the render cache, so that a refused or
    repeated request costs no more than it must: they run before FastAPI's own per-request
    work (its telemetry check, middleware and routing), which a cache miss then gets."""

    def __init__(self, settings: Settings, cache: RenderCache, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.render_cache = cache
        self._front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._front is None:
            self._front = self._build_front()
        await self._front(scope, receive, send)

    def _build_front(self) -> ASGIApp:
        async def fastapi(scope: Scope, receive: Receive, send: Send) -> None:
            await FastAPI.__call__(self, scope, receive, send)

        app: ASGIApp = CacheMiddleware(fastapi, self.render_cache)
        key = self.settings.signing_key
        if key is not None:  # checked before the cache: cached images are not for everyone
            app = SignatureMiddleware(
                app,
                key.get_secret_value().encode(),
                [generator.name for generator in self.state.generators],
                self.settings.max_body_bytes,
            )
        return QueryLimitMiddleware(app, self.settings.max_query_bytes)


def _lifespan(pool: RenderPool | None) -> Any:
    """Start the render processes with the server, so that the first charts do not wait
    for their start (about a second of imports), and stop them with it. Servers that run
    no lifespan (a `TestClient` outside `with`) start them when first needed; they
    stop with the process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if pool is not None:
            pool.start()
        yield
        if pool is not None:
            pool.close()

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for `settings` (default: from `IMAGEGEN_*` variables)."""
    settings = settings or Settings()
    fonts = FontLibrary(settings.fonts_dir)
    generators = list(create_generators(settings, fonts).values())

    cache = RenderCache(settings.cache_max_bytes, settings.max_renders)
    pool = shared_pool(settings, generators)
    app = ImagegenApp(
        settings,
        cache,
        lifespan=_lifespan(pool),
        title="imagegen",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # replaced by add_pages, whose assets are local
        redoc_url=None,
    )
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)

    @app.get("/fonts", tags=["meta"], operation_id="list_fonts")
    def list_fonts() -> list[FontInfo]:
        """The bundled font families, by the name `font` takes."""
        return [
            FontInfo(
                name=f.name,
                family=f.family,
                license=f.license_name,
                license_url=f"/fonts/{f.name}/license" if f.license_file else None,
            )
            for f in fonts.families.values()
        ]

    @app.get(
        "/fonts/{name}/license",
        tags=["meta"],
        operation_id="font_license",
        response_class=PlainTextResponse,
        openapi_extra={
            "parameters": [
                {
                    "name": "name",
                    "in": "path",
                    "required": True,
                    "description": "The font's name, as `font` takes it.",
                    "schema": {"type": "string", "enum": fonts.names},
                }
            ]
        },
        responses={
            200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
            404: {
                "description": "No bundled font has that name.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
                },
            },
        },
    )
    def font_license(request: Request) -> PlainTextResponse:
        """The full text of a bundled font's licence (the font by its name, as `font`
        takes it; never a path)."""
        name = request.path_params["name"]
        family = fonts.resolve(name)
        if family is None or family.license_file is None:
            raise ApiError(404, "not_found", "No bundled font has that name; see /fonts.")
        return PlainTextResponse(family.license_file.read_text(encoding="utf-8"))

    @app.get("/generators", tags=["meta"], operation_id="list_generators")
    def list_generators() -> list[GeneratorInfo]:
        """The image generators installed, built-in and plug-in."""
        return [
            GeneratorInfo(
                name=g.name,
                summary=g.summary,
                path=f"/{g.name}{g.path}",
                formats=[f.media_type for f in g.formats],
                accepts_body=g.accepts_body,
                examples=list(g.examples),
            )
            for g in generators
        ]

    app.state.generators = generators
    app.state.render_pool = pool
    add_pages(app)
    service = RenderService(
        cache,
        CapacityLimiter(settings.render_threads),
        # Validation has its own thread, so queued renders never delay a 422; one, since
        # validating is pure Python and holds the GIL: more threads would not validate
        # faster, only take more turns from the event loop.
        CapacityLimiter(1),
        settings.cache_control,
        pool,
        CapacityLimiter(max(settings.render_processes, 1)),
    )
    for generator in generators:
        add_generator_routes(app, generator, service)
    install_openapi(app, [g.params for g in generators if g.accepts_body])
    return app
