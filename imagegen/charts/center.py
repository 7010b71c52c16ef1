"""Text fitted into a shape: the centre of a doughnut or a radial gauge (a circle), the
room under a gauge's needle or on a progress bar (a rectangle).

The text is measured at the real font and size: written as large as `start` allows,
else smaller, wrapped on up to `MAX_CENTER_LINES` lines; at the smallest size it is
shortened with an ellipsis, and left out when not even one line has room.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.axes import Axes

from imagegen.charts.layout import MIN_TEXT
from imagegen.charts.measure import ELLIPSIS, Measure
from imagegen.charts.style import PT_PER_PX, MplColor
from imagegen.charts.text import literal

MAX_CENTER_LINES = 3
CENTER_START = 0.5  # of the room (a hole's radius), the largest centre text
SHRINK = 0.85  # each smaller size tried, as a share of the one before
CENTER_LABEL = "center"  # the `label` of centre texts, for tests

# The width a block of text of this height may take, 0 where it has no room.
RoomOf = Callable[[float], float]


@dataclass(frozen=True)
class Fitted:
    """Text as it fits: its lines (none when it does not), at `size` CSS pixels."""

    lines: list[str]
    size: float


def start_size(room: float, size: float) -> float:
    """The size a centre text starts from in `room` pixels (a hole's radius, say): half
    of it, so big in a big hole, but not under the chart's text size while that fits."""
    return max(min(size, room), CENTER_START * room)


def in_circle(radius: float) -> RoomOf:
    """Room in a circle: a block `h` high, centred, may be as wide as the chord at its
    top and bottom edges."""
    return lambda h: 2 * math.sqrt(radius**2 - (h / 2) ** 2) if h < 2 * radius else 0.0


def in_rectangle(width: float, height: float) -> RoomOf:
    return lambda h: width if h <= height else 0.0


def fit_text(measure: Measure, text: str, room: RoomOf, start: float) -> Fitted:
    """`text` at the largest size from `start` down to `MIN_TEXT` (or `start`, when that
    is smaller) at which it fits `room` whole, wrapped on words; else at the smallest,
    on as many lines as have room, shortened with an ellipsis."""
    least = min(MIN_TEXT, start)
    size = start
    while True:
        for count in range(1, MAX_CENTER_LINES + 1):
            width = room(measure.block(count, size))
            if width <= 0:
                break
            lines = measure.wrap(text, width, size, count)
            whole = ELLIPSIS in text or not any(ELLIPSIS in line for line in lines)
            if lines and len(lines) <= count and whole:
                return Fitted(lines, size)
        if size <= least:
            break
        size = max(least, size * SHRINK)
    count = MAX_CENTER_LINES
    while count > 0 and room(measure.block(count, least)) <= 0:
        count -= 1
    if count == 0:
        return Fitted([], least)
    return Fitted(measure.wrap(text, room(measure.block(count, least)), least, count), least)


def draw_text(
    ax: Axes, at: tuple[float, float], fitted: Fitted, color: MplColor, label: str = CENTER_LABEL
) -> None:
    """`fitted` centred at `at` (in `ax`'s data units)."""
    if not fitted.lines:
        return
    ax.text(
        *at,
        literal("\n".join(fitted.lines)),
        ha="center",
        va="center",
        multialignment="center",
        fontsize=fitted.size * PT_PER_PX,
        color=color,
        label=label,
    )
