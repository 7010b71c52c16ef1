"""Validating and rendering an image, shared by the HTTP routes, the CLI and the docs.

The routes call `validate_params` and `render_image` with their cache in between;
`render` is the whole of a `GET` without HTTP, for the command line and for code that
embeds images (emails, reports):

    qr = create_generators()["qr"]
    png = render(qr, {"data": "https://example.com", "size": "200"}, "png").content
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from imagegen.encoding import encode
from imagegen.errors import ApiError, ParameterProblem, from_validation_error
from imagegen.fonts import FontLibrary
from imagegen.formats import ImageFormat
from imagegen.memory import release_after
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


def check_cost(generator: Generator, params: BaseModel, output: OutputChoice) -> None:
    """A 422 naming the parameters that drive the cost when rendering `params` as
    `output` is estimated to take longer than the server's `max_render_cost`."""
    limit = generator.context.settings.max_render_cost
    cost = generator.render_cost(params, output.format, output.options)
    if cost <= limit:
        return
    message = (
        f"this image would take about {cost / 1000:.1f} s to draw, over the limit of "
        f"{limit / 1000:g} s: make it smaller, or draw fewer series or points"
    )
    names = generator.cost_parameters(params)
    raise ApiError(
        422,
        "invalid_parameter",
        f"{', '.join(names)}: {message}",
        [ParameterProblem(parameter=name, message=message, limit=limit) for name in names],
    )


class RenderAbandoned(Exception):
    """A render stopped between drawing and encoding: past its deadline."""


def render_image(
    generator: Generator,
    params: BaseModel,
    output: OutputChoice,
    past_deadline: Callable[[], bool] | None = None,
) -> bytes:
    """The finished file: the generator's drawing, encoded by the core unless the
    generator returned bytes (vector formats). With `past_deadline`, a drawing finished
    too late is not encoded (that can take as long again): `RenderAbandoned`."""
    result = generator.render(params, output.format)
    if isinstance(result, bytes):
        return result
    try:
        if past_deadline is not None and past_deadline():
            raise RenderAbandoned
        return encode(result, output.format, output.options)
    finally:
        pixels = result.width * result.height
        del result
        release_after(pixels)


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
    check_cost(generator, params, output)
    return RenderedImage(render_image(generator, params, output), output.format)
