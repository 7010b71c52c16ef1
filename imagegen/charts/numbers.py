"""Writing numbers on charts (axis ticks, value labels) the way `number_format` says.

A number format is `compact` (1.2k, 3.4M, 5.6B), a Python format spec such as `,.0f` or
`.1%`, or a template with one `{}` field around it, such as `${:,.0f}` or `{:.1f} kg`.
It is only ever applied with `format(value, spec)` to a float, never with `str.format`:
no attribute or item lookup, no code. Width and precision are bounded so that one
format cannot build a huge string.
"""

import re
import string
from collections.abc import Callable

from pydantic_core import PydanticCustomError

# Spec for a float: [[fill]align][sign][z][#][0][width][grouping][.precision][type].
_FLOAT_SPEC = re.compile(
    r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d+)?[,_]?(?:\.(?P<precision>\d+))?[eEfFgGn%]?",
    re.DOTALL,
)
MAX_DIGITS = 20  # largest width and precision

# The whole grammar as one pattern, written so that JSON Schema (ECMA 262) reads it as
# Python does: it gates `parse_number_format` and is the field's `pattern` in the spec.
# Grouping (`,` `_`) cannot go with `n`; the fill may not be a brace.
_SPEC = (
    r"(?:[^{}]?[<>=^])?[-+ ]?z?#?0?(?:[0-9]{1,2})?"
    r"(?:[,_]?(?:\.[0-9]{1,2})?[eEfFgG%]?|(?:\.[0-9]{1,2})?n)"
)
_LITERAL = r"(?:[^{}]|\{\{|\}\})*"
NUMBER_FORMAT_PATTERN = rf"^(?:compact|{_SPEC}|{_LITERAL}\{{(?::{_SPEC})?\}}{_LITERAL})$"
DEFAULT_SPEC = ",.10g"  # 1,200 and 0.3, rather than 1200.0 and 0.30000000000000004


def _split_template(number_format: str) -> tuple[str, str, str]:
    if "{" not in number_format and "}" not in number_format:
        return "", number_format, ""
    try:
        parts = list(string.Formatter().parse(number_format))
    except ValueError:
        raise ValueError("has unbalanced braces; write {{ and }} for literal ones") from None
    fields = [i for i, (_, name, _, _) in enumerate(parts) if name is not None]
    if len(fields) != 1:
        raise ValueError("must have exactly one {} field, such as ${:,.0f}")
    at = fields[0]
    _, name, spec, conversion = parts[at]
    if name or conversion or "{" in (spec or ""):
        raise ValueError("the field must be {} or {:spec}, with nothing inside but a spec")
    prefix = "".join(part[0] for part in parts[: at + 1])
    suffix = "".join(part[0] for part in parts[at + 1 :])
    return prefix, spec or "", suffix


def parse_number_format(number_format: str) -> tuple[str, str, str]:
    """`(prefix, spec, suffix)` of a number format; ValueError saying what is wrong."""
    if number_format == COMPACT:
        return "", "", ""
    if re.fullmatch(NUMBER_FORMAT_PATTERN, number_format) is None:
        raise ValueError(
            "is not a number format: a format spec such as ,.0f or .1%, or text with one "
            "{} or {:spec} field such as ${:,.0f}"
        )
    prefix, spec, suffix = _split_template(number_format)
    match = _FLOAT_SPEC.fullmatch(spec)
    if match is None:
        raise ValueError(f"{spec!r} is not a format spec for numbers, such as ,.0f or .1%")
    if any(int(match[key] or 0) > MAX_DIGITS for key in ("width", "precision")):
        raise PydanticCustomError(
            "limit_exceeded", "width and precision must be at most {limit}", {"limit": MAX_DIGITS}
        )
    try:
        format(1234.5, spec)
    except ValueError as exc:
        raise ValueError(f"{spec!r} is not a valid format spec: {exc}") from None
    return prefix, spec, suffix


COMPACT = "compact"
_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
_COMPACT_LIMIT = 1e15  # beyond trillions, scientific notation


def compact_number(value: float) -> str:
    """`value` in three significant digits with a unit: 1.2B, 3.4k, 999, 0.25."""
    size = abs(value)
    if size >= _COMPACT_LIMIT:
        return f"{value:.3g}"
    for unit, suffix in _UNITS:
        if size >= unit * (1 - 5e-4):  # what rounds up to one of this unit
            return f"{float(f'{value / unit:.3g}'):g}{suffix}"
    return f"{float(f'{value:.3g}'):g}"


def number_formatter(number_format: str | None) -> Callable[[float], str]:
    """The function that writes a value as `number_format` says (a validated one;
    `compact` for 1.2k and 3.4M), or with up to ten significant digits and thousands
    separators when it is None."""
    if number_format == COMPACT:
        return compact_number
    prefix, spec, suffix = parse_number_format(number_format or DEFAULT_SPEC)

    def write(value: float) -> str:
        return f"{prefix}{format(float(value), spec)}{suffix}"

    return write
