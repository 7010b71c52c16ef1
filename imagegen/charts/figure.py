"""Building one chart's matplotlib Figure: measured layout, axes, titles and legend.

Only `Figure` is used, never `pyplot`; sizes, colours and fonts are passed to each
artist, and nothing in matplotlib's global state is changed but the bundled fonts'
registration, so charts can be drawn in many threads at once. Nothing is placed by
matplotlib's layout engines: `layout.py` decides where everything goes from measured
text, and the axes are put exactly there.
"""

import math
from dataclasses import dataclass, replace

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke

from imagegen.charts.annotations import value_extent, x_extent
from imagegen.charts.axes import draw_axes
from imagegen.charts.layout import (
    GAP,
    LABEL_SHARE,
    LEGEND_SHARE,
    MAX_AXIS_TITLE_LINES,
    MAX_TITLE_LINES,
    MIN_PLOT_SHARE,
    MIN_TEXT,
    ROW_PITCH,
    SIDE_LABEL_SHARE,
    TICK_LENGTH,
    TICK_PAD,
    Box,
    Categories,
    ChartLayout,
    Legend,
    LegendEntry,
    category_labels,
    legend_height,
    legend_rows,
    legend_width,
    padding,
    shifted,
    side_labels,
    text_size,
    title_lines,
    value_ticks,
)
from imagegen.charts.legend import (
    Swatch,
    draw_legend,
    legend_handle,
    series_entries,
    slice_entries,
)
from imagegen.charts.measure import Measure
from imagegen.charts.model import (
    RADIAL_TYPES,
    ROUND_TYPES,
    ChartParams,
    is_horizontal,
    stacking,
)
from imagegen.charts.numbers import compact_number, number_formatter
from imagegen.charts.plots import (
    VALUE_LABEL_GAP,
    Writer,
    draw_line,
    draw_pie,
    draw_series,
    positions,
)
from imagegen.charts.radial import draw_radial, drawing_size, radial_entries
from imagegen.charts.series import ChartData, resolve
from imagegen.charts.style import CSS_DPI, SMALL_RATIO, TITLE_RATIO, Style
from imagegen.charts.text import ChartFonts, literal
from imagegen.charts.ticks import MAX_TICKS, Ticks, data_range, extent, nice_step, tick_writer

_SPARKLINE_MARGIN = 1  # CSS pixels around the thickest line
_TITLE_STROKE = 0.35  # a bold title: its letters outlined this many points wide
Entries = list[tuple[LegendEntry, Swatch]]
_INSIDE_LEGEND_PADDING = 4  # text sizes around a legend=best's widest row: handle, gaps
_SMALLER_LEGEND = (1.0, 0.9, 0.8)  # text sizes a legend tries before "+N more"
TICK_LABEL_SHARE = 0.15  # of the width: wider value ticks are written compact (1.2B)
LABEL_REACH = 0.25  # of the image's width: how far slanted labels may reach left of the plot


@dataclass(frozen=True)
class _GiveWay:
    """How much text a layout may keep: less at each step of `_GIVE_WAY`."""

    axis_titles: bool = True
    title_lines: int = MAX_TITLE_LINES
    legend_rows: int | None = None  # None: as many as the legend's share holds


# What gives way, in turn, when text would leave the plot less than its share.
_GIVE_WAY = (
    _GiveWay(),
    _GiveWay(axis_titles=False),
    _GiveWay(axis_titles=False, title_lines=1),
    _GiveWay(axis_titles=False, title_lines=1, legend_rows=1),
    _GiveWay(axis_titles=False, title_lines=0, legend_rows=1),
    _GiveWay(axis_titles=False, title_lines=0, legend_rows=0),
)


def build_figure(params: ChartParams, fonts: ChartFonts) -> Figure:
    """The chart `params` describe, ready to draw or save."""
    data = resolve(params)
    size = text_size(params.font_size, params.width, params.height)
    style = Style.of(params, size)
    figure = Figure(
        figsize=(params.width / CSS_DPI, params.height / CSS_DPI),
        dpi=CSS_DPI * params.scale,
        facecolor=style.background,
    )
    if params.type == "sparkline":
        _sparkline(figure, params, data)
    else:
        _Chart(figure, params, data, style, Measure(params.scale, fonts), size).build()
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
    if params.log_scale:
        ax.set_yscale("log")
    if params.begin_at_zero:
        low, high = ax.get_ylim()
        ax.set_ylim(min(low, 0), max(high, 0))
    if params.y_min is not None or params.y_max is not None:
        low, high = ax.get_ylim()
        ax.set_ylim(
            low if params.y_min is None else params.y_min,
            high if params.y_max is None else params.y_max,
        )


@dataclass
class _Chart:
    """One chart with axes, or a pie, laid out from measured text and drawn."""

    figure: Figure
    params: ChartParams
    data: ChartData
    style: Style
    measure: Measure
    size: float  # text size, CSS pixels

    def build(self) -> None:
        params = self.params
        round_chart = params.type in ROUND_TYPES
        entries = slice_entries(self.data) if round_chart else series_entries(self.data)
        if params.type in RADIAL_TYPES:
            entries = radial_entries(params, self.data)
        position = params.legend or ("top" if len(entries) > 1 else "none")
        write = number_formatter(params.number_format)
        layout = self._layout(entries, position if entries else "none", write)
        ax = self.figure.add_axes(_fraction(layout.plot, params), facecolor="none")
        if params.type in RADIAL_TYPES:
            draw_radial(ax, params, self.data, self.style, write, layout.plot, *self._text)
        elif round_chart:
            draw_pie(ax, params, self.data, self.style, write, layout, self.measure)
        else:
            draw_axes(ax, layout, params, len(self.data.labels), self.style)
            draw_series(ax, params, self.data, self.style, write, layout, self.measure)
        self._titles(layout)
        if layout.legend is not None:
            swatches = [swatch for _, swatch in entries]
            draw_legend(self.figure, layout.legend, swatches, self.style, len(entries))
        elif position == "best" and entries:
            self._legend_inside(ax, layout, entries)

    @property
    def _text(self) -> tuple[Measure, float]:
        return self.measure, self.size

    # Where everything goes

    def _layout(self, entries: Entries, position: str, write: Writer) -> ChartLayout:
        width, height = self.params.width, self.params.height
        if self.params.type in ROUND_TYPES:  # a pie is round: its share is of the short side
            width = height = min(width, height)
        for give_way in _GIVE_WAY:
            layout = self._plan(entries, position, write, give_way)
            plot = layout.plot
            wide, tall = (
                plot.width >= MIN_PLOT_SHARE * width,
                plot.height >= MIN_PLOT_SHARE * height,
            )
            # A radial chart keeps its share in the direction its shape is bound by.
            if (wide or tall) if self.params.type in RADIAL_TYPES else (wide and tall):
                break
        return layout

    def _plan(
        self, entries: Entries, position: str, write: Writer, give_way: _GiveWay
    ) -> ChartLayout:
        params, measure, size = self.params, self.measure, self.size
        pad = padding(params.width, params.height)
        region = Box(pad, pad, params.width - pad, params.height - pad)
        title_size = size * TITLE_RATIO
        title = title_lines(measure, params.title, region, title_size)[: give_way.title_lines]
        title_top = region.top
        if title:
            used = measure.block(len(title), title_size) + GAP * size
            region = replace(region, top=region.top - used)
        legend = None
        if position in ("top", "bottom", "left", "right") and give_way.legend_rows != 0:
            legend, region = self._place_legend(entries, position, region, give_way.legend_rows)
        if params.type in ROUND_TYPES | RADIAL_TYPES:
            wide, tall = (
                drawing_size(params, self.data, region, *self._text)
                if params.type in RADIAL_TYPES
                else (min(region.width, region.height),) * 2
            )
            left = region.left + (region.width - wide) / 2
            slack = (region.height - tall) / 2  # the pie, title and legend centred together
            down = -slack if legend is None or position != "bottom" else slack
            return ChartLayout(
                plot=Box(left, region.bottom + slack, left + wide, region.bottom + slack + tall),
                title=title,
                title_top=title_top - self._title_drop(slack, legend, position, region),
                legend=None
                if legend is None
                else shifted(legend, 0, down if position in ("top", "bottom") else 0),
            )
        return self._axes_layout(region, title, title_top, legend, give_way.axis_titles, write)

    def _title_drop(self, slack: float, legend: Legend | None, position: str, region: Box) -> float:
        """How far the title comes down to the round chart under it: `slack`, but not
        onto a legend at a side (which stays centred on the room's height)."""
        if legend is None or position not in ("left", "right"):
            return slack
        rows = [e.y for e in legend.entries] + ([legend.more_at[1]] if legend.more else [])
        top = max(rows, default=region.bottom) + self.measure.line(legend.size) / 2
        return max(0.0, min(slack, region.top - top))

    def _place_legend(
        self, entries: Entries, position: str, region: Box, rows: int | None
    ) -> tuple[Legend, Box]:
        measure, size, params = self.measure, self.size, self.params
        names = [entry for entry, _ in entries]
        line, gap = measure.line(size), GAP * size
        pitch = line * ROW_PITCH
        if position in ("top", "bottom"):
            tall = LEGEND_SHARE * params.height if rows is None else line + (rows - 1) * pitch
            room = Box(region.left, region.top - tall, region.right, region.top)
            legend = self._fit_legend(names, room, side=False)
            used = legend_height(legend, measure)
            if position == "top":
                return legend, replace(region, top=region.top - used - gap)
            legend = shifted(legend, 0, region.bottom + used - region.top)
            return legend, replace(region, bottom=region.bottom + used + gap)
        tall = region.height if rows is None else line + (rows - 1) * pitch
        room = Box(
            region.left, region.top - tall, region.left + LEGEND_SHARE * params.width, region.top
        )
        legend = self._fit_legend(names, room, side=True)
        wide = legend_width(legend, measure, [entry.wide for entry in names])
        down = -(region.height - legend_height(legend, measure)) / 2
        if position == "right":
            legend = shifted(legend, region.right - wide - region.left, down)
            return legend, replace(region, right=region.right - wide - 2 * gap)
        return shifted(legend, 0, down), replace(region, left=region.left + wide + 2 * gap)

    def _fit_legend(self, names: list[LegendEntry], room: Box, side: bool) -> Legend:
        """The legend in `room` at the text size, or in smaller type if that shows
        every entry; "+N more" if none does."""
        sizes = [self.size * step for step in _SMALLER_LEGEND if self.size * step >= MIN_TEXT]
        legends = (
            legend_rows(self.measure, names, room, size, side) for size in sizes or [self.size]
        )
        first = next(legends)
        return first if not first.more else next((fit for fit in legends if not fit.more), first)

    def _value_span(self) -> tuple[float, float]:
        """The values the value axis must show: every point, and every stack's ends."""
        params, series = self.params, self.data.series
        values = [s.values for s in series] + [np.array(value_extent(params))]
        for kind in ("bar", "area") if stacking(params) != "none" else ():
            stack = [s.values for s in series if s.kind == kind]
            if stack:
                stacked = np.nan_to_num(np.array(stack), nan=0.0)
                values += [  # rounded: shares of 100 add up to 100.00000000000001
                    np.round(np.where(stacked > 0, stacked, 0).sum(0), 9),
                    np.round(np.where(stacked < 0, stacked, 0).sum(0), 9),
                ]
        every = np.concatenate(values) if values else np.zeros(0)
        if params.log_scale:
            low, high = extent(np.where(every > 0, every, np.nan))
            if math.isnan(low):
                low, high = 1.0, 10.0
            elif low == high:
                low, high = low / 10, high * 10
        else:
            from_zero = params.begin_at_zero or any(s.kind in ("bar", "area") for s in series)
            low, high = data_range(*extent(every), from_zero)
        if params.y_min is not None:
            low = params.y_min
            high = max(high, low * 10 if params.log_scale else low + 1) if high <= low else high
        if params.y_max is not None:
            high = params.y_max
            low = min(low, high / 10 if params.log_scale else high - 1) if low >= high else low
        return low, high

    def _label_room(
        self, span: tuple[float, float], length: float, across: float
    ) -> tuple[float, float]:
        """`span` widened so that value labels `across` pixels deep fit past the ends of
        the bars and points nearest the plot's edges."""
        series = self.data.series
        inside = stacking(self.params) != "none" and all(s.kind == "bar" for s in series)
        if self.params.value_labels == "none" or length <= across * 2 or inside:
            return span  # none, no room for any, or all inside stacked bars
        low, high = span
        log = self.params.log_scale
        if log:
            low, high = math.log10(low), math.log10(high)
        share = across / (length - across)
        room = (high - low) * share
        values = (
            np.concatenate([s.values for s in self.data.series])
            if self.data.series
            else np.zeros(0)
        )
        lines = any(s.kind != "bar" for s in self.data.series)
        if self.params.y_max is None and (lines or np.nanmax(values, initial=0) > 0):
            high += room
        if self.params.y_min is None and ((lines and low != 0) or np.nanmin(values, initial=0) < 0):
            low -= room
        return (10**low, 10**high) if log else (low, high)

    def _axes_layout(
        self,
        region: Box,
        title: list[str],
        title_top: float,
        legend: Legend | None,
        axis_titles: bool,
        write: Writer,
    ) -> ChartLayout:
        params, data, measure, size = self.params, self.data, self.measure, self.size
        line, gap = measure.line(size), GAP * size
        horizontal = is_horizontal(params)
        bottom_text, left_text = (
            (params.y_title, params.x_title) if horizontal else (params.x_title, params.y_title)
        )
        bottom_title = (
            measure.wrap(bottom_text, region.width, size, MAX_AXIS_TITLE_LINES)
            if axis_titles and bottom_text
            else []
        )
        left_title = (
            measure.wrap(left_text, region.height, size, MAX_AXIS_TITLE_LINES)
            if axis_titles and left_text
            else []
        )
        inner = Box(
            region.left + (measure.block(len(left_title), size) + gap if left_title else 0),
            region.bottom + (measure.block(len(bottom_title), size) + gap if bottom_title else 0),
            region.right,
            region.top,
        )
        tick = TICK_LENGTH + TICK_PAD
        count = max(len(data.labels), 1)
        ends = (params.y_min, params.y_max)
        span = self._value_span()

        percent = stacking(params) == "percent" and params.number_format is None

        def ticks_written(step: float, compact: bool = False) -> Writer:
            written = compact_number if compact else tick_writer(step, params.number_format, write)
            return (lambda value: written(value) + "%") if percent else written

        written = ticks_written(nice_step(span[1] - span[0], MAX_TICKS))
        widest = max(measure.width(written(end), size) for end in span)
        compact = widest > TICK_LABEL_SHARE * params.width

        def writer(step: float) -> Writer:
            return ticks_written(step, compact)

        plot = Box(
            inner.left + 4 * size, inner.bottom + line + tick, inner.right, inner.top - line / 2
        )
        categories: Categories | None = None
        x_ticks: Ticks | None = None
        ticks: Ticks | None = None
        reach = 0.0  # how far the category labels reach left of the plot
        label_width = (  # of the value labels, past the bars' ends on horizontal bars
            max(
                (measure.width(write(v), size * SMALL_RATIO) for v in self._all_values()),
                default=0,
            )
            if horizontal
            else 0.0
        )
        for _ in range(3):
            if horizontal:
                room = self._label_room(span, plot.width, label_width + VALUE_LABEL_GAP)
                ticks = value_ticks(
                    measure, room, params.log_scale, ends, writer, plot.width, size, vertical=False
                )
                value_axis = ticks.labels if params.y_axis else []
                last = measure.width(value_axis[-1], size) / 2 if value_axis else 0
                cap = min(
                    SIDE_LABEL_SHARE * params.width,
                    inner.width - MIN_PLOT_SHARE * params.width - tick - last,
                )
                categories = side_labels(
                    measure,
                    data.labels if params.x_axis else [],
                    plot.height / count,
                    size,
                    max(cap, 3 * size),
                )
                first = measure.width(value_axis[0], size) / 2 if value_axis else 0
                beside = categories.depth + tick if params.x_axis else 0
                left = max(inner.left + beside, first + 1)
                under = line + tick if params.y_axis else 0
                plot = Box(left, inner.bottom + under, inner.right - last, inner.top - line / 2)
                continue
            room = self._label_room(
                span, plot.height, measure.line(size * SMALL_RATIO) + VALUE_LABEL_GAP
            )
            ticks = value_ticks(
                measure, room, params.log_scale, ends, writer, plot.height, size, vertical=True
            )
            value_axis = ticks.labels if params.y_axis else []
            beside = max((measure.width(label, size) + tick for label in value_axis), default=0)
            left = max(inner.left + beside, reach + 2)
            right = inner.right
            half_tick = line / 2 if params.y_axis else 0  # the lowest tick's label
            if data.x is not None:
                x_span = data_range(
                    *extent(np.concatenate([data.x, x_extent(params)])), from_zero=False
                )
                x_ticks = value_ticks(
                    measure,
                    x_span,
                    False,
                    (None, None),
                    lambda step: tick_writer(step, None, write),
                    plot.width,
                    size,
                    vertical=False,
                )
                if params.x_axis:
                    left = max(left, measure.width(x_ticks.labels[0], size) / 2 + 1)
                    right -= measure.width(x_ticks.labels[-1], size) / 2
                depth = line + tick if params.x_axis else half_tick
            else:
                depth_cap = min(
                    LABEL_SHARE * params.height,
                    inner.height - MIN_PLOT_SHARE * params.height - tick - line / 2,
                )
                categories = category_labels(
                    measure,
                    data.labels if params.x_axis else [],
                    (right - left) / count,
                    size,
                    max(depth_cap, line),
                    max(left, LABEL_REACH * params.width) - 1,
                )
                depth = categories.depth + tick if params.x_axis else half_tick
                reach = categories.overhang
                left = max(left, reach + 2)
            plot = Box(left, inner.bottom + depth, right, inner.top - line / 2)
        assert ticks is not None
        return ChartLayout(
            plot=plot,
            title=title,
            title_top=title_top,
            legend=legend,
            categories=categories,
            value_ticks=ticks,
            x_ticks=x_ticks,
            bottom_title=bottom_title,
            bottom_title_at=(self._centred(bottom_title, plot, region), region.bottom),
            # Wrapped again to the plot's height, in the lines its width was given.
            left_title=measure.wrap(left_text or "", plot.height, size, len(left_title)),
            left_title_at=(region.left, (plot.bottom + plot.top) / 2),
        )

    def _centred(self, lines: list[str], plot: Box, region: Box) -> float:
        """Where text under the plot is centred: under the plot, moved to stay inside
        `region`."""
        half = max((self.measure.width(line, self.size) for line in lines), default=0) / 2
        return min(max((plot.left + plot.right) / 2, region.left + half), region.right - half)

    def _all_values(self) -> list[float]:
        values = [s.values for s in self.data.series]
        every = np.concatenate(values) if values else np.zeros(0)
        return every[np.isfinite(every)].tolist() if self.params.value_labels != "none" else []

    # Drawing

    def _titles(self, layout: ChartLayout) -> None:
        params, style = self.params, self.style
        width, height = params.width, params.height
        if layout.title:
            self.figure.text(
                0.5,
                layout.title_top / height,
                literal("\n".join(layout.title)),
                ha="center",
                va="top",
                fontsize=style.title,
                color=style.ink,
                path_effects=[withStroke(linewidth=_TITLE_STROKE, foreground=style.ink)],
                label="title",
            )
        if layout.bottom_title:
            x, y = layout.bottom_title_at
            self.figure.text(
                x / width,
                y / height,
                literal("\n".join(layout.bottom_title)),
                ha="center",
                va="bottom",
                fontsize=style.text,
                color=style.ink,
                label="axis-title",
            )
        if layout.left_title:
            x, y = layout.left_title_at
            self.figure.text(
                x / width,
                y / height,
                literal("\n".join(layout.left_title)),
                ha="center",
                va="top",
                rotation=90,
                rotation_mode="anchor",
                fontsize=style.text,
                color=style.ink,
                label="axis-title",
            )

    def _legend_inside(self, ax: Axes, layout: ChartLayout, entries: Entries) -> None:
        """A legend inside the plot where it hides least (`legend=best`): as many
        entries as the plot's height holds, names at most half its width; none on a
        plot too small to hold a row of it (the text gives way)."""
        measure, size = self.measure, self.size
        pitch = measure.line(size) * ROW_PITCH * 1.1
        fit = int(layout.plot.height * 0.8 // pitch)
        widest = max(measure.width(f"+{len(entries)} more", size), layout.plot.width / 2)
        if fit < 1 or widest + _INSIDE_LEGEND_PADDING * size > layout.plot.width:
            return
        shown = entries if len(entries) <= fit else entries[: fit - 1]
        handles = [legend_handle(swatch) for _, swatch in shown]
        names = [
            literal(measure.shorten(entry.name, layout.plot.width / 2, size)) for entry, _ in shown
        ]
        if len(shown) < len(entries):
            handles.append(legend_handle(None))
            names.append(f"+{len(entries) - len(shown)} more")
        ax.legend(
            handles,
            names,
            loc="best",
            fontsize=self.style.text,
            labelcolor=self.style.ink,
            frameon=False,
        )


def _fraction(box: Box, params: ChartParams) -> tuple[float, float, float, float]:
    """`box` as (left, bottom, width, height) shares of the image."""
    width, height = params.width, params.height
    return (box.left / width, box.bottom / height, box.width / width, box.height / height)
