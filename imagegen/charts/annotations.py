"""Reference lines and bands across the plot, each with an optional label.

A label is written inside the plot, by its line (above it at the right end, else below,
else at the left end) or at the top of its band, shortened to the plot's width; one that
would cover a label written before it, or leave the plot, is left out.
"""

from collections.abc import Callable, Iterator

from matplotlib.axes import Axes

from imagegen.charts.layout import Box
from imagegen.charts.measure import Measure
from imagegen.charts.model import Annotation, ChartParams, annotations_of, is_horizontal
from imagegen.charts.style import AREA_ALPHA, PT_PER_PX, Style, mpl_color
from imagegen.charts.text import literal

BAND_ALPHA = AREA_ALPHA * 0.6  # bands are fainter than areas: the data shows through
LINE_RATIO = 1.5  # an annotation line is this many times as thick as the axes' lines
LABEL_PAD = 4.0  # CSS pixels between a label and its line, or the plot's edge
Rect = tuple[float, float, float, float]  # left, bottom, right, top in CSS pixels


def category_at(spot: float | str, labels: list[str]) -> float:
    """Where a category annotation goes: the label it names (also a number written as
    one, `2024`), else the number itself (0 the first category)."""
    if isinstance(spot, str):
        return float(labels.index(spot))
    written = f"{spot:g}"
    return float(labels.index(written)) if written in labels else spot


def _positions(annotation: Annotation, labels: list[str], numeric_x: bool) -> list[float]:
    """The annotation's one or two positions along its axis, in data terms."""
    at = annotation.y if annotation.y is not None else annotation.x
    spots = at if isinstance(at, list) else [at]
    if annotation.y is not None or numeric_x:
        return [float(s) for s in spots]  # type: ignore[arg-type]
    return [category_at(s, labels) for s in spots]  # type: ignore[arg-type]


def _numbers_on(params: ChartParams, axis: str) -> list[float]:
    """Every number the annotations on `axis` ("x" or "y") name."""
    found: list[float] = []
    for annotation in annotations_of(params):
        at = getattr(annotation, axis)
        spots = at if isinstance(at, list) else [at]
        found += [float(spot) for spot in spots if isinstance(spot, int | float)]
    return found


def value_extent(params: ChartParams) -> list[float]:
    """The values the value axis must reach for the annotations on it."""
    return _numbers_on(params, "y")


def x_extent(params: ChartParams) -> list[float]:
    """The numeric `x` positions the annotations across the x axis need shown."""
    return _numbers_on(params, "x")


def _overlaps(a: Rect, b: Rect) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _within(rect: Rect, box: Box) -> bool:
    return (
        rect[0] >= box.left
        and rect[2] <= box.right
        and rect[1] >= box.bottom
        and rect[3] <= box.top
    )


def _candidates(
    across: bool, ends: list[float], plot: Box, width: float, height: float
) -> Iterator[Rect]:
    """Where a label may go, best first: `ends` are the pixel positions of the line (one)
    or band (two) along the axis it crosses; `across` when it runs left to right."""
    pad = LABEL_PAD
    low, high = min(ends), max(ends)
    if across:  # a horizontal line or band: labels at its right, then left, end
        if len(ends) == 2:
            top = min(high, plot.top)
            rows = [top - pad - height, high + pad]
        else:
            rows = [high + pad, low - pad - height]
        for x in (plot.right - pad - width, plot.left + pad):
            for y in rows:
                yield (x, y, x + width, y + height)
        return
    if len(ends) == 2:  # a vertical band: its label at its top, centred in it when it fits
        middle = (max(low, plot.left) + min(high, plot.right)) / 2
        columns = [middle - width / 2, high + pad, low - pad - width]
    else:
        columns = [high + pad, low - pad - width]
    for y in (plot.top - pad - height, plot.bottom + pad):
        for x in columns:
            yield (x, y, x + width, y + height)


def draw_annotations(
    ax: Axes,
    params: ChartParams,
    labels: list[str],
    style: Style,
    measure: Measure,
    plot: Box,
    px: Callable[[float, float], tuple[float, float]],
) -> list[Rect]:
    """Draw the chart's annotations on `ax`, whose ranges are set; `px(x, y)` turns
    data into CSS pixels. Returns where their labels went."""
    placed: list[Rect] = []
    horizontal = is_horizontal(params)
    numeric_x = params.x is not None
    font = style.small / PT_PER_PX
    for annotation in annotations_of(params):
        color = mpl_color(annotation.color) if annotation.color is not None else style.ink
        ends = _positions(annotation, labels, numeric_x)
        # A value-axis line runs left to right, but on horizontal bar charts.
        across = (annotation.y is not None) != horizontal
        if len(ends) == 2:
            r, g, b, a = color
            span = ax.axhspan if across else ax.axvspan
            span(*sorted(ends), facecolor=(r, g, b, a * BAND_ALPHA), linewidth=0, zorder=1)
        else:
            line = ax.axhline if across else ax.axvline
            line(
                ends[0],
                color=color,
                linewidth=style.line * LINE_RATIO,
                linestyle=annotation.line_style,
                zorder=3.5,
            )
        if not annotation.label:
            continue
        pixels = [px(0, e)[1] if across else px(e, 0)[0] for e in ends]
        if across and not any(plot.bottom <= p <= plot.top for p in pixels) and len(ends) == 1:
            continue
        if not across and not any(plot.left <= p <= plot.right for p in pixels) and len(ends) == 1:
            continue
        text = measure.shorten(annotation.label, plot.width - 2 * LABEL_PAD, font)
        if not text:
            continue
        width, height = measure.width(text, font), measure.line(font)
        spot = next(
            (
                rect
                for rect in _candidates(across, pixels, plot, width, height)
                if _within(rect, plot) and not any(_overlaps(rect, p) for p in placed)
            ),
            None,
        )
        if spot is None:
            continue
        placed.append(spot)
        ax.text(
            (spot[0] + spot[2]) / 2 / params.width,
            (spot[1] + spot[3]) / 2 / params.height,
            literal(text),
            transform=ax.figure.transFigure,
            ha="center",
            va="center",
            fontsize=style.small,
            color=color,
            zorder=4,
            label="annotation",
        )
    return placed
