"""Turning each registered generator into HTTP routes.

For a generator named `qr` with `path = ""` this adds `GET /qr`, `GET /qr.{format}` and,
if it accepts a JSON body, `POST /qr` and `POST /qr.{format}`. Every route validates its
parameters with the generator's model, picks the format (`output.py`), renders in a
worker thread and answers `Response(content=bytes)` with an exact Content-Length.
"""

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from imagegen.encoding import encode
from imagegen.errors import ApiError, ErrorBody, from_validation_error
from imagegen.formats import tokens_for
from imagegen.output import (
    FORMAT_PARAM,
    LOSSLESS_PARAM,
    QUALITY_PARAM,
    OutputChoice,
    choose_output,
)
from imagegen.plugin import Generator

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_NOT_IN_URLS = ("null", "array", "object")  # forms a query parameter cannot take
_VARY = {
    "description": "`Accept` when the format was negotiated rather than chosen explicitly.",
    "schema": {"type": "string"},
}


def _render(generator: Generator, params: BaseModel, output: OutputChoice) -> bytes:
    result = generator.render(params, output.format)
    return result if isinstance(result, bytes) else encode(result, output.format, output.options)


def _validate(generator: Generator, data: object) -> BaseModel:
    try:
        return generator.params.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


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


def _endpoint(generator: Generator, from_body: bool) -> Callable[[Request], Awaitable[Response]]:
    max_body = generator.context.settings.max_body_bytes

    async def endpoint(request: Request) -> Response:
        query = dict(request.query_params)
        path_params = dict(request.path_params)
        extension = path_params.pop(FORMAT_PARAM, None)
        output = choose_output(query, extension, request.headers.get("accept"), generator.formats)
        data = await read_json_body(request, max_body) if from_body else query | path_params
        params = _validate(generator, data)
        content = await run_in_threadpool(_render, generator, params, output)
        headers = {"Vary": "Accept"} if output.negotiated else {}
        return Response(content, media_type=output.format.media_type, headers=headers)

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
            "headers": {"Vary": _VARY},
        },
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


def add_generator_routes(app: FastAPI, generator: Generator) -> None:
    """Add the GET (and, if the generator takes a JSON body, POST) routes of `generator`."""
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
        app.add_api_route(
            path,
            _endpoint(generator, from_body=False),
            methods=["GET"],
            operation_id=f"{generator.name}{suffix}".replace("-", "_"),
            openapi_extra={"parameters": model_parameters + output_parameters},
            **common,
        )
        if generator.accepts_body:
            body_path = f"/{generator.name}" + (f".{{{FORMAT_PARAM}}}" if with_extension else "")
            model_name = generator.params.__name__
            app.add_api_route(
                body_path,
                _endpoint(generator, from_body=True),
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
