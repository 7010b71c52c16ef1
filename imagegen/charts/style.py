"""The look of a chart in matplotlib's units: sizes in points, colours as floats.

Parameters are in CSS pixels. The figure is laid out at 96 dpi (CSS's pixels per inch)
times `scale`, so a CSS pixel is 3/4 of a point at any scale, and SVG and PDF come out at
the CSS size.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from imagegen.charts.model import ChartParams
from imagegen.colors import RGBA

CSS_DPI = 96
PT_PER_PX = 72 / CSS_DPI
TITLE_RATIO = 1.4  # title size : text size
SMALL_RATIO = 0.9  # value labels size : text size
GRID_ALPHA = 0.15  # grid lines are the text colour, this opaque
# Rough text metrics, in font sizes, to decide before layout what fits along an axis.
CHAR_WIDTH = 0.6
LINE_PITCH = 1.6
TEXT_GAP = 1.0
PLOT_SHARE = 0.8  # of the image's width or height, that an axis is long
# Relative luminance over which white text on a colour is harder to read than dark text.
_LIGHT = 0.45

MplColor = tuple[float, float, float, float]


def mpl_color(color: RGBA) -> MplColor:
    """An (r, g, b, a) of 0-255 integers as matplotlib's 0-1 floats."""
    r, g, b, a = color
    return (r / 255, g / 255, b / 255, a / 255)


def text_color_on(color: RGBA) -> MplColor:
    """Black or white, whichever reads better on `color`."""
    r, g, b = (channel / 255 for channel in color[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (0.0, 0.0, 0.0, 1.0) if luminance > _LIGHT else (1.0, 1.0, 1.0, 1.0)


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
    def of(cls, params: ChartParams) -> "Style":
        """The style `params` ask for."""
        r, g, b, a = mpl_color(params.color)
        text = params.font_size * PT_PER_PX
        return cls(
            text=text,
            title=text * TITLE_RATIO,
            small=text * SMALL_RATIO,
            line=PT_PER_PX,
            ink=(r, g, b, a),
            grid=(r, g, b, a * GRID_ALPHA),
            background=mpl_color(params.background),
        )


def axis_length(params: ChartParams, vertical: bool) -> float:
    """About how long, in CSS pixels, the plot's vertical or horizontal axis is."""
    return (params.height if vertical else params.width) * PLOT_SHARE


def text_room(texts: Iterable[str], font_size: float, side_by_side: bool) -> float:
    """CSS pixels each of `texts` takes along an axis at `font_size` px: the widest one's
    width and a gap if they sit side by side (on a horizontal axis), else a line."""
    if side_by_side:
        return (max(map(len, texts), default=0) * CHAR_WIDTH + TEXT_GAP) * font_size
    return LINE_PITCH * font_size
