"""Turning each registered generator into HTTP routes.

For a generator named `qr` with `path = ""` this adds `GET /qr`, `GET /qr.{format}` and,
if it accepts a JSON body, `POST /qr` and `POST /qr.{format}`. Every route validates its
parameters with the generator's model, picks the format (`output.py`), renders in a
worker thread (a heavy generator's in a render process) and answers
`Response(content=bytes)` with an exact Content-Length.
"""

import asyncio
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import anyio
import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette._utils import get_route_path
from starlette.datastructures import QueryParams
from starlette.routing import compile_path
from starlette.types import Receive, Scope

from imagegen.cache import (
    CachedImage,
    Render,
    RenderCache,
    RenderQueueFull,
    compute_etag,
    etag_matches,
)
from imagegen.error_images import (
    ERROR_HEADER,
    ERRORS_PARAM,
    ERRORS_VALUES,
    MAX_HEADER_CHARS,
    Canvas,
    positive_number,
    read_errors_param,
)
from imagegen.errors import ApiError, ErrorBody, invalid_parameter
from imagegen.formats import tokens_for
from imagegen.guards import read_body
from imagegen.headers import list_header_text
from imagegen.jsonbody import json_object, parse_json_body
from imagegen.observe import Observer
from imagegen.output import (
    CORE_PARAMS,
    FORMAT_PARAM,
    LOSSLESS_PARAM,
    QUALITY_PARAM,
    OutputChoice,
    choose_output,
)
from imagegen.plugin import Generator
from imagegen.processes import RenderPool
from imagegen.query_fields import query_fields
from imagegen.rendering import RenderAbandoned, check_cost, render_image, validate_params
from imagegen.signing import SIGNATURE_PARAM

# Query strings up to this many bytes are validated on the event loop: that takes 10 to
# 150 µs (a placeholder's 7, a QR code's 230 characters of data 140), less than handing
# them to the validation thread and back (about 100 µs of CPU, and a wait for the GIL).
# Longer ones, and JSON bodies, are validated in that thread.
INLINE_VALIDATION_BYTES = 256
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_NOT_IN_URLS = ("null", "array", "object")  # forms a query parameter cannot take
_IMAGE_HEADERS = {
    "Vary": {
        "description": "`Accept` when the format was negotiated rather than chosen explicitly.",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "Strong validator of this image; send it back in `If-None-Match`.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "Images are deterministic: by default cacheable for a year.",
        "schema": {"type": "string"},
    },
}


@dataclass(frozen=True)
class RenderService:
    """What every image route shares: the render cache, the render and validation thread
    limits, the Cache-Control header of images, the observer of renders (metrics, access
    log), the render processes of heavy generators (None: they render in threads) and
    whether quick renders are drawn on the event loop (`inline_renders`)."""

    cache: RenderCache
    limiter: CapacityLimiter
    validation_limiter: CapacityLimiter
    cache_control: str
    observer: Observer
    pool: RenderPool | None
    pool_limiter: CapacityLimiter
    inline_renders: bool


def _misplaced_parameters(query: dict[str, str], body: object) -> None:
    """A 422 for parameters a POST carries in the wrong place, which would otherwise be
    silently ignored: the output options go in the query (or the path's extension), the
    generator's parameters in the body."""
    if isinstance(body, dict):
        for name in CORE_PARAMS:
            if name in body:
                raise invalid_parameter(
                    name, "goes in the query string (or the path's extension), not the body"
                )
    for name in query:
        if name not in CORE_PARAMS and name != SIGNATURE_PARAM:
            raise invalid_parameter(name, "goes in the JSON body of a POST, not the query string")


def _validated(
    generator: Generator, output: OutputChoice, query: dict[str, str], body: bytes | None
) -> BaseModel:
    """The request's parameters, validated and within the render cost limit; run in a
    worker thread, since parsing a large body or fitting a QR code's version can take
    tens of milliseconds."""
    if body is None:
        params = validate_params(generator, query)
    else:
        data = parse_json_body(body)
        _misplaced_parameters(query, data)
        params = validate_params(generator, data, strict=True)
    check_cost(generator, params, output)
    return params


def request_output(
    request: Request, generator: Generator, query: dict[str, str], extension: str | None
) -> OutputChoice:
    """The output `query` (`format`, `quality` and `lossless`, removed from it) and the
    path's `extension` choose, negotiated with the request's `Accept` when neither names
    a format."""
    settings = generator.context.settings
    if settings.error_images == "on":
        read_errors_param(query)  # the error middleware's (`error_images`)
    signed = settings.signing_key is not None
    output = choose_output(
        query,
        extension,
        None if signed else list_header_text(request.scope, b"accept"),
        generator.formats,
        settings.png_compression,
    )
    if signed and output.negotiated:
        # A signature binds one image: no Accept chooses another format for it.
        output = replace(output, negotiated=False)
    return output


def native_canvas(
    generator: Generator, values: Mapping[str, object], named_format: str | None
) -> Canvas:
    """The canvas of a request to `generator`'s route, read leniently from its
    parameters (`values`): `width` and `height` (else `size`, a square) and `scale`,
    the model's defaults for those left out."""
    fields = generator.params.model_fields

    def number(name: str) -> float | None:
        field = fields.get(name)
        return None if field is None else positive_number(values.get(name, field.default))

    width, height = number("width"), number("height")
    if width is None and height is None:
        width = height = number("size")
    return Canvas(width, height, number("scale") or 1.0, named_format)


def generator_canvases(
    generators: Sequence[Generator],
) -> Callable[[Scope, bytes | None], Canvas | None]:
    """The canvas of a request to one of `generators`' routes (`body`: a POST's, as far
    as it was read); None for another path."""
    paths = []
    for generator in generators:
        for base in dict.fromkeys((f"/{generator.name}{generator.path}", f"/{generator.name}")):
            for path in (f"{base}.{{{FORMAT_PARAM}}}", base):
                paths.append((compile_path(path)[0], generator))

    def canvas(scope: Scope, body: bytes | None) -> Canvas | None:
        path = get_route_path(scope)
        for regex, generator in paths:
            found = regex.match(path)
            if found is None:
                continue
            path_params = found.groupdict()
            query = QueryParams(scope.get("query_string", b""))
            values: Mapping[str, object] = dict(query) | path_params
            if body is not None:
                values = json_object(body) or {}
            named = path_params.get(FORMAT_PARAM) or query.get(FORMAT_PARAM)
            return native_canvas(generator, values, named)
        return None

    return canvas


def body_endpoint(
    generator: Generator, service: RenderService
) -> Callable[[Request, bytes], Awaitable[Response]]:
    """Our `POST` route's work for a body already read: for a route that shares the path
    (a compatibility grammar's) and hands over the bodies that are not its own."""

    async def serve(request: Request, body: bytes) -> Response:
        query = dict(request.query_params)
        extension = dict(request.path_params).get(FORMAT_PARAM)
        output = request_output(request, generator, query, extension)
        params = await anyio.to_thread.run_sync(
            _validated, generator, output, query, body, limiter=service.validation_limiter
        )
        return await respond(request, generator, service, output, params)

    return serve


def _endpoint(
    generator: Generator, service: RenderService, from_body: bool
) -> Callable[[Request], Awaitable[Response]]:
    settings = generator.context.settings
    serve_body = body_endpoint(generator, service)

    async def endpoint(request: Request) -> Response:
        if from_body:
            declared = request.headers.get("content-length")
            body = await read_body(declared, request.receive, settings.max_body_bytes)
            return await serve_body(request, body)
        query = dict(request.query_params)
        path_params = dict(request.path_params)
        extension = path_params.pop(FORMAT_PARAM, None)
        output = request_output(request, generator, query, extension)
        data = query | path_params
        if len(request.scope["query_string"]) <= INLINE_VALIDATION_BYTES:
            params = _validated(generator, output, data, None)
        else:
            params = await anyio.to_thread.run_sync(
                _validated, generator, output, data, None, limiter=service.validation_limiter
            )
        return await respond(request, generator, service, output, params)

    return endpoint


async def respond(
    request: Request,
    generator: Generator,
    service: RenderService,
    output: OutputChoice,
    params: BaseModel,
) -> Response:
    """The image of `generator` for validated `params` as `output`: a 304 when the
    client's `If-None-Match` matches, else from the cache or rendered: on the event loop
    when quick, else in a worker thread, or a render process for a heavy generator."""
    settings = generator.context.settings
    pool = service.pool if generator.heavy else None
    etag = compute_etag(
        generator.name,
        params.model_dump(mode="json"),
        output.format.name,
        asdict(output.options),
    )
    representation = {"etag": etag}
    if service.cache_control:
        representation["cache-control"] = service.cache_control
    headers = representation | ({"vary": "Accept"} if output.negotiated else {})
    if_none_match = list_header_text(request.scope, b"if-none-match")
    if if_none_match is not None and etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)

    async def create(render: Render) -> CachedImage:
        def draw() -> bytes:
            if not render.start(settings.render_timeout):
                raise RenderAbandoned
            return render_image(generator, params, output, render.past_deadline)

        if service.inline_renders and generator.renders_quickly(params, output.format):
            content = draw()
        elif pool is not None:
            # The thread only waits on the render process, GIL released; waiting for
            # the limiter, the render is still queued, and dropped if nobody waits.
            content = await anyio.to_thread.run_sync(
                pool.render, generator, params, output, render, limiter=service.pool_limiter
            )
        else:
            content = await anyio.to_thread.run_sync(draw, limiter=service.limiter)
        seconds = time.monotonic() - render.started_at
        service.observer.rendered(generator.name, output.format.name, seconds)
        return CachedImage.build(content, output.format.media_type, representation)

    image = await _wait_for_image(request, service, etag, create, settings.render_timeout)
    return Response(image.content, media_type=output.format.media_type, headers=headers)


async def _until_disconnected(receive: Receive) -> None:
    """Returns when the client has gone (its request body, if any, already read)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def _unavailable(error: str, message: str) -> ApiError:
    return ApiError(503, error, message, headers={"Retry-After": "5"})


async def _wait_for_image(
    request: Request,
    service: RenderService,
    etag: str,
    create: Callable[[Render], Awaitable[CachedImage]],
    timeout: float,
) -> CachedImage:
    """The image for `etag`, from the cache or rendered; a 503 when too many renders are
    under way or it is not ready within `timeout`. A client that leaves stops waiting at
    once, so that a queued render nobody awaits any more is dropped."""
    waiting = asyncio.ensure_future(service.cache.get_or_create(etag, create))
    gone = asyncio.ensure_future(_until_disconnected(request.receive))
    try:
        await asyncio.wait((waiting, gone), timeout=timeout, return_when=FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not waiting.done():
        waiting.cancel()  # leaves the render: dropped if it had not started
        raise _unavailable(
            "render_timeout",
            f"The image was not ready within {timeout:g} s (the server is busy, or the "
            "image is costly): retry later, or ask for a smaller one.",
        )
    try:
        return waiting.result()
    except RenderQueueFull as exc:
        raise _unavailable(
            "busy", f"{exc.limit} images are being drawn already: retry in a few seconds."
        ) from None
    except RenderAbandoned:
        raise _unavailable(
            "render_timeout",
            f"The image took longer than {timeout:g} s to draw: ask for a smaller one.",
        ) from None


def _parameter_schema(prop: dict[str, Any]) -> dict[str, Any] | None:
    """A model property's schema as a query/path parameter: no null, no titles, and only
    the forms a URL can hold. A property that also takes a JSON array or object (in a
    POST body) is documented by its text forms; one that has none, by None."""
    schema = {k: v for k, v in prop.items() if k not in ("title", "description", "examples")}
    forms = [s for s in schema.pop("anyOf", [schema]) if s.get("type") not in _NOT_IN_URLS]
    if not forms:
        return None
    if len(forms) == 1:
        schema |= forms[0]
    else:
        schema["anyOf"] = forms
    return schema


def _query_parameter(name: str, prop: dict[str, Any], required: bool) -> dict[str, Any] | None:
    schema = _parameter_schema(prop)
    if schema is None:
        return None
    parameter: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
    }
    # A description or example given with a type (`Phone | None`) is in its option.
    described = [prop, *prop.get("anyOf", [])]
    description = next((p["description"] for p in described if "description" in p), None)
    if description is not None:
        parameter["description"] = description
    examples = next((p["examples"] for p in described if p.get("examples")), None)
    if examples:
        parameter["example"] = examples[0]
    return parameter


def _model_parameters(generator: Generator) -> list[dict[str, Any]]:
    """The model's fields as query and path parameters (see `query_fields`)."""
    parameters = []
    for name, prop, required in query_fields(generator.params.model_json_schema()):
        in_path = "{" + name + "}" in generator.path
        parameter = _query_parameter(name, prop, in_path or required)
        if parameter is not None:
            parameters.append(parameter | {"in": "path"} if in_path else parameter)
    return parameters


def _signature_parameter() -> dict[str, Any]:
    return {
        "name": SIGNATURE_PARAM,
        "in": "query",
        "required": True,
        "description": "HMAC-SHA256 of the path and query (and POST body), from "
        "`imagegen sign`: this server renders signed URLs only.",
        "schema": {"type": "string"},
    }


def _output_parameters(generator: Generator, extension_in_path: bool) -> list[dict[str, Any]]:
    tokens = tokens_for(generator.formats)
    fmt: dict[str, Any] = {
        "name": FORMAT_PARAM,
        "schema": {"type": "string", "enum": tokens},
    }
    if extension_in_path:
        fmt |= {"in": "path", "required": True, "description": "Output format."}
    else:
        fmt |= {
            "in": "query",
            "required": False,
            "description": "Output format. Without it the `Accept` header decides "
            "(PNG for `*/*` or none), and the response carries `Vary: Accept`.",
        }
    return [
        fmt,
        {
            "name": QUALITY_PARAM,
            "in": "query",
            "required": False,
            "description": "JPEG, lossy WebP and AVIF quality, 1-100 "
            "(defaults: JPEG 85, WebP 80, AVIF 60).",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
        {
            "name": LOSSLESS_PARAM,
            "in": "query",
            "required": False,
            "description": "WebP only: lossless (`true`) or lossy (`false`). Default: "
            "lossless for flat images of at most 256 colours with no `quality`, else lossy.",
            "schema": {"type": "boolean"},
        },
    ]


def _errors_parameter() -> dict[str, Any]:
    return {
        "name": ERRORS_PARAM,
        "in": "query",
        "required": False,
        "description": "`image`: an error is drawn as an image of the size and format "
        "asked for (its status kept, its message in `X-Imagegen-Error`); `json`: an "
        "`ErrorBody`. Default: an image when `Accept` names no JSON type (an `<img>`'s).",
        "schema": {"type": "string", "enum": list(ERRORS_VALUES)},
    }


def _with_error_images(responses: dict[int | str, dict[str, Any]]) -> None:
    """The error responses of `responses` also as images, with their header."""
    header = {
        ERROR_HEADER: {
            "description": f"With an error drawn as an image: its message, on one Latin-1 "
            f"line of at most {MAX_HEADER_CHARS} characters.",
            "schema": {"type": "string"},
        }
    }
    for code, response in responses.items():
        if "model" in response and int(code) >= 400:
            response["headers"] = response.get("headers", {}) | header


def image_responses(generator: Generator, with_body: bool) -> dict[int | str, dict[str, Any]]:
    server_400 = (
        "The request line is over the HTTP server's 64 KiB limit: a plain-text answer "
        "from uvicorn, before imagegen sees the request."
    )
    plain_text = {"text/plain": {"schema": {"type": "string"}}}
    bad_request: dict[int | str, dict[str, Any]] = {
        400: {"description": server_400, "content": plain_text}
    }
    body_errors: dict[int | str, dict[str, Any]] = {
        400: {
            "model": ErrorBody,
            "description": f"The body is not valid JSON. {server_400}",
            "content": plain_text,
        },
        413: {
            "model": ErrorBody,
            "description": "The body is larger than the server's limit (`max_body_bytes`).",
        },
    }
    signature_error: dict[int | str, dict[str, Any]] = {
        403: {"model": ErrorBody, "description": "The `signature` is missing or wrong."}
    }
    signed = generator.context.settings.signing_key is not None
    responses = (
        (body_errors if with_body else bad_request)
        | (signature_error if signed else {})
        | {
            200: {
                "description": "The image, in the format chosen.",
                "content": {fmt.media_type: _BINARY for fmt in generator.formats},
                "headers": _IMAGE_HEADERS,
            },
            304: {"description": "`If-None-Match` matched the image's ETag; no body."},
            406: {
                "model": ErrorBody,
                "description": "No format this route can produce is acceptable to the client; "
                "`available` lists the media types it can produce.",
            },
            414: {"model": ErrorBody, "description": "The query string is too long."},
            431: {
                "model": ErrorBody,
                "description": "The request line and headers are over `imagegen serve`'s "
                "limit (`IMAGEGEN_MAX_HEAD_BYTES`).",
            },
            422: {
                "model": ErrorBody,
                "description": "A parameter is invalid or over its limit; `parameters` names it.",
            },
            503: {
                "model": ErrorBody,
                "description": "Rendering took longer than the server's time budget; retry "
                "after `Retry-After` seconds.",
            },
        }
    )
    if generator.context.settings.error_images == "on":
        _with_error_images(responses)
    return responses


def add_generator_routes(app: FastAPI, generator: Generator, service: RenderService) -> None:
    """Add the GET and HEAD (and, if the generator takes a JSON body, POST) routes of
    `generator`."""
    base = f"/{generator.name}{generator.path}"
    model_parameters = _model_parameters(generator)
    variants = [(f"{base}.{{{FORMAT_PARAM}}}", True), (base, False)]  # extension route first
    for path, with_extension in variants:
        suffix = "_with_extension" if with_extension else ""
        description = generator.description
        if with_extension:
            description += "\n\nThe path's extension chooses the format."
        common: dict[str, Any] = {
            "response_class": Response,
            "summary": generator.summary,
            "description": description,
            "tags": [generator.name],
        }
        output_parameters = _output_parameters(generator, with_extension)
        if generator.context.settings.signing_key is not None:
            output_parameters.append(_signature_parameter())
        if generator.context.settings.error_images == "on":
            output_parameters.append(_errors_parameter())
        get = _endpoint(generator, service, from_body=False)
        app.add_api_route(
            path,
            get,
            methods=["GET"],
            operation_id=f"{generator.name}{suffix}".replace("-", "_"),
            openapi_extra={"parameters": model_parameters + output_parameters},
            responses=image_responses(generator, with_body=False),
            **common,
        )
        # HEAD answers with GET's headers and Content-Length; the server drops the body.
        app.add_api_route(path, get, methods=["HEAD"], include_in_schema=False)
        if generator.accepts_body:
            body_path = f"/{generator.name}" + (f".{{{FORMAT_PARAM}}}" if with_extension else "")
            model_name = generator.params.__name__
            app.add_api_route(
                body_path,
                _endpoint(generator, service, from_body=True),
                methods=["POST"],
                operation_id=f"{generator.name}_post{suffix}".replace("-", "_"),
                openapi_extra={
                    "parameters": output_parameters,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{model_name}"}
                            }
                        },
                    },
                },
                responses=image_responses(generator, with_body=True),
                **common,
            )
