"""`imagegen docs`: the parts of README.md that are generated, so that they never drift.

- The gallery: each generator's `examples`, rendered into `docs/gallery/{name}-{n}.png`
  by the function behind `imagegen render`, with the URL and the command that draw them.
- The table of every route and parameter, from the OpenAPI spec.

Each lives between two marker comments (`<!-- gallery:start -->`, `<!-- gallery:end -->`,
and `routes:` likewise); the rest of the README is left as it is.
"""

import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from imagegen.colors import is_color_schema
from imagegen.plugin import Generator
from imagegen.render_command import command_args
from imagegen.rendering import render
from imagegen.urls import image_url

GALLERY_FORMAT = "png"
GALLERY_SCALE = 2


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, and `|` escaped (even in code spans)."""
    return " ".join(text.split()).replace("|", "\\|")


def _type(schema: dict[str, Any]) -> str:
    if is_color_schema(schema):
        return "colour (see [Colours](#colours))"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    return str(schema.get("type", "any"))


def _limits(schema: dict[str, Any]) -> str:
    bounds = [
        (schema.get("minimum"), schema.get("maximum"), ""),
        (schema.get("minLength"), schema.get("maxLength"), " characters"),
        (schema.get("minItems"), schema.get("maxItems"), " items"),
    ]
    for low, high, unit in bounds:
        if low is not None and high is not None:
            return f"{low} to {high}{unit}"
        if high is not None:
            return f"at most {high}{unit}"
        if low is not None:
            return f"at least {low}{unit}"
    return ""


class _Parameter:
    """One parameter of a tag's routes, merged over the places it appears."""

    def __init__(self, schema: dict[str, Any], description: str) -> None:
        self.schema = schema
        self.description = description
        self.places: list[str] = []
        self.required = True

    def seen(self, place: str, required: bool, description: str) -> None:
        if place not in self.places:
            self.places.append(place)
        self.required &= required
        if len(description) > len(self.description):  # the fuller of its descriptions
            self.description = description

    def row(self, name: str) -> str:
        default = "required" if self.required else ""
        if self.schema.get("default") is not None:
            default = f"`{self.schema['default']}`"
        cells = [
            f"`{name}`",
            ", ".join(self.places),
            _type(self.schema),
            default,
            _limits(self.schema),
            self.description,
        ]
        return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _parameters(spec: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, _Parameter]:
    """Every parameter of `operations`: query, path and JSON body fields."""
    found: dict[str, _Parameter] = {}

    def add(name: str, schema: dict[str, Any], place: str, required: bool, about: str) -> None:
        found.setdefault(name, _Parameter(schema, about)).seen(place, required, about)

    for operation in operations:
        for parameter in operation.get("parameters", []):
            about = parameter.get("description", "")
            add(
                parameter["name"],
                parameter["schema"],
                parameter["in"],
                parameter["required"],
                about,
            )
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            model = spec["components"]["schemas"][_type(body["schema"])]
            for name, schema in model["properties"].items():
                required = name in model.get("required", [])
                add(name, schema, "JSON body", required, schema.get("description", ""))
    return found


def routes_table(spec: dict[str, Any]) -> str:
    """Markdown: for each tag, its routes and a table of their parameters (path, query
    and JSON body), with type, default, limits and description as the spec states them."""
    groups: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            tag = operation.get("tags", ["other"])[0]
            groups.setdefault(tag, []).append((method.upper(), path, operation))
    blocks = []
    for tag, operations in groups.items():
        routes = ", ".join(f"`{method} {path}`" for method, path, _ in operations)
        lines = [f"### {tag}", "", routes, ""]
        parameters = _parameters(spec, [operation for _, _, operation in operations])
        if parameters:
            lines += [
                "| parameter | in | type | default | limits | description |",
                "|---|---|---|---|---|---|",
                *(parameter.row(name) for name, parameter in parameters.items()),
                "",
            ]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def gallery_files(generators: list[Generator], folder: Path) -> list[tuple[Generator, dict, Path]]:
    """(generator, example, picture file in `folder`) of every example, in order."""
    return [
        (generator, example, folder / f"{generator.name}-{number}.{GALLERY_FORMAT}")
        for generator in generators
        for number, example in enumerate(generator.examples, start=1)
    ]


@dataclass(frozen=True)
class Picture:
    """A gallery picture: its PNG, and the CSS size to show it at."""

    content: bytes
    width: int
    height: int


def gallery_picture(generator: Generator, example: dict[str, str]) -> Picture:
    """An example drawn for the gallery: at `GALLERY_SCALE` where the generator takes a
    `scale` and the example sets none, so that it is sharp on high-density screens."""
    scale = int(example.get("scale", 1))
    if "scale" in generator.params.model_fields and "scale" not in example:
        example, scale = example | {"scale": str(GALLERY_SCALE)}, GALLERY_SCALE
    content = render(generator, example, GALLERY_FORMAT).content
    width, height = Image.open(io.BytesIO(content)).size
    return Picture(content, width // scale, height // scale)


def gallery(generators: list[Generator], folder: Path, pictures: dict[Path, Picture]) -> str:
    """Markdown: each generator's examples, the picture (`pictures`, by file, shown at
    its CSS size) and the URL and `imagegen render` command that draw it, in code blocks
    that read the same raw and rendered, so that they can be copied from either."""
    lines = []
    for generator in generators:
        if not generator.examples:
            continue
        lines += [f"### {generator.name}: {generator.summary}", ""]
        for _, example, path in gallery_files([generator], folder):
            url = image_url(f"/{generator.name}{generator.path}", example)
            command = ["imagegen", "render", generator.name, *command_args(example)]
            picture = pictures[path]
            lines += [
                f'<img src="{path.as_posix()}" width="{picture.width}" '
                f'height="{picture.height}" alt="{generator.name} example">',
                "",
                f"    {url}",
                f"    {shlex.join([*command, '-o', path.name])}",
                "",
            ]
    return "\n".join(lines)


def replace_block(text: str, name: str, content: str) -> str:
    """`text` with what lies between `<!-- {name}:start -->` and `<!-- {name}:end -->`
    replaced by `content`. Raises ValueError if the markers are missing."""
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no <!-- {name}:start --> ... <!-- {name}:end --> markers")
    return pattern.sub(lambda m: f"{m.group(1)}\n{content.strip()}\n\n{m.group(2)}", text)


def update_readme(
    readme: Path, folder: Path, generators: list[Generator], spec: dict[str, Any], check: bool
) -> list[str]:
    """Regenerate the gallery (pictures in `folder`, relative to the README's folder) and
    the routes table of `readme`; with `check`, change nothing. Returns what was (or,
    with `check`, would be) out of date."""
    text = readme.read_text(encoding="utf-8")
    drawn = {path: gallery_picture(g, e) for g, e, path in gallery_files(generators, folder)}
    updated = replace_block(text, "gallery", gallery(generators, folder, drawn))
    updated = replace_block(updated, "routes", routes_table(spec))
    pictures = [(g, e, readme.parent / path) for g, e, path in gallery_files(generators, folder)]
    stale = [str(readme)] if updated != text else []
    stale += [str(path) for _, _, path in pictures if not path.is_file()]
    if check:
        return stale
    (readme.parent / folder).mkdir(parents=True, exist_ok=True)
    wanted = {path for _, _, path in pictures}
    for old in (readme.parent / folder).glob(f"*.{GALLERY_FORMAT}"):
        if old not in wanted:
            old.unlink()
            stale.append(str(old))
    for path, picture in drawn.items():
        (readme.parent / path).write_bytes(picture.content)
    readme.write_text(updated, encoding="utf-8")
    return stale
