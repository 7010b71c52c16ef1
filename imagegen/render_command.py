"""`imagegen render GENERATOR [--param VALUE ...] -o FILE`: an image without a server.

Each generator gets a sub-command whose options are the fields of its parameter model
(`font_size` is `--font-size`), plus `--format`, `--quality` and `--lossless`. Values are
read as the query string of a `GET` would be, validated by the same model and rendered by
the same code as the routes (`imagegen.rendering.render`), so a bad value gets the
message of the route's 422, and the same parameters give the same bytes. The format
comes from the output file's extension, or `--format`.
"""

import argparse
import json
import re
import sys
from pathlib import PurePath
from typing import Any

from imagegen.colors import is_color_schema
from imagegen.errors import ApiError
from imagegen.formats import format_for_token, tokens_for
from imagegen.output import FORMAT_PARAM, LOSSLESS_PARAM, QUALITY_PARAM
from imagegen.plugin import Generator
from imagegen.query_fields import query_fields
from imagegen.rendering import render

EXIT_INVALID = 2  # as argparse exits on a usage error
EXIT_FAILED = 1
STDOUT = "-"
_DEST_PREFIX = "param:"  # keeps parameter names apart from the command's own options
_TEXT_TYPES = ("string", "integer", "number", "boolean")


def option_name(field: str) -> str:
    """The command-line option of a parameter: `font_size` -> `--font-size`."""
    return "--" + field.replace("_", "-")


_NEGATIVE_VALUE = re.compile(r"^-\.?\d")


def command_args(params: dict[str, str]) -> list[str]:
    """The options that give `params`, query parameters of a `GET`, on the command line:
    `{"font_size": "12"}` -> `["--font-size", "12"]`."""
    return [arg for name, value in params.items() for arg in (option_name(name), value)]


def _types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a property takes, null aside; enums of strings count as strings."""
    options = schema.get("anyOf", [schema])
    types = {option.get("type", "string") for option in options if "$ref" not in option}
    types |= {"object" for option in options if "$ref" in option}
    return types - {"null"}


def _is_flag(schema: dict[str, Any]) -> bool:
    return _types(schema) == {"boolean"}


def _json_only(schema: dict[str, Any]) -> bool:
    """Whether only a JSON array or object can give this parameter: no text form."""
    return not _types(schema) & set(_TEXT_TYPES)


def _help(schema: dict[str, Any], required: bool, json_only: bool) -> str:
    parts = [schema.get("description", "")]
    if required:
        parts.append("Required.")
    elif schema.get("default") is not None:
        parts.append(f"Default: {schema['default']}.")
    enum = schema.get("enum") or next(
        (option["enum"] for option in schema.get("anyOf", []) if "enum" in option), None
    )
    if enum and not is_color_schema(schema):  # the description gives the colour syntax
        parts.append(f"One of: {', '.join(map(str, enum))}.")
    if json_only:
        parts.append("As JSON.")
    return " ".join(part for part in parts if part).replace("%", "%%")


def _add_generator_parser(commands: Any, generator: Generator) -> None:
    parser = commands.add_parser(
        generator.name,
        help=generator.summary,
        description=f"{generator.summary}. {generator.description}".replace("%", "%%"),
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the file to write; its extension chooses the format. `-` writes to stdout.",
    )
    parser.add_argument(
        "--format",
        help=f"output format, one of {', '.join(tokens_for(generator.formats))}, instead of "
        f"the file's extension (default: {generator.formats[0].name})",
    )
    parser.add_argument("--quality", help="JPEG, lossy WebP and AVIF quality, 1-100")
    parser.add_argument(
        "--lossless", nargs="?", const="true", metavar="BOOL", help="WebP only: lossless"
    )
    params = parser.add_argument_group("parameters")
    for name, prop, required in query_fields(generator.params.model_json_schema()):
        flag = _is_flag(prop)
        params.add_argument(
            option_name(name),
            dest=_DEST_PREFIX + name,
            metavar="BOOL" if flag else name.upper().replace(".", "_"),
            nargs="?" if flag else None,
            const="true" if flag else None,
            help=_help(prop, required, _json_only(prop)),
        )
    # `--data -1,2,-3` is a value, not an option: argparse (before Python 3.13) takes
    # only plain negative numbers such as `-1` for values. None of our options looks
    # like a number, so anything starting with `-` and a digit or point is a value.
    parser._negative_number_matcher = _NEGATIVE_VALUE
    parser.set_defaults(run=lambda args: run(args, generator))


def add_render_command(commands: Any, generators: list[Generator]) -> None:
    """Add `render` and its one sub-command per generator to the `imagegen` parser's
    sub-commands."""
    render_parser = commands.add_parser(
        "render",
        help="write an image to a file, without a server",
        description="Render an image as the HTTP API would, to a file or stdout. "
        "`imagegen render GENERATOR --help` lists its parameters.",
    )
    per_generator = render_parser.add_subparsers(
        dest="generator", required=True, metavar="GENERATOR"
    )
    for generator in generators:
        _add_generator_parser(per_generator, generator)


def _query(args: argparse.Namespace, generator: Generator) -> dict[str, Any]:
    """The parameters given, as a `GET` would carry them; JSON-only ones parsed."""
    properties = {
        name: prop for name, prop, _ in query_fields(generator.params.model_json_schema())
    }
    query: dict[str, Any] = {}
    for dest, value in vars(args).items():
        if not dest.startswith(_DEST_PREFIX) or value is None:
            continue
        name = dest.removeprefix(_DEST_PREFIX)
        if _json_only(properties[name]):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise ApiError(422, "invalid_parameter", f"{name}: not valid JSON: {exc}") from None
        query[name] = value
    for name in (FORMAT_PARAM, QUALITY_PARAM, LOSSLESS_PARAM):
        if getattr(args, name) is not None:
            query[name] = getattr(args, name)
    return query


def _extension(output: str, explicit_format: str | None) -> str | None:
    """The output file's extension as the format, unless `--format` was given and the
    extension names no format (`report.v2`)."""
    suffix = "" if output == STDOUT else PurePath(output).suffix.removeprefix(".")
    if not suffix or (explicit_format and format_for_token(suffix) is None):
        return None
    return suffix


def run(args: argparse.Namespace, generator: Generator) -> int:
    """Render `generator` with the parameters in `args` and write the file."""
    prog = f"imagegen render {generator.name}"
    try:
        image = render(generator, _query(args, generator), _extension(args.output, args.format))
    except ApiError as exc:
        print(f"{prog}: {exc.body.message}", file=sys.stderr)
        return EXIT_INVALID
    if args.output == STDOUT:
        sys.stdout.buffer.write(image.content)
        sys.stdout.buffer.flush()
        return 0
    try:
        with open(args.output, "wb") as file:
            file.write(image.content)
    except OSError as exc:
        print(f"{prog}: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    return 0
