"""JavaScript object literals read as data, never run: Chart.js configs as users write them.

A config is JSON5 more often than not (unquoted keys, single quotes, trailing commas,
comments), which pyjson5 reads in C. What JSON5 lacks (`Math.PI`, `-Math.PI / 2`,
`1e999`, template strings, `new Date(2024, 0, 31)`, functions) is read from the syntax
tree of tree-sitter's JavaScript grammar: only literals, and arithmetic on numbers, are
given a value. Code is never evaluated, and no JavaScript engine is involved; a function
or call becomes a `Code` marker at its place, which the reader refuses with its path if
the config's meaning depends on it.

Both parsers are bounded before they start: the text's size, and its nesting depth
(counted by one linear scan), so that an adversarial literal fails in milliseconds.
"""

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pyjson5
import tree_sitter_javascript
from tree_sitter import Language, Node, Parser

from imagegen.errors import ApiError, invalid_parameter

_JAVASCRIPT = Language(tree_sitter_javascript.language())


@dataclass(frozen=True)
class Code:
    """Where a config has code (a function, a call) instead of a value."""

    what: str  # "functions are not run", "function calls are not run"


class LiteralError(ValueError):
    """A literal that cannot be read as data; `path` says where (`a.b[0]`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


# Strings and comments, each matched to its end or the text's: the pattern never fails
# part-way, so a scan is linear whatever the text (an unclosed quote included).
_QUOTED = re.compile(
    r"\"(?:[^\"\\\n]|\\[\s\S])*\"?"
    r"|'(?:[^'\\\n]|\\[\s\S])*'?"
    r"|`(?:[^`\\]|\\[\s\S])*`?"
    r"|//[^\n]*"
    r"|/\*(?:[^*]|\*(?!/))*(?:\*/)?"
)
_OPENING = np.frombuffer(b"[{(", dtype=np.uint8)
_CLOSING = np.frombuffer(b"]})", dtype=np.uint8)


_SEPARATORS = np.frombuffer(b",:", dtype=np.uint8)
# The JavaScript grammar's parse and walk cost microseconds a syntax node, where JSON5's
# cost nanoseconds: past this many values (commas and colons), only JSON5 is read.
MAX_SCRIPT_VALUES = 4096


def _bare(text: str) -> np.ndarray:
    """`text` without its strings and comments, as bytes."""
    return np.frombuffer(_QUOTED.sub("", text).encode("utf-8", "replace"), dtype=np.uint8)


def _is_closed(token: str) -> bool:
    """Whether a string or comment matched by `_QUOTED` ends where it should."""
    if token.startswith("//"):
        return True
    if token.startswith("/*"):
        return len(token) >= 4 and token.endswith("*/")
    body = token[1:-1]
    escaped = len(body) - len(body.rstrip("\\"))  # backslashes before the last quote
    return len(token) >= 2 and token[-1] == token[0] and escaped % 2 == 0


def _check_closed(text: str, root: str) -> None:
    """A syntax error for a string or comment left open, found before the JavaScript
    grammar's error recovery spends its time on it."""
    for match in _QUOTED.finditer(text):
        if not _is_closed(match.group()):
            line = text.count("\n", 0, match.start()) + 1
            opening = match.group()[:2] if match.group().startswith("/") else match.group()[0]
            raise LiteralError(
                root,
                f"is not a JavaScript object literal: {opening} at line {line} is never closed",
            )


def nesting_depth(text: str) -> int:
    """How deep brackets nest in `text`, outside strings and comments (an upper bound of
    the literal's depth: a regular expression's brackets count too)."""
    bare = _bare(text)
    steps = np.isin(bare, _OPENING).astype(np.int32) - np.isin(bare, _CLOSING)
    return int(np.cumsum(steps).max(initial=0))


def parse_literal(text: str, root: str, max_depth: int) -> Any:
    """`text`, a JavaScript expression of literals, as Python data: dicts, lists, str,
    int, float (NaN and ±inf included), bool, None, and `Code` where there was code.
    Raises `LiteralError` naming the path below `root` of what could not be read."""
    if nesting_depth(text) > max_depth:
        raise LiteralError(root, f"nests deeper than {max_depth} levels")
    try:
        value = pyjson5.decode(text, maxdepth=max_depth)
    except Exception:  # anything JSON5 lacks: the JavaScript grammar reads it
        _check_closed(text, root)
        if int(np.isin(_bare(text), _SEPARATORS).sum()) > MAX_SCRIPT_VALUES:
            raise LiteralError(
                root,
                f"is not JSON5, and past {MAX_SCRIPT_VALUES} values only JSON5 is read: "
                "quote keys and strings, leave out functions and expressions",
            ) from None
        return _TreeReader(text, root).value()
    return _numbers_checked(value)


def config_error(error: LiteralError, limit: object = None) -> ApiError:
    """The 422 for a literal that could not be read."""
    return invalid_parameter(error.path, error.message, limit)


# Integers past 2**53 are not exact in JavaScript either; they are read as floats (and
# past a float's range as infinity) so that no later arithmetic meets a 4,000-digit int.
_EXACT = 2**53


def _as_number(value: int) -> int | float:
    if -_EXACT <= value <= _EXACT:
        return value
    return math.copysign(math.inf, value) if value.bit_length() > 1024 else float(value)


def _numbers_checked(value: Any) -> Any:
    """pyjson5's result with big integers as floats (walked without recursion)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _as_number(value)
    stack = [value]
    while stack:
        item = stack.pop()
        entries = item.items() if isinstance(item, dict) else enumerate(item)
        if not isinstance(item, dict | list):
            continue
        for key, child in list(entries):
            if isinstance(child, int) and not isinstance(child, bool):
                item[key] = _as_number(child)
            elif isinstance(child, dict | list):
                stack.append(child)
    return value


_CONSTANTS: dict[str, float | None] = {
    "Infinity": math.inf,
    "NaN": math.nan,
    "undefined": None,
    "Math.PI": math.pi,
    "Math.E": math.e,
    "Math.LN2": math.log(2),
    "Math.LN10": math.log(10),
    "Math.LOG2E": 1 / math.log(2),
    "Math.LOG10E": 1 / math.log(10),
    "Math.SQRT2": math.sqrt(2),
    "Math.SQRT1_2": math.sqrt(0.5),
    "Number.POSITIVE_INFINITY": math.inf,
    "Number.NEGATIVE_INFINITY": -math.inf,
    "Number.MAX_VALUE": 1.7976931348623157e308,
    "Number.MIN_VALUE": 5e-324,
    "Number.MAX_SAFE_INTEGER": 2**53 - 1,
    "Number.MIN_SAFE_INTEGER": -(2**53 - 1),
    "Number.EPSILON": 2.0**-52,
    "Number.NaN": math.nan,
}
_FUNCTIONS = frozenset(
    {
        "function_expression",
        "function",
        "arrow_function",
        "generator_function",
        "method_definition",
        "class",
    }
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _float(a: float, b: float, operate: Callable[[float, float], float]) -> float:
    try:
        return operate(a, b)
    except ZeroDivisionError:
        return (
            math.nan
            if a == 0 or math.isnan(a)
            else math.copysign(math.inf, a) * (math.copysign(1, b))
        )
    except OverflowError:
        return math.inf


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: math.fmod(a, b) if b != 0 and math.isfinite(a) else math.nan,
    "**": lambda a, b: a**b,
}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_literal(text: str) -> float | int:
    """A JavaScript numeric literal: decimal, 0x/0o/0b, `_` separators, 1e999 → inf."""
    text = text.replace("_", "")
    if text[:2].lower() in ("0x", "0o", "0b"):
        return _as_number(int(text, 0))
    if re.fullmatch(r"0[0-7]+", text):  # legacy octal, as sloppy-mode JavaScript reads it
        return int(text, 8)
    number = float(text)
    return int(number) if number.is_integer() and abs(number) <= _EXACT else number


def _date(arguments: list[Any]) -> str:
    """`new Date(…)` as an ISO 8601 string (the argument itself when it is a string; the
    fields in UTC otherwise: the server has no time zone of the user's)."""
    if len(arguments) == 1 and isinstance(arguments[0], str):
        return arguments[0]
    if not arguments or not all(isinstance(a, int | float) for a in arguments):
        raise ValueError("new Date() takes a string, a time in milliseconds or date fields")
    if not all(math.isfinite(a) for a in arguments):
        raise ValueError("new Date() takes finite numbers")
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    try:
        if len(arguments) == 1:
            moment = epoch + datetime.timedelta(milliseconds=arguments[0])
        else:
            year, month, *rest = (int(a) for a in arguments[:7])
            day, hour, minute, second, millis = (rest + [1, 0, 0, 0, 0][len(rest) :])[:5]
            start = datetime.datetime(year + (month // 12), month % 12 + 1, 1, tzinfo=datetime.UTC)
            moment = start + datetime.timedelta(
                days=day - 1, hours=hour, minutes=minute, seconds=second, milliseconds=millis
            )
    except (ValueError, OverflowError):
        raise ValueError("new Date(): the date is out of range") from None
    return moment.isoformat().replace("+00:00", "Z")


class _TreeReader:
    """Values from tree-sitter's syntax tree of `(text)`; recursion is bounded by the
    depth checked before parsing."""

    def __init__(self, text: str, root: str) -> None:
        self.source = ("(" + text + "\n)").encode("utf-8", "surrogatepass")
        self.root = root
        self.tree = Parser(_JAVASCRIPT).parse(self.source)

    def value(self) -> Any:
        program = self.tree.root_node
        statements = [c for c in program.named_children if c.type != "comment"]
        if program.has_error or len(statements) != 1:
            raise LiteralError(self.root, self._syntax_error(program))
        (statement,) = statements
        if statement.type != "expression_statement" or len(statement.named_children) != 1:
            raise LiteralError(self.root, "is not one JavaScript object literal")
        return self._read(statement.named_children[0], self.root)

    def _syntax_error(self, node: Node) -> str:
        stack = [node]
        while stack:  # the first error in the text, depth-first
            item = stack.pop()
            if item.type == "ERROR" or item.is_missing:
                break
            stack.extend(reversed([c for c in item.children if c.has_error or c.is_missing]))
        else:
            item = node
        line, column = item.start_point
        if line == 0:
            column = max(column - 1, 0)  # the opening parenthesis added around the text
        return (
            "is not a JavaScript object literal: syntax error at line "
            f"{line + 1}, column {column + 1}"
        )

    def _text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "surrogatepass")

    def _read(self, node: Node, path: str) -> Any:
        kind = node.type
        reader = self._READERS.get(kind)
        if reader is not None:
            return reader(self, node, path)
        if kind in _FUNCTIONS:
            return Code("functions are not run")
        if kind == "call_expression":
            return Code("function calls are not run")
        if kind in ("identifier", "member_expression"):
            name = self._text(node)
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            raise LiteralError(path, f"{name} is not known here: only literal values are read")
        if kind in ("true", "false"):
            return kind == "true"
        if kind in ("null", "undefined"):
            return None
        what = kind.replace("_", " ")
        raise LiteralError(path, f"only literal values are read here, not a {what}")

    def _parenthesized_expression(self, node: Node, path: str) -> Any:
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) != 1:
            raise LiteralError(path, "only literal values are read here")
        return self._read(inner[0], path)

    def _number(self, node: Node, path: str) -> Any:
        text = self._text(node)
        if text.endswith("n"):
            raise LiteralError(path, "BigInt literals are not read; write a plain number")
        return _number_literal(text)

    def _string(self, node: Node, path: str) -> str:
        parts = []
        for child in node.named_children:
            if child.type == "escape_sequence":
                parts.append(self._escape(self._text(child), path))
            elif child.type != "comment":
                parts.append(self._text(child))
        return "".join(parts)

    def _template_string(self, node: Node, path: str) -> str:
        if any(c.type == "template_substitution" for c in node.named_children):
            raise LiteralError(path, "template substitutions (${…}) are not run")
        return self._string(node, path)

    def _escape(self, text: str, path: str) -> str:
        body = text[1:]
        if body[0] in "\r\n\u2028\u2029":
            return ""  # a line continuation
        if body[0] in "ux":
            digits = body[1:].strip("{}")
            code = int(digits, 16)
            if code > 0x10FFFF:
                raise LiteralError(path, f"{text} is not a character")
            return chr(code)
        return _ESCAPES.get(body[0], body[0]) if len(body) == 1 else body

    def _unary_expression(self, node: Node, path: str) -> Any:
        operator = self._text(node.child_by_field_name("operator"))
        value = self._read(node.child_by_field_name("argument"), path)
        if operator in ("-", "+") and _is_number(value):
            return -value if operator == "-" else value
        if isinstance(value, Code):
            return value
        raise LiteralError(path, f"only numbers take a sign here, not {operator}")

    def _binary_expression(self, node: Node, path: str) -> Any:
        operator = self._text(node.child_by_field_name("operator"))
        left = self._read(node.child_by_field_name("left"), path)
        right = self._read(node.child_by_field_name("right"), path)
        for side in (left, right):
            if isinstance(side, Code):
                return side
        if operator == "+" and isinstance(left, str) and isinstance(right, str):
            return left + right
        if operator not in _ARITHMETIC or not (_is_number(left) and _is_number(right)):
            raise LiteralError(path, "only arithmetic on numbers (+ - * / % **) is read here")
        result = _float(float(left), float(right), _ARITHMETIC[operator])
        return int(result) if result.is_integer() and abs(result) <= _EXACT else result

    def _new_expression(self, node: Node, path: str) -> Any:
        constructor = self._text(node.child_by_field_name("constructor"))
        if constructor != "Date":
            raise LiteralError(path, f"new {constructor}(…) is not run; only new Date(…) is read")
        arguments = node.child_by_field_name("arguments")
        values = [
            self._read(a, path)
            for a in (arguments.named_children if arguments is not None else [])
            if a.type != "comment"
        ]
        try:
            return _date(values)
        except ValueError as exc:
            raise LiteralError(path, str(exc)) from None

    def _array(self, node: Node, path: str) -> list[Any]:
        values: list[Any] = []
        expecting = True  # a comma with no element before it is a hole: undefined
        for child in node.children:
            if child.type in ("[", "comment"):
                continue
            if child.type in (",", "]"):
                if expecting and child.type == ",":
                    values.append(None)
                expecting = True
                continue
            if child.type == "spread_element":
                raise LiteralError(f"{path}[{len(values)}]", "spread (...) is not run")
            values.append(self._read(child, f"{path}[{len(values)}]"))
            expecting = False
        return values

    def _object(self, node: Node, path: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for child in node.named_children:
            if child.type == "comment":
                continue
            if child.type == "method_definition":
                name = self._key(child.child_by_field_name("name"), path)
                values[name] = Code("functions are not run")
                continue
            if child.type != "pair":
                text = self._text(child)[:40]
                message = f"{text} is not a key: value pair (variables are not read)"
                raise LiteralError(path, message)
            key = self._key(child.child_by_field_name("key"), path)
            values[key] = self._read(child.child_by_field_name("value"), f"{path}.{key}")
        return values

    _READERS: ClassVar[dict[str, Callable[["_TreeReader", Node, str], Any]]] = {
        "parenthesized_expression": _parenthesized_expression,
        "number": _number,
        "string": _string,
        "template_string": _template_string,
        "unary_expression": _unary_expression,
        "binary_expression": _binary_expression,
        "new_expression": _new_expression,
        "array": _array,
        "object": _object,
    }

    def _key(self, node: Node, path: str) -> str:
        if node.type in ("property_identifier", "private_property_identifier"):
            return self._text(node)
        if node.type == "string":
            return self._string(node, path)
        if node.type == "number":
            number = _number_literal(self._text(node))
            return str(number) if not isinstance(number, float) else f"{number:g}"
        raise LiteralError(path, "computed keys ([…]) are not run")
