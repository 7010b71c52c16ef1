"""A placeholder as SVG: the same shapes as the raster drawing, as vector, with each
line of text as a `<text>` element that the viewer sets in the first font of a stack
it has.

Text stays text rather than glyph outlines: the default label is about 500 bytes of SVG
where its outlines would be several kilobytes (`bench/placeholder_svg.py` measures
both), the viewer shapes and orders mixed scripts itself, and the text can be selected
and read by screen readers. The viewer may lack the bundled font (an SVG shown by
`<img>` may not load fonts at all), so each line carries `textLength`, the width the
raster drawing measured with the bundled font: in any fallback font the line fills the
same box, and the label fits its image as the PNG's does.
"""

import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from fontTools.ttLib import TTFont

from imagegen.colors import RGBA
from imagegen.fonts import FALLBACK_ORDER, FontFamily
from imagegen.gradients import Gradient
from imagegen.shapes import Radii
from imagegen.text import Layout

# After the bundled family: common system faces of its kind (closest to it for Latin
# text), the bundled fallbacks for other scripts (if the viewer has them), the generic.
_SYSTEM_FACES = {
    "sans-serif": ("Helvetica Neue", "Arial"),
    "serif": ("Georgia", "Times New Roman"),
    "monospace": ("Menlo", "Consolas"),
}
_FALLBACK_FAMILIES = ("DejaVu Sans", "Droid Sans Fallback", "Nanum Gothic", "Noto Emoji")
assert len(_FALLBACK_FAMILIES) == len(FALLBACK_ORDER)  # the bundled fallbacks, by name


@lru_cache(maxsize=64)
def _generic(path: Path) -> str:
    """The CSS generic family a font file belongs to, from its OS/2 and post tables:
    monospace when fixed-pitch, serif when its PANOSE says it has serifs."""
    with TTFont(path, lazy=True) as font:
        if font["post"].isFixedPitch:
            return "monospace"
        panose = font["OS/2"].panose if "OS/2" in font else None
        # PANOSE Latin Text: family type 2; serif styles 2-10 are kinds of serif,
        # 11-13 sans (normal, obtuse, perpendicular), 14-15 flared and rounded.
        if panose is not None and panose.bFamilyType == 2 and 2 <= panose.bSerifStyle <= 10:
            return "serif"
    return "sans-serif"


def font_stack(family: FontFamily) -> str:
    """The `font-family` of the text: the bundled family by its name first."""
    generic = _generic(family.path)
    names = dict.fromkeys((family.family, *_SYSTEM_FACES[generic], *_FALLBACK_FAMILIES))
    return ", ".join([*(f"'{name}'" for name in names), generic])


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def _colour(attribute: str, color: RGBA) -> str:
    """`fill="#rrggbb"` and, when translucent, `fill-opacity`."""
    r, g, b, a = color
    text = f'{attribute}="#{r:02x}{g:02x}{b:02x}"'
    if a != 255:
        text += f' {attribute}-opacity="{_number(a / 255)}"'
    return text


def rounded_rect_path(left: float, top: float, right: float, bottom: float, radii: Radii) -> str:
    """SVG path data of a rectangle with rounded corners, clockwise from the top left."""
    top_left, top_right, bottom_right, bottom_left = (_number(r) for r in radii)
    n = _number
    parts = [f"M{n(left + radii[0])} {n(top)}H{n(right - radii[1])}"]
    if radii[1]:
        parts.append(f"A{top_right} {top_right} 0 0 1 {n(right)} {n(top + radii[1])}")
    parts.append(f"V{n(bottom - radii[2])}")
    if radii[2]:
        parts.append(f"A{bottom_right} {bottom_right} 0 0 1 {n(right - radii[2])} {n(bottom)}")
    parts.append(f"H{n(left + radii[3])}")
    if radii[3]:
        parts.append(f"A{bottom_left} {bottom_left} 0 0 1 {n(left)} {n(bottom - radii[3])}")
    parts.append(f"V{n(top + radii[0])}")
    if radii[0]:
        parts.append(f"A{top_left} {top_left} 0 0 1 {n(left + radii[0])} {n(top)}")
    return "".join(parts) + "Z"


def _gradient_element(gradient: Gradient, width: int, height: int) -> str:
    """A `<linearGradient>` or `<radialGradient>` with id `g`, drawn as CSS draws it."""
    stops = "".join(
        f'<stop offset="{_number(position)}" {_colour("stop-color", colour)}/>'
        for colour, position in gradient.stops
    )
    if gradient.kind == "radial":
        # CSS's ellipse through the corners: a circle of radius √2/2 in the box's units.
        return (
            '<radialGradient id="g" gradientUnits="objectBoundingBox" cx="0.5" cy="0.5" '
            f'r="0.7071">{stops}</radialGradient>'
        )
    theta = math.radians(gradient.angle)
    sin, cos = math.sin(theta), math.cos(theta)
    half = (abs(width * sin) + abs(height * cos)) / 2
    x1, y1 = width / 2 - sin * half, height / 2 + cos * half
    x2, y2 = width / 2 + sin * half, height / 2 - cos * half
    coords = " ".join(
        f'{name}="{_number(value)}"'
        for name, value in (("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2))
    )
    element = f'<linearGradient id="g" gradientUnits="userSpaceOnUse" {coords}>'
    return f"{element}{stops}</linearGradient>"


def _text_lines(layout: Layout, width: int, height: int) -> Iterable[str]:
    """One `<text>` per line, placed where the raster drawing puts it."""
    baseline = (height - layout.height) / 2 - layout.lines[0].top
    for line in layout.lines:
        x = (width - line.width) / 2
        yield (
            f'<text x="{_number(x)}" y="{_number(baseline)}" '
            f'textLength="{_number(line.width)}" lengthAdjust="spacingAndGlyphs">'
            f"{escape(line.text)}</text>"
        )
        baseline += layout.pitch


def placeholder_svg(
    size: tuple[int, int],
    pixels: tuple[int, int],
    fill: RGBA | Gradient,
    radii: Radii,
    border: tuple[int, RGBA],
    text: tuple[Layout | None, RGBA, FontFamily],
) -> bytes:
    """The document: `size` in CSS pixels, drawn in a `pixels` view box (the raster
    drawing's device pixels, so that its measurements apply as they are); `fill` the
    background colour or gradient; `radii` and `border` (width, colour) in device pixels."""
    width, height = pixels
    layout, text_colour, family = text
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" xml:space="preserve" '
        f'width="{size[0]}" height="{size[1]}" viewBox="0 0 {width} {height}">'
    ]
    outline = rounded_rect_path(0, 0, width, height, radii)
    if isinstance(fill, Gradient):
        parts.append(f"<defs>{_gradient_element(fill, width, height)}</defs>")
        parts.append(f'<path d="{outline}" fill="url(#g)"/>')
    elif fill[3]:
        parts.append(f'<path d="{outline}" {_colour("fill", fill)}/>')
    border_width, border_colour = border
    if border_width:
        inner = tuple(max(0.0, r - border_width) for r in radii)
        far_x, far_y = width - border_width, height - border_width
        hole = ""
        if far_x > border_width and far_y > border_width:
            hole = rounded_rect_path(border_width, border_width, far_x, far_y, inner)  # type: ignore[arg-type]
        parts.append(
            f'<path d="{outline}{hole}" fill-rule="evenodd" {_colour("fill", border_colour)}/>'
        )
    if layout is not None and layout.lines and text_colour[3]:
        stack = quoteattr(font_stack(family))
        fill = _colour("fill", text_colour)
        parts.append(f'<g {fill} font-family={stack} font-size="{layout.size}">')
        parts.extend(_text_lines(layout, width, height))
        parts.append("</g>")
    parts.append("</svg>\n")
    return "".join(parts).encode("utf-8")
