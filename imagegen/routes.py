"""Turning each registered generator into HTTP routes.

For a generator named `qr` with `path = ""` this adds `GET /qr`, `GET /qr.{format}` and,
if it accepts a JSON body, `POST /qr` and `POST /qr.{format}`. Every route validates its
parameters with the generator's model, picks the format (`output.py`), renders in a
worker thread and answers `Response(content=bytes)` with an exact Content-Length.
"""

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from fastapi.responses import Response

from imagegen.cache import CachedImage, RenderCache, compute_etag, etag_matches
from imagegen.errors import ApiError, ErrorBody
from imagegen.formats import tokens_for
from imagegen.output import (
    FORMAT_PARAM,
    LOSSLESS_PARAM,
    QUALITY_PARAM,
    choose_output,
)
from imagegen.plugin import Generator
from imagegen.rendering import render_image, validate_params

_BINARY = {"schema": {"type": "string", "format": "binary"}}
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
    """What every image route shares: the render cache, the render thread limit and
    the Cache-Control header of images."""

    cache: RenderCache
    limiter: CapacityLimiter
    cache_control: str


async def read_json_body(request: Request, limit: int) -> object:
    """The request's JSON body, refusing bodies over `limit` bytes before reading them."""
    too_large = ApiError(413, "body_too_large", f"The request body must be at most {limit} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"The request body is not valid JSON: {exc}") from None


def _endpoint(
    generator: Generator, service: RenderService, from_body: bool
) -> Callable[[Request], Awaitable[Response]]:
    settings = generator.context.settings

    async def endpoint(request: Request) -> Response:
        query = dict(request.query_params)
        path_params = dict(request.path_params)
        extension = path_params.pop(FORMAT_PARAM, None)
        output = choose_output(
            query,
            extension,
            request.headers.get("accept"),
            generator.formats,
            settings.png_compression,
        )
        if from_body:
            data = await read_json_body(request, settings.max_body_bytes)
        else:
            data = query | path_params
        params = validate_params(generator, data)
        etag = compute_etag(
            generator.name,
            params.model_dump(mode="json"),
            output.format.name,
            asdict(output.options),
        )
        headers = {"etag": etag}
        if service.cache_control:
            headers["cache-control"] = service.cache_control
        if output.negotiated:
            headers["vary"] = "Accept"
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None and etag_matches(if_none_match, etag):
            return Response(status_code=304, headers=headers)

        async def create() -> CachedImage:
            content = await anyio.to_thread.run_sync(
                render_image, generator, params, output, limiter=service.limiter
            )
            return CachedImage.build(content, output.format.media_type, headers)

        image = await service.cache.get_or_create(etag, create)
        return Response(image.content, media_type=output.format.media_type, headers=headers)

    return endpoint


def _parameter_schema(prop: dict[str, Any]) -> dict[str, Any]:
    """A model property's schema as a query/path parameter: no null, no titles."""
    schema = {k: v for k, v in prop.items() if k not in ("title", "description", "examples")}
    options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        schema |= options[0]
    elif options:
        schema["anyOf"] = options
    return schema


def _model_parameters(generator: Generator) -> list[dict[str, Any]]:
    schema = generator.params.model_json_schema()
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        in_path = "{" + name + "}" in generator.path
        parameter: dict[str, Any] = {
            "name": name,
            "in": "path" if in_path else "query",
            "required": in_path or name in required,
            "schema": _parameter_schema(prop),
        }
        if "description" in prop:
            parameter["description"] = prop["description"]
        if prop.get("examples"):
            parameter["example"] = prop["examples"][0]
        parameters.append(parameter)
    return parameters


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
            "description": "JPEG and lossy WebP quality, 1-100 (defaults: JPEG 85, WebP 80).",
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


def _responses(generator: Generator) -> dict[int | str, dict[str, Any]]:
    return {
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
        422: {
            "model": ErrorBody,
            "description": "A parameter is invalid or over its limit; `parameters` names it.",
        },
    }


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
            "responses": _responses(generator),
            "summary": generator.summary,
            "description": description,
            "tags": [generator.name],
        }
        output_parameters = _output_parameters(generator, with_extension)
        get = _endpoint(generator, service, from_body=False)
        app.add_api_route(
            path,
            get,
            methods=["GET"],
            operation_id=f"{generator.name}{suffix}".replace("-", "_"),
            openapi_extra={"parameters": model_parameters + output_parameters},
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
                **common,
            )
