"""Charts drawn round a centre, and gauges: radar, polar area, gauge (a half dial with a
needle), radial gauge (a ring filled to the value) and progress bar.

Each is drawn on an Axes whose data units are the CSS pixels of the box the layout gave
it, from its bottom left corner, so that shapes and measured text share one unit and
nothing is placed by guess. `drawing_size` tells the layout how large a box the chart
needs in the room it has; `draw_radial` draws it there.

Angles are in degrees counter-clockwise from 3 o'clock, as matplotlib's; categories and
rings run clockwise from 12 o'clock, as Chart.js draws them.
"""

import itertools
import math
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Polygon, Rectangle, Wedge

from imagegen.charts.center import (
    Fitted,
    RoomOf,
    draw_text,
    fit_text,
    in_circle,
    in_rectangle,
    start_size,
)
from imagegen.charts.layout import GAP, MIN_TEXT, Box, LegendEntry, value_ticks
from imagegen.charts.legend import Swatch, slice_entries
from imagegen.charts.measure import ELLIPSIS, Measure
from imagegen.charts.model import ChartParams, gauge_range, gauge_value
from imagegen.charts.numbers import compact_number
from imagegen.charts.plots import HOLE_SHARE, Writer
from imagegen.charts.series import DARK_PALETTE, PALETTE, ChartData, color_at
from imagegen.charts.style import (
    AREA_ALPHA,
    PT_PER_PX,
    SMALL_RATIO,
    Style,
    is_dark,
    mpl_color,
    text_color_on,
)
from imagegen.charts.text import literal
from imagegen.charts.ticks import Ticks, data_range, extent, tick_writer
from imagegen.colors import RGBA, parse_color

GAUGE_RING = 0.3  # of a gauge's radius, the width of its dial
GAUGE_BELOW = 0.32  # of its radius, the room under the centre: the range's ends, the text
GAUGE_TEXT = 0.75  # of the room under a gauge's hub, its text's largest size
HUB = 0.07  # of its radius, the needle's hub
NEEDLE = 0.92  # of its radius, the needle's length
RADIAL_RING = 0.2  # of a radial gauge's radius, the ring's width
TRACK_ALPHA = 0.12  # a gauge's empty track: the text colour, this opaque
BAR_THICKNESS = 1 / 10  # of its width, a progress bar's thickness (at most the room's height)
LABEL_CAPS = (None, 0.3, 0.2, 0.12)  # of the width, radar labels are shortened to in turn
MIN_RADIUS_SHARE = 0.35  # of half the shorter side, that a radar keeps before losing labels
MARKED_POINTS = 50  # radars of at most this many points mark each one
MARKER = 3  # marker diameter : line width
BACKDROP_ALPHA = 0.75  # behind a radial tick label, the background this opaque
# Band colours by default: green, yellow, orange, red, then the palette.
BAND_PALETTE: tuple[RGBA, ...] = (
    tuple(parse_color(c) for c in ("59a14f", "edc948", "f28e2b", "e15759")) + PALETTE[4:]
)


def radial_entries(params: ChartParams, data: ChartData) -> list[tuple[LegendEntry, Swatch]]:
    """The legend of a radial chart: a series' polygon (filled, or its outline) on a
    radar, a wedge's label on a polar area chart, nothing on a gauge."""
    if params.type == "polar_area":
        return slice_entries(data)
    if params.type != "radar":
        return []
    kind = "area" if params.fill else "line"
    return [
        (
            LegendEntry(s.name, not params.fill),
            Swatch(kind, mpl_color(s.color), s.line_style, s.line_width),
        )
        for s in data.series
        if s.in_legend
    ]


def drawing_size(
    params: ChartParams, data: ChartData, room: Box, measure: Measure, size: float
) -> tuple[float, float]:
    """The width and height the chart takes in `room`: all of it for a radar as wide as
    its labels make it, a square for round charts, a half disc and the room under it for
    a gauge, a bar of `BAR_THICKNESS` for a progress bar."""
    width, height = room.width, room.height
    if params.type == "radar":
        radius, placed = _radar_labels(params, data, width, height, measure, size)
        reach = radius + _label_gap(measure, size)
        line = measure.line(size)
        boxes = [_label_box(label, reach, line) for label in placed]
        tall = max([radius + _edge(data), *(max(b[3], -b[1]) for b in boxes)])
        return width, min(height, 2 * tall + 2)
    if params.type in ("polar_area", "radial_gauge"):
        side = min(width, height)
        return side, side
    if params.type == "gauge":
        radius = min(width / 2, height / (1 + GAUGE_BELOW))
        return 2 * radius, radius * (1 + GAUGE_BELOW)
    return width, min(height, max(width * BAR_THICKNESS, 3 * measure.line(size)))


def draw_radial(
    ax: Axes,
    params: ChartParams,
    data: ChartData,
    style: Style,
    write: Writer,
    box: Box,
    measure: Measure,
    size: float,
) -> None:
    """Draw a radial chart or a gauge on `ax`, which covers `box`."""
    ax.set_axis_off()
    ax.set(xlim=(0, box.width), ylim=(0, box.height))
    canvas = _Canvas(ax, params, style, write, box, measure, size)
    if params.type == "radar":
        canvas.radar(data)
    elif params.type == "polar_area":
        canvas.polar_area(data)
    elif params.type == "gauge":
        canvas.gauge()
    elif params.type == "radial_gauge":
        canvas.radial_gauge()
    else:
        canvas.progress_bar()


def fraction(params: ChartParams) -> float:
    """How far along its range a gauge's value is, 0 to 1."""
    low, high = gauge_range(params)
    return (gauge_value(params) - low) / (high - low)


def needle_angle(params: ChartParams) -> float:
    """The gauge's needle, in degrees: 180 at the range's start, 0 at its end."""
    return 180 * (1 - fraction(params))


def _band_colors(params: ChartParams) -> list[RGBA]:
    return [color_at(params.colors or [], i, BAND_PALETTE) for i in range(len(params.bands or []))]


def fill_color(params: ChartParams) -> RGBA:
    """A radial gauge's or progress bar's fill: the colour of the band its value is in,
    else the first of `colors`, else the palette's first."""
    value = gauge_value(params)
    for end, color in zip(params.bands or [], _band_colors(params), strict=True):
        if value <= end:
            return color
    palette = DARK_PALETTE if is_dark(params.background) else PALETTE
    return color_at(params.colors or [], 0, palette)


@dataclass(frozen=True)
class _Label:
    """A radar's category label: where it is anchored and how it hangs from there."""

    text: str
    angle: float  # radians
    width: float
    ha: str
    va: str


def _angles(count: int) -> np.ndarray:
    """Radians of `count` spokes clockwise from 12 o'clock."""
    return math.pi / 2 - 2 * math.pi * np.arange(count) / max(count, 1)


_ALIGN_SLACK = 0.1  # |cos| or |sin| under which a label is centred on its spoke


def _align(angle: float) -> tuple[str, str]:
    cos, sin = math.cos(angle), math.sin(angle)
    ha = "left" if cos > _ALIGN_SLACK else "right" if cos < -_ALIGN_SLACK else "center"
    va = "bottom" if sin > _ALIGN_SLACK else "top" if sin < -_ALIGN_SLACK else "center"
    return ha, va


def _label_gap(measure: Measure, size: float) -> float:
    """Between the outer ring and a category label: room for half a tick label on the
    12 o'clock spoke, and a gap."""
    return measure.line(size) / 2 + GAP * size


def _largest_radius(
    labels: list[_Label], width: float, height: float, gap: float, line: float
) -> float:
    """The largest radius at which every label, hung `gap` past
    the circle, stays inside a `width` × `height` box centred on the circle."""
    cx, cy = width / 2, height / 2
    radius = min(cx, cy)
    for label in labels:
        wide, ha, va = label.width, label.ha, label.va
        cos, sin = math.cos(label.angle), math.sin(label.angle)
        reach_x = wide if ha != "center" else wide / 2
        reach_y = line if va != "center" else line / 2
        if abs(cos) > 1e-9:
            radius = min(radius, (cx - reach_x) / abs(cos) - gap)
        if abs(sin) > 1e-9:
            radius = min(radius, (cy - reach_y) / abs(sin) - gap)
        if ha == "center":
            radius = min(radius, cx - reach_x)  # a label wider than the box is cut
        if va == "center":
            radius = min(radius, cy - reach_y)
    return radius


def _radar_labels(
    params: ChartParams, data: ChartData, width: float, height: float, measure: Measure, size: float
) -> tuple[float, list[_Label]]:
    """The radar's radius in a `width` × `height` box, and its category labels around it:
    shortened in turn to `LABEL_CAPS` of the width while the radius would be under
    `MIN_RADIUS_SHARE` of half the shorter side, and only every second (third…) one
    while they would touch; left out if even then."""
    margin = _edge(data)
    least = MIN_RADIUS_SHARE * min(width, height) / 2
    line, gap = measure.line(size), _label_gap(measure, size)
    angles = _angles(len(data.labels))
    texts = data.labels if params.x_axis else []
    if any(texts):
        for cap in LABEL_CAPS:
            room = math.inf if cap is None else cap * width
            short = [measure.shorten(t, room, size) for t in texts]
            for step in range(1, len(short) + 1):
                placed = [
                    _Label(short[i], angles[i], measure.width(short[i], size), *_align(angles[i]))
                    for i in range(0, len(short), step)
                    if short[i]
                ]
                radius = _largest_radius(placed, width, height, gap, line)
                if radius - margin < least:
                    break  # fewer labels would not be shorter: shorten them
                if not _crowded(placed, radius + gap, line):
                    return radius - margin, placed
    return min(width, height) / 2 - margin, []


def _label_box(label: _Label, reach: float, line: float) -> tuple[float, float, float, float]:
    """Left, bottom, right, top of a label hung `reach` from the centre."""
    x, y = reach * math.cos(label.angle), reach * math.sin(label.angle)
    left = {"left": x, "right": x - label.width, "center": x - label.width / 2}[label.ha]
    bottom = {"bottom": y, "top": y - line, "center": y - line / 2}[label.va]
    return left, bottom, left + label.width, bottom + line


def _crowded(labels: list[_Label], reach: float, line: float) -> bool:
    """Whether a label touches one of the next two round the circle."""
    boxes = [_label_box(label, reach, line) for label in labels]
    count = len(boxes)
    for i, a in enumerate(boxes):
        for b in (boxes[(i + 1) % count], boxes[(i + 2) % count]) if count > 1 else ():
            if a is b:
                continue
            if min(a[2], b[2]) - max(a[0], b[0]) > -1 and min(a[3], b[3]) - max(a[1], b[1]) > -1:
                return True
    return False


def _edge(data: ChartData) -> float:
    """Room at the rim for the thickest outline and its markers."""
    widest = max((s.line_width for s in data.series), default=2.0)
    return widest * MARKER / 2 + 1


@dataclass
class _Canvas:
    """One radial chart's drawing, in CSS pixels of its box."""

    ax: Axes
    params: ChartParams
    style: Style
    write: Writer
    box: Box
    measure: Measure
    size: float

    @property
    def center(self) -> tuple[float, float]:
        return self.box.width / 2, self.box.height / 2

    # Radar and polar area

    def _ticks(self, data: ChartData, radius: float) -> Ticks:
        """Ticks along a radius, from the value axis' range (from zero, unless data
        below zero or `y_min` say otherwise)."""
        params = self.params
        values = (
            [s.values for s in data.series[:1]]
            if params.type == "polar_area"
            else [s.values for s in data.series]
        )
        every = np.concatenate(values) if values else np.zeros(0)
        low, high = data_range(*extent(every), from_zero=True)
        if params.y_min is not None:
            low = params.y_min
            high = max(high, low + 1)
        if params.y_max is not None:
            high = params.y_max
            low = min(low, high - 1)

        def writer(step: float) -> Writer:
            return tick_writer(step, params.number_format, self.write)

        return value_ticks(
            self.measure,
            (low, high),
            False,
            (params.y_min, params.y_max),
            writer,
            radius,
            self.size,
            vertical=True,
        )

    def _grid(self, ticks: Ticks, radius: float, spokes: np.ndarray | None) -> None:
        """Rings at the ticks and the rim (polygons on a radar), and spokes."""
        if not self.params.grid:
            return
        cx, cy = self.center
        span = ticks.high - ticks.low
        rings = [
            radius * (v - ticks.low) / span for v in ticks.values if ticks.low < v < ticks.high
        ]
        rings.append(radius)  # the rim, where the axis ends, on a tick or not
        if spokes is None or len(spokes) < 3:
            circles = [Circle((cx, cy), r) for r in rings]
            self.ax.add_collection(
                PatchCollection(
                    circles,
                    facecolors="none",
                    edgecolors=[self.style.grid],
                    linewidths=self.style.line,
                    zorder=0.5,
                ),
                autolim=False,
            )
        else:
            cos, sin = np.cos(spokes), np.sin(spokes)
            loops = [np.column_stack([cx + r * cos, cy + r * sin]) for r in rings]
            self.ax.add_collection(
                LineCollection(
                    [np.vstack([loop, loop[:1]]) for loop in loops],
                    colors=[self.style.grid],
                    linewidths=self.style.line,
                    zorder=0.5,
                ),
                autolim=False,
            )
        if spokes is not None and len(spokes):
            ends = [
                [(cx, cy), (cx + radius * math.cos(a), cy + radius * math.sin(a))] for a in spokes
            ]
            self.ax.add_collection(
                LineCollection(
                    ends, colors=[self.style.grid], linewidths=self.style.line, zorder=0.5
                ),
                autolim=False,
            )

    def _tick_labels(self, ticks: Ticks, radius: float) -> None:
        """The value ticks' labels up the 12 o'clock spoke, on a backdrop; none at the
        centre."""
        if not self.params.y_axis:
            return
        cx, cy = self.center
        span = ticks.high - ticks.low
        font = self.style.text * SMALL_RATIO
        r, g, b, _ = self.style.background
        line = self.measure.line(self.size * SMALL_RATIO)
        last = cy + line / 2  # none at the centre, nor touching the one below
        for value, text in zip(ticks.values, ticks.labels, strict=True):
            y = cy + radius * (value - ticks.low) / span
            if y - last < line * 1.1:
                continue
            last = y
            self.ax.text(
                cx,
                y,
                literal(text),
                ha="center",
                va="center",
                fontsize=font,
                color=self.style.ink,
                zorder=5,
                label="tick",
                bbox={
                    "boxstyle": "square,pad=0.15",
                    "facecolor": (r, g, b, BACKDROP_ALPHA),
                    "edgecolor": "none",
                },
            )

    def radar(self, data: ChartData) -> None:
        """One polygon per series over the labels, from the centre (the axis' low end)
        out to the outer ring (its high end)."""
        params, style = self.params, self.style
        radius, labels = _radar_labels(
            params, data, self.box.width, self.box.height, self.measure, self.size
        )
        radius = max(radius, 1.0)
        spokes = _angles(len(data.labels))
        ticks = self._ticks(data, radius)
        self._grid(ticks, radius, spokes)
        cx, cy = self.center
        span = ticks.high - ticks.low
        cos, sin = np.cos(spokes), np.sin(spokes)
        widest = max((s.line_width for s in data.series), default=2.0) * MARKER
        # Dots on the points while they are few, and far enough apart not to merge.
        marked = len(spokes) <= MARKED_POINTS and 2 * math.pi * radius >= 4 * widest * len(spokes)
        for series in data.series:
            reach = radius * np.clip((series.values - ticks.low) / span, 0, 1)
            xs, ys = cx + reach * cos, cy + reach * sin
            present = np.isfinite(series.values)
            color = mpl_color(series.color)
            if params.fill and present.sum() >= 3:
                r, g, b, a = color
                self.ax.add_patch(
                    Polygon(
                        np.column_stack([xs[present], ys[present]]),
                        closed=True,
                        facecolor=(r, g, b, a * AREA_ALPHA),
                        edgecolor="none",
                        zorder=2,
                    )
                )
            segments = [
                [(xs[i], ys[i]), (xs[j], ys[j])]
                for i, j in zip(range(len(xs)), np.roll(np.arange(len(xs)), -1), strict=True)
                if present[i] and present[j] and i != j
            ]
            width = series.line_width * PT_PER_PX
            if segments:
                self.ax.add_collection(
                    LineCollection(
                        segments,
                        colors=[color],
                        linewidths=width,
                        linestyles=series.line_style,
                        capstyle="round",
                        joinstyle="round",
                        zorder=3,
                    ),
                    autolim=False,
                )
            if marked and present.any():
                self.ax.add_line(
                    Line2D(
                        xs[present],
                        ys[present],
                        linestyle="",
                        marker="o",
                        markersize=width * MARKER,
                        color=color,
                        zorder=3,
                    )
                )
            if params.value_labels != "none":
                self._vertex_labels(series.values, reach, spokes)
        self._tick_labels(ticks, radius)
        gap = _label_gap(self.measure, self.size)
        for label in labels:
            self.ax.text(
                cx + (radius + gap) * math.cos(label.angle),
                cy + (radius + gap) * math.sin(label.angle),
                literal(label.text),
                ha=label.ha,
                va=label.va,
                fontsize=style.text,
                color=style.ink,
                label="tick",
            )

    def _vertex_labels(self, values: np.ndarray, reach: np.ndarray, spokes: np.ndarray) -> None:
        """Each point's value just inside its vertex, towards the centre, so that it
        stays within the ring (and the canvas) whatever its length."""
        cx, cy = self.center
        inset = GAP * self.size + self.style.line
        for value, out, angle in zip(values, reach, spokes, strict=True):
            if not math.isfinite(value):
                continue
            at = max(out - inset, 0.0)
            ha, va = _align(angle + math.pi)
            self.ax.text(
                cx + at * math.cos(angle),
                cy + at * math.sin(angle),
                literal(self.write(value)),
                ha=ha,
                va=va,
                fontsize=self.style.small,
                color=self.style.ink,
                zorder=4,
            )

    def polar_area(self, data: ChartData) -> None:
        """One wedge per label, each as wide as the others, as long as its value."""
        params, style = self.params, self.style
        top = self.measure.line(self.size * SMALL_RATIO) / 2 if params.y_axis else 0.0
        radius = min(self.box.width, self.box.height) / 2 - style.line / PT_PER_PX - top
        ticks = self._ticks(data, radius)
        values = data.series[0].values if data.series else np.zeros(0)
        count = len(values)
        self._grid(ticks, radius, None)
        if count:
            cx, cy = self.center
            span = ticks.high - ticks.low
            step = 360 / count
            reach = radius * np.clip(
                (np.nan_to_num(values, nan=ticks.low) - ticks.low) / span, 0, 1
            )
            shown = np.flatnonzero(reach > 0)
            wedges = [Wedge((cx, cy), reach[i], 90 - step * (i + 1), 90 - step * i) for i in shown]
            colors = [mpl_color(data.slice_colors[i]) for i in shown]
            self.ax.add_collection(
                PatchCollection(
                    wedges,
                    facecolors=colors,
                    edgecolors=[style.background],
                    linewidths=style.line,
                    zorder=2,
                ),
                autolim=False,
            )
            if params.value_labels != "none":
                self._wedge_labels(values, reach, shown, data, step)
        self._tick_labels(ticks, radius)

    def _wedge_labels(
        self, values: np.ndarray, reach: np.ndarray, shown: np.ndarray, data: ChartData, step: float
    ) -> None:
        """Each wedge's value (or share) halfway out, where the wedge has room for it."""
        cx, cy = self.center
        font = self.style.small / PT_PER_PX
        total = np.nansum(values)
        for i in shown:
            value = values[i]
            text = (
                f"{value / total:.0%}"
                if self.params.value_labels == "percent"
                else self.write(value)
            )
            width, height = self.measure.width(text, font), self.measure.line(font)
            middle = math.radians(90 - step * (i + 0.5))
            at = reach[i] * 0.6
            arc = math.radians(step) * at
            if arc < width or reach[i] < 2 * height or (step < 180 and arc < 1.5 * height):
                continue
            self.ax.text(
                cx + at * math.cos(middle),
                cy + at * math.sin(middle),
                literal(text),
                ha="center",
                va="center",
                fontsize=self.style.small,
                color=text_color_on(data.slice_colors[i]),
                zorder=4,
                label="value",
            )

    # Gauges

    def _center_text(self) -> str:
        """A gauge's text: `center_text`, else its value as `number_format` writes it
        (a progress bar's percentage, without one)."""
        params = self.params
        if params.center_text is not None:
            return params.center_text
        if params.type == "progress_bar" and params.number_format is None:
            return f"{100 * fraction(params):.0f}%"
        return self.write(gauge_value(params))

    def _fit_center(self, room: RoomOf, start: float) -> Fitted:
        """The gauge's text fitted into `room`; a value that only fits shortened is
        written compact (1.2B) instead."""
        fitted = fit_text(self.measure, self._center_text(), room, start)
        shortened = any(ELLIPSIS in line for line in fitted.lines) or not fitted.lines
        if self.params.center_text is None and shortened:
            return fit_text(self.measure, compact_number(gauge_value(self.params)), room, start)
        return fitted

    def _track(self, patch: Wedge | FancyBboxPatch) -> None:
        r, g, b, a = self.style.ink
        patch.set(facecolor=(r, g, b, a * TRACK_ALPHA), edgecolor="none", zorder=1)
        self.ax.add_patch(patch)

    def gauge(self) -> None:
        """A half dial from the range's start (left) to its end (right) in coloured
        bands (or filled to the value, without bands), a needle at the value, the ends
        written under the dial and the text under the needle's hub."""
        params, style, measure = self.params, self.style, self.measure
        width, height = self.box.width, self.box.height
        radius = min(width / 2, height / (1 + GAUGE_BELOW))
        cx = width / 2
        cy = (height - radius * (1 + GAUGE_BELOW)) / 2 + radius * GAUGE_BELOW
        ring = GAUGE_RING * radius
        low, high = gauge_range(params)

        def angle(value: float) -> float:
            return 180 * (1 - (value - low) / (high - low))

        value = gauge_value(params)
        if params.bands:
            self._track(Wedge((cx, cy), radius, 0, 180, width=ring))
            ends = [low, *params.bands]
            for (start, end), color in zip(
                itertools.pairwise(ends), _band_colors(params), strict=True
            ):
                self.ax.add_patch(
                    Wedge(
                        (cx, cy),
                        radius,
                        angle(end),
                        angle(start),
                        width=ring,
                        facecolor=mpl_color(color),
                        edgecolor="none",
                        zorder=2,
                    )
                )
        else:
            self._track(Wedge((cx, cy), radius, 0, 180, width=ring))
            if value > low:
                self.ax.add_patch(
                    Wedge(
                        (cx, cy),
                        radius,
                        angle(value),
                        180,
                        width=ring,
                        facecolor=mpl_color(fill_color(params)),
                        edgecolor="none",
                        zorder=2,
                    )
                )
        turn = math.radians(angle(value))
        hub = HUB * radius
        tip = (cx + NEEDLE * radius * math.cos(turn), cy + NEEDLE * radius * math.sin(turn))
        side = (-math.sin(turn) * hub * 0.6, math.cos(turn) * hub * 0.6)
        self.ax.add_patch(
            Polygon(
                [(cx + side[0], cy + side[1]), tip, (cx - side[0], cy - side[1])],
                closed=True,
                facecolor=style.ink,
                edgecolor="none",
                zorder=4,
            )
        )
        self.ax.add_patch(Circle((cx, cy), hub, facecolor=style.ink, edgecolor="none", zorder=4))
        gap = GAP * self.size
        inner = radius - ring / 2  # the middle of the dial, where the ends are written
        taken = 0.0  # how wide the written ends are
        if params.y_axis:
            for value_at, sign in ((low, -1), (high, 1)):
                text = self._end_text(value_at, ring + 2 * gap)
                wide = measure.width(text, self.size)
                taken = max(taken, wide)
                x = min(max(cx + sign * inner, wide / 2), width - wide / 2)
                self.ax.text(
                    x,
                    cy - gap,
                    literal(text),
                    ha="center",
                    va="top",
                    fontsize=style.text,
                    color=style.ink,
                    label="tick",
                )
        room_width = 2 * (inner - taken / 2 - gap) if taken else 2 * (radius - ring)
        room_height = cy - hub - gap
        fitted = self._fit_center(
            in_rectangle(room_width, room_height),
            max(min(self.size, room_height), GAUGE_TEXT * room_height),
        )
        top = cy - hub - gap  # the text hangs under the hub
        at = top - measure.block(len(fitted.lines), fitted.size) / 2
        draw_text(self.ax, (cx, at), fitted, style.ink)

    def _end_text(self, value: float, room: float) -> str:
        """A gauge's start or end as `number_format` writes it; compact when too wide."""
        text = self.write(value)
        if self.measure.width(text, self.size) > room and self.params.number_format is None:
            return compact_number(value)
        return text

    def radial_gauge(self) -> None:
        """A ring filled clockwise from 12 o'clock to the value, on its track, with the
        text in the middle."""
        params, style = self.params, self.style
        radius = min(self.box.width, self.box.height) / 2
        ring = RADIAL_RING * radius
        cx, cy = self.center
        self._track(Wedge((cx, cy), radius, 0, 360, width=ring))
        share = fraction(params)
        if share > 0:
            self.ax.add_patch(
                Wedge(
                    (cx, cy),
                    radius,
                    90 - 360 * share,
                    90,
                    width=ring,
                    facecolor=mpl_color(fill_color(params)),
                    edgecolor="none",
                    zorder=2,
                )
            )
        hole = (radius - ring) * HOLE_SHARE
        fitted = self._fit_center(in_circle(hole), start_size(hole, self.size))
        draw_text(self.ax, (cx, cy), fitted, style.ink)

    def progress_bar(self) -> None:
        """A rounded bar filled from the left to the value, the text on the fill's end
        (or past it, on the track, when the fill is too short for it)."""
        params, style, measure = self.params, self.style, self.measure
        width = self.box.width
        thick = min(self.box.height, max(width * BAR_THICKNESS, 3 * measure.line(self.size)))
        bottom = (self.box.height - thick) / 2
        track = FancyBboxPatch(
            (0, bottom),
            width,
            thick,
            boxstyle=f"round,pad=0,rounding_size={min(thick, width) / 2}",
        )
        self._track(track)
        share = fraction(params)
        color = fill_color(params)
        filled = share * width
        if share > 0:
            bar = Rectangle((0, bottom), filled, thick, facecolor=mpl_color(color), zorder=2)
            self.ax.add_patch(bar)
            bar.set_clip_path(track)
        pad = max(thick / 4, 2.0)
        inside, outside = filled - 2 * pad, width - filled - 2 * pad
        room_height = thick - 2 * min(pad, thick / 6)
        fitted = self._fit_center(
            in_rectangle(max(inside, outside), room_height),
            max(min(room_height * 0.55, 2 * self.size), min(MIN_TEXT, room_height)),
        )
        if not fitted.lines:
            return
        wide = max(measure.width(line, fitted.size) for line in fitted.lines)
        if inside >= outside:
            x, ink = filled - pad - wide / 2, text_color_on(color)
        else:
            x, ink = filled + pad + wide / 2, style.ink
        draw_text(self.ax, (x, bottom + thick / 2), fitted, ink)
