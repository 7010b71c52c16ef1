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

import anyio
import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from fastapi.responses import Response

from imagegen.cache import CachedImage, RenderCache, combined_header, compute_etag, etag_matches
from imagegen.errors import ApiError, ErrorBody, invalid_parameter
from imagegen.formats import tokens_for
from imagegen.guards import read_body
from imagegen.output import (
    FORMAT_PARAM,
    LOSSLESS_PARAM,
    QUALITY_PARAM,
    choose_output,
)
from imagegen.plugin import Generator
from imagegen.rendering import render_image, validate_params
from imagegen.signing import SIGNATURE_PARAM

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
    """What every image route shares: the render cache, the render thread limit and
    the Cache-Control header of images."""

    cache: RenderCache
    limiter: CapacityLimiter
    cache_control: str


# JSON nested deeper than this is refused: no parameter needs more than three levels.
MAX_JSON_DEPTH = 32
# Bodies larger than this are parsed in a worker thread, off the event loop.
_THREAD_PARSE_BYTES = 64 * 1024
# Integers with more digits are no parameter's value: they parse as infinity, which
# every numeric field refuses by name (Python's `int` would raise past 4,300 digits).
_MAX_INT_DIGITS = 40


def _invalid_json(reason: str) -> ApiError:
    return ApiError(400, "invalid_json", f"The request body is not valid JSON: {reason}.")


def _refuse_constant(name: str) -> object:
    raise _invalid_json(f"`{name}` is not a JSON number (RFC 8259)")


def _parse_int(text: str) -> int | float:
    return int(text) if len(text.lstrip("-")) <= _MAX_INT_DIGITS else float(text)


def _integral_floats_as_ints(value: object, depth: int = 0) -> object:
    """JSON Schema's `integer` includes `27.0` and `1e2`; strict validation does not.
    Refuses nesting deeper than `MAX_JSON_DEPTH` on the way."""
    if depth > MAX_JSON_DEPTH:
        raise _invalid_json(f"nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item, depth + 1) for key, item in value.items()}
    return value


def parse_json(body: bytes) -> object:
    """Strict RFC 8259 JSON (no `NaN` or `Infinity`), nested at most `MAX_JSON_DEPTH` deep."""
    try:
        value = json.loads(body, parse_constant=_refuse_constant, parse_int=_parse_int)
    except RecursionError:
        raise _invalid_json(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        position = (
            f" at line {exc.lineno} column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise _invalid_json(reason + position) from None
    return _integral_floats_as_ints(value)


async def read_json_body(request: Request, limit: int) -> object:
    """The request's JSON body, refusing bodies over `limit` bytes before reading them;
    a large one is parsed in a worker thread so that the event loop stays free."""
    body = await read_body(request.headers.get("content-length"), request.receive, limit)
    if len(body) > _THREAD_PARSE_BYTES:
        return await anyio.to_thread.run_sync(parse_json, body)
    return parse_json(body)


def _refuse_misplaced(query: dict[str, str], data: object) -> None:
    """A POST takes its parameters from the body and its output options from the query
    or the path: refuse either kind in the other place rather than ignore it."""
    for name in query:
        if name != SIGNATURE_PARAM:
            raise invalid_parameter(name, "belongs in the JSON body of a POST, not the query")
    if isinstance(data, dict):
        for name in (FORMAT_PARAM, QUALITY_PARAM, LOSSLESS_PARAM):
            if name in data:
                raise invalid_parameter(
                    name, "is an output option: give it in the query or the path's extension"
                )


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
            combined_header(request.headers, "accept"),
            generator.formats,
            settings.png_compression,
        )
        if from_body:
            data = await read_json_body(request, settings.max_body_bytes)
            _refuse_misplaced(query, data)
        else:
            data = query | path_params
        params = validate_params(generator, data, strict=from_body)
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
        if_none_match = combined_header(request.headers, "if-none-match")
        if if_none_match is not None and etag_matches(if_none_match, etag):
            return Response(status_code=304, headers=headers)

        async def create() -> CachedImage:
            content = await anyio.to_thread.run_sync(
                render_image, generator, params, output, limiter=service.limiter
            )
            return CachedImage.build(content, output.format.media_type, representation)

        try:
            with anyio.fail_after(settings.render_timeout):
                image = await service.cache.get_or_create(etag, create)
        except TimeoutError:
            raise ApiError(
                503,
                "render_timeout",
                f"The image took longer than {settings.render_timeout:g} s to render; "
                "it will be ready shortly, or ask for a smaller one.",
                headers={"Retry-After": "5"},
            ) from None
        return Response(image.content, media_type=output.format.media_type, headers=headers)

    return endpoint


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


def _model_parameters(generator: Generator) -> list[dict[str, Any]]:
    schema = generator.params.model_json_schema()
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        in_path = "{" + name + "}" in generator.path
        parameter_schema = _parameter_schema(prop)
        if parameter_schema is None:
            continue  # only a JSON body can carry it
        parameter: dict[str, Any] = {
            "name": name,
            "in": "path" if in_path else "query",
            "required": in_path or name in required,
            "schema": parameter_schema,
        }
        if "description" in prop:
            parameter["description"] = prop["description"]
        if prop.get("examples"):
            parameter["example"] = prop["examples"][0]
        parameters.append(parameter)
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


def _responses(generator: Generator, with_body: bool) -> dict[int | str, dict[str, Any]]:
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
    return (
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
        get = _endpoint(generator, service, from_body=False)
        app.add_api_route(
            path,
            get,
            methods=["GET"],
            operation_id=f"{generator.name}{suffix}".replace("-", "_"),
            openapi_extra={"parameters": model_parameters + output_parameters},
            responses=_responses(generator, with_body=False),
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
                responses=_responses(generator, with_body=True),
                **common,
            )
