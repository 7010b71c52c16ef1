"""What a chart draws, resolved from its parameters: series of equal length with gaps as
NaN, their names, colours and kinds, and the category labels.

The rules for lists of different lengths live here. A chart has as many points as `x`
when given, else as the longer of `labels` and the longest series; shorter series end
in gaps, extra `labels` are empty categories, missing ones are blank. Series without a
name are `Series N`; without a colour they take `colors` in order, then the palette.
"""

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from imagegen.charts.model import (
    BOX_TYPES,
    AxisSide,
    Bubble,
    ChartParams,
    Dataset,
    LineStyle,
    PointStyle,
    Stepped,
    axis_sides,
    stacking,
)
from imagegen.charts.style import is_dark
from imagegen.colors import RGBA, parse_color

Kind = Literal["line", "bar", "area", "scatter", "bubble", "box", "violin"]

# Tableau 10 (distinct in hue and lightness, and readable by most colour-blind people),
# then ten more of Tableau 20's, none close to one before it: 20 series, 20 colours.
PALETTE: tuple[RGBA, ...] = tuple(
    parse_color(hex_color)
    for hex_color in (
        "4e79a7",
        "f28e2b",
        "e15759",
        "76b7b2",
        "59a14f",
        "edc948",
        "b07aa1",
        "ff9da7",
        "9c755f",
        "bab0ac",
        "a0cbe8",
        "ffbe7d",
        "d37295",
        "86bcb6",
        "8cd17d",
        "b6992d",
        "d4a6c8",
        "499894",
        "d7b5a6",
        "79706e",
    )
)
_LIGHTEN = 0.3  # on dark backgrounds, the palette is mixed this much with white


def _lighter(color: RGBA) -> RGBA:
    r, g, b, a = color
    return (*(round(c + (255 - c) * _LIGHTEN) for c in (r, g, b)), a)  # type: ignore[return-value]


DARK_PALETTE: tuple[RGBA, ...] = tuple(_lighter(color) for color in PALETTE)
_KIND_OF_TYPE: dict[str, Kind] = {
    "line": "line",
    "sparkline": "line",
    "area": "area",
    "scatter": "scatter",
    "bubble": "bubble",
    "box_plot": "box",
    "horizontal_box_plot": "box",
    "violin": "violin",
}


@dataclass(frozen=True)
class Series:
    """One series as drawn."""

    name: str
    values: np.ndarray  # float64, one per point; NaN where there is no value
    color: RGBA
    kind: Kind
    line_style: LineStyle
    line_width: float  # CSS pixels
    point_colors: tuple[RGBA, ...] | None = None  # one per point, when each has its own
    stepped: Stepped = "none"
    tension: float = 0.0
    in_legend: bool = True
    raw: np.ndarray | None = None  # the values given, when `values` are shares of 100
    # Cartesian kinds (issue 11)
    axis: AxisSide = "left"
    base: float | None = None  # where its bars start on the left axis' scale, if not 0
    point_style: PointStyle | None = None  # None: circles, where points are drawn
    point_size: float | None = None  # diameter in CSS pixels; None: from the line width
    x: np.ndarray | None = None  # a bubble series' own x positions
    radius: np.ndarray | None = None  # a bubble's radius in CSS pixels, per point
    samples: tuple[np.ndarray, ...] | None = None  # a box's finite samples, per category


@dataclass(frozen=True)
class ChartData:
    """Everything a chart draws, with lengths reconciled."""

    labels: list[str]  # one per point; "" where there is none
    x: np.ndarray | None  # numeric positions, if `x` was given
    series: list[Series]
    slice_colors: list[RGBA]  # one per point, for pie and doughnut slices
    time: bool = False  # `x` holds Unix seconds, for a time axis


def color_at(colors: list[RGBA], index: int, palette: tuple[RGBA, ...] = PALETTE) -> RGBA:
    """The `index`th of `colors`, or past its end the palette's colour for that index."""
    return colors[index] if index < len(colors) else palette[index % len(palette)]


def datasets_of(params: ChartParams) -> list[Dataset]:
    """The chart's series as datasets: `datasets`, or `data` with the default look."""
    if params.datasets is not None:
        return params.datasets
    return [Dataset.model_construct(data=values) for values in params.data or []]


def point_count(params: ChartParams) -> int:
    """How many points the chart has: the length of `x` when given, else the longer of
    `labels` and the longest series."""
    if params.x is not None:
        return len(params.x)
    return max([len(params.labels or []), *(len(d.data) for d in datasets_of(params))])


def values_array(values: list[object], count: int) -> np.ndarray:
    """`values` as `count` floats: cut or padded, with None, NaN and ±inf as NaN; a
    bubble's y, and a box's median."""
    array = np.full(count, np.nan)
    kept = [_value(v) for v in values[:count]]
    array[: len(kept)] = kept
    array[~np.isfinite(array)] = np.nan
    return array


def _value(entry: object) -> float:
    if isinstance(entry, Bubble):
        return entry.y
    if isinstance(entry, list):
        finite = [v for v in entry if v is not None and np.isfinite(v)]
        return float(np.median(finite)) if finite else np.nan
    return np.nan if entry is None else float(entry)  # type: ignore[arg-type]


def _shape(dataset: Dataset, count: int, params: ChartParams) -> dict[str, object]:
    """A bubble series' positions and radii, or a box series' samples: finite ones,
    and on a log scale those above 0 (others are not drawn there)."""
    entries = dataset.data[:count]
    chart_type = params.type
    if chart_type == "bubble":
        bubbles = [e if isinstance(e, Bubble) else None for e in entries]
        bubbles += [None] * (count - len(bubbles))
        return {
            "x": np.array([np.nan if b is None else b.x for b in bubbles]),
            "radius": np.array([0.0 if b is None else b.r for b in bubbles]),
        }
    if chart_type in BOX_TYPES:
        samples = [
            np.array(
                [
                    v
                    for v in e
                    if v is not None and np.isfinite(v) and (v > 0 or not params.log_scale)
                ],
                dtype=float,
            )
            if isinstance(e, list)
            else np.zeros(0)
            for e in entries
        ]
        return {"samples": tuple(samples + [np.zeros(0)] * (count - len(samples)))}
    return {}


def _point_colors(
    params: ChartParams, dataset: Dataset, color: RGBA, count: int
) -> tuple[RGBA, ...] | None:
    """One colour per point: the dataset's `colors`, or the chart's when it has one series
    and more than one colour; points past the list take the series' colour."""
    datasets = datasets_of(params)
    colors = dataset.colors
    if colors is None and len(datasets) == 1 and len(params.colors or []) > 1:
        colors = params.colors
    if not colors:
        return None
    return tuple(colors[i] if i < len(colors) else color for i in range(count))


def _shares(series: list[Series]) -> list[Series]:
    """Each value as its share (in %) of its category's total size, sign kept."""
    if not series:
        return series
    total = np.nansum(np.abs(np.array([s.values for s in series])), axis=0)
    scale = np.divide(100.0, total, out=np.zeros_like(total), where=total > 0)
    return [replace(s, values=s.values * scale, raw=s.values) for s in series]


def resolve(params: ChartParams) -> ChartData:
    """The chart's data, names and colours, by the rules in this module's docstring."""
    count = point_count(params)
    names = params.series or []
    colors = params.colors or []
    palette = DARK_PALETTE if is_dark(params.background) else PALETTE
    default_kind = _KIND_OF_TYPE.get(params.type, "bar")
    series = []
    sides = axis_sides(params)
    for i, dataset in enumerate(datasets_of(params)):
        color = dataset.color or color_at(colors, i, palette)
        series.append(
            Series(
                name=dataset.label or (names[i] if i < len(names) else f"Series {i + 1}"),
                values=values_array(dataset.data, count),
                color=color,
                kind=dataset.type or default_kind,
                line_style=dataset.line_style,
                line_width=dataset.line_width,
                point_colors=_point_colors(params, dataset, color, count),
                stepped=dataset.stepped or params.stepped,
                tension=params.tension if dataset.tension is None else dataset.tension,
                in_legend=dataset.in_legend,
                axis=sides[i],
                point_style=dataset.point_style or params.point_style,
                point_size=dataset.point_size or params.point_size,
                **_shape(dataset, count, params),  # type: ignore[arg-type]
            )
        )
    if stacking(params) == "percent":
        series = _shares(series)
    labels = (params.labels or [])[:count]
    return ChartData(
        labels=labels + [""] * (count - len(labels)),
        x=None if params.x is None else np.array(params.x, dtype=float),
        series=series,
        slice_colors=[color_at(colors, i, palette) for i in range(count)],
        time=params.x_type == "time",
    )
