"""Drawing resolved chart data on a matplotlib Axes: bars, lines, areas, points, pies.

`draw_series` and `draw_pie` return the legend entries of what they drew, in order.
Gaps (NaN) are never drawn: a line breaks, a bar or slice is left out.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Wedge
from matplotlib.path import Path

from imagegen.charts.model import ChartParams
from imagegen.charts.series import ChartData, Series
from imagegen.charts.style import (
    PLOT_SHARE,
    PT_PER_PX,
    SMALL_RATIO,
    Style,
    axis_length,
    mpl_color,
    text_color_on,
    text_room,
)
from imagegen.charts.text import literal
from imagegen.colors import RGBA

Entry = tuple[Artist, str]  # a legend handle and its text
Writer = Callable[[float], str]  # writes a value as `number_format` says

BAR_SHARE = 0.8  # of a category's width, taken by its bars
AREA_ALPHA = 0.25
MARKER_RATIO = 3  # marker diameter : line width
# Lines of at most this many points mark each one, so that a point between two gaps shows.
MARKED_POINTS = 50
DOUGHNUT_WIDTH = 0.45  # of the radius
PIE_LABEL_RADIUS = 0.62  # where value labels sit on a pie, as a share of the radius
PIE_LIMIT = 1.02  # axis limits around a pie of radius 1: room for the slices' edges
PIE_LEGEND_SLICES = 20  # a pie's legend lists its first labelled slices: more do not fit
VALUE_LABEL_PADDING = 3  # points between a bar and its value label


def positions(data: ChartData) -> np.ndarray:
    """Where the points go along the category axis: `x`, else 0, 1, 2…"""
    return data.x if data.x is not None else np.arange(len(data.labels), dtype=float)


def _legend_handle(series: Series) -> Artist:
    color = mpl_color(series.color)
    width = series.line_width * PT_PER_PX
    if series.kind == "line":
        return Line2D([], [], color=color, linewidth=width, linestyle=series.line_style)
    if series.kind == "scatter":
        return Line2D([], [], color=color, linestyle="", marker="o")
    if series.kind == "area":
        r, g, b, a = color
        return Patch(facecolor=(r, g, b, a * AREA_ALPHA), edgecolor=color, linewidth=width)
    return Patch(facecolor=color)


def draw_line(ax: Axes, series: Series, where: np.ndarray, marked: bool) -> None:
    """One series as a line; with `marked`, a dot on each point."""
    width = series.line_width * PT_PER_PX
    ax.plot(
        where,
        series.values,
        color=mpl_color(series.color),
        linewidth=width,
        linestyle=series.line_style,
        marker="o" if marked else "",
        markersize=width * MARKER_RATIO,
        zorder=3,
    )


def _draw_area(ax: Axes, series: Series, where: np.ndarray) -> None:
    r, g, b, a = mpl_color(series.color)
    present = np.isfinite(series.values)
    ax.fill_between(
        where,
        np.where(present, series.values, 0.0),
        where=present,
        facecolor=(r, g, b, a * AREA_ALPHA),
        linewidth=0,
        zorder=2,
    )
    draw_line(ax, series, where, marked=False)


def _draw_scatter(ax: Axes, series: Series, where: np.ndarray) -> None:
    diameter = series.line_width * PT_PER_PX * MARKER_RATIO
    ax.scatter(where, series.values, s=diameter**2, color=mpl_color(series.color), zorder=3)


def _rectangles(
    at: np.ndarray, low: np.ndarray, high: np.ndarray, width: float, horizontal: bool
) -> np.ndarray:
    """Corners of bars centred `at` along the category axis, from `low` to `high` along
    the value axis: shape (bars, 4, 2)."""
    across = np.stack([at - width / 2, at - width / 2, at + width / 2, at + width / 2], axis=1)
    along = np.stack([low, high, high, low], axis=1)
    return np.stack([along, across] if horizontal else [across, along], axis=2)


def _value_label(
    ax: Axes, text: str, at: float, value: float, end: float, horizontal: bool, style: Style
) -> None:
    """`text` just past the `end` of a bar, on the side its `value` points to."""
    sign = 1 if value >= 0 else -1
    pad = sign * VALUE_LABEL_PADDING
    if horizontal:
        place = {"xytext": (pad, 0), "ha": "left" if sign > 0 else "right", "va": "center"}
    else:
        place = {"xytext": (0, pad), "ha": "center", "va": "bottom" if sign > 0 else "top"}
    xy = (end, at) if horizontal else (at, end)
    ax.annotate(
        text, xy, textcoords="offset points", fontsize=style.small, color=style.ink, **place
    )


@dataclass(frozen=True)
class _Bars:
    """The bars of one series as drawn: centres, and ends along the value axis."""

    series: Series
    at: np.ndarray
    low: np.ndarray
    values: np.ndarray


def _draw_bars(ax: Axes, bars: list[Series], where: np.ndarray, params: ChartParams) -> list[_Bars]:
    """Draw each series' bars, grouped side by side or stacked."""
    horizontal = params.type == "horizontal_bar"
    stacked = params.type == "stacked_bar"
    width = BAR_SHARE if stacked else BAR_SHARE / len(bars)
    above, below = np.zeros(len(where)), np.zeros(len(where))  # stack ends, each way
    drawn = []
    for i, series in enumerate(bars):
        present = np.isfinite(series.values)
        values, at = series.values[present], where[present]
        if stacked:
            low = np.where(values >= 0, above[present], below[present])
            above[present] += np.maximum(values, 0)
            below[present] += np.minimum(values, 0)
        else:
            low = np.zeros(len(values))
            at = at + (i - (len(bars) - 1) / 2) * width
        corners = _rectangles(at, low, low + values, width, horizontal)
        if len(corners):
            _add_shapes(ax, corners, series.color, horizontal)
        drawn.append(_Bars(series, at, low, values))
    return drawn


def _add_shapes(ax: Axes, corners: np.ndarray, color: RGBA, horizontal: bool) -> None:
    """Polygons of one colour as one path: thousands of bars draw (and are avoided by a
    `best` legend) as fast as a few, and the axes fit them without a loop per corner."""
    shapes = PathPatch(
        Path.make_compound_path_from_polys(corners),
        facecolor=mpl_color(color),
        linewidth=0,
        zorder=2,
    )
    # Like Axes.bar: no margin between the bars' base and the axis.
    (shapes.sticky_edges.x if horizontal else shapes.sticky_edges.y).append(0)
    ax.add_artist(shapes)
    ax.update_datalim(corners.reshape(-1, 2))
    ax.autoscale_view()


def _labels_fit(texts: list[str], slots: int, params: ChartParams) -> bool:
    horizontal = params.type == "horizontal_bar"
    room = text_room(texts, params.font_size * SMALL_RATIO, side_by_side=not horizontal)
    return slots * room <= axis_length(params, vertical=horizontal)


def _label_bars(
    ax: Axes, drawn: list[_Bars], slots: int, params: ChartParams, style: Style, write: Writer
) -> None:
    """Write each bar's value past its end, or in its middle when bars are stacked; but
    only if the labels fit side by side in the `slots` along the category axis: else
    they would only overlap (and take long to lay out)."""
    if not _labels_fit(["0"], slots, params):
        return
    texts = [[literal(write(value)) for value in bars.values] for bars in drawn]
    if not _labels_fit([text for column in texts for text in column], slots, params):
        return
    horizontal = params.type == "horizontal_bar"
    for bars, column in zip(drawn, texts, strict=True):
        ends = zip(column, bars.at, bars.low, bars.values, strict=True)
        for text, center, low, value in ends:
            if params.type == "stacked_bar":
                middle = low + value / 2
                ax.text(
                    *((middle, center) if horizontal else (center, middle)),
                    text,
                    ha="center",
                    va="center",
                    fontsize=style.small,
                    color=text_color_on(bars.series.color),
                )
            else:
                _value_label(ax, text, center, value, low + value, horizontal, style)


def draw_series(
    ax: Axes, params: ChartParams, data: ChartData, style: Style, write: Writer
) -> list[Entry]:
    """Draw a line, bar, area or scatter chart, or a mix of them, on `ax`."""
    where = positions(data)
    bars = [series for series in data.series if series.kind == "bar"]
    if bars:
        drawn = _draw_bars(ax, bars, where, params)
        if params.value_labels:
            slots = len(where) * (1 if params.type == "stacked_bar" else len(bars))
            _label_bars(ax, drawn, slots, params, style, write)
    for series in data.series:
        if series.kind == "line":
            draw_line(ax, series, where, marked=len(where) <= MARKED_POINTS)
        elif series.kind == "area":
            _draw_area(ax, series, where)
        elif series.kind == "scatter":
            _draw_scatter(ax, series, where)
    return [(_legend_handle(series), series.name) for series in data.series]


def _slice_angles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(theta1, theta2) of each slice, in degrees counter-clockwise from 3 o'clock, for
    slices laid clockwise from 12 o'clock, as pie charts are read."""
    turned = 360 * np.cumsum(values) / values.sum()
    return 90 - turned, 90 - np.concatenate([[0.0], turned[:-1]])


def _label_slices(
    ax: Axes,
    angles: tuple[np.ndarray, np.ndarray],
    values: np.ndarray,
    data: ChartData,
    params: ChartParams,
    style: Style,
    write: Writer,
) -> None:
    """Write each slice's value on it, if the slice is wide enough for a line of text."""
    radius = 1 - DOUGHNUT_WIDTH / 2 if params.type == "doughnut" else PIE_LABEL_RADIUS
    radius_px = min(params.width, params.height) * PLOT_SHARE / 2
    room = text_room([], params.font_size * SMALL_RATIO, side_by_side=False)
    for low, high, value, color in zip(*angles, values, data.slice_colors, strict=True):
        if value > 0 and np.deg2rad(high - low) * radius * radius_px >= room:
            middle = np.deg2rad((low + high) / 2)
            ax.text(
                radius * np.cos(middle),
                radius * np.sin(middle),
                literal(write(value)),
                ha="center",
                va="center",
                fontsize=style.small,
                color=text_color_on(color),
            )


def draw_pie(
    ax: Axes, params: ChartParams, data: ChartData, style: Style, write: Writer
) -> list[Entry]:
    """Draw the first series as a pie or doughnut; the legend entries are the labels.
    The slices are one collection: many slices draw as fast as a few."""
    ax.set_axis_off()
    ax.set(xlim=(-PIE_LIMIT, PIE_LIMIT), ylim=(-PIE_LIMIT, PIE_LIMIT), aspect="equal")
    values = np.nan_to_num(data.series[0].values, nan=0.0) if data.series else np.zeros(0)
    if not values.sum() > 0:
        return []
    colors = [mpl_color(color) for color in data.slice_colors]
    angles = _slice_angles(values)
    width = DOUGHNUT_WIDTH if params.type == "doughnut" else None
    shown = np.flatnonzero(values > 0)
    slices = PatchCollection(
        [Wedge((0, 0), 1, angles[0][i], angles[1][i], width=width) for i in shown],
        facecolors=[colors[i] for i in shown],
        edgecolors=[style.background],
        linewidths=style.line,
    )
    ax.add_collection(slices, autolim=False)
    if params.value_labels:
        _label_slices(ax, angles, values, data, params, style, write)
    entries = [
        (Patch(facecolor=color), label)
        for color, label in zip(colors, data.labels, strict=True)
        if label
    ]
    return entries[:PIE_LEGEND_SLICES]
