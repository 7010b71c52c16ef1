"""Placeholder images: a coloured rectangle with its size (or any text) in the middle,
optionally with rounded corners, a border and a gradient background."""

import re
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Annotated, ClassVar

import numpy as np
from PIL import Image, ImageDraw
from pydantic import (
    BaseModel,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from imagegen.colors import COLOR_SYNTAX, RGBA, Color, coverage_palette
from imagegen.errors import invalid_parameter, limit_error
from imagegen.fonts import font_choice
from imagegen.formats import AVIF, GIF, JPEG, PNG, SVG, WEBP, ImageFormat
from imagegen.gradients import GRADIENT_SYNTAX, GradientParam, draw_gradient
from imagegen.placeholder_svg import placeholder_svg
from imagegen.plugin import Generator, GeneratorContext, check_pixel_budget, with_limits
from imagegen.shapes import Radii, fitted_radii, rounded_rect
from imagegen.text import Layout, TextBlock
from imagegen.textparams import DrawnText

# Text is fitted into this share of the image, and no larger than a tenth of its
# longer side, so that the default label reads like a label on any shape.
_TEXT_BOX = 0.8
_MAX_TEXT_SHARE = 0.1
# The smallest fitted text, in CSS pixels: text that fits only smaller is shortened with
# "…" (the default size label is never shortened) or, when even that would be
# illegible, left out, so that a tiny image is clean background rather than a smudge.
MIN_LEGIBLE_SIZE = 8
# Layouts remembered, least recently used forgotten first. Laying text out (measuring it
# at candidate sizes) is about half of drawing a placeholder, and depends only on the
# size, text, font and scale, not on the colours: placeholders of one size in many
# colours are measured once. A layout holds a few lines of text and font references,
# about 2 KB: at most 2 MB in all.
LAYOUTS_REMEMBERED = 1024
# The text's ink is remembered too, for the same parameters: FreeType's drawing of it is
# a fifth of a plain placeholder's render (0.3 of 1.5 ms at 600×400). An "L" mask cropped
# to the ink, a byte a pixel: at most 8 MiB in all, and one over 1 MiB is drawn each time.
INK_MAX_BYTES = 8 * 2**20
INK_MAX_ONE = INK_MAX_BYTES // 8
# Quick renders (`Generator.renders_quickly`: drawn on the server's event loop): plain
# PNG or SVG with the size as its text, of at most 480,000 pixels and 1000 on a side.
# The dearest take about 5 ms (`bench/quick.py`). Other text costs more to lay out the
# first time (32 characters at 800×600: 7 ms), a wider label more to compress (4000×120:
# 11 ms), and gradients, corners, borders and the other formats 3-130 ms.
QUICK_PIXELS = 480_000
QUICK_SIDE = 1000

_RADII = re.compile(r"[0-9]{1,6}(,[0-9]{1,6}){0,3}")
RADII_PATTERN = r"^[0-9]{1,6}(,[0-9]{1,6}){0,3}$"


def parse_radii(value: object) -> tuple[int, int, int, int]:
    """`8`, `8,4`, `8,4,2` or `8,4,2,0` (or a JSON integer) as the four corners'
    radii, top-left, top-right, bottom-right, bottom-left, expanded as CSS's
    `border-radius` expands them."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6:
        return (value, value, value, value)
    if not isinstance(value, str) or not _RADII.fullmatch(value.strip()):
        raise ValueError("must be 1 to 4 whole numbers of CSS pixels, such as 8 or 8,0,8,0")
    radii = [int(part) for part in value.strip().split(",")]
    if len(radii) == 1:
        radii *= 4
    elif len(radii) == 2:
        radii *= 2
    elif len(radii) == 3:
        radii.append(radii[1])
    return (radii[0], radii[1], radii[2], radii[3])


def format_radii(radii: tuple[int, int, int, int]) -> str:
    """The canonical spelling: one number when the corners agree."""
    return str(radii[0]) if len(set(radii)) == 1 else ",".join(map(str, radii))


CornerRadii = Annotated[
    tuple[int, int, int, int],
    PlainValidator(parse_radii),
    PlainSerializer(format_radii, return_type=str),
    WithJsonSchema({"type": "string", "pattern": RADII_PATTERN, "examples": ["8", "16,16,0,0"]}),
]


class PlaceholderParams(BaseModel):
    """Parameters of `/placeholder/{width}x{height}`."""

    max_pixels: ClassVar[int] = 16_000_000
    max_radius: ClassVar[int] = 4000
    max_gradient_stops: ClassVar[int] = 16

    width: int = Field(ge=1, description="Width in CSS pixels.", examples=[600])
    height: int = Field(ge=1, description="Height in CSS pixels.", examples=[400])
    text: DrawnText | None = Field(
        None,
        min_length=1,
        description="Text to draw; `\\n` (a backslash and `n`, or a real line break) "
        "starts a new line. Default: the size, as `600×400`.",
        examples=["Hello\\nworld"],
    )
    background: Color = Field(
        "cccccc", validate_default=True, description="Background colour." + COLOR_SYNTAX
    )
    color: Color = Field("555555", validate_default=True, description="Text colour." + COLOR_SYNTAX)
    font: str = Field("lato", description="Font family, by name; see `GET /fonts`.")
    font_size: int | None = Field(
        None, ge=1, description="Font size in CSS pixels. Default: fitted to the image."
    )
    scale: int = Field(
        1,
        ge=1,
        description="Device pixel ratio: the image is `scale` times larger in each "
        "direction, for sharp images on high-density (retina) screens. SVG is sharp at "
        "any size and keeps the CSS size.",
    )
    radius: CornerRadii | None = Field(
        None,
        description="Rounded corners in CSS pixels: `8` for all four, or up to four in "
        "CSS `border-radius` order (`8,0,8,0`: top-left, top-right, bottom-right, "
        "bottom-left). Outside them the image is transparent; JPEG shows the background.",
    )
    border: int = Field(
        0,
        ge=0,
        description="Border width in CSS pixels, inside the image and following its "
        "corners; the text is fitted inside it.",
    )
    border_color: Color | None = Field(
        None, description="Border colour. Default: the text colour, `color`." + COLOR_SYNTAX
    )
    gradient: GradientParam | None = Field(
        None, description="A gradient background instead of `background`: " + GRADIENT_SYNTAX
    )

    @field_validator("text")
    @classmethod
    def _line_breaks(cls, text: str | None) -> str | None:
        return None if text is None else text.replace("\\n", "\n")

    @model_validator(mode="after")
    def _pixel_budget(self) -> "PlaceholderParams":
        check_pixel_budget(self.width, self.height, self.scale, self.max_pixels)
        return self

    @model_validator(mode="after")
    def _style_limits(self) -> "PlaceholderParams":
        if self.radius is not None and max(self.radius) > self.max_radius:
            raise limit_error("radius", "each radius must be at most {limit}", self.max_radius)
        if self.gradient is not None and len(self.gradient.stops) > self.max_gradient_stops:
            raise limit_error(
                "gradient", "may have at most {limit} colours", self.max_gradient_stops
            )
        return self


@dataclass(frozen=True)
class _Style:
    """What is drawn besides the plain placeholder, in device pixels."""

    radii: Radii
    border: int
    border_color: RGBA

    @property
    def plain(self) -> bool:
        return not (any(self.radii) or self.border)


# Ink: an "L" mask cropped to what it covers, and where its top left corner goes.
Ink = tuple[Image.Image, tuple[int, int]]


def _ink(coverage: Image.Image) -> Ink | None:
    """`coverage` (an "L" mask) cropped to what it covers; None when it covers nothing."""
    box = coverage.getbbox()
    if box is None:
        return None
    return coverage.crop(box), box[:2]


def _paint(canvas: Image.Image, ink: Ink | None, color: RGBA) -> None:
    """`color` painted over `canvas` where `ink` covers it."""
    if ink is None or color[3] == 0:
        return
    alpha, at = ink
    if color[3] != 255:
        alpha = alpha.point([round(v * color[3] / 255) for v in range(256)])
    layer = Image.new("RGBA", alpha.size, (*color[:3], 255))
    layer.putalpha(alpha)
    canvas.alpha_composite(layer, dest=at)


class Placeholder(Generator):
    """`GET /placeholder/{width}x{height}`: the image placehold.co users expect."""

    name = "placeholder"
    summary = "Placeholder image"
    description = (
        "A rectangle of `background` colour (or a `gradient`) with text in the middle: by "
        "default its size, as `600×400`. The text is fitted to the image unless "
        "`font_size` is given. `radius` rounds the corners and `border` draws a frame. "
        "`scale` multiplies the pixel size for high-density (retina) screens. SVG is "
        "vector, its text set in the viewer's copy of the font (or a fallback) at the "
        "width measured for the raster images."
    )
    path = "/{width}x{height}"
    formats = (PNG, JPEG, WEBP, AVIF, GIF, SVG)
    examples = (
        {"width": "600", "height": "400"},
        {
            "width": "300",
            "height": "250",
            "text": "Ad\\nspace",
            "background": "1e293b",
            "color": "f8fafc",
        },
        {"width": "240", "height": "120", "text": "Logo", "font": "roboto", "scale": "2"},
        {
            "width": "320",
            "height": "180",
            "text": "Welcome",
            "gradient": "linear,135,6366f1,ec4899",
            "color": "ffffff",
            "radius": "16",
        },
        {
            "width": "200",
            "height": "200",
            "text": "Avatar",
            "gradient": "radial,fef3c7,f59e0b",
            "radius": "100",
            "border": "4",
            "border_color": "92400e",
            "color": "78350f",
        },
    )

    def __init__(self, context: GeneratorContext) -> None:
        super().__init__(context)
        # Render threads share them.
        self._layouts: OrderedDict[tuple[object, ...], Layout | None] = OrderedDict()
        self._inks: OrderedDict[tuple[object, ...], Ink | None] = OrderedDict()
        self._ink_bytes = 0
        self._lock = Lock()

    def params_model(self) -> type[BaseModel]:
        limits = self.context.settings
        longest = max(limits.max_width, limits.max_height)
        return with_limits(
            PlaceholderParams,
            {
                "max_pixels": limits.max_pixels,
                "max_radius": longest,
                "max_gradient_stops": limits.max_gradient_stops,
            },
            width={"le": limits.max_width},
            height={"le": limits.max_height},
            text={"max_length": limits.max_text_length},
            font={"annotation": font_choice(self.context.fonts.names)},
            font_size={"le": longest},
            scale={"le": limits.max_scale},
            border={"le": longest},
            gradient={
                "description": "A gradient background instead of `background`: "
                + GRADIENT_SYNTAX
                + f" At most {limits.max_gradient_stops} colours."
            },
        )

    def renders_quickly(self, params: PlaceholderParams, fmt: ImageFormat) -> bool:
        return (
            fmt in (PNG, SVG)
            and params.gradient is None
            and params.radius is None
            and params.border == 0
            and params.text is None
            and params.font_size is None
            and params.width * params.height * params.scale**2 <= QUICK_PIXELS
            and max(params.width, params.height) * params.scale <= QUICK_SIDE
        )

    def _check_text_area(self, layout: Layout) -> None:
        """Refuse text so large that drawing it would allocate more than an image may:
        Pillow draws each run of text into a bitmap of its own before clipping it."""
        limit = self.context.settings.max_pixels
        width, height = layout.width, layout.height
        if width * height > limit:
            raise invalid_parameter(
                "font_size",
                f"is too large for this text: it would cover {int(width * height)} pixels, "
                f"and text may cover at most {limit}",
                limit,
            )

    @staticmethod
    def _text_key(params: PlaceholderParams, width: int, height: int) -> tuple[object, ...]:
        """What the text's layout and ink depend on: `width` and `height` are those of
        the text box (the image less any border)."""
        key = (params.width, params.height, params.text, params.font, params.font_size)
        return (*key, params.scale, width, height)

    def _remembered_layout(
        self, key: tuple[object, ...], params: PlaceholderParams, width: int, height: int
    ) -> Layout | None:
        """`_layout`'s answer, remembered by its `_text_key`."""
        layouts, lock = self._layouts, self._lock
        with lock:
            if key in layouts:
                layouts.move_to_end(key)
                return layouts[key]
        layout = self._layout(params, width, height)  # may refuse: nothing remembered
        with lock:
            layouts[key] = layout
            if len(layouts) > LAYOUTS_REMEMBERED:
                layouts.popitem(last=False)
        return layout

    def _remembered_ink(
        self, key: tuple[object, ...], layout: Layout, size: tuple[int, int]
    ) -> Ink | None:
        """The ink of `layout` drawn centred on an image of `size`, remembered by the
        `_text_key` of the layout (which determines `size` too)."""
        inks, lock = self._inks, self._lock
        with lock:
            if key in inks:
                inks.move_to_end(key)
                return inks[key]
        coverage = Image.new("L", size, 0)
        layout.draw(ImageDraw.Draw(coverage), 255)
        ink = _ink(coverage)
        cost = ink[0].width * ink[0].height if ink else 0
        if cost > INK_MAX_ONE:
            return ink
        with lock:
            if key not in inks:
                inks[key] = ink
                self._ink_bytes += cost
            while self._ink_bytes > INK_MAX_BYTES:
                _, (old, _) = inks.popitem(last=False)  # type: ignore[misc]
                self._ink_bytes -= old.width * old.height
        return ink

    def _layout(self, params: PlaceholderParams, width: int, height: int) -> Layout | None:
        """The text laid out in the image's text box, or None when it cannot be legible."""
        if width <= 0 or height <= 0:
            return None
        text = params.text or f"{params.width}×{params.height}"
        block = TextBlock(text, params.font, self.context.fonts)
        box_width, box_height = width * _TEXT_BOX, height * _TEXT_BOX
        if params.font_size is not None:
            # The size asked for, wrapped to the box; lines past its height are cut.
            size = params.font_size * params.scale
            layout = block.at(size, box_width)
            if layout.width <= box_width and layout.height <= box_height:
                return layout
            cut = block.shortened(size, box_width, box_height)
            layout = cut or Layout(layout.lines[:1], layout.pitch, size)
            self._check_text_area(layout)
            return layout
        smallest = MIN_LEGIBLE_SIZE * params.scale
        largest = max(smallest, int(max(width, height) * _MAX_TEXT_SHARE))
        layout = block.fit(box_width, box_height, largest, smallest)
        if layout is None and params.text is not None:
            layout = block.shortened(smallest, box_width, box_height)
        return layout

    def _style(self, params: PlaceholderParams, width: int, height: int) -> _Style:
        radii: Radii = (0, 0, 0, 0)
        if params.radius is not None:
            scaled = tuple(float(r * params.scale) for r in params.radius)
            radii = fitted_radii(width, height, scaled)  # type: ignore[arg-type]
        border = min(params.border * params.scale, (min(width, height) + 1) // 2)
        return _Style(radii, border, params.border_color or params.color)

    def render(self, params: PlaceholderParams, fmt: ImageFormat) -> Image.Image | bytes:
        width, height = params.width * params.scale, params.height * params.scale
        style = self._style(params, width, height)
        inset = 2 * style.border
        key = self._text_key(params, width - inset, height - inset)
        layout = self._remembered_layout(key, params, width - inset, height - inset)
        if fmt == SVG:
            family = self.context.fonts.chain(params.font)[0]
            return placeholder_svg(
                (params.width, params.height),
                (width, height),
                params.gradient or params.background,
                style.radii,
                (style.border, style.border_color),
                (layout, params.color, family),
            )
        ink = None if layout is None else self._remembered_ink(key, layout, (width, height))
        if params.gradient is None and style.plain:
            return self._plain(params, width, height, ink)
        return self._styled(params, fmt, style, ink)

    def _plain(
        self, params: PlaceholderParams, width: int, height: int, ink: Ink | None
    ) -> Image.Image:
        # The text's coverage as palette indices: index i is the text colour covering
        # i/255 of the background, so the text is anti-aliased as it would be in colour.
        image = Image.new("L", (width, height), 0)
        if ink is not None:
            image.paste(*ink)
        image.putpalette(coverage_palette(params.color, params.background), rawmode="RGBA")
        return image  # "P" now: a palette on "L" makes it one

    def _styled(
        self, params: PlaceholderParams, fmt: ImageFormat, style: _Style, ink: Ink | None
    ) -> Image.Image:
        """Background (colour or gradient), border, text, then the corners cut: painted
        in RGBA, as CSS paints a box."""
        width, height = params.width * params.scale, params.height * params.scale
        if params.gradient is not None:
            canvas = draw_gradient(params.gradient, width, height)
        else:
            canvas = Image.new("RGBA", (width, height), params.background)
        if style.border:
            inner = tuple(max(0.0, r - style.border) for r in style.radii)
            hole = rounded_rect(width, height, style.border, inner)  # type: ignore[arg-type]
            _paint(canvas, _ink(Image.fromarray(255 - hole)), style.border_color)
        _paint(canvas, ink, params.color)
        if any(style.radii) and fmt != JPEG:
            # JPEG has no transparency: outside the corners it keeps the background, so
            # that it looks right on a page of any colour (white would show as corners
            # on a dark page, or in an email client's dark mode).
            shape = rounded_rect(width, height, 0, style.radii)
            alpha = np.asarray(canvas.getchannel("A"), dtype=np.uint16) * shape
            canvas.putalpha(Image.fromarray(((alpha + 127) // 255).astype(np.uint8)))
        return canvas
