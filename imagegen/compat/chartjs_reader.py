"""The reading side of Chart.js configs: each value's kind checked, each object's keys
checked, and our parameters collected with the config path each came from.

Shared by the translators of `chartjs` (charts with axes and round charts) and
`chartjs_gauges` (QuickChart's gauge plugins).
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from imagegen.colors import format_color, parse_color
from imagegen.compat.jsliteral import Code
from imagegen.errors import ApiError, invalid_parameter


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def path_key(path: str, key: object) -> str:
    """`path` and one more step: `.key`, or `[i]` for a list index."""
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def refuse(path: str, message: str, limit: object = None) -> ApiError:
    return invalid_parameter(path, message, limit)


@dataclass
class Reader:
    """Reads one config, checking each value's kind and each object's keys."""

    version: int

    def object(self, value: object, path: str) -> dict[str, Any]:
        self.no_code(value, path)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise refuse(path, "must be an object ({…})")
        return value

    def keys(
        self, value: Mapping[str, Any], path: str, read: Iterable[str], ignored: Iterable[str] = ()
    ) -> None:
        """A 422 for the first key that is neither `read` nor `ignored`."""
        known = set(read)
        skipped = set(ignored)
        for key in value:
            if key not in known and key not in skipped:
                raise refuse(
                    path_key(path, key),
                    "is not supported here (nothing is drawn for it)",
                    sorted(known),
                )

    def no_code(self, value: object, path: str) -> None:
        if isinstance(value, Code):
            raise refuse(path, value.what)

    def no_code_inside(self, value: object, path: str) -> None:
        """A 422 for the first function or call anywhere in `value`, for options that
        are drawn our way or not at all."""
        stack: list[tuple[object, str]] = [(value, path)]
        while stack:
            value, path = stack.pop()
            self.no_code(value, path)
            if isinstance(value, dict):
                stack += [(v, path_key(path, k)) for k, v in value.items()]
            elif isinstance(value, list):
                stack += [(v, path_key(path, i)) for i, v in enumerate(value)]

    def number(self, value: object, path: str) -> float:
        self.no_code(value, path)
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise refuse(path, "must be a number") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise refuse(path, "must be a number")
        try:
            return float(value)
        except OverflowError:  # an integer past a float's range, from a JSON body
            return math.copysign(math.inf, value)

    def finite(self, value: object, path: str) -> float:
        number = self.number(value, path)
        if not math.isfinite(number):
            raise refuse(path, "must be a finite number")
        return number

    def boolean(self, value: object, path: str) -> bool:
        self.no_code(value, path)
        if isinstance(value, bool):
            return value
        if value is None or value in (0, 1, "true", "false"):
            return value in (1, "true")
        raise refuse(path, "must be true or false")

    def text(self, value: object, path: str) -> str:
        """A label: a string, a number written as JavaScript would, or lines (joined)."""
        self.no_code(value, path)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return js_number(value)
        if isinstance(value, list):
            return " ".join(self.text(v, path_key(path, i)) for i, v in enumerate(value))
        raise refuse(path, "must be text")

    def color(self, value: object, path: str) -> str:
        self.no_code(value, path)
        try:
            return format_color(parse_color(value))
        except ValueError as exc:
            raise refuse(path, str(exc)) from None


def js_number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


@dataclass
class ChartTranslation:
    """Our parameters (JSON) and, for each, the config path it came from."""

    params: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: Any, path: str) -> None:
        self.params[name] = value
        self.names[name] = path
