"""The generator plugin contract.

A generator owns only its drawing: its parameter model and its render function. The
core owns routes, validation errors, format negotiation, encoding and headers.

    class Badge(Generator):
        name = "badge"
        summary = "A status badge"
        formats = RASTER_FORMATS

        def params_model(self) -> type[BaseModel]:
            return with_limits(
                BadgeParams, label={"max_length": self.context.settings.max_text_length}
            )

        def render(self, params: BadgeParams, fmt: ImageFormat) -> Image.Image:
            ...

Register it in your package's `pyproject.toml`:

    [project.entry-points."imagegen.generators"]
    badge = "my_package.badge:Badge"
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, ClassVar, TypeVar, Union, get_args, get_origin

from PIL import Image
from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from imagegen.encoding import EncodeOptions
from imagegen.errors import limit_error
from imagegen.fonts import FontLibrary
from imagegen.formats import RASTER_FORMATS, ImageFormat
from imagegen.settings import Settings

Model = TypeVar("Model", bound=BaseModel)


def _optional_part(annotation: Any) -> Any:
    """X for an `X | None` annotation (X may itself be a union), else None."""
    if get_origin(annotation) not in (Union, UnionType):
        return None
    members = [member for member in get_args(annotation) if member is not type(None)]
    if len(members) == len(get_args(annotation)):
        return None
    return members[0] if len(members) == 1 else Union[tuple(members)]  # noqa: UP007


def with_limits(
    model: type[Model], class_vars: dict[str, Any] | None = None, **fields: dict[str, Any]
) -> type[Model]:
    """A subclass of `model` whose fields carry the limits in force, so they are both
    enforced and shown in the spec: `with_limits(P, width={"le": settings.max_width})`.

    A field's entry may also replace its type with `"annotation"` (e.g. a `Literal` of
    the fonts installed), and `class_vars` sets class attributes that validators read.
    """
    overrides: dict[str, Any] = {}
    for name, constraints in fields.items():
        base = model.model_fields[name]
        extra = dict(constraints)
        annotation = extra.pop("annotation", base.annotation)
        if extra and _optional_part(annotation) is not None:
            # On `X | None` a constraint belongs to X: pydantic cannot always push it
            # there itself (X with validators of its own) and would then check None.
            annotation = Annotated[_optional_part(annotation), Field(**extra)] | None
            extra = {}
        overrides[name] = (annotation, FieldInfo.merge_field_infos(base, Field(**extra)))
    limited = create_model(  # type: ignore[call-overload]
        model.__name__, __base__=model, __module__=model.__module__, **overrides
    )
    for key, value in (class_vars or {}).items():
        setattr(limited, key, value)
    return limited


def check_pixel_budget(
    width: int, height: int, scale: float, limit: int, size_parameter: str = "width"
) -> None:
    """For a model validator: a 422 when the output, width × height × scale² pixels, is
    over `limit`. It blames `scale` when that is above 1, else `size_parameter`."""
    if width * height * scale**2 > limit:
        raise limit_error(
            "scale" if scale > 1 else size_parameter,
            "the image must be at most {limit} pixels (width × height × scale²)",
            limit,
        )


@dataclass(frozen=True)
class GeneratorContext:
    """What the core hands every generator: the limits in force and the fonts."""

    settings: Settings
    fonts: FontLibrary


class Generator(ABC):
    """Base class of every image generator.

    Class attributes:
        name: the route segment, `/{name}`; letters, digits and `-`.
        summary, description: shown in the OpenAPI spec and on `/generators`.
        formats: what `render` can produce, in order of preference; the first one is
            served when the client accepts anything. PNG, JPEG and WebP come from the
            core's encoder; a generator that lists SVG or PDF must return bytes for them.
        path: a path template after `/{name}` whose parameters are fields of the
            parameter model, e.g. `/{width}x{height}`; empty for query-only routes.
        accepts_body: also serve `POST /{name}` with the parameters as a JSON body.
        examples: parameter sets that draw a good picture, as the query string of a
            `GET` would carry them (path parameters included, every value a string):
            `({"width": "600", "height": "400"},)`. They are listed on `/generators`, drawn
            in the playground's gallery and the README, and rendered by the tests.
        heavy: its renders hold the GIL for long stretches (matplotlib's Agg does), so
            the server runs them in its render processes (`IMAGEGEN_RENDER_PROCESSES`)
            rather than threads: the event loop keeps answering beside them, and a render
            past its deadline is killed. Such a class must be importable by its module
            path in a fresh interpreter (an installed package is), and its parameters
            must validate again from `model_dump(mode="json")`: that is what the render
            process receives.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    description: ClassVar[str] = ""
    formats: ClassVar[tuple[ImageFormat, ...]] = RASTER_FORMATS
    path: ClassVar[str] = ""
    accepts_body: ClassVar[bool] = False
    examples: ClassVar[tuple[dict[str, str], ...]] = ()
    heavy: ClassVar[bool] = False

    def __init__(self, context: GeneratorContext) -> None:
        self.context = context
        self.params: type[BaseModel] = self.params_model()

    @abstractmethod
    def params_model(self) -> type[BaseModel]:
        """The pydantic model of this generator's parameters, with the limits of
        `self.context.settings` applied (see `with_limits`) so that they show in the spec.
        `render` receives an instance of it."""

    def render_cost(self, params: Any, fmt: ImageFormat, options: EncodeOptions) -> float:
        """The estimated time of rendering and encoding `params` as `fmt`, in
        milliseconds of this project's reference machine (2 cores; see README,
        "Limits"). Requests over the server's `max_render_cost` get a 422 before any work
        is done. The default, 0, is for generators whose every allowed request is cheap;
        generators with a costly corner (big, dense charts) estimate it, calibrated by
        measurement, and name the parameters that drive it in `cost_parameters`."""
        return 0.0

    def renders_quickly(self, params: Any, fmt: ImageFormat) -> bool:
        """Whether rendering and encoding `params` as `fmt` surely takes no more than
        about 5 ms on the reference machine (`bench/quick.py` measures the dearest quick
        renders). The server then draws it on its event loop (`IMAGEGEN_INLINE_RENDERS`),
        where a render thread would cost more in handing it over and back than it saves;
        the loop answers nothing else meanwhile, so a wrong True delays every request.
        The default, False, sends every render to a render thread (or process)."""
        return False

    def cost_parameters(self, params: Any) -> tuple[str, ...]:
        """The parameters a 422 for a render over the cost limit names."""
        return ("width", "height", "scale")

    @abstractmethod
    def render(self, params: Any, fmt: ImageFormat) -> Image.Image | bytes:
        """Draw the image. Return a Pillow image (the core encodes it as `fmt`), or the
        finished bytes of `fmt` for formats the core cannot encode, such as SVG.

        Must be deterministic (same parameters, same output) and must not touch global
        state: renders run concurrently in worker threads (or, for `heavy` generators,
        in render processes)."""
