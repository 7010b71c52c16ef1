"""Building one chart's matplotlib Figure: size, background, axes, titles and legend.

Only `Figure` is used, never `pyplot`; sizes, colours and fonts are passed to each
artist, and nothing in matplotlib's global state (rcParams, the font manager) is changed,
so charts can be drawn in many threads at once.
"""

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from imagegen.charts.model import ROUND_TYPES, ChartParams
from imagegen.charts.numbers import number_formatter
from imagegen.charts.plots import Entry, Writer, draw_line, draw_pie, draw_series, positions
from imagegen.charts.series import ChartData, resolve
from imagegen.charts.style import CSS_DPI, Style, axis_length, text_room
from imagegen.charts.text import ChartFonts, literal

# Where a legend outside the axes goes, in `Figure.legend` terms.
_OUTSIDE = {
    "bottom": "outside lower center",
    "left": "outside left center",
    "right": "outside right center",
}
_LEGEND_HANDLE = 2  # a legend handle and its gaps, in font sizes
_TICK_LENGTH = 4  # CSS pixels
_SPARKLINE_MARGIN = 1  # CSS pixels around the thickest line


def build_figure(params: ChartParams, fonts: ChartFonts) -> Figure:
    """The chart `params` describe, ready to draw or save."""
    data = resolve(params)
    style = Style.of(params)
    figure = Figure(
        figsize=(params.width / CSS_DPI, params.height / CSS_DPI),
        dpi=CSS_DPI * params.scale,
        facecolor=style.background,
    )
    if params.type == "sparkline":
        _sparkline(figure, params, data)
    else:
        _chart(figure, params, data, style)
    fonts.apply(figure)
    return figure


def _sparkline(figure: Figure, params: ChartParams, data: ChartData) -> None:
    ax = figure.add_axes((0, 0, 1, 1), facecolor="none")
    ax.set_axis_off()
    # Margins in data terms that leave the thickest line whole at the image's edges.
    widest = max((series.line_width for series in data.series), default=0)
    margin = widest + _SPARKLINE_MARGIN  # line caps and joins reach past half the width
    x, y = (min(margin, size / 4) for size in (params.width, params.height))
    ax.margins(x=x / (params.width - 2 * x), y=y / (params.height - 2 * y))
    for series in data.series:
        draw_line(ax, series, positions(data), marked=False)
    _value_scale(ax, params, data, horizontal=False)


def _chart(figure: Figure, params: ChartParams, data: ChartData, style: Style) -> None:
    figure.set_layout_engine("constrained")
    ax = figure.add_subplot(facecolor="none")
    write = number_formatter(params.number_format)
    if params.type in ROUND_TYPES:
        entries = draw_pie(ax, params, data, style, write)
    else:
        entries = draw_series(ax, params, data, style, write)
        _axes(ax, params, data, style, write)
    if params.title:
        figure.suptitle(literal(params.title), fontsize=style.title, color=style.ink)
    _legend(figure, ax, entries, params, style)


def _value_scale(ax: Axes, params: ChartParams, data: ChartData, horizontal: bool) -> None:
    """Scale and range of the value axis (x on horizontal bar charts, else y): fitted to
    the data, unless `y_min` or `y_max` say otherwise."""
    set_scale, get_limits, set_limits = (
        (ax.set_xscale, ax.get_xlim, ax.set_xlim)
        if horizontal
        else (ax.set_yscale, ax.get_ylim, ax.set_ylim)
    )
    empty_log = params.log_scale and not any(np.any(s.values > 0) for s in data.series)
    if params.log_scale:
        set_scale("log")
    if params.y_min is None and params.y_max is None and not empty_log:
        return
    fitted = (1.0, 10.0) if empty_log else get_limits()  # a decade when nothing fits a log
    low = fitted[0] if params.y_min is None else params.y_min
    high = fitted[1] if params.y_max is None else params.y_max
    if low >= high:  # the one end given is beyond the data: span one step from it
        if params.y_min is not None:
            high = low * 10 if params.log_scale else low + 1
        else:
            low = high / 10 if params.log_scale else high - 1
    set_limits(low, high)


def _axes(ax: Axes, params: ChartParams, data: ChartData, style: Style, write: Writer) -> None:
    horizontal = params.type == "horizontal_bar"
    values, categories = (ax.xaxis, ax.yaxis) if horizontal else (ax.yaxis, ax.xaxis)
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set(color=style.ink, linewidth=style.line)
    ax.tick_params(
        colors=style.ink, labelsize=style.text, width=style.line, length=_TICK_LENGTH * style.line
    )
    _value_scale(ax, params, data, horizontal)
    if params.log_scale:
        values.set_minor_formatter(NullFormatter())
    if params.log_scale or params.number_format:
        values.set_major_formatter(FuncFormatter(lambda value, _: literal(write(value))))
    if params.grid:
        values.grid(True, color=style.grid, linewidth=style.line)
    ax.set_axisbelow(True)
    if data.x is None:
        shown = _shown_labels(data.labels, params, along_x=not horizontal)
        categories.set_ticks(shown, [literal(data.labels[i]) for i in shown])
    if horizontal:
        ax.invert_yaxis()  # the first category on top, as it reads
    for axis, title in ((categories, params.x_title), (values, params.y_title)):
        if title:
            axis.set_label_text(literal(title), fontsize=style.text, color=style.ink)


def _shown_labels(labels: list[str], params: ChartParams, along_x: bool) -> list[int]:
    """Indices of the category labels to write: evenly spaced, as many as fit; none
    when no category has a label."""
    if not any(labels):
        return []
    room = text_room(labels, params.font_size, side_by_side=along_x)
    step = max(1, math.ceil(len(labels) * room / axis_length(params, vertical=not along_x)))
    return list(range(0, len(labels), step))


def _legend(
    figure: Figure, ax: Axes, entries: list[Entry], params: ChartParams, style: Style
) -> None:
    position = params.legend or ("top" if len(entries) > 1 else "none")
    if position == "none" or not entries:
        return
    handles = [handle for handle, _ in entries]
    names = [literal(name) for _, name in entries]
    looks = {"fontsize": style.text, "labelcolor": style.ink, "frameon": False}
    if position == "best":
        ax.legend(handles, names, loc="best", **looks)
        return
    columns = 1
    if position in ("top", "bottom"):
        entry = text_room(names, params.font_size, side_by_side=True)
        entry += _LEGEND_HANDLE * params.font_size
        columns = int(np.clip(params.width // entry, 1, len(names)))
    if position == "top":  # under the title, which the figure places above all else
        ax.legend(
            handles, names, loc="lower center", bbox_to_anchor=(0.5, 1), ncols=columns, **looks
        )
    else:
        figure.legend(handles, names, loc=_OUTSIDE[position], ncols=columns, **looks)
