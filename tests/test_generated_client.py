"""A Python client generated from the committed spec by openapi-python-client calls every
image operation against a live server and gets the bytes of the format it asked for.

The generator runs with `--fail-on-warning`: any part of the spec it cannot turn into
code (an operation, a parameter, a response) fails this test.
"""

import enum
import importlib
import inspect
import os
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imagegen.formats import ALL_FORMATS, ImageFormat
from imagegen.plugin import Generator
from tests.conftest import assert_format

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "openapi.json"
CONFIG = ROOT / "openapi" / "python-client.yaml"
BIN = Path(sys.executable).parent  # the test extra installs the generator (and ruff) here
GENERATOR = BIN / "openapi-python-client"
PACKAGE = "imagegen_client"
_BY_MEDIA_TYPE = {fmt.media_type: fmt for fmt in ALL_FORMATS}

pytestmark = pytest.mark.skipif(
    not GENERATOR.exists(), reason="openapi-python-client is not installed (the test extra)"
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Iterator[types.ModuleType]:
    """The client package, generated into a temporary folder and imported."""
    out = tmp_path_factory.mktemp("client")
    command = [GENERATOR, "generate", "--path", SPEC, "--config", CONFIG, "--meta", "none"]
    command += ["--output-path", out / PACKAGE, "--fail-on-warning"]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def api_client(generated, live_server) -> Any:
    host, port = live_server
    return generated.Client(base_url=f"http://{host}:{port}", raise_on_unexpected_status=True)


def image_operations(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(method, operation) of every generator operation whose 200 response is a file
    (other services' URL grammars are tested with their own URLs in test_compat.py)."""
    for item in spec["paths"].values():
        for method, operation in item.items():
            if operation.get("tags") == ["compatibility"]:
                continue
            content = operation["responses"]["200"].get("content", {})
            if set(content) <= set(_BY_MEDIA_TYPE):
                yield method, operation


def python_name(name: str) -> str:
    return name.replace("-", "_").lower()


def coerce(value: str, annotation: Any) -> Any:
    """A query-string value as the generated function's parameter type wants it."""
    candidates = [t for t in typing.get_args(annotation) or [annotation] if isinstance(t, type)]
    for kind in candidates:
        if issubclass(kind, enum.Enum):
            return kind(value)
    for kind in (bool, int, float):
        if kind in candidates:
            if kind is bool:
                return value.lower() == "true"
            return kind(value)
    return value


def json_value(value: str, schema: dict[str, Any]) -> Any:
    """A query-string value as a JSON body carries it, by the body schema's types."""
    kinds = {s.get("type") for s in schema.get("anyOf", [schema])}
    if "integer" in kinds and value.lstrip("-").isdigit():
        return int(value)
    if "number" in kinds:
        return float(value)
    if "boolean" in kinds:
        return value.lower() == "true"
    return value


def call(
    generated: types.ModuleType,
    api_client: Any,
    spec: dict[str, Any],
    method: str,
    operation: dict[str, Any],
    generator: Generator,
    fmt: ImageFormat | None,
) -> Any:
    """Call the generated function of `operation` with the generator's first example."""
    tag = python_name(operation["tags"][0])
    module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation['operationId']}")
    function = module.sync_detailed
    hints = typing.get_type_hints(function)
    python_names = {p.rstrip("_"): p for p in inspect.signature(function).parameters}
    example = dict(generator.examples[0])
    if fmt is not None:
        example["format"] = fmt.name
    kwargs: dict[str, Any] = {"client": api_client}
    in_operation = {p["name"] for p in operation.get("parameters", [])}
    for name, value in example.items():
        if name in in_operation:
            target = python_names[python_name(name)]
            kwargs[target] = coerce(value, hints[target])
    if method == "post":
        model = hints["body"]
        schema = spec["components"]["schemas"][generator.params.__name__]
        body = {
            name: json_value(value, schema["properties"][name])
            for name, value in example.items()
            if name in schema["properties"]
        }
        kwargs["body"] = model.from_dict(body)
    return function(**kwargs)


def test_every_image_operation_returns_the_format_asked_for(generated, api_client, app):
    spec = app.openapi()
    generators = {g.name: g for g in app.state.generators}
    calls = 0
    for method, operation in image_operations(spec):
        generator = generators[operation["tags"][0]]
        offered = [_BY_MEDIA_TYPE[m] for m in operation["responses"]["200"]["content"]]
        in_path = any(p["name"] == "format" and p["in"] == "path" for p in operation["parameters"])
        choices: list[ImageFormat | None] = [*offered] if in_path else [None, *offered]
        for fmt in choices:
            response = call(generated, api_client, spec, method, operation, generator, fmt)
            expected = fmt or offered[0]  # without a format, the client accepts */*
            where = f"{method.upper()} {operation['operationId']} {expected.name}"
            assert response.status_code == 200, (where, response.content[:300])
            assert response.headers["content-type"] == expected.media_type, where
            assert isinstance(response.parsed, generated.types.File), where
            assert response.parsed.payload.read() == response.content
            assert_format(response.content, expected)
            calls += 1
    assert calls == sum(
        len(g.formats) * (4 if g.accepts_body else 2) + (2 if g.accepts_body else 1)
        for g in generators.values()
    )


def test_errors_come_back_as_error_body(generated, api_client):
    from imagegen_client.api.placeholder import placeholder

    response = placeholder.sync_detailed(99999, 10, client=api_client)
    assert response.status_code == 422
    problem = response.parsed.parameters[0]
    assert (problem.parameter, problem.limit) == ("width", 4000)


def test_functions_document_every_parameter(generated, app):
    for _, operation in image_operations(app.openapi()):
        tag = python_name(operation["tags"][0])
        module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation['operationId']}")
        docstring = " ".join(module.sync_detailed.__doc__.split())
        for parameter in operation["parameters"]:
            assert " ".join(parameter["description"].split()) in docstring, parameter["name"]
