"""The ASGI application: `create_app(settings)` builds it; nothing happens at import time."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from imagegen import __version__
from imagegen.cache import CacheMiddleware, RenderCache
from imagegen.compat.registry import create_grammars
from imagegen.compat.routes import add_grammar_routes, grammar_canvases, grammar_paths
from imagegen.error_images import (
    ERROR_HEADER,
    Canvas,
    CanvasResolver,
    ErrorDrawer,
    ErrorImageMiddleware,
)
from imagegen.errors import ApiError, error_response
from imagegen.fonts import FontLibrary
from imagegen.guards import QueryLimitMiddleware
from imagegen.health import Health, HealthMiddleware, drain_on_sigterm
from imagegen.metrics import Metrics, forget_dead_processes
from imagegen.observe import AccessLog, ObserveMiddleware, Observer, default_stream
from imagegen.openapi import install_openapi
from imagegen.pages import add_pages
from imagegen.processes import RenderPool, shared_pool
from imagegen.ratelimit import RateLimitMiddleware, TokenBuckets
from imagegen.rendering import create_generators
from imagegen.routes import RenderService, add_generator_routes, generator_canvases
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


def _route_labels(app: FastAPI) -> dict[str, str]:
    """Each route's first path segment (`qr`, `fonts`, `` for `/`) and its metrics label."""
    labels = {}
    for route in app.routes:
        path = getattr(route, "path", None)
        if isinstance(path, str) and path.startswith("/"):
            segment = path[1:].partition("/")[0]
            if "{" not in segment:
                labels[segment] = "/" + segment
    return labels


class ImagegenApp(FastAPI):
    """FastAPI behind the request guards and the render cache, so that a refused or
    repeated request costs no more than it must: they run before FastAPI's own per-request
    work (its telemetry check, middleware and routing), which a cache miss then gets.
    In front of them all: the render cache when no opt-in guard (rate limit, signing,
    CORS) must see its hits, then the health routes, then the access log and request
    metrics."""

    def __init__(
        self,
        settings: Settings,
        cache: RenderCache,
        observer: Observer,
        health: Health,
        fonts: FontLibrary,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.fonts = fonts
        self.render_cache = cache
        self.observer = observer
        self.health = health
        self._front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._front is None:
            self._front = self._build_front()
        await self._front(scope, receive, send)

    @property
    def front_cache(self) -> CacheMiddleware | None:
        """The render cache when it is the first layer: what a server may answer cached
        images from without calling the app (see `server.GuardedHttpProtocol`)."""
        if self._front is None:
            self._front = self._build_front()
        front = self._front
        return front if isinstance(front, CacheMiddleware) and front.in_front else None

    def _build_front(self) -> ASGIApp:
        async def fastapi(scope: Scope, receive: Receive, send: Send) -> None:
            await FastAPI.__call__(self, scope, receive, send)

        settings = self.settings
        key = settings.signing_key
        # With no rate limit, signing or CORS, nothing but the access log and metrics
        # must see a cached image's request: the cache answers it first, and reports it.
        cache_in_front = key is None and settings.rate_limit <= 0 and not settings.cors_origins
        app: ASGIApp = fastapi
        if not cache_in_front:
            app = CacheMiddleware(fastapi, self.render_cache)
        if key is not None:  # checked before the cache: cached images are not for everyone
            app = SignatureMiddleware(
                app,
                key.get_secret_value().encode(),
                [generator.name for generator in self.state.generators],
                self.settings.max_body_bytes,
                grammar_paths(self.routes),
            )
        app = QueryLimitMiddleware(app, settings.max_query_bytes)
        if settings.rate_limit > 0:
            buckets = TokenBuckets(
                settings.rate_limit, settings.rate_limit_burst, settings.rate_limit_clients
            )
            app = RateLimitMiddleware(app, buckets, settings.trusted_proxies)
        # Outside the guards, so that a 429 or 414 an <img> gets is an image too.
        app = ErrorImageMiddleware(app, self._canvas_resolver(), ErrorDrawer(self.fonts), settings)
        if settings.cors_origins:  # outside the rate limit: a 429 must be readable too
            app = CORSMiddleware(
                app,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "HEAD", "POST"],
                allow_headers=["Content-Type", "If-None-Match"],
                expose_headers=["ETag", "Retry-After", ERROR_HEADER],
                max_age=86_400,
            )
        app = ObserveMiddleware(app, self.observer)
        app = HealthMiddleware(app, self.health, self.observer)
        if cache_in_front:  # before the health routes too: they are never cached
            app = CacheMiddleware(app, self.render_cache, in_front=True)
        return app

    def _canvas_resolver(self) -> CanvasResolver:
        """What draws errors as images: the grammars' routes, and ours when the
        `error_images` setting says so."""
        grammars = grammar_canvases(self.routes)
        ours = None
        if self.settings.error_images == "on":
            ours = generator_canvases(self.state.generators)

        def resolve(scope: Scope, body: bytes | None) -> Canvas | None:
            canvas = grammars(scope, body)
            if canvas is None and ours is not None:
                canvas = ours(scope, body)
            return canvas

        return resolve


def _start_render_processes(pool: RenderPool | None) -> None:
    """Start the render processes with the server, so that the first charts do not wait
    for their start (about a second of imports); the lifespan stops them with it. Servers
    that run no lifespan (a `TestClient` outside `with`) start them when first needed;
    they stop with the process."""
    if pool is not None:
        pool.start()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for `settings` (default: from `IMAGEGEN_*` variables)."""
    settings = settings or Settings()
    fonts = FontLibrary(settings.fonts_dir)
    generators = list(create_generators(settings, fonts).values())

    access_log = None
    if settings.access_log != "off":
        access_log = AccessLog(settings.access_log, default_stream())
    observer = Observer(Metrics(CollectorRegistry()), access_log, {}, settings.trusted_proxies)
    second_level = None
    if settings.redis_url is not None:  # no Redis code path without it
        from imagegen.shared_cache import RedisCache

        second_level = RedisCache(
            settings.redis_url.get_secret_value(),
            observer,
            settings.redis_ttl,
            settings.redis_max_image_bytes,
            settings.redis_timeout,
            settings.redis_lock_seconds,
        )
    cache = RenderCache(settings.cache_max_bytes, settings.max_renders, observer, second_level)
    pool = shared_pool(settings, generators)
    health = Health(len(fonts.families), len(generators), second_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        undo_drain = drain_on_sigterm(health, settings.shutdown_drain)
        forget_dead_processes()
        _start_render_processes(pool)
        try:
            yield
        finally:
            health.draining = True
            observer.flush()
            if pool is not None:
                pool.close()
            if second_level is not None:
                await second_level.close()
            if undo_drain is not None:
                undo_drain()

    app = ImagegenApp(
        settings,
        cache,
        observer,
        health,
        fonts,
        lifespan=lifespan,
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
        observer,
        pool,
        CapacityLimiter(max(settings.render_processes, 1)),
        settings.inline_renders,
    )
    for generator in generators:
        add_generator_routes(app, generator, service)
    by_name = {generator.name: generator for generator in generators}
    add_grammar_routes(app, create_grammars(settings), by_name, service)
    install_openapi(app, [g.params for g in generators if g.accepts_body])
    observer.route_labels.update(_route_labels(app))
    return app
