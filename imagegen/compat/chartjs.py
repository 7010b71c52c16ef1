"""Chart.js configs (as QuickChart and image-charts take them) in our chart's parameters.

`translate_config` reads a config, already parsed by `jsliteral`, into `ChartParams` as
JSON, with the config path of every value it placed (`datasets.0.color` came from
`chart.data.datasets[0].backgroundColor`), so that a 422 from our validation names what
the user wrote. It never draws.

Every key is one of three kinds: translated; ignored, because it only matters in a
browser (animation, tooltips, events) or only fine-tunes a look we draw our way (fonts,
paddings, bar thickness); or refused with a 422 naming its path, because what it asks
for is not drawn here. Chart.js 2 and 3/4 shapes are both read, whatever the version:
`xAxes`/`yAxes` and `scales.x`/`scales.y`, `options.title` and `options.plugins.title`.
"""

import math
from dataclasses import dataclass
from typing import Any

from imagegen.charts.series import PALETTE
from imagegen.colors import format_color
from imagegen.compat.chartjs_gauges import GAUGE_OPTIONS, GAUGE_TYPES, GaugeTranslator
from imagegen.compat.chartjs_reader import (
    ChartTranslation,
    Reader,
    path_key,
    refuse,
    words,
)

# Chart.js (and QuickChart's own) chart types, in ours.
CHART_TYPES: dict[str, str] = {
    "bar": "bar",
    "horizontalBar": "horizontal_bar",
    "line": "line",
    "pie": "pie",
    "doughnut": "doughnut",
    "donut": "doughnut",
    "scatter": "scatter",
    "sparkline": "sparkline",
    "radar": "radar",
    "polarArea": "polar_area",
    "bubble": "bubble",
    "boxplot": "box_plot",
    "horizontalBoxplot": "horizontal_box_plot",
    "violin": "violin",
    **GAUGE_TYPES,
}
DATASET_TYPES = {"bar": "bar", "line": "line", "scatter": "scatter"}
# How a chart type draws its datasets unless they say otherwise.
_DEFAULT_KIND = {
    "bar": "bar",
    "horizontal_bar": "bar",
    "line": "line",
    "area": "area",
    "scatter": "scatter",
    "sparkline": "line",
    "pie": "slice",
    "doughnut": "slice",
    "polar_area": "slice",
    "radar": "line",
    "bubble": "bubble",
    "box_plot": "box",
    "horizontal_box_plot": "box",
    "violin": "box",
}
BOXES = frozenset({"box_plot", "horizontal_box_plot", "violin"})
WHISKER_IQR = 1.5  # the box plugins' default `coef`, the reach of our whiskers
# Chart.js point styles that ours name otherwise.
_POINT_STYLES = {"rectRounded": "rect", "line": "dash"}
_TIME_KINDS = frozenset({"line", "bar", "horizontal_bar", "scatter", "sparkline"})
ROUND = frozenset({"pie", "doughnut", "polar_area"})  # one dataset, a colour a slice
RADIAL = frozenset({"radar", "polar_area"})  # a radial scale, drawn our way
# What a browser needs and an image does not.
_BROWSER_OPTIONS = words(
    """
    responsive maintainAspectRatio aspectRatio resizeDelay onResize animation animations
    transitions tooltips hover interaction events onClick onHover devicePixelRatio
    locale normalized parsing
    """
)
_LOOK_OPTIONS = frozenset(
    {"layout", "cutoutPercentage", "cutout", "radius", "borderColor", "font", "color"}
)
_BROWSER_PLUGINS = frozenset({"tooltip", "filler", "decimation", "legendCallback"})
_LOOK_FONT = words(
    """
    fontSize fontColor fontStyle fontFamily font color padding align lineHeight fullSize
    fullWidth weight
    """
)
# The box and violin plugins' look, and the statistics they compute as ours do.
_BOX_LOOK = words(
    """
    outlierColor outlierBackgroundColor outlierBorderColor outlierRadius outlierStyle
    outlierBorderWidth itemRadius itemStyle itemBackgroundColor itemBorderColor
    itemBorderWidth medianColor lowerBackgroundColor meanRadius meanStyle
    meanBackgroundColor meanBorderColor meanBorderWidth padding
    """
)
_DATASET_LOOK = words(
    """
    pointBackgroundColor pointBorderColor pointBorderWidth pointHoverRadius
    pointHoverBackgroundColor pointHoverBorderColor pointHoverBorderWidth pointHitRadius
    pointRotation hoverBackgroundColor hoverBorderColor hoverBorderWidth
    hoverOffset hoverRadius borderRadius borderSkipped barPercentage categoryPercentage
    barThickness maxBarThickness minBarLength borderCapStyle borderJoinStyle
    borderDashOffset cubicInterpolationMode spanGaps clip order datalabels offset weight
    spacing borderAlign grouped skipNull parsing normalized xAxisID inflateAmount
    drawActiveElementsOnTop
    """
)
_AXIS_LOOK = words(
    """
    id axis position offset bounds weight grace border barPercentage categoryPercentage
    barThickness maxBarThickness distribution labels afterFit afterBuildTicks
    beforeUpdate afterUpdate afterTickToLabelConversion adapters
    """
)
_TICKS_LOOK = words(
    """
    stepSize maxTicksLimit precision count autoSkip autoSkipPadding maxRotation
    minRotation mirror padding fontSize fontColor fontStyle fontFamily font color major
    sampleSize includeBounds crossAlign align labelOffset z backdropColor
    backdropPadding showLabelBackdrop textStrokeColor textStrokeWidth lineHeight source
    """
)
_GRID_LOOK = words(
    """
    color lineWidth drawBorder drawOnChartArea drawTicks tickMarkLength tickLength
    tickColor tickWidth tickBorderDash zeroLineColor zeroLineWidth zeroLineBorderDash
    zeroLineBorderDashOffset borderDash borderDashOffset borderColor borderWidth
    offsetGridLines offset circular z
    """
)
_DATALABELS_LOOK = words(
    """
    anchor align offset color font backgroundColor borderColor borderRadius borderWidth
    padding rotation clamp clip textAlign textStrokeColor textStrokeWidth textShadowBlur
    textShadowColor opacity listeners
    """
)
_ANNOTATION_LOOK = words(
    """
    id drawTime borderWidth borderDashOffset borderCapStyle borderJoinStyle borderRadius
    shadowBlur shadowColor shadowOffsetX shadowOffsetY z display adjustScaleRange
    xScaleID yScaleID endValue arrowHeads curve controlPoint enter leave click onClick
    onMouseenter onMouseleave
    """
)
_LABEL_LOOK = words(
    """
    position backgroundColor color fontColor fontSize fontStyle fontFamily font xPadding
    yPadding padding xAdjust yAdjust cornerRadius borderRadius rotation textAlign
    drawTime z borderColor borderWidth borderDash
    """
)
# A time axis' `time` options: ours are calendar steps measured to fit, so all are look.
_TIME_LOOK = words(
    "unit minUnit stepSize round displayFormats tooltipFormat isoWeekday parser format"
)
_CURRENCIES = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CNY": "¥"}
_CURRENCY_DIGITS = {"JPY": 0}


@dataclass
class _Axis:
    """One axis' options, as read from either Chart.js shape."""

    path: str
    options: dict[str, Any]
    id: str = ""


def _numbers(values: list[Any]) -> list[float]:
    """The numbers a dataset's values hold: values, a box's samples, bubbles' y."""
    found: list[float] = []
    for value in values:
        if isinstance(value, dict):
            found.append(value["y"])
        elif isinstance(value, list):
            found += [v for v in value if v is not None]
        elif value is not None:
            found.append(value)
    return found


def translate_config(config: object, version: int, root: str = "chart") -> ChartTranslation:
    """`config`, a parsed Chart.js config, as our chart's parameters (JSON), or a 422
    naming the config path of what cannot be drawn."""
    return _Translator(Reader(version), root).translate(config)


class _Translator:
    def __init__(self, reader: Reader, root: str) -> None:
        self.read = reader
        self.root = root
        self.out = ChartTranslation()
        self._read_axes: tuple[list[_Axis], list[_Axis]] | None = None

    def translate(self, config: object) -> ChartTranslation:
        read, root = self.read, self.root
        chart = read.object(config, root)
        read.keys(chart, root, ("type", "data", "options"), ("plugins",))
        if chart.get("plugins"):
            raise refuse(f"{root}.plugins", "inline plugins are code: they are not run")
        options = read.object(chart.get("options"), f"{root}.options")
        chart_type = self._type(chart.get("type", "bar"), options)
        data = read.object(chart.get("data"), f"{root}.data")
        read.keys(data, f"{root}.data", ("labels", "datasets"))
        self.kind = chart_type
        self.out.put("type", chart_type, f"{root}.type")
        if chart_type in GAUGE_TYPES.values():
            self._gauge(data, options)
            return self.out
        self.horizontal = chart_type in ("horizontal_bar", "horizontal_box_plot")
        self.time_axis = self._time_axis(options)
        self.elements = self._elements(options)
        labels = self._labels(data)
        datasets = self._datasets(data, labels)
        self._options(options, datasets)
        return self.out

    def _gauge(self, data: dict[str, Any], options: dict[str, Any]) -> None:
        root = f"{self.root}.options"
        self.read.keys(
            options,
            root,
            ("title", "legend", "plugins", *GAUGE_OPTIONS),
            _BROWSER_OPTIONS | _LOOK_OPTIONS,
        )
        plugins = self.read.object(options.get("plugins"), f"{root}.plugins")
        self.read.keys(
            plugins, f"{root}.plugins", ("title", "legend", "datalabels"), _BROWSER_PLUGINS
        )
        GaugeTranslator(self.read, self.out, self.root, self.kind).translate(data, options)
        self._title(options, plugins)
        # A gauge has no legend; its options are still checked.
        self.read.no_code_inside(options.get("legend"), f"{root}.legend")
        self.read.no_code_inside(plugins.get("legend"), f"{root}.plugins.legend")
        if "datalabels" in plugins:
            if self.kind != "progress_bar":
                raise refuse(f"{root}.plugins.datalabels", "is drawn on progress bars only")
            if not self._datalabels_shown(plugins, default=True):
                self.out.put("center_text", "", f"{root}.plugins.datalabels.display")

    # -- type --------------------------------------------------------------------------

    def _type(self, value: object, options: dict[str, Any]) -> str:
        path = f"{self.root}.type"
        name = self.read.text(value, path)
        if name not in CHART_TYPES:
            raise refuse(path, f"{name!r} charts are not drawn here", sorted(CHART_TYPES))
        ours = CHART_TYPES[name]
        index_axis = options.get("indexAxis")
        if index_axis is not None:
            axis = self.read.text(index_axis, f"{self.root}.options.indexAxis")
            if axis not in ("x", "y"):
                raise refuse(f"{self.root}.options.indexAxis", "must be 'x' or 'y'", ["x", "y"])
            if axis == "y":
                if ours != "bar":
                    raise refuse(
                        f"{self.root}.options.indexAxis", "'y' is drawn for bar charts only", "x"
                    )
                ours = "horizontal_bar"
        return ours

    def _time_axis(self, options: dict[str, Any]) -> _Axis | None:
        """The category axis when it is a time axis (`type: 'time'` or `'timeseries'`,
        or `time` options), read before the data since it says how to read them."""
        if self.kind not in _TIME_KINDS:
            return None
        xs, ys = self._axes(options)
        for axis in xs + ys:
            kind = axis.options.get("type")
            if kind in ("time", "timeseries") or "time" in axis.options:
                if self.horizontal or axis in ys:
                    raise refuse(
                        path_key(axis.path, "type"),
                        "time axes are drawn across, on the x axis of vertical charts",
                        "x",
                    )
                return axis
        return None

    def _elements(self, options: dict[str, Any]) -> dict[str, Any]:
        """Chart-wide dataset defaults from `options.elements.line` (the rest is look)."""
        path = f"{self.root}.options.elements"
        elements = self.read.object(options.get("elements"), path)
        self.read.keys(elements, path, ("line",), ("point", "bar", "arc", "rectangle"))
        line = self.read.object(elements.get("line"), f"{path}.line")
        known = ("tension", "fill", "stepped", "borderWidth", "borderDash", "borderColor")
        self.read.keys(line, f"{path}.line", known, _DATASET_LOOK | {"backgroundColor"})
        return {key: (line[key], f"{path}.line.{key}") for key in known if key in line}

    # -- data --------------------------------------------------------------------------

    def _labels(self, data: dict[str, Any]) -> list[str] | None:
        path = f"{self.root}.data.labels"
        labels = data.get("labels")
        self.raw_labels: list[Any] = labels if isinstance(labels, list) else []
        if labels is None:
            return None
        if not isinstance(labels, list):
            raise refuse(path, "must be a list")
        return [self.read.text(label, path_key(path, i)) for i, label in enumerate(labels)]

    def _datasets(self, data: dict[str, Any], labels: list[str] | None) -> list[dict[str, Any]]:
        path = f"{self.root}.data.datasets"
        datasets = data.get("datasets")
        self.read.no_code(datasets, path)
        if not isinstance(datasets, list) or not datasets:
            raise refuse(path, "give at least one dataset: datasets: [{data: […]}]", 1)
        read = [self._dataset(d, path_key(path, i)) for i, d in enumerate(datasets)]
        if self.kind in ROUND and len(read) > 1:
            raise refuse(path_key(path, 1), f"a {self.kind} chart is drawn from one dataset", 1)
        self._place_points(read, labels, path)
        return read

    def _dataset(self, value: object, path: str) -> dict[str, Any]:
        read = self.read
        dataset = read.object(value, path)
        known = (
            "label",
            "data",
            "type",
            "backgroundColor",
            "borderColor",
            "borderWidth",
            "borderDash",
            "fill",
            "tension",
            "lineTension",
            "stepped",
            "steppedLine",
            "pointRadius",
            "radius",
            "pointStyle",
            "yAxisID",
            "hidden",
            "showLine",
            "coef",
        )
        look = _DATASET_LOOK | (_BOX_LOOK if self.kind in BOXES else frozenset())
        read.keys(dataset, path, known, look)
        if "data" not in dataset:
            raise refuse(f"{path}.data", "is missing: a dataset has data")
        if "coef" in dataset and dataset["coef"] is not None:
            coef = read.finite(dataset["coef"], f"{path}.coef")
            if self.kind not in BOXES or coef != WHISKER_IQR:
                raise refuse(f"{path}.coef", "whiskers reach 1.5 IQR here", WHISKER_IQR)
        kind = _DEFAULT_KIND[self.kind]
        if "type" in dataset:
            name = read.text(dataset["type"], f"{path}.type")
            if name not in DATASET_TYPES:
                raise refuse(
                    f"{path}.type", f"{name!r} datasets are not drawn here", sorted(DATASET_TYPES)
                )
            kind = DATASET_TYPES[name]
        if kind == "line" and self.kind not in ("sparkline", "radar") and self._fill(dataset, path):
            kind = "area"
        shown = read.boolean(dataset.get("showLine", True), f"{path}.showLine")
        if kind == "line" and not shown:
            kind = "scatter"
        return {"value": dataset, "path": path, "kind": kind}

    def _fill(self, dataset: dict[str, Any], path: str) -> bool:
        """Whether a line dataset is filled (an area): Chart.js 2 fills by default."""
        if "fill" in dataset:
            value, where = dataset["fill"], f"{path}.fill"
        elif "fill" in self.elements:
            value, where = self.elements["fill"]
        else:
            return self.read.version == 2 and self.kind in ("line",)
        self.read.no_code(value, where)
        if isinstance(value, bool) or value is None:
            return bool(value)
        if isinstance(value, int | float) or value in ("origin", "start", "end", "stack"):
            return True
        if isinstance(value, str) and value.lstrip("+-").isdigit():
            return True
        if isinstance(value, dict):
            return True
        raise refuse(where, "must be true, false, 'origin', 'start', 'end' or a dataset index")

    def _place_points(
        self, datasets: list[dict[str, Any]], labels: list[str] | None, path: str
    ) -> None:
        """Each dataset's values, on categories (numbers, or `{x: label, y}`) or on a
        numeric x axis (`{x, y}` points on line and scatter charts)."""
        read = self.read
        numeric = False
        for dataset in datasets:
            data_path = f"{dataset['path']}.data"
            values = dataset["value"]["data"]
            read.no_code(values, data_path)
            if not isinstance(values, list):
                raise refuse(data_path, "must be a list of numbers or {x, y} points")
            points = []
            for i, point in enumerate(values):
                point_path = path_key(data_path, i)
                read.no_code(point, point_path)
                if self.kind == "bubble":
                    points.append((None, self._bubble(point, point_path)))
                elif self.kind in BOXES:
                    points.append((None, self._samples(point, point_path)))
                elif isinstance(point, dict):
                    points.append(self._point(point, point_path))
                elif isinstance(point, list):
                    raise refuse(point_path, "floating bars ([low, high]) are not drawn here")
                else:
                    points.append((None, self._value(point, point_path)))
            dataset["points"] = points
            numeric = numeric or any(isinstance(x, float) for x, _ in points)
        if self.kind == "bubble":
            for dataset in datasets:
                dataset["values"] = [y for _, y in dataset["points"]]
            return
        if self.time_axis is not None:
            self._times(datasets, labels)
            return
        if numeric and self.kind not in ("line", "scatter", "sparkline"):
            raise refuse(
                f"{datasets[0]['path']}.data",
                "{x, y} points with numeric x are drawn on line and scatter charts",
            )
        if numeric:
            self._numeric_x(datasets)
        else:
            self._categories(datasets, labels)

    def _bubble(self, point: object, path: str) -> dict[str, float] | None:
        """A bubble, `{x, y, r}` with r its radius in CSS pixels, as ours are."""
        if point is None:
            return None
        bubble = self.read.object(point, path)
        self.read.keys(bubble, path, ("x", "y", "r"))
        for key in ("x", "y", "r"):
            if bubble.get(key) is None:
                raise refuse(path_key(path, key), "is missing: a bubble has x, y and r", "x, y, r")
        return {key: self.read.finite(bubble[key], path_key(path, key)) for key in "xyr"}

    def _samples(self, point: object, path: str) -> list[float | None] | None:
        """One box's (or violin's) samples; the box statistics are computed here."""
        if point is None:
            return None
        if isinstance(point, dict):
            raise refuse(
                path,
                "box statistics ({min, q1, median, …}) are not drawn here: give the samples",
                "a list of samples",
            )
        if not isinstance(point, list):
            raise refuse(path, "must be a list of samples: [1, 2, 3, 5, 8]", "a list of samples")
        return [self._value(sample, path_key(path, i)) for i, sample in enumerate(point)]

    def _times(self, datasets: list[dict[str, Any]], labels: list[str] | None) -> None:
        """Points on a time axis: `{x, y}` (or `{t, y}`) at their times, or values at
        the times `labels` hold; a number is a time in milliseconds, as in JavaScript."""
        assert self.time_axis is not None
        self.out.put("x_type", "time", self.time_axis.path)
        if all(x is None for d in datasets for x, _ in d["points"]):
            if not labels:
                raise refuse(
                    f"{self.root}.data.labels",
                    "give the times: labels, or {x, y} points with x a date",
                    "required",
                )
            where = f"{self.root}.data.labels"
            times = [self._time(t, path_key(where, i)) for i, t in enumerate(self.raw_labels)]
            for dataset in datasets:
                values = [y for _, y in dataset["points"]]
                dataset["values"] = values + [None] * (len(times) - len(values))
            self.out.put("x", times, f"{self.root}.data.labels")
            return
        self._numeric_x(datasets)

    def _time(self, value: object, path: str) -> float | str:
        """A time as our `x` takes it: a date as written (our validation reads ISO 8601
        and names this path for anything else), or JavaScript milliseconds as seconds."""
        self.read.no_code(value, path)
        if isinstance(value, str):
            return value.strip()
        return self.read.finite(value, path) / 1000

    def _point(self, point: dict[str, Any], path: str) -> tuple[float | str | None, float | None]:
        read = self.read
        if "r" in point:
            raise refuse(path_key(path, "r"), "a radius is drawn on bubble charts only")
        if self.time_axis is not None:
            read.keys(point, path, ("x", "y", "t"))
            key = "t" if "t" in point else "x"
            if point.get(key) is None:
                raise refuse(path_key(path, key), "is missing: a point on a time axis has a time")
            y = self._value(point.get("y"), f"{path}.y")
            return self._time(point[key], path_key(path, key)), y
        if "t" in point:
            raise refuse(path_key(path, "t"), "times are drawn on a time axis (type: 'time')")
        read.keys(point, path, ("x", "y"))
        y = self._value(point.get("y"), f"{path}.y")
        x = point.get("x")
        read.no_code(x, f"{path}.x")
        if isinstance(x, bool) or not isinstance(x, int | float | str | None):
            raise refuse(f"{path}.x", "must be a number or a label")
        if self.horizontal:  # {x: value, y: label} on a horizontal bar chart
            x, y = point.get("y"), self._value(point.get("x"), f"{path}.x")
        if isinstance(x, int | float):
            return read.finite(x, f"{path}.x"), y
        return x, y

    def _value(self, value: object, path: str) -> float | None:
        self.read.no_code(value, path)
        if value is None:
            return None
        number = self.read.number(value, path)
        return None if math.isnan(number) else number

    def _categories(self, datasets: list[dict[str, Any]], labels: list[str] | None) -> None:
        names = list(labels or [])
        for dataset in datasets:
            for x, _ in dataset["points"]:
                if isinstance(x, str) and x not in names:
                    names.append(x)
        for dataset in datasets:
            values: list[float | None] = []
            for i, (x, y) in enumerate(dataset["points"]):
                at = names.index(x) if isinstance(x, str) else i
                values += [None] * (at + 1 - len(values))
                values[at] = y
            dataset["values"] = values
        if names:
            self.out.put("labels", names, f"{self.root}.data.labels")

    def _numeric_x(self, datasets: list[dict[str, Any]]) -> None:
        """A shared `x`: the datasets' own when they all have the same, else all of
        them one after another, each dataset's values at its own (gaps elsewhere)."""
        xs = []
        for dataset in datasets:
            row = []
            for i, (x, _) in enumerate(dataset["points"]):
                if not isinstance(x, float) and not (self.time_axis and isinstance(x, str)):
                    at = path_key(f"{dataset['path']}.data", i)
                    raise refuse(f"{at}.x", "must be a number, as the other points' x")
                row.append(x)
            xs.append(row)
        if all(row == xs[0] for row in xs):
            shared = xs[0]
            for dataset in datasets:
                dataset["values"] = [y for _, y in dataset["points"]]
        else:
            shared = [x for row in xs for x in row]
            start = 0
            for dataset, row in zip(datasets, xs, strict=True):
                values: list[float | None] = [None] * len(shared)
                values[start : start + len(row)] = [y for _, y in dataset["points"]]
                dataset["values"] = values
                start += len(row)
        self.out.put("x", shared, f"{self.root}.data.datasets")

    # -- datasets as ours --------------------------------------------------------------

    def _emit_datasets(self, datasets: list[dict[str, Any]], legend_default: bool) -> None:
        read = self.read
        out = []
        kinds = {d["kind"] for d in datasets}
        if self.kind == "line" and kinds == {"area"}:
            self.out.put("type", "area", f"{self.root}.type")
            self.kind = "area"
        hidden = any(
            "hidden" in d["value"] and read.boolean(d["value"]["hidden"], f"{d['path']}.hidden")
            for d in datasets
        )
        for i, dataset in enumerate(datasets):
            value, path = dataset["value"], dataset["path"]
            at = f"datasets.{len(out)}"
            if "hidden" in value and read.boolean(value["hidden"], f"{path}.hidden"):
                continue
            ours: dict[str, Any] = {"data": dataset["values"]}
            self.out.names[f"{at}.data"] = f"{path}.data"
            if value.get("label") is not None:
                ours["label"] = read.text(value["label"], f"{path}.label")
                self.out.names[f"{at}.label"] = f"{path}.label"
            elif legend_default:
                ours["in_legend"] = False
            kind = dataset["kind"]
            if kind != _DEFAULT_KIND[self.kind]:
                ours["type"] = kind
                self.out.names[f"{at}.type"] = f"{path}.type"
            self._colors(value, path, kind, ours, at)
            if hidden and "color" not in ours and self.kind not in ROUND:
                # Colours stay those of the datasets' places, as when all are shown.
                ours["color"] = format_color(PALETTE[i % len(PALETTE)])
            self._line(value, path, kind, ours, at)
            self._points(value, path, kind, ours, at)
            if path in self.right:
                ours["axis"] = "right"
                self.out.names[f"{at}.axis"] = f"{path}.yAxisID"
            out.append(ours)
        if not out:
            raise refuse(f"{self.root}.data.datasets", "every dataset is hidden", 1)
        self.out.put("datasets", out, f"{self.root}.data.datasets")

    def _colors(
        self,
        value: dict[str, Any],
        path: str,
        kind: str,
        ours: dict[str, Any],
        at: str,
    ) -> None:
        read = self.read
        filled = kind in ("bar", "scatter", "slice", "bubble")  # boxes: the border is drawn
        order = ("backgroundColor", "borderColor") if filled else ("borderColor", "backgroundColor")
        for key in order:
            if key not in value or value[key] is None:
                continue
            where = f"{path}.{key}"
            color = value[key]
            read.no_code(color, where)
            if isinstance(color, list):
                colors = [read.color(c, path_key(where, j)) for j, c in enumerate(color)]
                if not colors:
                    continue
                if self.kind in ROUND:
                    self.out.put("colors", colors, where)
                elif filled:
                    ours["colors"] = colors
                    self.out.names[f"{at}.colors"] = where
                    ours.setdefault("color", colors[0])
                else:
                    ours.setdefault("color", colors[0])
            else:
                if self.kind in ROUND:
                    self.out.put("colors", [read.color(color, where)], where)
                else:
                    ours.setdefault("color", read.color(color, where))
            self.out.names.setdefault(f"{at}.color", where)
            break

    def _line(
        self, value: dict[str, Any], path: str, kind: str, ours: dict[str, Any], at: str
    ) -> None:
        """Line width, dashes, tension and steps of a line or area dataset."""
        read = self.read
        if kind not in ("line", "area"):
            return

        def option(*keys: str) -> tuple[Any, str] | None:
            for key in keys:
                if key in value:
                    return value[key], f"{path}.{key}"
            for key in keys:
                if key in self.elements:
                    return self.elements[key]  # type: ignore[no-any-return]
            return None

        if (width := option("borderWidth")) is not None:
            number = read.finite(width[0], width[1])
            ours["line_width"] = min(max(number, 0.5), 20)
        if (dash := option("borderDash")) is not None:
            read.no_code(dash[0], dash[1])
            if not isinstance(dash[0], list):
                raise refuse(dash[1], "must be a list of dash and gap lengths")
            if dash[0]:
                first = read.finite(dash[0][0], path_key(dash[1], 0))
                ours["line_style"] = "dotted" if first <= 2 else "dashed"
        if (tension := option("tension", "lineTension")) is not None:
            number = read.finite(tension[0], tension[1])
            ours["tension"] = min(max(number, 0.0), 1.0)
            self.out.names[f"{at}.tension"] = tension[1]
        if (stepped := option("stepped", "steppedLine")) is not None:
            read.no_code(stepped[0], stepped[1])
            step = stepped[0]
            if step not in (True, False, "before", "after", "middle"):
                raise refuse(stepped[1], "must be true, false, 'before', 'after' or 'middle'")
            ours["stepped"] = step
            if step not in (False, None) and "tension" in ours:
                ours["tension"] = 0.0
            self.out.names[f"{at}.stepped"] = stepped[1]

    def _points(
        self, value: dict[str, Any], path: str, kind: str, ours: dict[str, Any], at: str
    ) -> None:
        """`pointStyle` and `pointRadius` (a radius; ours is a diameter) of datasets
        that draw points; on bars they shape nothing here."""
        if kind not in ("line", "area", "scatter", "bubble"):
            return
        read = self.read
        if value.get("pointStyle") is not None:
            where = f"{path}.pointStyle"
            read.no_code(value["pointStyle"], where)
            if not isinstance(value["pointStyle"], str | bool):
                raise refuse(where, "images as points are not drawn here: give a style name")
            style = value["pointStyle"]
            ours["point_style"] = _POINT_STYLES.get(style, style) if style is not True else "circle"
            self.out.names[f"{at}.point_style"] = where
        for key in ("pointRadius", "radius"):
            if value.get(key) is None or kind == "bubble":
                continue
            where = f"{path}.{key}"
            read.no_code(value[key], where)
            if isinstance(value[key], list):
                raise refuse(where, "one radius for the dataset's points is drawn here", 1)
            radius = read.finite(value[key], where)
            if radius <= 0:
                ours["point_style"] = "none"
                self.out.names[f"{at}.point_style"] = where
            else:
                ours["point_size"] = min(max(2 * radius, 1.0), 40.0)
                self.out.names[f"{at}.point_size"] = where
            break

    # -- options -----------------------------------------------------------------------

    def _options(self, options: dict[str, Any], datasets: list[dict[str, Any]]) -> None:
        read, root = self.read, f"{self.root}.options"
        plugins = read.object(options.get("plugins"), f"{root}.plugins")
        read.keys(
            options,
            root,
            (
                "title",
                "legend",
                "scales",
                "scale",
                "plugins",
                "annotation",
                "indexAxis",
                "elements",
            ),
            _BROWSER_OPTIONS | _LOOK_OPTIONS | {"spanGaps", "showLines"},
        )
        read.keys(
            plugins,
            f"{root}.plugins",
            ("title", "legend", "datalabels", "annotation", "tickFormat", "doughnutlabel"),
            _BROWSER_PLUGINS,
        )
        if "showLines" in options and not read.boolean(options["showLines"], f"{root}.showLines"):
            for dataset in datasets:
                if dataset["kind"] == "line":
                    dataset["kind"] = "scatter"
        self._title(options, plugins)
        labelled = any(d["value"].get("label") is not None for d in datasets)
        legend = self._legend(options, plugins, labelled)
        self.value_axes = self._value_axes(options, datasets)
        self._emit_datasets(datasets, legend_default=legend != "none" and self.kind not in ROUND)
        self._scales(options, datasets)
        self._datalabels(plugins)
        self._tick_format(plugins)
        self._annotations(options, plugins)
        self._center_text(plugins)
        if (
            self.kind == "radar"
            and datasets
            and all("fill" in d["value"] and d["value"]["fill"] is False for d in datasets)
        ):
            self.out.put("fill", False, f"{datasets[0]['path']}.fill")

    def _center_text(self, plugins: dict[str, Any]) -> None:
        """QuickChart's doughnutlabel plugin: its labels' text, on one line, in the hole."""
        path = f"{self.root}.options.plugins.doughnutlabel"
        if "doughnutlabel" not in plugins:
            return
        label = self.read.object(plugins["doughnutlabel"], path)
        self.read.keys(label, path, ("labels",), ("display",))
        if self.kind != "doughnut":
            raise refuse(path, "is drawn in a doughnut's hole only")
        items = label.get("labels", [])
        if not isinstance(items, list):
            raise refuse(f"{path}.labels", "must be a list of {text}")
        texts = []
        for i, item in enumerate(items):
            where = path_key(f"{path}.labels", i)
            entry = self.read.object(item, where)
            self.read.keys(entry, where, ("text",), ("font", "color"))
            texts.append(self.read.text(entry.get("text"), f"{where}.text"))
        if any(texts):
            self.out.put("center_text", " ".join(t for t in texts if t), f"{path}.labels")

    def _pick(
        self, options: dict[str, Any], plugins: dict[str, Any], key: str
    ) -> tuple[dict[str, Any], str] | None:
        """`options.plugins.key` (Chart.js 3+) or `options.key` (2), with its path."""
        root = f"{self.root}.options"
        for where, holder in ((f"{root}.plugins.{key}", plugins), (f"{root}.{key}", options)):
            if key in holder:
                return self.read.object(holder[key], where), where
        return None

    def _title(self, options: dict[str, Any], plugins: dict[str, Any]) -> None:
        found = self._pick(options, plugins, "title")
        if found is None:
            return
        title, path = found
        self.read.keys(title, path, ("display", "text", "position"), _LOOK_FONT)
        shown = self.read.boolean(title.get("display", False), f"{path}.display")
        text = self.read.text(title.get("text"), f"{path}.text")
        if shown and text:
            self.out.put("title", text, f"{path}.text")

    def _legend(self, options: dict[str, Any], plugins: dict[str, Any], labelled: bool) -> str:
        found = self._pick(options, plugins, "legend")
        legend, path = found if found is not None else ({}, f"{self.root}.options.legend")
        self.read.keys(
            legend,
            path,
            ("display", "position"),
            _LOOK_FONT
            | {"labels", "reverse", "onClick", "onHover", "onLeave", "maxHeight"}
            | {"maxWidth", "rtl", "textDirection", "title"},
        )
        shown = self.read.boolean(legend.get("display", True), f"{path}.display")
        position = "top"
        if "position" in legend:
            where = f"{path}.position"
            position = self.read.text(legend["position"], where)
            choices = ("top", "bottom", "left", "right", "chartArea")
            if position not in choices:
                raise refuse(where, "must be top, bottom, left, right or chartArea", choices)
            position = "best" if position == "chartArea" else position
        if self.kind == "sparkline":
            return "none"
        wanted = labelled or (self.kind in ROUND and "labels" in self.out.params)
        result = position if shown and wanted else "none"
        self.out.put("legend", result, f"{path}.display")
        return result

    def _axes(self, options: dict[str, Any]) -> tuple[list[_Axis], list[_Axis]]:
        """The x and y axes' options, from `xAxes`/`yAxes` or from scales by id (read
        once: the time axis, the value axes and the scales all ask)."""
        if self._read_axes is None:
            self._read_axes = self._read_scales(options)
        return self._read_axes

    def _read_scales(self, options: dict[str, Any]) -> tuple[list[_Axis], list[_Axis]]:
        path = f"{self.root}.options.scales"
        scales = self.read.object(options.get("scales"), path)
        xs: list[_Axis] = []
        ys: list[_Axis] = []
        for key, value in scales.items():
            where = f"{path}.{key}"
            if key in ("xAxes", "yAxes"):
                self.read.no_code(value, where)
                if not isinstance(value, list):
                    raise refuse(where, "must be a list of axes")
                for i, axis in enumerate(value):
                    at = path_key(where, i)
                    options = self.read.object(axis, at)
                    default = f"{key[0]}-axis-{i}"  # Chart.js 2's ids
                    axis_id = self.read.text(options.get("id", default), f"{at}.id")
                    (xs if key == "xAxes" else ys).append(_Axis(at, options, axis_id))
                continue
            axis = self.read.object(value, where)
            side = axis.get("position")
            by_side = {"left": "y", "right": "y", "top": "x", "bottom": "x"}.get(str(side))
            letter = axis.get("axis", by_side or key[:1])
            if letter not in ("x", "y") or key == "r":
                raise refuse(where, "only x and y axes are drawn here", ["x", "y"])
            (xs if letter == "x" else ys).append(_Axis(where, axis, key))
        return xs, ys

    def _value_axes(self, options: dict[str, Any], datasets: list[dict[str, Any]]) -> list[_Axis]:
        """The value axes, the one on the left first, then the right one when datasets
        use two (`yAxisID`); the datasets drawn on the right go in `self.right`."""
        self.right: set[str] = set()
        if self.kind in RADIAL | ROUND or self.kind == "sparkline":
            return []
        xs, ys = self._axes(options)
        axes = xs if self.horizontal else ys
        ids = [axis.id for axis in axes]
        default = "y-axis-0" if self.read.version == 2 else "y"
        used: dict[int, list[str]] = {}
        for dataset in datasets:
            where = f"{dataset['path']}.yAxisID"
            wanted = dataset["value"].get("yAxisID")
            if wanted is None:
                used.setdefault(0, []).append(dataset["path"])
                continue
            name = self.read.text(wanted, where)
            if name not in ids and not (name == default and not axes):
                raise refuse(where, f"names no axis of options.scales: {ids}", ids)
            used.setdefault(ids.index(name) if name in ids else 0, []).append(dataset["path"])
        if len(used) <= 1:
            return axes
        where = f"{used[sorted(used)[-1]][0]}.yAxisID"
        if self.horizontal:
            raise refuse(where, "a second value axis is drawn on vertical charts only", 1)
        if len(used) > 2:
            raise refuse(where, "at most two value axes are drawn: left and right", 2)
        first, second = sorted(used)
        position = axes[first].options.get("position", "")
        if self.read.text(position, f"{axes[first].path}.position") == "right":
            first, second = second, first
        self.right = set(used[second])
        rest = [axis for i, axis in enumerate(axes) if i not in (first, second)]
        return [axes[first], axes[second], *rest]

    def _scales(self, options: dict[str, Any], datasets: list[dict[str, Any]]) -> None:
        if "scale" in options and self.kind not in RADIAL:
            raise refuse(f"{self.root}.options.scale", "is for radar and polarArea charts")
        if self.kind in RADIAL:  # the radial scale is drawn our way; code is still refused
            for key in ("scale", "scales"):
                if key in options:
                    self._axis_checked(_Axis(f"{self.root}.options.{key}", options[key]))
            return
        xs, ys = self._axes(options)
        if self.kind in ROUND or self.kind == "sparkline":
            for axis in xs + ys:  # Chart.js draws no axes on these either
                self._axis_checked(axis)
            return
        value_axes = self.value_axes
        category_axes = ys if self.horizontal else xs
        if not value_axes and self.kind in ("line", "area"):
            self.out.put("begin_at_zero", True, f"{self.root}.options.scales")
        numeric_x = "x" in self.out.params or self.kind == "bubble"
        left = [d for d in datasets if d["path"] not in self.right]
        for axis in value_axes[:1]:
            self._axis(axis, value=True, datasets=left)
        if self.right:
            right = [d for d in datasets if d["path"] in self.right]
            self._axis(value_axes[1], value=True, datasets=right, right=True)
        for axis in category_axes[:1]:
            self._axis(axis, value=False, datasets=datasets, numeric=numeric_x)
        for axis in value_axes[1 + bool(self.right) :] + category_axes[1:]:
            self._axis_checked(axis)
        self.out.params.setdefault("x_grid", True)  # Chart.js draws both grids

    def _axis_checked(self, axis: _Axis) -> None:
        """Axis options drawn our way or not at all (a second axis no dataset uses, a
        radial scale): only checked for code."""
        self.read.no_code_inside(axis.options, axis.path)

    def _axis(
        self,
        axis: _Axis,
        value: bool,
        datasets: list[dict[str, Any]],
        numeric: bool = False,
        right: bool = False,
    ) -> None:
        """One axis' options: the category (or x) axis, the value axis, or with `right`
        the second value axis, on the right."""
        read, path, options = self.read, axis.path, axis.options
        read.keys(
            options,
            path,
            (
                "type",
                "display",
                "stacked",
                "min",
                "max",
                "suggestedMin",
                "suggestedMax",
                "beginAtZero",
                "ticks",
                "title",
                "scaleLabel",
                "grid",
                "gridLines",
                "reverse",
                "time",
            ),
            _AXIS_LOOK,
        )
        ticks = read.object(options.get("ticks"), f"{path}.ticks")
        read.keys(
            ticks,
            f"{path}.ticks",
            (
                "display",
                "min",
                "max",
                "suggestedMin",
                "suggestedMax",
                "beginAtZero",
                "callback",
                "reverse",
                "format",
            ),
            _TICKS_LOOK,
        )
        if "callback" in ticks:
            read.no_code(ticks["callback"], f"{path}.ticks.callback")
            raise refuse(f"{path}.ticks.callback", "must be a function, and functions are not run")
        if "format" in ticks:
            raise refuse(f"{path}.ticks.format", "use options.plugins.tickFormat")
        for holder, where in ((options, path), (ticks, f"{path}.ticks")):
            if "reverse" in holder and read.boolean(holder["reverse"], f"{where}.reverse"):
                raise refuse(f"{where}.reverse", "reversed axes are not drawn here", False)
        kind = read.text(options.get("type", ""), f"{path}.type")
        if self.time_axis is not None and axis.path == self.time_axis.path:
            self._time_options(options, path)
            kind = ""
        allowed = ("", "linear", "logarithmic") if value or numeric else ("", "category")
        if right:
            allowed = ("", "linear")
        if kind not in allowed:
            raise refuse(f"{path}.type", f"must be one of {', '.join(allowed[1:])} here", allowed)
        shown = read.boolean(options.get("display", True), f"{path}.display")
        if "display" in ticks and not read.boolean(ticks["display"], f"{path}.ticks.display"):
            shown = False
        grid = self._grid(options, path)
        if "stacked" in options and read.boolean(options["stacked"], f"{path}.stacked"):
            self._stacked(f"{path}.stacked", datasets)
        title = self._axis_title(options, path)
        if right:
            # The right axis is drawn whenever a dataset is on it; one grid, the left's.
            if not shown:
                raise refuse(f"{path}.display", "a value axis in use is drawn", True)
            if title:
                self.out.put("y2_title", title[0], title[1])
            self._range(options, ticks, path, datasets, ("y2_min", "y2_max"))
            return
        axis_name, grid_name, title_name = (
            ("y_axis", "grid", "y_title") if value else ("x_axis", "x_grid", "x_title")
        )
        if not shown:
            self.out.put(axis_name, False, f"{path}.display")
        if grid is False or options.get("display") is False:
            self.out.put(grid_name, False, f"{path}.display")
        if title:
            self.out.put(title_name, title[0], title[1])
        if value:
            if kind == "logarithmic":
                self.out.put("log_scale", True, f"{path}.type")
            self._range(options, ticks, path, datasets, ("y_min", "y_max"))
        else:
            for key in ("min", "max", "suggestedMin", "suggestedMax"):
                for holder, where in ((options, path), (ticks, f"{path}.ticks")):
                    if key in holder:
                        raise refuse(f"{where}.{key}", "this axis' ends are not set here")

    def _time_options(self, options: dict[str, Any], path: str) -> None:
        """A time axis' own options: its ticks are ours (calendar steps measured to
        fit), so units and display formats are look; a parser function is code."""
        time = self.read.object(options.get("time"), f"{path}.time")
        self.read.keys(time, f"{path}.time", (), _TIME_LOOK)
        self.read.no_code_inside(time, f"{path}.time")

    def _grid(self, options: dict[str, Any], path: str) -> bool | None:
        for key in ("grid", "gridLines"):
            if key in options:
                grid = self.read.object(options[key], f"{path}.{key}")
                self.read.keys(grid, f"{path}.{key}", ("display",), _GRID_LOOK)
                if "display" in grid:
                    return self.read.boolean(grid["display"], f"{path}.{key}.display")
        return None

    def _axis_title(self, options: dict[str, Any], path: str) -> tuple[str, str] | None:
        for key, text_key in (("title", "text"), ("scaleLabel", "labelString")):
            if key not in options:
                continue
            where = f"{path}.{key}"
            title = self.read.object(options[key], where)
            self.read.keys(title, where, ("display", text_key), _LOOK_FONT)
            if self.read.boolean(title.get("display", False), f"{where}.display"):
                text = self.read.text(title.get(text_key), f"{where}.{text_key}")
                if text:
                    return text, f"{where}.{text_key}"
        return None

    def _stacked(self, path: str, datasets: list[dict[str, Any]]) -> None:
        if self.kind in ("line", "area") and any(d["kind"] != "area" for d in datasets):
            raise refuse(path, "stacked lines are drawn only as filled areas (fill: true)")
        self.out.put("stacked", True, path)

    def _range(
        self,
        options: dict[str, Any],
        ticks: dict[str, Any],
        path: str,
        datasets: list[dict[str, Any]],
        names: tuple[str, str],
    ) -> None:
        """The value axis' ends (`names`: ours for its low and high end)."""
        read = self.read
        values = [v for d in datasets for v in _numbers(d["values"]) if math.isfinite(v)]
        low, high = names
        for holder, where in ((options, path), (ticks, f"{path}.ticks")):
            if "beginAtZero" in holder and read.boolean(
                holder["beginAtZero"], f"{where}.beginAtZero"
            ):
                if low == "y_min":
                    self.out.put("begin_at_zero", True, f"{where}.beginAtZero")
                elif low not in self.out.params and values and min(values) >= 0:
                    self.out.put(low, 0.0, f"{where}.beginAtZero")
            for key, ours in (("min", low), ("max", high)):
                if key in holder and holder[key] is not None:
                    self.out.put(ours, read.finite(holder[key], f"{where}.{key}"), f"{where}.{key}")
            for key, ours, beyond in (
                ("suggestedMin", low, lambda s: not values or s <= min(values)),
                ("suggestedMax", high, lambda s: not values or s >= max(values)),
            ):
                if key in holder and holder[key] is not None and ours not in self.out.params:
                    suggested = read.finite(holder[key], f"{where}.{key}")
                    if beyond(suggested):
                        self.out.put(ours, suggested, f"{where}.{key}")

    def _datalabels(self, plugins: dict[str, Any]) -> None:
        if self._datalabels_shown(plugins, default=self.kind in ("pie", "doughnut")):
            path = f"{self.root}.options.plugins.datalabels.display"
            self.out.put("value_labels", "values", path)

    def _datalabels_shown(self, plugins: dict[str, Any], default: bool) -> bool:
        """Whether the datalabels plugin writes the values (`default` unless it says)."""
        path = f"{self.root}.options.plugins.datalabels"
        labels = self.read.object(plugins.get("datalabels"), path)
        self.read.keys(labels, path, ("display", "formatter", "labels"), _DATALABELS_LOOK)
        for key in ("formatter", "labels"):
            if key in labels:
                self.read.no_code(labels[key], f"{path}.{key}")
                raise refuse(f"{path}.{key}", "is not drawn here; value labels are the values")
        if "display" not in labels:
            return default
        display = labels["display"]
        self.read.no_code(display, f"{path}.display")
        return display == "auto" or self.read.boolean(display, f"{path}.display")

    def _tick_format(self, plugins: dict[str, Any]) -> None:
        """QuickChart's `tickFormat` plugin (Intl.NumberFormat options) as a number format."""
        path = f"{self.root}.options.plugins.tickFormat"
        if "tickFormat" not in plugins:
            return
        read = self.read
        fmt = read.object(plugins["tickFormat"], path)
        read.keys(
            fmt,
            path,
            (
                "prefix",
                "suffix",
                "style",
                "currency",
                "minimumFractionDigits",
                "maximumFractionDigits",
                "useGrouping",
                "notation",
            ),
            ("locale", "applyToDataLabels", "currencyDisplay"),
        )
        prefix = read.text(fmt.get("prefix", ""), f"{path}.prefix")
        suffix = read.text(fmt.get("suffix", ""), f"{path}.suffix")
        style = read.text(fmt.get("style", "decimal"), f"{path}.style")
        if style not in ("decimal", "percent", "currency"):
            raise refuse(f"{path}.style", "must be decimal, percent or currency", style)
        if read.text(fmt.get("notation", "standard"), f"{path}.notation") == "compact":
            if prefix or suffix or style != "decimal":
                raise refuse(f"{path}.notation", "compact notation takes no prefix or style")
            self.out.put("number_format", "compact", f"{path}.notation")
            return
        digits: int | None = None
        for key in ("minimumFractionDigits", "maximumFractionDigits"):
            if key in fmt:
                number = read.finite(fmt[key], f"{path}.{key}")
                if not 0 <= number <= 20:
                    raise refuse(f"{path}.{key}", "must be between 0 and 20", 20)
                digits = int(number) if digits is None else max(digits, int(number))
        grouping = "," if read.boolean(fmt.get("useGrouping", True), f"{path}.useGrouping") else ""
        if style == "currency":
            code = read.text(fmt.get("currency", "USD"), f"{path}.currency").upper()
            prefix = prefix + _CURRENCIES.get(code, code + " ")
            digits = _CURRENCY_DIGITS.get(code, 2) if digits is None else digits
        if style == "percent":
            spec = f"{grouping}.{digits or 0}%"
        elif digits is None:
            spec = f"{grouping}.10g"
        else:
            spec = f"{grouping}.{digits}f"

        def literal(text: str) -> str:
            return text.replace("{", "{{").replace("}", "}}")

        written = f"{literal(prefix)}{{:{spec}}}{literal(suffix)}" if prefix or suffix else spec
        self.out.put("number_format", written, path)

    def _annotations(self, options: dict[str, Any], plugins: dict[str, Any]) -> None:
        found = self._pick(options, plugins, "annotation")
        if found is None:
            return
        holder, path = found
        self.read.keys(
            holder, path, ("annotations",), ("drawTime", "events", "clip", "interaction", "common")
        )
        items = holder.get("annotations", [])
        self.read.no_code(items, f"{path}.annotations")
        if isinstance(items, dict):
            entries = [(path_key(f"{path}.annotations", k), v) for k, v in items.items()]
        elif isinstance(items, list):
            entries = [(path_key(f"{path}.annotations", i), v) for i, v in enumerate(items)]
        else:
            raise refuse(f"{path}.annotations", "must be a list or an object of annotations")
        if self.kind in ROUND or self.kind == "sparkline":
            if entries:
                raise refuse(f"{path}.annotations", f"a {self.kind} chart has no axes for them")
            return
        notes = [self._annotation(item, where) for where, item in entries]
        if notes:
            self.out.put("annotations", notes, f"{path}.annotations")
            for i, (where, _) in enumerate(entries):
                self.out.names[f"annotations.{i}"] = where

    def _annotation(self, value: object, path: str) -> dict[str, Any]:
        read = self.read
        note = read.object(value, path)
        read.keys(
            note,
            path,
            (
                "type",
                "mode",
                "scaleID",
                "value",
                "xMin",
                "xMax",
                "yMin",
                "yMax",
                "borderColor",
                "backgroundColor",
                "borderDash",
                "label",
            ),
            _ANNOTATION_LOOK,
        )
        kind = read.text(note.get("type", "line"), f"{path}.type")
        if kind not in ("line", "box"):
            raise refuse(
                f"{path}.type", f"{kind!r} annotations are not drawn here", ["line", "box"]
            )

        def bound(key: str) -> float | str | None:
            if note.get(key) is None:
                return None
            read.no_code(note[key], f"{path}.{key}")
            if isinstance(note[key], str):
                return note[key]
            return read.finite(note[key], f"{path}.{key}")

        ours: dict[str, Any] = {}
        if kind == "line" and "value" in note:
            scale = read.text(note.get("scaleID", ""), f"{path}.scaleID")
            mode = read.text(note.get("mode", ""), f"{path}.mode")
            letter = (
                scale[:1] if scale[:1] in ("x", "y") else ("y" if mode == "horizontal" else "x")
            )
            ours[self._axis_of(letter)] = bound("value")
        else:
            xs = [bound("xMin"), bound("xMax")]
            ys = [bound("yMin"), bound("yMax")]
            axes = [
                (letter, ends) for letter, ends in (("x", xs), ("y", ys)) if ends != [None, None]
            ]
            if len(axes) != 1 or None in axes[0][1]:
                raise refuse(
                    path,
                    "give the two ends on one axis (xMin and xMax, or yMin and yMax)",
                    "one axis",
                )
            letter, ends = axes[0]
            ours[self._axis_of(letter)] = ends[0] if kind == "line" and ends[0] == ends[1] else ends
            if kind == "line" and ends[0] != ends[1]:
                raise refuse(path, "slanted lines are not drawn here: give equal ends")
        color_key = "backgroundColor" if kind == "box" else "borderColor"
        if note.get(color_key) is not None:
            ours["color"] = read.color(note[color_key], f"{path}.{color_key}")
        if kind == "line":
            dash = note.get("borderDash")
            read.no_code(dash, f"{path}.borderDash")
            ours["line_style"] = "dashed" if dash else "solid"
        if "label" in note:
            text = self._annotation_label(note["label"], f"{path}.label")
            if text:
                ours["label"] = text
        return ours

    def _axis_of(self, letter: str) -> str:
        """Our annotation axis for a Chart.js axis letter: `y` is the value axis."""
        value_letter = "x" if self.horizontal else "y"
        return "y" if letter == value_letter else "x"

    def _annotation_label(self, value: object, path: str) -> str:
        label = self.read.object(value, path)
        self.read.keys(label, path, ("enabled", "display", "content"), _LABEL_LOOK)
        shown = any(
            self.read.boolean(label[key], f"{path}.{key}")
            for key in ("enabled", "display")
            if key in label
        )
        return self.read.text(label.get("content"), f"{path}.content") if shown else ""
