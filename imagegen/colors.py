"""Colour parsing: hex (`#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `#` optional), CSS names,
and CSS's `rgb()`, `rgba()`, `hsl()` and `hsla()` as Chart.js users write them."""

import colorsys
import math
import re
from typing import Annotated, Any

import numpy as np
from PIL import ImageColor
from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

RGBA = tuple[int, int, int, int]

HEX_PATTERN = r"^#?([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$"
_HEX = re.compile(HEX_PATTERN)
COLOR_NAMES = ("transparent", *sorted(ImageColor.colormap))

# CSS colour functions, comma-separated (`rgba(255, 99, 132, 0.2)`) or space-separated
# with a slash before alpha (`rgb(255 99 132 / 20%)`). The pattern is the schema's too, so
# it is written for ECMA 262 and Python alike (no inline flags: names by character class).
_NUMBER = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_SHARE = rf"{_NUMBER}%?"  # a channel, saturation, lightness or alpha
_HUE = rf"{_NUMBER}(?:deg)?"


def _arguments(first: str) -> str:
    return (
        rf"\(\s*(?:{first}(?:\s*,\s*{_SHARE}){{2,3}}"
        rf"|{first}(?:\s+{_SHARE}){{2}}(?:\s*/\s*{_SHARE})?)\s*\)"
    )


FUNCTION_PATTERN = (
    rf"^(?:[rR][gG][bB][aA]?{_arguments(_SHARE)}|[hH][sS][lL][aA]?{_arguments(_HUE)})$"
)
_FUNCTION = re.compile(FUNCTION_PATTERN)
_FUNCTION_ARG = re.compile(rf"({_NUMBER})(%|deg)?")


# Appended to colour parameters' descriptions: their own text replaces the type's.
COLOR_SYNTAX = (
    " Hex (`ff8800`, `#f80`, `#ff880080`; `#` is `%23` in a URL), a CSS name, or "
    "`rgb()`, `rgba()`, `hsl()`, `hsla()`."
)
_MESSAGE = (
    "must be a colour: hex such as ff8800, #f80 or #ff880080, a CSS colour name, or "
    "rgb(), rgba(), hsl() or hsla()"
)


def _channel(number: float, unit: str | None, full: float) -> float:
    """A CSS argument as a share of `full` (percentages of 100%), clamped to 0-1."""
    share = number / 100 if unit == "%" else number / full
    return min(max(share, 0.0), 1.0) if not math.isnan(share) else 0.0


def _parse_function(text: str) -> RGBA:
    """`rgb(…)`, `rgba(…)`, `hsl(…)` or `hsla(…)`, already matched by `FUNCTION_PATTERN`;
    out-of-range values are clamped, as CSS does."""
    name = text[: text.index("(")].lower()
    args = [(float(n), unit or None) for n, unit in _FUNCTION_ARG.findall(text[len(name) :])]
    alpha = _channel(*args[3], 1) if len(args) == 4 else 1.0
    if name.startswith("rgb"):
        red, green, blue = (_channel(n, unit, 255) for n, unit in args[:3])
    else:
        (hue, _), (sat, sat_unit), (light, light_unit) = args[:3]
        turn = hue % 360 / 360 if math.isfinite(hue) else 0.0
        red, green, blue = colorsys.hls_to_rgb(
            turn, _channel(light, light_unit, 100), _channel(sat, sat_unit, 100)
        )
    r, g, b, a = (round(channel * 255) for channel in (red, green, blue, alpha))
    return (r, g, b, a)


def parse_color(value: object) -> RGBA:
    """Parse a colour as users write it in URLs and JSON, returning (r, g, b, a).

    `fff`, `#FFFFFF`, `#ffffffff` and `white` are the same colour; `transparent` is
    fully transparent black, as in CSS.
    """
    if not isinstance(value, str):
        raise ValueError(_MESSAGE)
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
    if _FUNCTION.fullmatch(text):
        return _parse_function(text)
    raise ValueError(_MESSAGE)


def format_color(color: RGBA) -> str:
    """The canonical spelling of a colour: `#rrggbbaa`, lower case."""
    return "#" + "".join(f"{channel:02x}" for channel in color)


COLOR_FORMS = [
    {"type": "string", "pattern": HEX_PATTERN},
    {"type": "string", "enum": list(COLOR_NAMES)},
    {"type": "string", "pattern": FUNCTION_PATTERN},
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
            "optional, write it as `%23` in URLs), a CSS colour name such as `teal` "
            "or `transparent` (any case), or `rgb(255, 99, 132)`, "
            "`rgba(255, 99, 132, 0.5)`, `hsl(210, 50%, 40%)`, `hsla(…)`.",
            "examples": ["ff8800", "#336699cc", "teal", "rgba(255, 99, 132, 0.5)"],
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
