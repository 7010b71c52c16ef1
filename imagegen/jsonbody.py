"""Request bodies parsed as strict JSON (RFC 8259), with bounds on what a parse can cost.

Python's `json` module accepts `NaN` and `Infinity`, turns a 5,000-digit integer into a
`ValueError` about interpreter internals, and recurses once per nesting level (a body of
100,000 `[` is a `RecursionError`). Here each of those is a 4xx that names what was
wrong, and the result is walked once, iteratively, to bound its depth and to read
integral floats as integers.
"""

import json
from typing import Any

from imagegen.errors import ApiError, invalid_parameter

# No parameter of any generator nests deeper than a list of lists inside an object; a
# little room is left for plug-ins.
MAX_DEPTH = 16
# 2**63 has 19 digits; no limit of ours is near that, and a longer number is noise.
MAX_NUMBER_DIGITS = 19


class _HugeNumber:
    """An integer literal too long to convert; reported with its path after the parse."""

    def __init__(self, literal: str) -> None:
        self.literal = literal


def _parse_int(literal: str) -> int | _HugeNumber:
    if len(literal.lstrip("-")) > MAX_NUMBER_DIGITS:
        return _HugeNumber(literal)
    return int(literal)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")


def _invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_json", f"The request body is not valid JSON: {message}")


def _path(parts: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in parts) or "body"


def _normalise(document: object) -> object:
    """`document` with integral floats as ints (JSON Schema's `integer` includes `27.0`;
    strict validation does not), checked for depth and huge numbers, without recursion."""
    root: list[object] = [document]
    stack: list[tuple[list[Any] | dict[str, Any], str | int, object, tuple[str | int, ...]]]
    stack = [(root, 0, document, ())]
    while stack:
        parent, key, value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise invalid_parameter(
                _path(path[:MAX_DEPTH]), f"JSON nests at most {MAX_DEPTH} levels", MAX_DEPTH
            )
        if isinstance(value, _HugeNumber):
            raise invalid_parameter(
                _path(path),
                f"numbers have at most {MAX_NUMBER_DIGITS} digits",
                MAX_NUMBER_DIGITS,
            )
        if isinstance(value, float) and value.is_integer():
            parent[key] = int(value)  # type: ignore[index]
        elif isinstance(value, list):
            stack.extend((value, index, item, (*path, index)) for index, item in enumerate(value))
        elif isinstance(value, dict):
            stack.extend((value, name, item, (*path, name)) for name, item in value.items())
    return root[0]


def json_object(data: bytes) -> dict[str, Any] | None:
    """`data` as a JSON object, or None when it is not one (not JSON, or another JSON
    value): for reading leniently what a later step refuses with its own error."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def parse_json_body(body: bytes) -> object:
    """The JSON document in `body`; a 400 for what is not JSON, a 422 naming the place of
    a number too long or nesting too deep."""
    try:
        document = json.loads(body, parse_int=_parse_int, parse_constant=_refuse_constant)
    except RecursionError:
        raise invalid_parameter(
            "body", f"JSON nests at most {MAX_DEPTH} levels", MAX_DEPTH
        ) from None
    except UnicodeDecodeError:
        raise _invalid("it is not UTF-8") from None
    except ValueError as exc:
        raise _invalid(str(exc)) from None
    return _normalise(document)
