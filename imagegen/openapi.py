"""The OpenAPI document: FastAPI's, plus the JSON-body schemas routes reference by hand."""

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

_REF = "#/components/schemas/{model}"


def _schemas(models: list[type[BaseModel]]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template=_REF)
        schemas |= schema.pop("$defs", {})
        schemas[model.__name__] = schema
    return schemas


def _describe_parameter_schemas(spec: dict[str, Any]) -> None:
    """Repeat each parameter's description in its schema. OpenAPI puts it on the
    parameter, but some client generators (openapi-python-client) document a
    function's arguments from the schema alone. The parameter's own description wins
    over one its type brings (a colour's syntax, say): it says what the parameter is."""
    for item in spec["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if "description" in parameter:
                    parameter["schema"]["description"] = parameter["description"]


def install_openapi(app: FastAPI, body_models: list[type[BaseModel]]) -> None:
    """Make `app.openapi()` include the schemas of the generators' JSON bodies."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = spec.setdefault("components", {}).setdefault("schemas", {})
            components |= _schemas(body_models)
            _describe_parameter_schemas(spec)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render_spec(app: FastAPI) -> str:
    """The spec as committed in `openapi/openapi.json`: stable key order, final newline."""
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
