"""Validating and rendering an image, shared by the HTTP routes, the CLI and the docs.

The routes call `validate_params` and `render_image` with their cache in between;
`render` is the whole of a `GET` without HTTP, for the command line and for code that
embeds images (emails, reports):

    qr = create_generators()["qr"]
    png = render(qr, {"data": "https://example.com", "size": "200"}, "png").content
"""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from imagegen.encoding import encode
from imagegen.errors import from_validation_error
from imagegen.fonts import FontLibrary
from imagegen.formats import ImageFormat
from imagegen.output import OutputChoice, choose_output
from imagegen.plugin import Generator, GeneratorContext
from imagegen.registry import discover_generators
from imagegen.settings import Settings


def create_generators(
    settings: Settings | None = None, fonts: FontLibrary | None = None
) -> dict[str, Generator]:
    """Every installed generator by name, ready to render within the limits of `settings`
    (default: from the `IMAGEGEN_*` variables) with `fonts` (default: its `fonts_dir`)."""
    settings = settings or Settings()
    context = GeneratorContext(settings, fonts or FontLibrary(settings.fonts_dir))
    return {cls.name: cls(context) for cls in discover_generators()}


def validate_params(generator: Generator, data: object, strict: bool = False) -> BaseModel:
    """`data` validated by the generator's model; a 422 `ApiError` naming each bad value.

    `strict` for JSON bodies, whose types must be the schema's (no `false` or `"0"` for
    0); not for query strings, where every value is text."""
    try:
        return generator.params.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def render_image(generator: Generator, params: BaseModel, output: OutputChoice) -> bytes:
    """The finished file: the generator's drawing, encoded by the core unless the
    generator returned bytes (vector formats)."""
    result = generator.render(params, output.format)
    return result if isinstance(result, bytes) else encode(result, output.format, output.options)


@dataclass(frozen=True)
class RenderedImage:
    """An image file and its format."""

    content: bytes
    format: ImageFormat


def render(
    generator: Generator, query: dict[str, Any], extension: str | None = None
) -> RenderedImage:
    """Render as `GET /{name}{path}[.{extension}]?{query}` would, without a server.

    `query` holds the query parameters and the path parameters, including `format`,
    `quality` and `lossless`. With neither `extension` nor `format`, the format is the
    generator's first, as for `Accept: */*`. Raises `ApiError` with the body and status
    the route would answer, e.g. a 422 for a bad parameter.
    """
    query = dict(query)
    settings = generator.context.settings
    output = choose_output(query, extension, None, generator.formats, settings.png_compression)
    params = validate_params(generator, query)
    return RenderedImage(render_image(generator, params, output), output.format)
