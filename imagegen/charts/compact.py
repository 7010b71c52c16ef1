"""The compact spellings of lists that fit in a query string: `labels=a,b,c`,
`data=1,2,3|4,5,6`.

A chart's list fields take either spelling: the text of a URL, or a list in a JSON body.
The `BeforeValidator`s here turn text into lists before pydantic checks them, so one set
of types and limits covers both; `TextForm` documents the text spelling in the schema.
"""

import re
from typing import Any

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

# Entries of `data` that mean "no value here": the line breaks, the bar is left out.
GAP_WORDS = frozenset({"", "null", "none", "nan"})

# The text forms as patterns (ECMA 262 and Python alike), used both to parse and in
# the spec, so that what the schema allows is exactly what is accepted.
NUMBER = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_GAP = r"(?:[Nn][Uu][Ll][Ll]|[Nn][Oo][Nn][Ee]|[Nn][Aa][Nn])?"
_NUMBER_OR_GAP = rf"\s*(?:{NUMBER}|{_GAP})\s*"
NUMBERS_PATTERN = rf"^\s*{NUMBER}\s*(?:,\s*{NUMBER}\s*)*$"
# A series entry: a value or a gap, a box plot's samples (`1;2;3`) or a bubble (`x:y:r`).
_ENTRY = (
    rf"\s*(?:{NUMBER}|{_GAP}|{NUMBER}(?:\s*;\s*{NUMBER})+|"
    rf"{NUMBER}\s*:\s*{NUMBER}\s*:\s*{NUMBER})\s*"
)
SERIES_PATTERN = rf"^{_ENTRY}(?:[,|]{_ENTRY})*$"
_NUMBER_RE = re.compile(NUMBER)
_INFINITY = frozenset({"inf", "infinity"})


def list_pattern(item: str) -> str:
    """A pattern for comma-separated `item`s (themselves patterns), or nothing at all."""
    return rf"^(?:\s*(?:{item})\s*(?:,\s*(?:{item})\s*)*)?$"


def split_items(value: object) -> object:
    """`"a, b,c"` → `["a", "b", "c"]`, and `""` → `[]`; anything but text is left as is."""
    if not isinstance(value, str):
        return value
    return [item.strip() for item in value.split(",")] if value.strip() else []


_LIST_ITEM = re.compile(r"(?:[^,(]|\([^)]*\)?)+|(?<=,)|^(?=,)")


def split_colors(value: object) -> object:
    """`"red, rgb(1, 2, 3)"` → `["red", "rgb(1, 2, 3)"]`: as `split_items`, but a comma
    inside parentheses (a colour function's) does not separate items."""
    if not isinstance(value, str) or "(" not in value:
        return split_items(value)
    return [item.strip() for item in _LIST_ITEM.findall(value)]


def _point(text: str) -> float | str | None:
    """A number, None for a gap, or the text itself, which validation then refuses at
    its position (`data.0.2`). Numbers are parsed here because JSON bodies are validated
    strictly, where pydantic would not read `"2"` as 2."""
    text = text.strip()
    if text.lower() in GAP_WORDS:
        return None
    if text.lower().lstrip("+-") in _INFINITY:  # beyond any axis: a gap, as NaN is
        return float(text)
    return float(text) if _NUMBER_RE.fullmatch(text) else text


def _entry(text: str) -> object:
    """A series entry: `x:y:r` → a bubble's dict, `1;2;3` → samples, else a point."""
    if ":" in text:
        parts = [_point(part) for part in text.split(":")]
        keys = ["x", "y", "r"] + [f"part {n}" for n in range(4, len(parts) + 1)]
        return {key: part for key, part in zip(keys, parts, strict=False) if part is not None}
    if ";" in text:
        return [_point(sample) for sample in text.split(";") if sample.strip()]
    return _point(text)


def split_points(value: object) -> object:
    """`"1,2,,4"` → `[1.0, 2.0, None, 4.0]`: numbers, and None for gap words."""
    if not isinstance(value, str):
        return value
    return [_point(point) for point in value.split(",")]


def split_series(value: object) -> object:
    """`"1,2,,4|5,6"` → `[[1.0, 2.0, None, 4.0], [5.0, 6.0]]`: `|` separates series."""
    if not isinstance(value, str):
        return value
    return [[_entry(point) for point in series.split(",")] for series in value.split("|")]


class TextForm:
    """Schema marker of a list field that also takes its compact text spelling.

    Puts `{"type": "string"}` (with the text's `pattern`, when it has one) first among
    the field's forms: a query parameter is text, so the GET parameters show that form,
    while the JSON body schema shows both.
    """

    def __init__(self, pattern: str | None = None) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        generated: dict[str, Any] = handler(schema)
        forms = generated.pop("anyOf") if "anyOf" in generated else [generated]
        text: dict[str, Any] = {"type": "string"}
        if self.pattern is not None:
            text["pattern"] = self.pattern
        return {"anyOf": [text, *forms]}


class AlsoBoolean:
    """Schema marker of a field that also takes `true` and `false` (JSON booleans), which
    its `BeforeValidator` turns into one of its words."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        generated: dict[str, Any] = handler(schema)
        forms = generated.pop("anyOf") if "anyOf" in generated else [generated]
        return {"anyOf": [*forms, {"type": "boolean"}]}
