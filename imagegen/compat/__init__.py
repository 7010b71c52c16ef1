"""Other services' URLs, translated into our generators' parameters.

A `Grammar` reads a request written for another service — QuickChart's
`/qr?text=…&dark=…`, say — and returns a `Translation`: which generator draws it, its
parameters in our names, and the output the URL asked for. Everything after that is
the generator's own route's work: the same validation and limits, render cost check,
cache, renderer, negotiation and headers. A grammar never draws.

    class QuickChartQR(Grammar):
        path = "/qr"
        generator = "qr"
        claims_query = ("text",)  # shares /qr with our own route

        def translate(self, request: CompatRequest) -> Translation:
            query = request.query
            return Translation("qr", {"data": query.get("text", "")}, names={"data": "text"})

Built-in grammars are listed in `imagegen.compat.registry`; plugin packages add theirs
under the `imagegen.grammars` entry-point group.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from imagegen.error_images import Canvas
from imagegen.jsonbody import json_object
from imagegen.settings import Settings


@dataclass(frozen=True)
class CompatRequest:
    """What a grammar may read of a request: its path, the path template's parameters,
    the query (decoded as usual: `+` is a space; the last of repeated names wins), the
    raw query string (for services that read `+` as a plus) and a POST's body."""

    path: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    raw_query: bytes
    body: bytes | None = None


@dataclass(frozen=True)
class Translation:
    """A request in our terms.

    `params` are the generator's parameters: URL text validated as a query string is,
    or, with `json=True`, JSON values validated as a POST body is (strictly). `output`
    holds our output options as URL text (`format`, `quality`, `lossless`); without a
    `format` the `Accept` header decides, as on our own routes. `names` maps our
    parameter names to the service's, so that a 422 names what the user wrote.
    `data_uri` answers with the image as a `data:` URI in text (QuickChart's
    `format=base64`)."""

    generator: str
    params: dict[str, Any]
    output: dict[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    json: bool = False
    data_uri: bool = False

    def their_name(self, parameter: str) -> str:
        """The service's name for our `parameter`, a dotted path: its longest mapped
        start, followed by the rest as `[0]` or `.key` (`datasets.0.data.3`, with
        `datasets.0.data` mapped, is `chart.data.datasets[0].data[3]`); as it is when
        no start of it is mapped."""
        parts = parameter.split(".")
        for end in range(len(parts), 0, -1):
            mapped = self.names.get(".".join(parts[:end]))
            if mapped is not None:
                rest = parts[end:]
                return mapped + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in rest)
        return parameter


class Grammar(ABC):
    """One service's URL grammar on one path."""

    #: The route's path template (Starlette syntax), such as `/v1/create-qr-code/`.
    path: ClassVar[str]
    #: The generator it translates into; the grammar is left out when it is not installed.
    generator: ClassVar[str]
    #: The service, for the spec and the README: `QuickChart`, `placehold.co`.
    service: ClassVar[str]
    summary: ClassVar[str]
    description: ClassVar[str] = ""
    methods: ClassVar[tuple[str, ...]] = ("GET",)
    #: On a path our own routes also serve (`/qr`, `/chart`), the grammar takes only
    #: requests whose query has one of these names; empty: every request on its path.
    claims_query: ClassVar[tuple[str, ...]] = ()
    #: A grammar on a catch-all template (`/{spec:path}`) takes only the paths
    #: `claims_path` accepts that no other route serves (whatever the method), so that it
    #: never shadows a route, and it stays out of the spec (the README documents it).
    catch_all: ClassVar[bool] = False
    #: On a POST path our own route also serves, the grammar takes only JSON bodies
    #: that are an object with one of these keys; our route takes the others.
    claims_body_keys: ClassVar[tuple[str, ...]] = ()
    #: Whether its route is in the OpenAPI spec (never on a path our own route serves).
    in_spec: ClassVar[bool] = True
    #: Whether it can answer with a `data:` URI as text (`Translation.data_uri`).
    answers_data_uri: ClassVar[bool] = False
    #: Query parameters as OpenAPI parameter objects, for the spec.
    parameters: ClassVar[tuple[dict[str, Any], ...]] = ()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def claims_path(self, path: str) -> bool:
        """Whether a request for `path` (which matched `path`'s template) may be in this
        grammar; a grammar on a catch-all template narrows it here."""
        return True

    def claims(self, path: str, query: Mapping[str, str], method: str = "GET") -> bool:
        """Whether this request may be written in this grammar (its path already matched).
        A POST to a grammar with `claims_body_keys` is decided by its body, once read."""
        if not self.claims_path(path):
            return False
        if method == "POST" and self.claims_body_keys:
            return True
        return not self.claims_query or any(name in query for name in self.claims_query)

    def claims_body(self, body: bytes) -> bool:
        """Whether a POST body is written in this grammar: a JSON object with one of
        `claims_body_keys` (every body, for a grammar without them)."""
        if not self.claims_body_keys:
            return True
        value = json_object(body)  # None: our own route says what is wrong with it
        return value is not None and any(key in value for key in self.claims_body_keys)

    def canvas(self, request: CompatRequest) -> Canvas:
        """The size and format `request` asks for, read leniently (never raising, and
        cheaply: no config is parsed), with the service's defaults for what it leaves
        out: its error is drawn so when the client prefers an image. The default knows
        nothing, and the error is drawn at `error_images.DEFAULT_SIZE`."""
        return Canvas()

    @abstractmethod
    def translate(self, request: CompatRequest) -> Translation:
        """The request in our terms; raise `invalid_parameter(their name, …)` for what
        cannot be translated."""
