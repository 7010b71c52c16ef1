"""Box plots and violins: the spread of each category's samples.

A box spans the first to the third quartile, with a line at the median; whiskers reach
the farthest samples within 1.5 interquartile ranges of the box, and the samples beyond
them are drawn as points (outliers). Quartiles are interpolated linearly between samples
(numpy's default, and the Chart.js box plot plugin's). A violin is the samples' density
(a Gaussian kernel, Scott's bandwidth) mirrored about the category, cut at the lowest
and highest sample, with the box inside it as a thick line and the median as a dot.
Series of one category stand side by side, as bars do.
"""

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection

from imagegen.charts.series import Series
from imagegen.charts.style import PT_PER_PX, mpl_color

BOX_SHARE = 0.7  # of a category's width, taken by its boxes
BOX_GAP = 0.15  # of a box's slot, left between boxes side by side
WHISKER_REACH = 1.5  # interquartile ranges past the box
FILL_ALPHA = 0.35  # boxes and violins are filled this opaque
CAP_SHARE = 0.5  # whisker caps are this share of the box's width
OUTLIER_DIAMETER = 5.0  # CSS pixels
VIOLIN_POINTS = 64  # where each violin's density is computed


@dataclass(frozen=True)
class BoxStats:
    """What a box shows of its samples."""

    q1: float
    median: float
    q3: float
    low: float  # the whiskers' ends: the farthest samples within reach of the box
    high: float
    outliers: np.ndarray


def box_stats(samples: np.ndarray) -> BoxStats:
    """The quartiles, whiskers and outliers of at least one sample."""
    q1, median, q3 = np.percentile(samples, [25, 50, 75])
    reach = WHISKER_REACH * (q3 - q1)
    inside = samples[(samples >= q1 - reach) & (samples <= q3 + reach)]
    outliers = samples[(samples < q1 - reach) | (samples > q3 + reach)]
    # With few samples the farthest within reach may lie inside the box: no whisker then.
    low, high = min(float(inside.min()), q1), max(float(inside.max()), q3)
    return BoxStats(float(q1), float(median), float(q3), low, high, outliers)


def density(samples: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """A Gaussian kernel density of `samples` at `grid`, Scott's bandwidth; a spike of
    even height when the samples are all equal."""
    spread = float(np.std(samples, ddof=1)) if len(samples) > 1 else 0.0
    if spread == 0:
        return np.ones_like(grid)
    bandwidth = spread * len(samples) ** (-1 / 5)
    distance = (grid[:, None] - samples[None, :]) / bandwidth
    return np.exp(-0.5 * distance**2).sum(axis=1)


def draw_boxes(ax: Axes, series: list[Series], where: np.ndarray, horizontal: bool) -> None:
    """Each series' boxes (or violins) at the categories `where`, side by side."""
    slot = BOX_SHARE / len(series)
    width = slot * (1 - BOX_GAP) if len(series) > 1 else slot

    def point(across: float, along: float) -> tuple[float, float]:
        return (along, across) if horizontal else (across, along)

    for i, one in enumerate(series):
        color = mpl_color(one.color)
        fill = (*color[:3], color[3] * FILL_ALPHA)
        shapes: list[list[tuple[float, float]]] = []
        thin: list[list[tuple[float, float]]] = []  # whiskers and caps
        thick: list[list[tuple[float, float]]] = []  # medians, or a violin's box
        dots: list[tuple[float, float]] = []  # outliers, or a violin's medians
        centres = where + (i - (len(series) - 1) / 2) * slot
        for at, samples in zip(centres, one.samples or (), strict=True):
            if not len(samples):
                continue
            stats = box_stats(samples)
            left, right = at - width / 2, at + width / 2
            cap = width * CAP_SHARE / 2
            if one.kind == "violin":
                grid = np.linspace(samples.min(), samples.max(), VIOLIN_POINTS)
                half = density(samples, grid)
                half = half / half.max() * width / 2
                outline = [point(at - h, v) for h, v in zip(half, grid, strict=True)]
                outline += [point(at + h, v) for h, v in zip(half[::-1], grid[::-1], strict=True)]
                shapes.append(outline)
                thin.append([point(at, stats.low), point(at, stats.high)])
                thick.append([point(at, stats.q1), point(at, stats.q3)])
                continue
            corners = ((left, stats.q1), (left, stats.q3), (right, stats.q3), (right, stats.q1))
            shapes.append([point(*corner) for corner in corners])
            thick.append([point(left, stats.median), point(right, stats.median)])
            for end, edge in ((stats.low, stats.q1), (stats.high, stats.q3)):
                thin.append([point(at, edge), point(at, end)])
                thin.append([point(at - cap, end), point(at + cap, end)])
            dots += [point(at, v) for v in stats.outliers]
        violin = one.kind == "violin"
        ax.add_collection(
            PolyCollection(
                shapes,
                facecolors=[fill],
                edgecolors=[color],
                linewidths=(1 if violin else 1.5) * PT_PER_PX,
                zorder=2,
            ),
            autolim=False,
        )
        ax.add_collection(
            LineCollection(thin, colors=[color], linewidths=1.5 * PT_PER_PX, zorder=2.1),
            autolim=False,
        )
        ax.add_collection(
            LineCollection(
                thick,
                colors=[color],
                linewidths=(5 if violin else 2.5) * PT_PER_PX,
                capstyle="butt",
                zorder=2.2,
            ),
            autolim=False,
        )
        if violin:
            medians = [
                point(at, float(np.median(s)))
                for at, s in zip(centres, one.samples or (), strict=True)
                if len(s)
            ]
            _dots(ax, medians, (1.0, 1.0, 1.0, 1.0), 4.0)
        else:
            _dots(ax, dots, color, OUTLIER_DIAMETER)


def _dots(
    ax: Axes, points: list[tuple[float, float]], color: tuple[float, ...], diameter: float
) -> None:
    if not points:
        return
    xs, ys = zip(*points, strict=True)
    ax.scatter(xs, ys, s=(diameter * PT_PER_PX) ** 2, c=[color], linewidths=0, zorder=3)
