"""The look of a chart in matplotlib's units: sizes in points, colours as floats.

Parameters are in CSS pixels. The figure is laid out at 96 dpi (CSS's pixels per inch)
times `scale`, so a CSS pixel is 3/4 of a point at any scale, and SVG and PDF come out at
the CSS size.
"""

from dataclasses import dataclass

from imagegen.charts.model import ChartParams
from imagegen.colors import RGBA, parse_color

CSS_DPI = 96
PT_PER_PX = 72 / CSS_DPI
TITLE_RATIO = 1.4  # title size : text size
SMALL_RATIO = 0.9  # value labels size : text size
GRID_ALPHA = 0.15  # grid lines are the text colour, this opaque
AREA_ALPHA = 0.25  # area fills are their line's colour, this opaque
DARK_INK = "333333"  # text on light backgrounds
LIGHT_INK = "e6e6e6"  # text on dark ones
# Relative luminance over which white text on a colour is harder to read than dark text.
_LIGHT = 0.45

MplColor = tuple[float, float, float, float]


def mpl_color(color: RGBA) -> MplColor:
    """An (r, g, b, a) of 0-255 integers as matplotlib's 0-1 floats."""
    r, g, b, a = color
    return (r / 255, g / 255, b / 255, a / 255)


def is_dark(color: RGBA) -> bool:
    """Whether light text reads better than dark text on `color` (a transparent colour
    is light: it is usually shown on a white page)."""
    r, g, b = (channel / 255 for channel in color[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return color[3] >= 128 and luminance <= _LIGHT


def text_color_on(color: RGBA) -> MplColor:
    """Black or white, whichever reads better on `color`."""
    return (1.0, 1.0, 1.0, 1.0) if is_dark(color) else (0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Style:
    """Sizes (points) and colours of one chart."""

    text: float
    title: float
    small: float
    line: float  # axes and ticks
    ink: MplColor
    grid: MplColor
    background: MplColor

    @classmethod
    def of(cls, params: ChartParams, size: float) -> "Style":
        """The style `params` ask for, with text `size` CSS pixels high."""
        ink = params.color or parse_color(LIGHT_INK if is_dark(params.background) else DARK_INK)
        r, g, b, a = mpl_color(ink)
        text = size * PT_PER_PX
        return cls(
            text=text,
            title=text * TITLE_RATIO,
            small=text * SMALL_RATIO,
            line=PT_PER_PX,
            ink=(r, g, b, a),
            grid=(r, g, b, a * GRID_ALPHA),
            background=mpl_color(params.background),
        )
