"""The axes of a chart drawn as plain artists where the layout put them: the axis
lines, tick marks, tick labels and grid.

matplotlib's own axes draw ticks through a Tick object per tick (two lines, two texts,
markers copied for each), rebuilt whenever ticks change: about half of a small chart's
render. The layout has already chosen every tick and written every label, so they are
drawn here as one collection of tick marks, one of grid lines and one text per label.
Every text carries a `label` saying what it is (`tick`), for tests; labels are not drawn.
"""

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from imagegen.charts.layout import TICK_LENGTH, TICK_PAD, ChartLayout
from imagegen.charts.model import BOX_TYPES, STACKABLE_TYPES, ChartParams, is_horizontal
from imagegen.charts.style import Style
from imagegen.charts.text import literal
from imagegen.charts.ticks import Ticks

TICK_LABEL = "tick"  # the `label` of every tick label (artists labels are not drawn)
_TURNED = {  # how category labels hang from their tick, by angle
    0: {"rotation": 0, "ha": "center", "va": "top"},
    45: {"rotation": 45, "ha": "right", "va": "top", "rotation_mode": "anchor"},
    90: {"rotation": 90, "ha": "right", "va": "center", "rotation_mode": "anchor"},
}


def draw_axes(ax: Axes, layout: ChartLayout, params: ChartParams, count: int, style: Style) -> None:
    """Set `ax`'s ranges from the layout's ticks and draw the axes: the value axis on the
    left (at the bottom for horizontal bars), the categories or `x` on the other."""
    ticks, plot = layout.value_ticks, layout.plot
    assert ticks is not None
    horizontal = is_horizontal(params)
    ax.set_axis_off()
    if params.log_scale:
        (ax.set_xscale if horizontal else ax.set_yscale)("log")
    if layout.x_ticks is not None:
        across = (layout.x_ticks.low, layout.x_ticks.high)
    else:  # the first category on top, as it reads, on horizontal bars
        across = (count - 0.5, -0.5) if horizontal else (-0.5, count - 0.5)
    (ax.set_xlim if horizontal else ax.set_ylim)(ticks.low, ticks.high)
    (ax.set_ylim if horizontal else ax.set_xlim)(*across)
    # The value axis' line and the category axis', each where it is shown.
    left_shown, bottom_shown = (
        (params.x_axis, params.y_axis) if horizontal else (params.y_axis, params.x_axis)
    )
    corner = (
        [(0, 1)] * left_shown + [(0, 0)] * (left_shown or bottom_shown) + [(1, 0)] * bottom_shown
    )
    right_ticks = layout.right_ticks
    if right_ticks is not None and params.y_axis:
        corner += [(1, 0)] * (not bottom_shown) + [(1, 1)]
    if corner:
        _axis_line(ax, corner, style)
    if right_ticks is not None and params.y_axis:
        right = _Side(ax, style, out=-1 / plot.width, along_y=True, base=1.0)
        at = right_to_left(np.array(right_ticks.values), ticks, right_ticks).tolist()
        right.ticks(at, right_ticks.labels, {"ha": "left", "va": "center"})
    left = _Side(ax, style, out=1 / plot.width, along_y=True)
    bottom = _Side(ax, style, out=1 / plot.height, along_y=False)
    values, others = (bottom, left) if horizontal else (left, bottom)
    if params.y_axis:
        values.ticks(ticks.values, ticks.labels, {})
    if params.grid:
        values.grid(ticks.values)
    if layout.x_ticks is not None:
        across_ticks = layout.x_ticks.values
        if params.x_axis:
            others.ticks(layout.x_ticks.values, layout.x_ticks.labels, {})
    else:
        # Between categories when there are bars (lines would cross them), else at each.
        bars = params.type in (STACKABLE_TYPES - {"area"}) | BOX_TYPES
        across_ticks = [i - 0.5 * bars for i in range(count + bars)]
        if params.x_axis and layout.categories is not None:
            placed = layout.categories
            turn = {} if horizontal else _TURNED[placed.rotation]
            others.ticks([float(i) for i in placed.shown], placed.texts, turn)
    if params.x_grid:
        others.grid(across_ticks)


def _axis_line(ax: Axes, corner: list[tuple[int, int]], style: Style) -> None:
    """The axis lines, through `corner`'s points in axes fractions."""
    xs, ys = zip(*corner, strict=True)
    ax.add_line(
        Line2D(
            xs,
            ys,
            transform=ax.transAxes,
            color=style.ink,
            linewidth=style.line,
            solid_joinstyle="miter",
            clip_on=False,
            zorder=2.5,
        )
    )


class _Side:
    """One side of the plot (left or bottom): marks, labels and grid lines across it."""

    def __init__(
        self, ax: Axes, style: Style, out: float, along_y: bool, base: float = 0.0
    ) -> None:
        self.ax, self.style, self.out, self.along_y = ax, style, out, along_y
        self.base = base  # the side's place across: 0 (left, bottom) or 1 (right)
        # Axes fractions across the side, data along it.
        self.transform = ax.get_yaxis_transform() if along_y else ax.get_xaxis_transform()

    def _point(self, across: float, along: float) -> tuple[float, float]:
        return (across, along) if self.along_y else (along, across)

    def ticks(self, where: list[float], labels: list[str], turn: dict[str, object]) -> None:
        """Tick marks at `where`, each with its label (a line break in it is kept)."""
        style = self.style
        base = self.base
        marks = [
            [self._point(base - TICK_LENGTH * self.out, at), self._point(base, at)] for at in where
        ]
        self.ax.add_collection(
            LineCollection(
                np.array(marks).reshape(-1, 2, 2),
                transform=self.transform,
                colors=[style.ink],
                linewidths=style.line,
                clip_on=False,
            ),
            autolim=False,
        )
        place = turn or (
            {"ha": "right", "va": "center", "multialignment": "right"}
            if self.along_y
            else {"ha": "center", "va": "top"}
        )
        for at, label in zip(where, labels, strict=True):
            self.ax.text(
                *self._point(base - (TICK_LENGTH + TICK_PAD) * self.out, at),
                literal(label),
                transform=self.transform,
                fontsize=style.text,
                color=style.ink,
                label=TICK_LABEL,
                **place,
            )

    def grid(self, where: list[float]) -> None:
        """Lines across the plot at `where`, under everything drawn on it."""
        lines = [[self._point(0, at), self._point(1, at)] for at in where]
        self.ax.add_collection(
            LineCollection(
                np.array(lines).reshape(-1, 2, 2),
                transform=self.transform,
                colors=[self.style.grid],
                linewidths=self.style.line,
                zorder=0.5,
            ),
            autolim=False,
        )


def right_to_left(values: np.ndarray, left: Ticks, right: Ticks) -> np.ndarray:
    """Values of the right axis where the left axis' scale puts them: the right axis'
    ends fall on the left axis' ends."""
    share = (values - right.low) / (right.high - right.low)
    return left.low + share * (left.high - left.low)
