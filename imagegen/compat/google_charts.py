"""Google Image Charts URLs (also served by QuickChart and image-charts):
`/chart?cht=bvg&chs=500x300&chd=t:10,20,30&…`, and `cht=qr` for QR codes.

Google scales data into the plot: `t:` values from 0 to 100 (or `chds`'s range), `s:`
from 0 to 61, `e:` from 0 to 4095 fill the plot's height, and `chxr` only writes the
axis. Here the values are mapped into the axis' range (`chxr`'s, else the data's), and
the value axis is fixed to it, so that the bars stand as high as on Google's image.
"""

import math
import re
from typing import Any, ClassVar

from imagegen.compat import CompatRequest, Grammar, Translation
from imagegen.error_images import Canvas
from imagegen.errors import ApiError, invalid_parameter

_CHART_TYPES = {
    "bvg": "bar",
    "bhg": "horizontal_bar",
    "bvs": "stacked_bar",
    "bhs": "horizontal_stacked_bar",
    "lc": "line",
    "ls": "sparkline",
    "lxy": "line",
    "p": "pie",
    "p3": "pie",
    "pd": "doughnut",
}
_SIMPLE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_EXTENDED = _SIMPLE + "-."
_LEGEND = {"r": "right", "l": "left", "t": "top", "b": "bottom"}
_FORMATS = {"png": "png", "gif": "gif", "svg": "svg", "webp": "webp", "jpg": "jpeg", "jpeg": "jpeg"}
_QR_LEVELS = ("L", "M", "Q", "H")
# Parameters read, and those that only tune a look we draw our way.
_READ = frozenset(
    {"cht", "chs", "chd", "chds", "chco", "chdl", "chdlp", "chtt", "chl", "chxt", "chxl"}
    | {"chxr", "chg", "chf", "chm", "chls", "chld", "chof"}
)
_IGNORED = frozenset({"chts", "chma", "chbh", "chdls", "chxs", "chxtc", "icac", "ichm"})
_IGNORED |= {"icretina"}


def _refuse(name: str, message: str, limit: object = None) -> ApiError:
    return invalid_parameter(name, message, limit)


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _refuse(name, f"{text[:20]!r} is not a number") from None
    if not math.isfinite(value):
        raise _refuse(name, "must be a finite number")
    return value


def _size(query: dict[str, str]) -> tuple[int, int]:
    text = query.get("chs", "500x300")
    match = re.fullmatch(r"\s*(\d{1,6})\s*x\s*(\d{1,6})\s*", text)
    if match is None:
        raise _refuse("chs", "must be WIDTHxHEIGHT in pixels, such as 500x300", "500x300")
    return int(match.group(1)), int(match.group(2))


def _series(query: dict[str, str]) -> tuple[list[list[float | None]], tuple[float, float] | None]:
    """`chd`'s series, and the range that fills the plot (None: fitted to the data)."""
    chd = query.get("chd")
    if not chd:
        raise _refuse("chd", "give the data, such as t:10,20,30")
    encoding, colon, body = chd.partition(":")
    if not colon or encoding not in ("t", "a", "s", "e"):
        raise _refuse("chd", "must start with t:, a:, s: or e:", ["t:", "a:", "s:", "e:"])
    if encoding in ("t", "a"):
        series = [
            [None if v.strip() in ("_", "") else _number(v, "chd") for v in part.split(",")]
            for part in body.split("|")
        ]
        return series, None if encoding == "a" else (0.0, 100.0)
    alphabet, width = (_SIMPLE, 1) if encoding == "s" else (_EXTENDED, 2)
    found = []
    for part in body.split(","):
        if len(part) % width:
            raise _refuse("chd", "extended encoding takes two characters a value")
        values: list[float | None] = []
        for i in range(0, len(part), width):
            word = part[i : i + width]
            if set(word) == {"_"}:
                values.append(None)
                continue
            if any(ch not in alphabet for ch in word):
                raise _refuse("chd", f"{word!r} is not in {encoding}: encoding's alphabet")
            value = 0
            for ch in word:
                value = value * len(alphabet) + alphabet.index(ch)
            values.append(float(value))
        found.append(values)
    return found, (0.0, float(len(alphabet) ** width - 1))


def _scaled(
    series: list[list[float | None]], data_range: tuple[float, float] | None, chds: str | None
) -> tuple[list[list[float | None]], list[tuple[float, float]] | None]:
    """The values, and each series' range that fills the plot (None: fitted)."""
    if chds is None:
        return series, None if data_range is None else [data_range] * len(series)
    if chds.strip() == "a":
        return series, None
    numbers = [_number(v, "chds") for v in chds.split(",")]
    if len(numbers) % 2 or not numbers:
        raise _refuse("chds", "give min,max pairs, one per series (or a for automatic)")
    ranges = [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)]
    if any(low >= high for low, high in ranges):
        raise _refuse("chds", "each range's max must be greater than its min")
    ranges += [ranges[-1]] * (len(series) - len(ranges))
    return series, ranges


def _axes(query: dict[str, str]) -> list[str]:
    chxt = query.get("chxt", "")
    axes = [a.strip() for a in chxt.split(",")] if chxt.strip() else []
    for axis in axes:
        if axis not in ("x", "y"):
            raise _refuse("chxt", f"axis {axis!r} is not drawn here: x and y are", ["x", "y"])
    return axes


def _indexed(text: str, name: str, axes: list[str]) -> dict[str, list[str]]:
    """`chxl`/`chxr` entries by axis letter: `0:|a|b|1:|c` or `0,0,100|1,…`."""
    found: dict[str, list[str]] = {}
    if name == "chxl":
        parts = re.split(r"(?:^|\|)(\d+):", text)
        entries = [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
        items = [
            (index, [v for v in body.split("|")][1:] if body.startswith("|") else [])
            for index, body in entries
        ]
    else:
        items = []
        for entry in text.split("|"):
            index, _, rest = entry.partition(",")
            items.append((index, rest.split(",")))
    for index, values in items:
        if not index.strip().isdigit() or int(index) >= len(axes):
            raise _refuse(name, f"axis {index.strip()!r} is not one of chxt's", len(axes))
        found[axes[int(index)]] = values
    return found


class GoogleImageCharts(Grammar):
    path = "/chart"
    generator = "chart"
    service = "Google Image Charts"
    summary = "A chart or QR code, by a Google Image Charts URL"
    description = "Google Image Charts' `/chart?cht=…`: taken when the query has `cht`."
    claims_query = ("cht",)
    parameters: ClassVar[tuple[dict[str, Any], ...]] = ()

    def canvas(self, request: CompatRequest) -> Canvas:
        query = dict(request.query)
        try:
            width, height = _size(query)
        except ApiError:
            width, height = _size({})
        fmt = _FORMATS.get(query.get("chof", "png").lower())
        if query.get("cht", "").strip() == "qr":  # a square, as `_qr` draws it
            return Canvas(min(width, height), min(width, height), format=fmt)
        return Canvas(width, height, 2.0 if query.get("icretina") == "1" else 1.0, fmt)

    def translate(self, request: CompatRequest) -> Translation:
        query = dict(request.query)
        for name in query:
            if name not in _READ and name not in _IGNORED:
                raise _refuse(name, "is not a Google Image Charts parameter read here")
        cht = query.get("cht", "").strip()
        fmt = query.get("chof", "png").lower()
        if fmt not in _FORMATS:
            raise _refuse("chof", "must be one of " + ", ".join(_FORMATS), list(_FORMATS))
        scale = "2" if query.get("icretina") == "1" else None
        if cht == "qr":
            return self._qr(query, _FORMATS[fmt])
        if cht not in _CHART_TYPES:
            raise _refuse("cht", f"{cht!r} charts are not drawn here", [*_CHART_TYPES, "qr"])
        return _ChartReader(query, cht).translation(_FORMATS[fmt], scale)

    def _qr(self, query: dict[str, str], fmt: str) -> Translation:
        width, height = _size(query)
        level, _, margin = query.get("chld", "L|4").partition("|")
        if level.strip().upper() not in _QR_LEVELS:
            raise _refuse("chld", "the level must be L, M, Q or H", list(_QR_LEVELS))
        params = {"data": query.get("chl", ""), "size": str(min(width, height))}
        params |= {"ecc": level.strip().upper(), "border": margin.strip() or "4"}
        names = {"data": "chl", "size": "chs", "ecc": "chld", "border": "chld"}
        return Translation("qr", params, output={"format": fmt}, names=names)


class _ChartReader:
    """One Google chart URL in our chart's parameters (JSON)."""

    def __init__(self, query: dict[str, str], cht: str) -> None:
        self.query = query
        self.cht = cht
        self.kind = _CHART_TYPES[cht]
        self.params: dict[str, Any] = {"type": self.kind}
        self.names: dict[str, str] = {"type": "cht"}

    def put(self, name: str, value: Any, theirs: str) -> None:
        self.params[name] = value
        self.names[name] = theirs

    def translation(self, fmt: str, scale: str | None) -> Translation:
        query = self.query
        width, height = _size(query)
        self.put("width", width, "chs")
        self.put("height", height, "chs")
        if scale is not None:
            self.put("scale", float(scale), "icretina")
        series, data_range = _series(query)
        series, ranges = _scaled(series, data_range, query.get("chds"))
        round_chart = self.kind in ("pie", "doughnut")
        horizontal = self.kind.startswith("horizontal")
        axes = _axes(query)
        value_letter, category_letter = ("x", "y") if horizontal else ("y", "x")
        labels = _indexed(query.get("chxl", ""), "chxl", axes) if "chxl" in query else {}
        axis_ranges = _indexed(query.get("chxr", ""), "chxr", axes) if "chxr" in query else {}
        if value_letter in labels:
            raise _refuse("chxl", "labels on the value axis are not drawn here; use chxr")
        if category_letter in axis_ranges:
            raise _refuse("chxr", "a range on the category axis is not drawn here")
        target = None
        if value_letter in axis_ranges:
            ends = axis_ranges[value_letter]
            if len(ends) < 2:
                raise _refuse("chxr", "give index,start,end")
            target = (_number(ends[0], "chxr"), _number(ends[1], "chxr"))
            if target[0] >= target[1]:
                raise _refuse("chxr", "the end must be greater than the start")
        if self.cht == "lxy":
            series = self._xy(series)
        if ranges is not None and not round_chart:
            series = self._fit(series, ranges, target)
        elif target is not None and not round_chart:
            self.put("y_min", target[0], "chxr")
            self.put("y_max", target[1], "chxr")
        datasets: list[dict[str, Any]] = [{"data": s} for s in series]
        self._colors(datasets, round_chart)
        self._line_styles(datasets)
        self._legend(datasets, round_chart)
        if category_letter in labels:
            self.put("labels", labels[category_letter], "chxl")
        if "chl" in query:
            if not round_chart:
                raise _refuse("chl", "labels on points are drawn on pie charts only")
            self.put("labels", query["chl"].split("|"), "chl")
        if "chtt" in query:
            self.put("title", query["chtt"].replace("|", " "), "chtt")
        if not round_chart and self.kind != "sparkline":
            self.put("x_axis", category_letter in axes, "chxt")
            self.put("y_axis", value_letter in axes, "chxt")
            self._grid()
        self._fills(datasets)
        self._markers(datasets)
        self.put("datasets", datasets, "chd")
        for i in range(len(datasets)):
            self.names[f"datasets.{i}.data"] = "chd"
            self.names[f"datasets.{i}.color"] = "chco"
            self.names[f"datasets.{i}.colors"] = "chco"
            self.names[f"datasets.{i}.label"] = "chdl"
        return Translation(
            "chart", self.params, output={"format": fmt}, names=self.names, json=True
        )

    def _xy(self, series: list[list[float | None]]) -> list[list[float | None]]:
        if len(series) % 2:
            raise _refuse("chd", "lxy takes series in pairs: x values, then y values")
        xs = series[0::2]
        if any(x != xs[0] for x in xs) or any(v is None for v in xs[0]):
            raise _refuse("chd", "lxy charts here share one list of x values")
        self.put("x", xs[0], "chd")
        return series[1::2]

    def _fit(
        self,
        series: list[list[float | None]],
        ranges: list[tuple[float, float]],
        target: tuple[float, float] | None,
    ) -> list[list[float | None]]:
        """Values mapped from their series' range into the axis' (below the range: a
        gap; above: the top, as Google draws them)."""
        axis = target or ranges[0]
        fitted = []
        for values, (low, high) in zip(series, ranges, strict=False):
            row: list[float | None] = []
            for value in values:
                if value is None or value < low:
                    row.append(None)
                    continue
                share = (min(value, high) - low) / (high - low)
                row.append(axis[0] + share * (axis[1] - axis[0]))
            fitted.append(row)
        self.put("y_min", axis[0], "chxr" if target else "chds")
        self.put("y_max", axis[1], "chxr" if target else "chds")
        return fitted

    def _colors(self, datasets: list[dict[str, Any]], round_chart: bool) -> None:
        chco = self.query.get("chco")
        if not chco:
            return
        groups = [[f"#{c.strip()}" for c in group.split("|")] for group in chco.split(",")]
        if round_chart:
            self.put("colors", [c for group in groups for c in group], "chco")
            return
        for dataset, group in zip(datasets, groups, strict=False):
            dataset["color"] = group[0]
            if len(group) > 1:
                dataset["colors"] = group

    def _line_styles(self, datasets: list[dict[str, Any]]) -> None:
        chls = self.query.get("chls")
        if not chls or not self.kind.startswith(("line", "sparkline")):
            return
        for dataset, style in zip(datasets, chls.split("|"), strict=False):
            parts = [_number(p, "chls") for p in style.split(",") if p.strip()]
            if parts:
                dataset["line_width"] = min(max(parts[0], 0.5), 20)
            if len(parts) >= 3 and parts[1] > 0 and parts[2] > 0:
                dataset["line_style"] = "dashed" if parts[1] > 2 else "dotted"

    def _legend(self, datasets: list[dict[str, Any]], round_chart: bool) -> None:
        chdl = self.query.get("chdl")
        position = _LEGEND.get(self.query.get("chdlp", "r")[:1] or "r")
        if position is None:
            raise _refuse("chdlp", "must start with r, l, t or b", list(_LEGEND))
        if not chdl:
            self.put("legend", "none", "chdl")
            return
        names = chdl.split("|")
        if round_chart:
            self.put("labels", names, "chdl")
        else:
            for dataset, name in zip(datasets, names, strict=False):
                dataset["label"] = name
        self.put("legend", position, "chdlp")

    def _grid(self) -> None:
        chg = self.query.get("chg")
        steps = [_number(p, "chg") for p in chg.split(",")[:2]] if chg else [0.0, 0.0]
        steps += [0.0] * (2 - len(steps))
        x_step, y_step = steps
        if self.kind.startswith("horizontal"):
            x_step, y_step = y_step, x_step
        self.put("x_grid", x_step > 0, "chg")
        self.put("grid", y_step > 0, "chg")

    def _fills(self, datasets: list[dict[str, Any]]) -> None:
        chf = self.query.get("chf")
        if not chf:
            self.put("background", "white", "chf")
            return
        for fill in chf.split("|"):
            parts = fill.split(",")
            if len(parts) != 3 or parts[0] not in ("bg", "a") or parts[1] != "s":
                raise _refuse("chf", "only solid backgrounds (bg,s,COLOR) are drawn here")
            if parts[0] == "bg":
                self.put("background", "#" + parts[2].strip(), "chf")

    def _markers(self, datasets: list[dict[str, Any]]) -> None:
        chm = self.query.get("chm")
        if not chm:
            return
        for marker in chm.split("|"):
            kind = marker.split(",")[0].strip()
            if kind == "N" or kind.startswith("N"):
                self.put("value_labels", "values", "chm")
            elif kind in ("B", "b") and self.kind == "line":
                self.put("type", "area", "chm")
            else:
                raise _refuse("chm", f"marker {kind!r} is not drawn here: N (values) and B (fill)")
