"""Drawing resolved chart data on a matplotlib Axes placed by the layout: bars, lines,
areas, points, pies, and their value labels.

Gaps (NaN) are never drawn: a line breaks, a bar or slice is left out; a point with a
gap on both sides is drawn as a dot, so that it shows. Value labels are placed in CSS
pixels from the layout: inside a bar when they fit, past its end otherwise, above or
below a point, away from lines and markers, and always inside the image.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.patches import PathPatch, Wedge
from matplotlib.path import Path
from matplotlib.transforms import Bbox, TransformedBbox

from imagegen.charts.annotations import draw_annotations
from imagegen.charts.center import draw_text, fit_text, in_circle, start_size
from imagegen.charts.curves import line_path
from imagegen.charts.layout import Box, ChartLayout
from imagegen.charts.measure import Measure
from imagegen.charts.model import ChartParams, is_horizontal, stacking
from imagegen.charts.series import ChartData, Series
from imagegen.charts.style import (
    AREA_ALPHA,
    PT_PER_PX,
    Style,
    mpl_color,
    text_color_on,
)
from imagegen.charts.text import literal
from imagegen.colors import RGBA

Writer = Callable[[float], str]  # writes a value as `number_format` says
TextOf = Callable[[Series, int], str]  # a value label: of a series, at a point

BAR_SHARE = 0.8  # of a category's width, taken by its bars
BAR_GAP = 0.1  # of a bar's width, left between bars side by side
MARKER_RATIO = 3  # marker diameter : line width
# Lines of at most this many points mark each one, so that a point between two gaps shows.
MARKED_POINTS = 50
DOUGHNUT_WIDTH = 0.45  # of the radius
PIE_LABEL_RADIUS = 0.62  # where value labels sit on a pie, as a share of the radius
PIE_LIMIT = 1.02  # axis limits around a pie of radius 1: room for the slices' edges
LABEL_START = 2  # text sizes: the largest centre text of a doughnut
HOLE_SHARE = 0.92  # of a doughnut's hole, that its centre text may take
VALUE_LABEL_GAP = 4.0  # CSS pixels between a bar's end or a marker and its value label


def positions(data: ChartData) -> np.ndarray:
    """Where the points go along the category axis: `x`, else 0, 1, 2…"""
    return data.x if data.x is not None else np.arange(len(data.labels), dtype=float)


def _lonely(values: np.ndarray) -> np.ndarray:
    """Which points have no neighbour to draw a line to."""
    present = np.isfinite(values)
    before = np.concatenate([[False], present[:-1]])
    after = np.concatenate([present[1:], [False]])
    return present & ~before & ~after


def _marker_room(ax: Axes, radius: float, plot: Box | None) -> TransformedBbox | None:
    """A clip box around the plot, `radius` CSS pixels larger each way: markers at its
    edges are drawn whole, and anything farther out is cut."""
    if plot is None:
        return None
    x, y = radius / plot.width, radius / plot.height
    return TransformedBbox(Bbox([[-x, -y], [1 + x, 1 + y]]), ax.transAxes)


def draw_line(
    ax: Axes, series: Series, where: np.ndarray, marked: bool, plot: Box | None = None
) -> None:
    """One series as a line; with `marked`, a dot on each point (on a point without
    neighbours, always)."""
    width = series.line_width * PT_PER_PX
    lonely = _lonely(series.values)
    shaped = series.stepped != "none" or series.tension > 0
    if series.point_colors is not None or shaped:  # the path, then the markers on it
        xs, ys = line_path(
            where, np.where(lonely, np.nan, series.values), series.stepped, series.tension
        )
        plain = replace(series, values=ys, stepped="none", tension=0.0, point_colors=None)
        draw_line(ax, plain, xs, marked=False, plot=plot)
        shown = np.isfinite(series.values) & (marked | lonely)
        if shown.any():
            _draw_markers(ax, series, where, shown, plot)
        return
    (line,) = ax.plot(
        where,
        series.values,
        color=mpl_color(series.color),
        linewidth=width,
        linestyle=series.line_style,
        marker="o" if marked or lonely.any() else "",
        markevery=None if marked else np.flatnonzero(lonely).tolist(),
        markersize=width * MARKER_RATIO,
        zorder=3,
    )
    clip = _marker_room(ax, series.line_width * MARKER_RATIO / 2 + 1, plot)
    if clip is not None:
        line.set_clip_box(clip)


def _draw_area(ax: Axes, series: Series, where: np.ndarray, lower: np.ndarray, plot: Box) -> None:
    """An area from `lower` (a baseline, or the top of the areas stacked under it) up
    to the series' values, with its line on top."""
    r, g, b, a = mpl_color(series.color)
    xs, ys = line_path(where, series.values, series.stepped, series.tension)
    _, bottom = line_path(
        where, np.where(np.isfinite(series.values), lower, np.nan), series.stepped, series.tension
    )
    present = np.isfinite(ys)
    ax.fill_between(
        xs,
        np.where(present, ys, 0),
        np.where(present, bottom, 0),
        where=present,
        facecolor=(r, g, b, a * AREA_ALPHA),
        linewidth=0,
        zorder=2,
    )
    draw_line(ax, series, where, marked=False, plot=plot)


def _draw_scatter(ax: Axes, series: Series, where: np.ndarray, plot: Box) -> None:
    _draw_markers(ax, series, where, np.isfinite(series.values), plot)


def _draw_markers(
    ax: Axes, series: Series, where: np.ndarray, shown: np.ndarray, plot: Box | None
) -> None:
    """A dot on each `shown` point, in the series' colour or each point's own."""
    diameter = series.line_width * PT_PER_PX * MARKER_RATIO
    colors = [mpl_color(c) for c in _colors_of(series, shown)]
    points = ax.scatter(where[shown], series.values[shown], s=diameter**2, c=colors, zorder=3)
    points.set_clip_box(_marker_room(ax, series.line_width * MARKER_RATIO / 2 + 1, plot))


def _rectangles(
    at: np.ndarray, low: np.ndarray, high: np.ndarray, width: float, horizontal: bool
) -> np.ndarray:
    """Corners of bars centred `at` along the category axis, from `low` to `high` along
    the value axis: shape (bars, 4, 2)."""
    across = np.stack([at - width / 2, at - width / 2, at + width / 2, at + width / 2], axis=1)
    along = np.stack([low, high, high, low], axis=1)
    return np.stack([along, across] if horizontal else [across, along], axis=2)


@dataclass(frozen=True)
class _Bars:
    """The bars of one series as drawn: centres, ends along the value axis, and the
    values they stand for."""

    series: Series
    at: np.ndarray
    low: np.ndarray
    high: np.ndarray
    values: np.ndarray
    width: float  # in category units
    colors: list[RGBA]  # one per bar
    indices: np.ndarray  # of the points the bars stand for


def _draw_bars(
    ax: Axes, bars: list[Series], where: np.ndarray, params: ChartParams, base: float
) -> list[_Bars]:
    """Draw each series' bars, grouped side by side (with a gap between them) or
    stacked; from `base` (zero, or the bottom of a log axis)."""
    horizontal = is_horizontal(params)
    stacked = stacking(params) != "none"
    slot = BAR_SHARE if stacked else BAR_SHARE / len(bars)
    width = slot if stacked or len(bars) == 1 else slot * (1 - BAR_GAP)
    above, below = np.zeros(len(where)), np.zeros(len(where))  # stack ends, each way
    drawn = []
    for i, series in enumerate(bars):
        present = np.isfinite(series.values)
        if params.log_scale:
            present &= series.values > 0
        values, at = series.values[present], where[present]
        if stacked:
            low = np.where(values >= 0, above[present], below[present])
            above[present] += np.maximum(values, 0)
            below[present] += np.minimum(values, 0)
        else:
            low = np.full(len(values), base)
            at = at + (i - (len(bars) - 1) / 2) * slot
        high = low + values if stacked else values
        corners = _rectangles(at, low, high, width, horizontal)
        colors = _colors_of(series, present)
        for color in dict.fromkeys(colors):  # one path per colour, in order of first use
            mine = np.array([c == color for c in colors], dtype=bool)
            if mine.any():
                _add_shapes(ax, corners[mine], color)
        drawn.append(_Bars(series, at, low, high, values, width, colors, np.flatnonzero(present)))
    return drawn


def _colors_of(series: Series, present: np.ndarray) -> list[RGBA]:
    """The colour of each present point of `series`: its own, or the series'."""
    if series.point_colors is None:
        return [series.color] * int(present.sum())
    return [series.point_colors[i] for i in np.flatnonzero(present)]


def _add_shapes(ax: Axes, corners: np.ndarray, color: RGBA) -> None:
    """Polygons of one colour as one path: thousands of bars draw (and are avoided by a
    `best` legend) as fast as a few."""
    shapes = PathPatch(
        Path.make_compound_path_from_polys(corners),
        facecolor=mpl_color(color),
        linewidth=0,
        zorder=2,
    )
    ax.add_artist(shapes)


@dataclass(frozen=True)
class _Frame:
    """From data to CSS pixels, on the axes the layout placed."""

    plot: Box
    x: tuple[float, float]
    y: tuple[float, float]
    log_x: bool
    log_y: bool

    @staticmethod
    def _share(value: float, ends: tuple[float, float], log: bool) -> float:
        low, high = ends
        if log:
            value, low, high = (np.log10(max(v, 1e-300)) for v in (value, low, high))
        return (value - low) / (high - low)

    def px(self, x: float, y: float) -> tuple[float, float]:
        plot = self.plot
        return (
            plot.left + plot.width * self._share(x, self.x, self.log_x),
            plot.bottom + plot.height * self._share(y, self.y, self.log_y),
        )


def _frame(params: ChartParams, data: ChartData, layout: ChartLayout) -> _Frame:
    ticks = layout.value_ticks
    assert ticks is not None
    values = (ticks.low, ticks.high)
    count = len(data.labels)
    if layout.x_ticks is not None:
        across = (layout.x_ticks.low, layout.x_ticks.high)
    else:
        across = (count - 0.5, -0.5) if is_horizontal(params) else (-0.5, count - 0.5)
    if is_horizontal(params):
        return _Frame(layout.plot, values, across, params.log_scale, False)
    return _Frame(layout.plot, across, values, False, params.log_scale)


Rect = tuple[float, float, float, float]  # left, bottom, right, top in CSS pixels


def _segment_hits(rect: Rect, p: np.ndarray, q: np.ndarray) -> bool:
    """Whether the segment from `p` to `q` passes through `rect` (Liang-Barsky)."""
    left, bottom, right, top = rect
    d = q - p
    t0, t1 = 0.0, 1.0
    for edge_p, edge_q in (
        (-d[0], p[0] - left),
        (d[0], right - p[0]),
        (-d[1], p[1] - bottom),
        (d[1], top - p[1]),
    ):
        if edge_p == 0:
            if edge_q < 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


@dataclass
class _Labeler:
    """Writes value labels where they can be read: inside the image, off lines and
    off the labels written before."""

    ax: Axes
    style: Style
    measure: Measure
    frame: _Frame
    image: Box
    lines: list[np.ndarray]  # pixel polylines (and markers) of the lines drawn
    placed: list[Rect] = field(default_factory=list)  # labels written so far

    def size(self, text: str) -> tuple[float, float]:
        font = self.style.small / PT_PER_PX
        return self.measure.width(text, font), self.measure.line(font)

    def _crossings(self, rect: Rect) -> float:
        """How badly a label at `rect` would be hidden: by each line crossing it, and
        by the share of it that labels written before cover."""
        area = (rect[2] - rect[0]) * (rect[3] - rect[1]) or 1.0
        covered = sum(_overlap_area(rect, other) for other in self.placed) / area
        crossed = 0
        for points in self.lines:
            if len(points) == 1:
                crossed += _inside(rect, points[0])
            else:
                crossed += any(_segment_hits(rect, p, q) for p, q in itertools.pairwise(points))
        return crossed + covered

    def place(self, text: str, candidates: list[tuple[float, float]], color: object) -> None:
        """Write `text` centred at the first candidate centre (CSS pixels) inside the
        image and clear of lines and other labels; else at the one inside the image
        that is least hidden; moved inside the image if none is."""
        width, height = self.size(text)
        rects = [_rect(c, width, height) for c in candidates]
        inside = [r for r in rects if _within(r, self.image)] or rects
        left, bottom, right, top = min(inside, key=self._crossings)  # the first of equals
        image = self.image
        dx = max(image.left - left, 0) - max(right - image.right, 0)
        dy = max(image.bottom - bottom, 0) - max(top - image.top, 0)
        x, y = (left + right) / 2 + dx, (bottom + top) / 2 + dy
        self.placed.append((left + dx, bottom + dy, right + dx, top + dy))
        self.ax.text(
            x / image.right,
            y / image.top,
            literal(text),
            transform=self.ax.figure.transFigure,
            ha="center",
            va="center",
            fontsize=self.style.small,
            color=color,
            zorder=4,
            label="value",
        )


def _rect(center: tuple[float, float], width: float, height: float) -> Rect:
    x, y = center
    return (x - width / 2, y - height / 2, x + width / 2, y + height / 2)


def _within(rect: Rect, box: Box) -> bool:
    left, bottom, right, top = rect
    return left >= box.left and right <= box.right and bottom >= box.bottom and top <= box.top


def _overlap_area(a: Rect, b: Rect) -> float:
    across = min(a[2], b[2]) - max(a[0], b[0])
    along = min(a[3], b[3]) - max(a[1], b[1])
    return max(across, 0.0) * max(along, 0.0)


def _inside(rect: Rect, point: np.ndarray) -> bool:
    left, bottom, right, top = rect
    return left <= point[0] <= right and bottom <= point[1] <= top


def _label_bars(
    labeler: _Labeler, drawn: list[_Bars], params: ChartParams, text_of: TextOf
) -> None:
    """Each bar's value inside it at its end when it fits, else past its end (or inside
    when past it would leave the plot or cross a line); in the middle of a stacked
    segment, if it fits there."""
    frame, style = labeler.frame, labeler.style
    horizontal = is_horizontal(params)
    stacked = stacking(params) != "none"
    gap = VALUE_LABEL_GAP
    plot = frame.plot
    for bars in drawn:
        ends = zip(bars.at, bars.low, bars.high, bars.indices, bars.colors, strict=True)
        for at, low, end, index, color in ends:
            text = text_of(bars.series, index)
            width, height = labeler.size(text)
            if horizontal:
                (x0, y), (x1, _) = frame.px(low, at), frame.px(end, at)
                thick = abs(frame.px(low, at - bars.width / 2)[1] - y) * 2
                x1 = min(max(x1, plot.left), plot.right)
                length, sign = abs(x1 - x0), (1 if x1 >= x0 else -1)
                fits = width + 2 * gap <= length and height <= thick
                middle = ((x0 + x1) / 2, y)
                inner = (x1 - sign * (gap + width / 2), y)
                outer = (x1 + sign * (gap + width / 2), y)
            else:
                (x, y0), (_, y1) = frame.px(at, low), frame.px(at, end)
                thick = abs(frame.px(at + bars.width / 2, low)[0] - x) * 2
                y1 = min(max(y1, plot.bottom), plot.top)
                length, sign = abs(y1 - y0), (1 if y1 >= y0 else -1)
                fits = height + 2 * gap <= length and width <= thick
                middle = (x, (y0 + y1) / 2)
                inner = (x, y1 - sign * (gap + height / 2))
                outer = (x, y1 + sign * (gap + height / 2))
            on_bar = text_color_on(color)
            if stacked:
                if fits:
                    labeler.place(text, [middle], on_bar)
                continue
            out_of_plot = not _within(_rect(outer, width, height), plot)
            if fits and (out_of_plot or labeler._crossings(_rect(outer, width, height))):
                labeler.place(text, [inner], on_bar)
            else:
                labeler.place(text, [outer, inner] if fits else [outer], style.ink)


def _label_points(
    labeler: _Labeler, series: Series, where: np.ndarray, text: Callable[[int], str]
) -> None:
    """Each point's value above it, or below it when the line comes down to it (or when
    above leaves the plot or crosses a line)."""
    values = series.values
    reach = series.line_width * MARKER_RATIO / 2 + VALUE_LABEL_GAP
    for i in np.flatnonzero(np.isfinite(values)):
        x, y = labeler.frame.px(where[i], values[i])
        if not _within((x, y, x, y), labeler.frame.plot):
            continue  # cut off by y_min or y_max
        written = text(i)
        width, height = labeler.size(written)
        near = [
            values[j] for j in (i - 1, i + 1) if 0 <= j < len(values) and np.isfinite(values[j])
        ]
        low_point = bool(near) and values[i] < np.mean(near)
        above, below = (x, y + reach + height / 2), (x, y - reach - height / 2)
        right, left = (x + reach + width / 2, y), (x - reach - width / 2, y)
        higher, lower = (x, above[1] + height), (x, below[1] - height)
        order = [below, above, right, left, lower, higher]
        labeler.place(
            written,
            order if low_point else [above, below, right, left, higher, lower],
            labeler.style.ink,
        )


def _polylines(frame: _Frame, drawn: list[Series], where: np.ndarray) -> Iterator[np.ndarray]:
    """Every unbroken run of a line or area series, and every scatter point, in pixels."""
    for series in drawn:
        if series.kind == "bar":
            continue
        if series.kind == "scatter":
            points = np.array([frame.px(x, y) for x, y in zip(where, series.values, strict=True)])
            yield from (points[i : i + 1] for i in np.flatnonzero(np.isfinite(series.values)))
            continue
        xs, ys = line_path(where, series.values, series.stepped, series.tension)
        points = np.array([frame.px(x, y) for x, y in zip(xs, ys, strict=True)])
        present = np.isfinite(ys)
        runs = np.split(np.arange(len(points)), np.flatnonzero(~present))
        for run in runs:
            run = run[present[run]]
            if len(run):
                yield points[run]


def draw_series(
    ax: Axes,
    params: ChartParams,
    data: ChartData,
    style: Style,
    write: Writer,
    layout: ChartLayout,
    measure: Measure,
) -> None:
    """Draw a line, bar, area or scatter chart, or a mix of them, on `ax`."""
    where = positions(data)
    ticks = layout.value_ticks
    assert ticks is not None
    base = ticks.low if params.log_scale else 0.0
    bars = [series for series in data.series if series.kind == "bar"]
    drawn = _draw_bars(ax, bars, where, params, base) if bars else []
    plot = layout.plot
    stacked_areas = _stack_areas(data.series, base) if stacking(params) != "none" else {}
    shown = []  # the series as drawn: stacked areas at the top of their stack
    for series in data.series:
        lower, top = stacked_areas.get(id(series), (np.full(len(where), base), series.values))
        shown.append(replace(series, values=top))
        if series.kind == "line":
            draw_line(ax, series, where, marked=len(where) <= MARKED_POINTS, plot=plot)
        elif series.kind == "area":
            _draw_area(ax, shown[-1], where, lower, plot)
        elif series.kind == "scatter":
            _draw_scatter(ax, series, where, plot)
    frame = _frame(params, data, layout)
    noted = draw_annotations(ax, params, data.labels, style, measure, plot, frame.px)
    if params.value_labels == "none":
        return

    def text_of(series: Series, index: int) -> str:
        """A value label: the value given, or its share on a percent-stacked chart."""
        if series.raw is None:
            return write(series.values[index])
        if params.value_labels == "percent":
            return f"{series.values[index]:.0f}%"
        return write(series.raw[index])

    image = Box(0, 0, params.width, params.height)
    labeler = _Labeler(ax, style, measure, frame, image, list(_polylines(frame, shown, where)))
    labeler.placed.extend(noted)  # value labels keep off the annotations' labels
    _label_bars(labeler, drawn, params, text_of)
    for series, drawn_series in zip(data.series, shown, strict=True):
        if series.kind != "bar":
            _label_points(labeler, drawn_series, where, partial(text_of, series))


def _stack_areas(series: list[Series], base: float) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The bottom and top of each area series stacked on those before it: positive
    values up from the base, negative ones down; a gap adds nothing."""
    stacks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    above = below = None
    for s in series:
        if s.kind != "area":
            continue
        if above is None or below is None:
            above, below = np.full(len(s.values), base), np.full(len(s.values), base)
        values = np.nan_to_num(s.values, nan=0.0)
        lower = np.where(values >= 0, above, below)
        top = np.where(np.isfinite(s.values), lower + values, np.nan)
        above, below = above + np.maximum(values, 0), below + np.minimum(values, 0)
        stacks[id(s)] = (lower, top)
    return stacks


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
    radius_px: float,
    measure: Measure,
) -> None:
    """Write each slice's value (or share) on it, where the slice has room for it."""
    radius = 1 - DOUGHNUT_WIDTH / 2 if params.type == "doughnut" else PIE_LABEL_RADIUS
    ring = DOUGHNUT_WIDTH * radius_px if params.type == "doughnut" else radius_px * radius
    total = values.sum()
    font = style.small / PT_PER_PX
    for low, high, value, color in zip(*angles, values, data.slice_colors, strict=True):
        if value <= 0:
            continue
        text = f"{value / total:.0%}" if params.value_labels == "percent" else write(value)
        width, height = measure.width(text, font), measure.line(font)
        arc = np.deg2rad(high - low) * radius * radius_px
        if arc < min(width, height * 2) or ring < height or (high - low < 180 and arc < height):
            continue
        middle = np.deg2rad((low + high) / 2)
        ax.text(
            radius * np.cos(middle),
            radius * np.sin(middle),
            literal(text),
            ha="center",
            va="center",
            fontsize=style.small,
            color=text_color_on(color),
            label="value",
        )


def draw_pie(
    ax: Axes,
    params: ChartParams,
    data: ChartData,
    style: Style,
    write: Writer,
    layout: ChartLayout,
    measure: Measure,
) -> None:
    """Draw the first series as a pie or doughnut. The slices are one collection: many
    slices draw as fast as a few."""
    ax.set_axis_off()
    ax.set(xlim=(-PIE_LIMIT, PIE_LIMIT), ylim=(-PIE_LIMIT, PIE_LIMIT), aspect="equal")
    radius_px = layout.plot.width / 2 / PIE_LIMIT
    if params.type == "doughnut" and params.center_text:
        hole = (1 - DOUGHNUT_WIDTH) * radius_px * HOLE_SHARE
        size = style.text / PT_PER_PX
        start = min(start_size(hole, size), LABEL_START * size)  # words, not a number
        fitted = fit_text(measure, params.center_text, in_circle(hole), start)
        draw_text(ax, (0, 0), fitted, style.ink)
    values = np.nan_to_num(data.series[0].values, nan=0.0) if data.series else np.zeros(0)
    if not values.sum() > 0:
        return
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
    if params.value_labels != "none":
        _label_slices(ax, angles, values, data, params, style, write, radius_px, measure)
