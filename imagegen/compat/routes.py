"""Routes for the compatibility grammars: translate, then serve as the generator's route.

A grammar's route is added before the generators' routes, and matches only the
requests it `claims`, so that a grammar sharing a path with our own route (`/qr?text=`
beside `/qr?data=`) takes just the requests written in its grammar. A POST body is only
known once read: a grammar with `claims_body_keys` reads it, and hands a body that is
not its own (`POST /chart` with our parameters, not `{"chart": …}`) to our route.
"""

import base64
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette._utils import get_route_path
from starlette.datastructures import QueryParams
from starlette.routing import BaseRoute, Match, Router
from starlette.types import Scope

from imagegen.compat import CompatRequest, Grammar, Translation
from imagegen.error_images import Canvas, read_errors_param
from imagegen.errors import ApiError, ParameterProblem
from imagegen.guards import read_body
from imagegen.output import OutputChoice
from imagegen.plugin import Generator
from imagegen.rendering import check_cost, validate_params
from imagegen.routes import (
    RenderService,
    body_endpoint,
    image_responses,
    request_output,
    respond,
)


class _GrammarRoute(APIRoute):
    """An `APIRoute` that matches only the requests its grammar claims (and, for a
    catch-all grammar, that no other route of `router` matches)."""

    grammar: Grammar
    router: Router

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        query = QueryParams(scope.get("query_string", b""))
        method = scope.get("method", "GET")
        if not self.grammar.claims(get_route_path(scope), query, method):
            return Match.NONE, {}
        if self.grammar.catch_all and self._served_by_another(scope):
            return Match.NONE, {}
        return match, child

    def _served_by_another(self, scope: Scope) -> bool:
        return any(
            not isinstance(route, _GrammarRoute) and route.matches(scope)[0] is not Match.NONE
            for route in self.router.routes
        )


def grammar_paths(routes: Sequence[BaseRoute]) -> Callable[[str], bool]:
    """Whether a path is one that a grammar route among `routes` may serve (whatever
    its query), for the signature check: a signed server signs these images too."""
    grammar_routes = [route for route in routes if isinstance(route, _GrammarRoute)]

    def serves(path: str) -> bool:
        return any(
            route.path_regex.match(path) and route.grammar.claims_path(path)
            for route in grammar_routes
        )

    return serves


def grammar_canvases(routes: Sequence[BaseRoute]) -> Callable[[Scope, bytes | None], Canvas | None]:
    """The canvas of a request a grammar route among `routes` takes, read by its grammar
    (`body`: a POST's, as far as it was read); None when none takes it."""
    grammar_routes = [route for route in routes if isinstance(route, _GrammarRoute)]

    def canvas(scope: Scope, body: bytes | None) -> Canvas | None:
        for route in grammar_routes:
            match, child = route.matches(scope)
            if match is not Match.FULL:
                continue
            grammar = route.grammar
            if body is not None and grammar.claims_body_keys and _other_json(grammar, body):
                continue  # our own route's body, on a path they share
            query = QueryParams(scope.get("query_string", b""))
            request = CompatRequest(
                get_route_path(scope),
                dict(child.get("path_params", {})),
                dict(query),
                scope.get("query_string", b""),
                body,
            )
            return grammar.canvas(request)
        return None

    return canvas


def _other_json(grammar: Grammar, body: bytes) -> bool:
    """Whether `body` is JSON the grammar does not claim. A body that is not JSON (or
    was refused before it was read whole: a 413) is drawn as the grammar's."""
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False
    return not grammar.claims_body(body)


def _renamed(error: ApiError, translation: Translation) -> ApiError:
    """`error` with each parameter under the service's name for it."""
    problems = [
        ParameterProblem(
            parameter=translation.their_name(p.parameter), message=p.message, limit=p.limit
        )
        for p in error.body.parameters
    ]
    if not problems:
        return error
    message = "; ".join(f"{p.parameter}: {p.message}" for p in problems)
    return ApiError(error.body.status, error.body.error, message, problems, headers=error.headers)


def _validated(generator: Generator, translation: Translation, output: OutputChoice) -> BaseModel:
    try:
        params = validate_params(generator, translation.params, strict=translation.json)
        check_cost(generator, params, output)
    except ApiError as exc:
        raise _renamed(exc, translation) from None
    return params


def _endpoint(
    grammar: Grammar, generators: dict[str, Generator], service: RenderService
) -> Callable[[Request], Awaitable[Response]]:
    settings = grammar.settings
    ours = body_endpoint(generators[grammar.generator], service)

    async def endpoint(request: Request) -> Response:
        body = None
        if request.method == "POST":
            declared = request.headers.get("content-length")
            body = await read_body(declared, request.receive, settings.max_body_bytes)
            if grammar.claims_body_keys:
                claimed = await anyio.to_thread.run_sync(
                    grammar.claims_body, body, limiter=service.validation_limiter
                )
                if not claimed:  # a body in our own grammar, on a path we share
                    return await ours(request, body)
        query = dict(request.query_params)
        read_errors_param(query)  # the error middleware's: not the grammar's
        compat = CompatRequest(
            request.url.path,
            dict(request.path_params),
            query,
            request.scope.get("query_string", b""),
            body,
        )
        # Parsing a configuration (a chart's) can take milliseconds: off the event loop.
        translation = await anyio.to_thread.run_sync(
            grammar.translate, compat, limiter=service.validation_limiter
        )
        generator = generators[translation.generator]
        try:
            output = request_output(request, generator, dict(translation.output), None)
        except ApiError as exc:
            raise _renamed(exc, translation) from None
        params = await anyio.to_thread.run_sync(
            _validated, generator, translation, output, limiter=service.validation_limiter
        )
        if translation.data_uri:
            output = replace(output, negotiated=False)
        image = await respond(request, generator, service, output, params)
        if not translation.data_uri or image.status_code != 200:
            return image
        # The text has no ETag of its own: the image's would let the cache serve the
        # image's bytes for this URL.
        encoded = base64.b64encode(bytes(image.body)).decode("ascii")
        headers = {k: v for k, v in image.headers.items() if k == "cache-control"}
        uri = f"data:{output.format.media_type};base64,{encoded}"
        return PlainTextResponse(uri, headers=headers)

    return endpoint


def _responses(grammar: Grammar, generator: Generator) -> dict[int | str, dict[str, Any]]:
    responses = image_responses(generator, with_body="POST" in grammar.methods)
    if grammar.answers_data_uri:
        ok = responses[200] = dict(responses[200])
        ok["content"] = ok["content"] | {
            "text/plain": {"schema": {"type": "string", "description": "A `data:` URI."}}
        }
    return responses


def add_grammar_routes(
    app: FastAPI, grammars: list[Grammar], generators: dict[str, Generator], service: RenderService
) -> None:
    """Add each grammar's routes (those whose generator is installed)."""
    for grammar in grammars:
        generator = generators.get(grammar.generator)
        if generator is None:
            continue
        name = f"{grammar.service} {grammar.path}"
        endpoint = _endpoint(grammar, generators, service)
        route_class = type(
            "GrammarRoute", (_GrammarRoute,), {"grammar": grammar, "router": app.router}
        )
        app.router.add_api_route(
            grammar.path,
            endpoint,
            methods=list(grammar.methods),
            response_class=Response,
            summary=grammar.summary,
            description=grammar.description,
            tags=["compatibility"],
            # A path our own route documents holds one operation per method, and a
            # catch-all template is no one path: the README documents those grammars.
            include_in_schema=grammar.in_spec
            and not (grammar.claims_query or grammar.claims_body_keys or grammar.catch_all),
            operation_id="compat_" + "".join(c if c.isalnum() else "_" for c in name).strip("_"),
            openapi_extra={"parameters": list(grammar.parameters)},
            responses=_responses(grammar, generator),
            route_class_override=route_class,
        )
        if "GET" in grammar.methods:
            app.router.add_api_route(
                grammar.path,
                endpoint,
                methods=["HEAD"],
                include_in_schema=False,
                route_class_override=route_class,
            )

    # Grammar routes go first: on a shared path they take only what they claim. A
    # catch-all grammar's go last: they take only what no other route matches, so every
    # other route is tried first anyway, and a request for one of ours is not read by
    # the grammar first (a tenth of the event loop's time for a placeholder).
    def order(route: BaseRoute) -> int:
        if not isinstance(route, _GrammarRoute):
            return 1
        return 2 if route.grammar.catch_all else 0

    app.router.routes.sort(key=order)  # stable
