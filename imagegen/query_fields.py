"""A parameter model's fields as the parameters a URL carries.

Kept apart from the routes: `imagegen render` reads it too, and must not import the
server's modules (prometheus_client decides at import whether metrics go to the shared
multiprocess folder, which `imagegen serve` sets up only after the command line is read).
"""

from typing import Any


def _object_fields(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    """The model a property refers to (`X | None` with X a model), or None."""
    for option in prop.get("anyOf", [prop]):
        ref = option.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return defs.get(ref.removeprefix("#/$defs/"))
    return None


def query_fields(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """A parameter model's JSON schema as (name, property, required) of the parameters
    a URL carries. A field that is a model of its own (a QR code's `wifi`) is carried
    as one parameter per field, `wifi.ssid`: its description then names the field."""
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema["properties"].items():
        inner = _object_fields(prop, defs)
        if inner is None:
            fields.append((name, prop, name in required))
            continue
        inner_required = set(inner.get("required", []))
        for field, inner_prop in inner["properties"].items():
            described = [inner_prop, *inner_prop.get("anyOf", [])]
            text = next((p["description"] for p in described if "description" in p), field)
            if field in inner_required:
                text += f" Required with `{name}`."
            fields.append(
                (f"{name}.{field}", inner_prop | {"description": f"`{name}`: {text}"}, False)
            )
    return fields
