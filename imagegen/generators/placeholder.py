"""Placeholder images: a coloured rectangle with its size (or any text) in the middle."""

from collections import OrderedDict
from threading import Lock
from typing import ClassVar

from PIL import Image, ImageDraw
from pydantic import BaseModel, Field, field_validator, model_validator

from imagegen.colors import COLOR_SYNTAX, Color, coverage_palette
from imagegen.errors import invalid_parameter
from imagegen.fonts import font_choice
from imagegen.formats import ImageFormat
from imagegen.plugin import Generator, GeneratorContext, check_pixel_budget, with_limits
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


class PlaceholderParams(BaseModel):
    """Parameters of `/placeholder/{width}x{height}`."""

    max_pixels: ClassVar[int] = 16_000_000

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
        "direction, for sharp images on high-density (retina) screens.",
    )

    @field_validator("text")
    @classmethod
    def _line_breaks(cls, text: str | None) -> str | None:
        return None if text is None else text.replace("\\n", "\n")

    @model_validator(mode="after")
    def _pixel_budget(self) -> "PlaceholderParams":
        check_pixel_budget(self.width, self.height, self.scale, self.max_pixels)
        return self


class Placeholder(Generator):
    """`GET /placeholder/{width}x{height}`: the image placehold.co users expect."""

    name = "placeholder"
    summary = "Placeholder image"
    description = (
        "A rectangle of `background` colour with text in the middle: by default its "
        "size, as `600×400`. The text is fitted to the image unless `font_size` is given. "
        "`scale` multiplies the pixel size for high-density (retina) screens."
    )
    path = "/{width}x{height}"
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
    )

    def __init__(self, context: GeneratorContext) -> None:
        super().__init__(context)
        # Render threads share them.
        self._layouts: OrderedDict[tuple[object, ...], Layout | None] = OrderedDict()
        self._layouts_lock = Lock()

    def params_model(self) -> type[BaseModel]:
        limits = self.context.settings
        return with_limits(
            PlaceholderParams,
            {"max_pixels": limits.max_pixels},
            width={"le": limits.max_width},
            height={"le": limits.max_height},
            text={"max_length": limits.max_text_length},
            font={"annotation": font_choice(self.context.fonts.names)},
            font_size={"le": max(limits.max_width, limits.max_height)},
            scale={"le": limits.max_scale},
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

    def _remembered_layout(
        self, params: PlaceholderParams, width: int, height: int
    ) -> Layout | None:
        """`_layout`'s answer, remembered for the parameters it depends on."""
        key = (params.width, params.height, params.text, params.font, params.font_size)
        key += (params.scale,)
        layouts, lock = self._layouts, self._layouts_lock
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

    def _layout(self, params: PlaceholderParams, width: int, height: int) -> Layout | None:
        """The text laid out in the image's text box, or None when it cannot be legible."""
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

    def render(self, params: PlaceholderParams, fmt: ImageFormat) -> Image.Image:
        width, height = params.width * params.scale, params.height * params.scale
        # Index i of the palette is the text colour covering i/255 of the background, so
        # text drawn with index 255 is anti-aliased as it would be in colour.
        image = Image.new("P", (width, height), 0)
        layout = self._remembered_layout(params, width, height)
        if layout is not None:
            draw = ImageDraw.Draw(image)
            draw.fontmode = "L"  # Pillow's default for "P" is aliased text
            layout.draw(draw, 255)
        image.putpalette(coverage_palette(params.color, params.background), rawmode="RGBA")
        return image
