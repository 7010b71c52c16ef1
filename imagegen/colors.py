"""Colour parsing: hex (`#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `#` optional) and CSS names."""

import re
from typing import Annotated, Any

import numpy as np
from PIL import ImageColor
from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

RGBA = tuple[int, int, int, int]

HEX_PATTERN = r"^#?([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$"
_HEX = re.compile(HEX_PATTERN)
COLOR_NAMES = ("transparent", *sorted(ImageColor.colormap))


# Appended to colour parameters' descriptions: their own text replaces the type's.
COLOR_SYNTAX = " Hex (`ff8800`, `#f80`, `#ff880080`; `#` is `%23` in a URL) or a CSS name."


def parse_color(value: object) -> RGBA:
    """Parse a colour as users write it in URLs and JSON, returning (r, g, b, a).

    `fff`, `#FFFFFF`, `#ffffffff` and `white` are the same colour; `transparent` is
    fully transparent black, as in CSS.
    """
    if not isinstance(value, str):
        raise ValueError("must be a colour: hex such as ff8800 or #ff880080, or a CSS name")
    text = value
    match = _HEX.fullmatch(text)
    if match:
        digits = match.group(1)
        if len(digits) <= 4:
            digits = "".join(ch * 2 for ch in digits)
        if len(digits) == 6:
            digits += "ff"
        r, g, b, a = (int(digits[i : i + 2], 16) for i in range(0, 8, 2))
        return (r, g, b, a)
    name = text.lower()
    if name == "transparent":
        return (0, 0, 0, 0)
    if name in ImageColor.colormap:
        r, g, b = ImageColor.getrgb(name)[:3]
        return (r, g, b, 255)
    raise ValueError(
        "must be a colour: hex such as ff8800, #f80 or #ff880080, or a CSS colour name"
    )


def format_color(color: RGBA) -> str:
    """The canonical spelling of a colour: `#rrggbbaa`, lower case."""
    return "#" + "".join(f"{channel:02x}" for channel in color)


COLOR_FORMS = [
    {"type": "string", "pattern": HEX_PATTERN},
    {"type": "string", "enum": list(COLOR_NAMES)},
]


def is_color_schema(schema: dict[str, Any]) -> bool:
    """Whether a JSON schema is the colour type's: docs and help then refer to the colour
    syntax once instead of listing every CSS name."""
    return schema.get("anyOf") == COLOR_FORMS


Color = Annotated[
    RGBA,
    PlainValidator(parse_color),
    PlainSerializer(format_color, return_type=str),
    WithJsonSchema(
        {
            "anyOf": COLOR_FORMS,
            "description": "Hex (`#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`; the `#` is "
            "optional, write it as `%23` in URLs) or a CSS colour name such as `teal` "
            "or `transparent` (any case).",
            "examples": ["ff8800", "#336699cc", "teal"],
        }
    ),
]


def composite(top: RGBA, bottom: RGBA, coverage: float = 1.0) -> RGBA:
    """`top`, covering `coverage` (0-1) of a pixel, painted over `bottom` (Porter-Duff
    "over", unpremultiplied): the colour of an anti-aliased edge between the two."""
    top_alpha = top[3] / 255 * coverage
    bottom_alpha = bottom[3] / 255 * (1 - top_alpha)
    alpha = top_alpha + bottom_alpha
    if alpha == 0:
        return (0, 0, 0, 0)
    r, g, b = (
        round((t * top_alpha + u * bottom_alpha) / alpha)
        for t, u in zip(top[:3], bottom[:3], strict=False)
    )
    return (r, g, b, round(alpha * 255))


_COVERAGES = np.arange(256, dtype=np.float64) / 255


def coverage_palette(ink: RGBA, background: RGBA) -> bytes:
    """A 256-entry RGBA palette: entry `i` is `ink` covering i/255 of `background`.

    Drawing anti-aliased shapes into a one-byte coverage mask and reading it through
    this palette gives exactly what drawing in colour would, in a quarter of the memory,
    and leaves the encoder an image whose colours are already known. The same
    arithmetic as `composite`, as array operations (256 calls of it cost about 1 ms)."""
    top_alpha = ink[3] / 255 * _COVERAGES
    bottom_alpha = background[3] / 255 * (1 - top_alpha)
    alpha = top_alpha + bottom_alpha
    seen = alpha != 0
    safe = np.where(seen, alpha, 1.0)
    palette = np.zeros((256, 4), dtype=np.float64)
    for channel in range(3):
        mixed = ink[channel] * top_alpha + background[channel] * bottom_alpha
        palette[:, channel] = mixed / safe
    palette[:, 3] = alpha * 255
    palette[~seen] = 0
    return np.rint(palette).astype(np.uint8).tobytes()
