"""Where everything on a chart goes, decided from measured text before anything is drawn.

The image (in CSS pixels, origin at the bottom left) loses its padding; the title takes
the top (wrapped to at most three lines), the legend the top, bottom or a side (rows
filled left to right); what is left holds the plot and its axes. Value ticks are chosen
after their labels are measured, so that they never touch; category labels are written
across, at 45° or 90°, on two lines, shortened, and only as a last resort every second
(third…) one. The plot keeps `MIN_PLOT_SHARE` of the image in each direction: when text
would take more, the text gives way (the axis titles first, then the title, the legend
and the labels).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from imagegen.charts.measure import Measure
from imagegen.charts.ticks import Ends, Ticks, choose_ticks

MIN_PLOT_SHARE = 1 / 3  # of the image's width and height, that the plot keeps at least
TITLE_SHARE = 0.25  # of the image's height, that the title may take
LEGEND_SHARE = 0.25  # of the image's height (or width, for a legend at a side)
LABEL_SHARE = 0.3  # of the image's height, that category labels may take below the plot
SIDE_LABEL_SHARE = 0.35  # of the image's width, that labels beside the plot may take
MAX_TITLE_LINES = 3
MAX_AXIS_TITLE_LINES = 2
TICK_LENGTH = 4.0  # CSS pixels
TICK_PAD = 3.0  # between a tick and its label
GAP = 0.5  # between blocks, in text sizes
VALUE_TICK_SPACING = 2.2  # least distance between ticks on a vertical axis, in lines
MIN_TEXT = 8.0  # CSS pixels: text is never made smaller than this
SWATCH = 1.2  # a legend's colour swatch is this many text sizes wide (2 for lines)
SWATCH_GAP = 0.4  # between a swatch and its name, in text sizes
ENTRY_GAP = 1.2  # between legend entries in a row, in text sizes
ROW_PITCH = 1.35  # legend rows, in lines
SIN45 = math.sqrt(0.5)


@dataclass(frozen=True)
class Box:
    """A rectangle in CSS pixels, from the image's bottom left corner."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(frozen=True)
class LegendEntry:
    """What the legend needs to know of one entry before drawing it."""

    name: str
    wide: bool  # a line swatch, twice as wide as a colour patch


@dataclass(frozen=True)
class PlacedEntry:
    """A legend entry with its place: the left end of its swatch and the middle of its
    row, and its name as shortened to fit."""

    index: int
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Legend:
    """The legend as laid out: its entries, and how many more did not fit."""

    entries: list[PlacedEntry]
    more: int
    more_at: tuple[float, float]  # where "+N more" starts, and its row's middle
    size: float  # text size, CSS pixels
    swatch: float  # width of a patch swatch; a line's is twice it


@dataclass(frozen=True)
class Categories:
    """How the category labels are written: which ones, in what lines, at what angle,
    and how deep they reach from the axis."""

    shown: list[int]
    texts: list[str]
    rotation: int  # 0, 45 or 90
    depth: float  # from the end of the tick, across the axis
    overhang: float  # how far the first label reaches before the plot's start


@dataclass(frozen=True)
class ChartLayout:
    """Everything placed: the plot, the texts around it and the axes' ticks."""

    plot: Box
    title: list[str] = field(default_factory=list)
    title_top: float = 0.0
    legend: Legend | None = None
    categories: Categories | None = None
    value_ticks: Ticks | None = None
    x_ticks: Ticks | None = None  # numeric x positions
    bottom_title: list[str] = field(default_factory=list)
    bottom_title_at: tuple[float, float] = (0.0, 0.0)  # the middle of its bottom edge
    left_title: list[str] = field(default_factory=list)
    left_title_at: tuple[float, float] = (0.0, 0.0)  # the middle of its left edge
    # A second value axis on the right (issue 11)
    right_ticks: Ticks | None = None
    right_title: list[str] = field(default_factory=list)
    right_title_at: tuple[float, float] = (0.0, 0.0)  # the middle of its right edge


def padding(width: int, height: int) -> float:
    """About 10 CSS pixels around everything; less on small images."""
    return min(10.0, max(3.0, min(width, height) / 30))


def text_size(font_size: float, width: int, height: int) -> float:
    """The text size for an image of this size: the one asked for, made smaller on
    small images (a line of text at most a sixteenth of the shorter side), but never
    smaller than `MIN_TEXT` unless asked."""
    return min(font_size, max(MIN_TEXT, min(width, height) / 16))


def title_lines(measure: Measure, text: str | None, room: Box, size: float) -> list[str]:
    """The title, wrapped to the width and to at most `MAX_TITLE_LINES` lines, fewer when
    the image is short."""
    if not text:
        return []
    line_pitch = measure.block(2, size) - measure.block(1, size)
    fit = 1 + int((TITLE_SHARE * (room.height) - measure.line(size)) // max(line_pitch, 1))
    lines = min(MAX_TITLE_LINES, fit)
    return measure.wrap(text, room.width, size, lines) if lines >= 1 else []


def _pack_rows(widths: list[float], room: float, gap: float) -> list[list[int]]:
    """Entries into rows, left to right, as many in a row as fit `room`."""
    rows: list[list[int]] = []
    used = room + 1.0
    for i, width in enumerate(widths):
        if rows and used + gap + width <= room:
            rows[-1].append(i)
            used += gap + width
        else:
            rows.append([i])
            used = width
    return rows


def legend_rows(
    measure: Measure, entries: list[LegendEntry], room: Box, size: float, side: bool
) -> Legend:
    """A legend for `entries` laid out in `room` (its top left corner), in rows filled
    left to right, or one entry a row at a side. Names too long for the row are
    shortened; rows beyond the legend's share of the image end with "+N more"."""
    line = measure.line(size)
    pitch = line * ROW_PITCH
    swatch, swatch_gap, entry_gap = SWATCH * size, SWATCH_GAP * size, ENTRY_GAP * size
    lead = [(2 if e.wide else 1) * swatch + swatch_gap for e in entries]
    texts = [
        measure.shorten(e.name, room.width - w, size) for e, w in zip(entries, lead, strict=True)
    ]
    widths = [w + measure.width(t, size) for w, t in zip(lead, texts, strict=True)]
    # A name shortened to nothing is no entry: it and those after it go in "+N more".
    named = next((i for i, t in enumerate(texts) if not t and entries[i].name), len(entries))
    rows = (
        [[i] for i in range(named)] if side else _pack_rows(widths[:named], room.width, entry_gap)
    )
    fit = max(1, int((room.height - line) // pitch) + 1)
    if len(rows) > fit:
        rows = rows[: fit - 1] if side else rows[:fit]
        while rows and not side:  # "+N more" ends the last row
            last = rows[-1]
            used = sum(widths[i] for i in last) + entry_gap * len(last)
            if used + measure.width(_more(entries, rows), size) <= room.width:
                break
            last.pop()
            if not last:
                rows.pop()
    more = len(entries) - sum(map(len, rows))
    own_row = bool(more) and (side or not rows)  # "+N more" on a row of its own
    placed: list[PlacedEntry] = []
    more_at = (room.left, room.top - line / 2 - len(rows) * pitch)
    for r, row in enumerate(rows):
        y = room.top - line / 2 - r * pitch
        row_width = sum(widths[i] for i in row) + entry_gap * (len(row) - 1)
        if more and not own_row and r == len(rows) - 1:
            row_width += entry_gap + measure.width(_more(entries, rows), size)
        x = room.left if side else room.left + (room.width - row_width) / 2
        for i in row:
            placed.append(PlacedEntry(i, x, y, texts[i]))
            x += widths[i] + entry_gap
        if not own_row:
            more_at = (x, y)
    return Legend(placed, more, more_at, size, swatch)


def _more(entries: list[LegendEntry], rows: list[list[int]]) -> str:
    return f"+{len(entries) - sum(map(len, rows))} more"


def legend_height(legend: Legend, measure: Measure) -> float:
    """From the top of the first row to the bottom of the last."""
    rows = {entry.y for entry in legend.entries} | ({legend.more_at[1]} if legend.more else set())
    if not rows:
        return 0.0
    line = measure.line(legend.size)
    return (max(rows) - min(rows)) + line


def legend_width(legend: Legend, measure: Measure, wide: list[bool]) -> float:
    """From the left of the first swatch to the end of the longest name."""
    ends = [
        e.x
        + (2 if wide[e.index] else 1) * legend.swatch
        + SWATCH_GAP * legend.size
        + measure.width(e.text, legend.size)
        for e in legend.entries
    ]
    if legend.more:
        ends.append(legend.more_at[0] + measure.width(f"+{legend.more} more", legend.size))
    return max(ends, default=0.0) - min((e.x for e in legend.entries), default=0.0)


def shifted(legend: Legend, dx: float, dy: float) -> Legend:
    """`legend` moved by `dx`, `dy`."""
    entries = [replace(e, x=e.x + dx, y=e.y + dy) for e in legend.entries]
    more_at = (legend.more_at[0] + dx, legend.more_at[1] + dy)
    return replace(legend, entries=entries, more_at=more_at)


def category_labels(
    measure: Measure,
    labels: list[str],
    slot: float,
    size: float,
    depth_cap: float,
    before: float,
) -> Categories:
    """Labels under a horizontal axis with `slot` pixels per category: across if they
    fit, else at 45° or 90°, else on two lines, else shortened (at 45° when there is
    room, else at 90°), else every second, third… of them. `depth_cap` bounds how far
    they reach below the axis, `before` how far the first may reach before the plot."""
    shown = [i for i, label in enumerate(labels) if label]
    if not shown:
        return Categories([], [], 0, 0.0, 0.0)
    line = measure.line(size)
    gap = GAP * size
    texts = [labels[i] for i in shown]
    widths = [measure.width(t, size) for t in texts]
    widest = max(widths)
    centers = [(i + 0.5) * slot for i in shown]

    def reach(rotation: int, ws: list[float]) -> float:  # before the plot's start
        if rotation == 0:
            return max(w / 2 - c for w, c in zip(ws, centers, strict=True))
        if rotation == 45:
            return max((w + line) * SIN45 - c for w, c in zip(ws, centers, strict=True))
        return max(line / 2 - c for c in centers)

    if widest + gap <= slot and reach(0, widths) <= before:
        return Categories(shown, texts, 0, line, reach(0, widths))
    depth45 = (widest + line) * SIN45
    if slot >= (line + gap) / SIN45 and depth45 <= depth_cap and reach(45, widths) <= before:
        return Categories(shown, texts, 45, depth45, reach(45, widths))
    if slot >= line + gap and widest <= depth_cap and widest > slot:
        return Categories(shown, texts, 90, widest, reach(90, widths))
    two = measure.block(2, size)
    if two <= depth_cap and any(" " in t for t in texts):
        wrapped = ["\n".join(measure.wrap(t, slot - gap, size, 2)) for t in texts]
        if all("…" not in t for t in wrapped):
            lines = [max(measure.width(x, size) for x in t.split("\n")) for t in wrapped]
            if reach(0, lines) <= before:
                return Categories(shown, wrapped, 0, two, reach(0, lines))
    step = 1
    if slot >= (line + gap) / SIN45:
        rotation = 45
        room = [min(depth_cap / SIN45 - line, (c + before) / SIN45 - line) for c in centers]
    else:
        rotation = 90
        step = math.ceil((line + gap) / slot)
        room = [depth_cap] * len(centers)
    short = [measure.shorten(t, r, size) for t, r in zip(texts, room, strict=True)]
    kept = list(range(0, len(shown), step))
    short_widths = [measure.width(short[k], size) for k in kept]
    depth = (max(short_widths, default=0) + (line if rotation == 45 else 0)) * (
        SIN45 if rotation == 45 else 1
    )
    return Categories(
        [shown[k] for k in kept],
        [short[k] for k in kept],
        rotation,
        depth,
        reach(rotation, [measure.width(short[k], size) for k in range(len(shown))]),
    )


def side_labels(
    measure: Measure, labels: list[str], slot: float, size: float, width_cap: float
) -> Categories:
    """Labels beside a vertical axis (horizontal bar charts), `slot` pixels per category:
    on one line, else two, else shortened, to `width_cap`; every second, third… one
    when a line does not fit its slot."""
    shown = [i for i, label in enumerate(labels) if label]
    if not shown:
        return Categories([], [], 0, 0.0, 0.0)
    line = measure.line(size)
    step = max(1, math.ceil(line * 1.1 / slot))
    shown = [i for i in shown if i % step == 0] if step > 1 else shown
    texts = []
    for i in shown:
        text = labels[i]
        if measure.width(text, size) > width_cap:
            two = measure.wrap(text, width_cap, size, 2)
            fits_two = slot * step >= measure.block(2, size) + GAP * size
            text = "\n".join(two) if fits_two else measure.shorten(text, width_cap, size)
        texts.append(text)
    widths = [max(measure.width(x, size) for x in t.split("\n")) for t in texts]
    return Categories(shown, texts, 0, max(widths), 0.0)


def value_ticks(
    measure: Measure,
    span: tuple[float, float],
    log: bool,
    ends: Ends,
    writer: Callable[[float], Callable[[float], str]],
    length: float,
    size: float,
    vertical: bool,
) -> Ticks:
    """Ticks for a value (or numeric x) axis `length` pixels long: as many as have room
    for their measured labels, `VALUE_TICK_SPACING` lines apart on a vertical axis, a
    gap wider than the widest label on a horizontal one."""
    line = measure.line(size)

    def fits(labels: list[str]) -> bool:
        if len(labels) < 2:
            return True
        spacing = length / (len(labels) - 1)
        if vertical:
            return spacing >= VALUE_TICK_SPACING * line
        widest = max(measure.width(label, size) for label in labels)
        return spacing >= widest + 2 * GAP * size

    return choose_ticks(span, log, ends, writer, fits)
