"""The legend: one entry per series (per labelled slice, on pies), drawn where the layout
placed it, each a colour swatch and a name; "+N more" when not all fit."""

from dataclasses import dataclass

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from imagegen.charts.layout import Legend, LegendEntry
from imagegen.charts.series import ChartData, Series
from imagegen.charts.style import AREA_ALPHA, PT_PER_PX, MplColor, Style, mpl_color
from imagegen.charts.text import literal

MAX_ENTRIES = 100  # more than this never fit; they are counted in "+N more"
SWATCH_HEIGHT = 0.75  # of the text size


@dataclass(frozen=True)
class Swatch:
    """How one entry's swatch looks."""

    kind: str  # "patch", "line", "marker" or "area"
    color: MplColor
    line_style: str = "solid"
    line_width: float = 2.0  # CSS pixels


def _swatch(series: Series) -> Swatch:
    color = mpl_color(series.color)
    if series.kind == "line":
        return Swatch("line", color, series.line_style, series.line_width)
    if series.kind in ("scatter", "bubble"):
        return Swatch("marker", color)
    if series.kind == "area":
        return Swatch("area", color, series.line_style, series.line_width)
    return Swatch("patch", color)


def series_entries(data: ChartData) -> list[tuple[LegendEntry, Swatch]]:
    """One entry per series that has one, in order."""
    return [
        (LegendEntry(series.name, series.kind == "line"), _swatch(series))
        for series in data.series
        if series.in_legend
    ][:MAX_ENTRIES]


def slice_entries(data: ChartData) -> list[tuple[LegendEntry, Swatch]]:
    """One entry per labelled slice with a value, in order."""
    values = data.series[0].values if data.series else []
    return [
        (LegendEntry(label, False), Swatch("patch", mpl_color(color)))
        for label, color, value in zip(data.labels, data.slice_colors, values, strict=False)
        if label and value > 0
    ][:MAX_ENTRIES]


def legend_handle(swatch: Swatch | None) -> Artist:
    """A handle for matplotlib's own legend (`legend=best`); None for an empty one."""
    if swatch is None:
        return Patch(facecolor="none", edgecolor="none")
    if swatch.kind in ("line", "marker"):
        return Line2D(
            [],
            [],
            color=swatch.color,
            linewidth=swatch.line_width * PT_PER_PX if swatch.kind == "line" else 0,
            linestyle=swatch.line_style,
            marker="o" if swatch.kind == "marker" else "",
        )
    r, g, b, a = swatch.color
    face = (r, g, b, a * AREA_ALPHA) if swatch.kind == "area" else swatch.color
    edge = swatch.color if swatch.kind == "area" else "none"
    return Patch(facecolor=face, edgecolor=edge)


def draw_legend(
    figure: Figure, legend: Legend, swatches: list[Swatch], style: Style, total: int
) -> None:
    """Draw `legend`, whose coordinates are CSS pixels, on `figure`; `total` is the
    number of entries it stands for."""
    width, height = (figure.get_size_inches() * 96).tolist()
    size = legend.size
    for entry in legend.entries:
        swatch = swatches[entry.index]
        wide = swatch.kind == "line"
        _draw_swatch(figure, swatch, entry.x, entry.y, legend.swatch * (2 if wide else 1), size)
        x = entry.x + legend.swatch * (2 if wide else 1) + 0.4 * size
        figure.text(
            x / width,
            entry.y / height,
            literal(entry.text),
            fontsize=size * PT_PER_PX,
            color=style.ink,
            va="center_baseline",
            label="legend",
        )
    more = total - len(legend.entries)
    if more > 0:
        x, y = legend.more_at
        figure.text(
            x / width,
            y / height,
            f"+{more} more",
            fontsize=size * PT_PER_PX,
            color=style.ink,
            va="center_baseline",
            label="legend",
        )


def _draw_swatch(
    figure: Figure, swatch: Swatch, x: float, y: float, length: float, size: float
) -> None:
    width, height = (figure.get_size_inches() * 96).tolist()
    if swatch.kind in ("line", "marker"):
        line = Line2D(
            [x / width, (x + length) / width],
            [y / height, y / height],
            transform=figure.transFigure,
            color=swatch.color,
            linewidth=swatch.line_width * PT_PER_PX if swatch.kind == "line" else 0,
            linestyle=swatch.line_style,
            marker="o" if swatch.kind == "marker" else "",
            markersize=size * 0.6 * PT_PER_PX,
        )
        if swatch.kind == "marker":
            line.set_data([(x + length / 2) / width], [y / height])
        figure.add_artist(line)
        return
    side = size * SWATCH_HEIGHT
    r, g, b, a = swatch.color
    face = (r, g, b, a * AREA_ALPHA) if swatch.kind == "area" else swatch.color
    figure.add_artist(
        Rectangle(
            (x / width, (y - side / 2) / height),
            length / width,
            side / height,
            transform=figure.transFigure,
            facecolor=face,
            edgecolor=swatch.color if swatch.kind == "area" else "none",
            linewidth=swatch.line_width * PT_PER_PX if swatch.kind == "area" else 0,
        )
    )
