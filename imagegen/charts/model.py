"""The parameters of `/chart`: one model for the query string of `GET` and the JSON body
of `POST`.

List fields take the compact text of a URL (`data=1,2,3|4,5,6`, `labels=a,b,c`) or a
JSON list; see `compact.py`. Options that only make sense as structures (`datasets`) are
for JSON bodies. The limits in force are applied by the generator with `with_limits`.
"""

import itertools
import math
import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from imagegen.charts.compact import (
    NUMBER,
    NUMBERS_PATTERN,
    SERIES_PATTERN,
    AlsoBoolean,
    TextForm,
    list_pattern,
    split_colors,
    split_items,
    split_points,
    split_series,
)
from imagegen.charts.numbers import NUMBER_FORMAT_PATTERN, parse_number_format
from imagegen.charts.timeaxis import (
    DATE_EXAMPLES,
    DATE_PATTERN,
    FIRST_TIME,
    LAST_TIME,
    parse_time,
)
from imagegen.colors import COLOR_NAMES, COLOR_SYNTAX, FUNCTION_PATTERN, HEX_PATTERN, Color
from imagegen.errors import limit_error
from imagegen.plugin import check_pixel_budget
from imagegen.textparams import DrawnText

# Charts drawn round a centre, or as one value against its range (gauges).
RadialType = Literal["radar", "polar_area", "gauge", "radial_gauge", "progress_bar"]
RADIAL_TYPES = frozenset(RadialType.__args__)
GAUGE_TYPES = frozenset({"gauge", "radial_gauge", "progress_bar"})
# Charts with a hole (or a face) that `center_text` is written in.
CENTER_TEXT_TYPES = GAUGE_TYPES | {"doughnut"}

ChartType = Literal[
    "line",
    "bar",
    "horizontal_bar",
    "stacked_bar",
    "horizontal_stacked_bar",
    "area",
    "pie",
    "doughnut",
    "scatter",
    "sparkline",
    RadialType,
    "bubble",
    "box_plot",
    "horizontal_box_plot",
    "violin",
]
DatasetType = Literal["line", "bar", "area", "scatter"]
LegendPosition = Literal["none", "top", "bottom", "left", "right", "best"]
LineStyle = Literal["solid", "dashed", "dotted", "dashdot"]
Stepped = Literal["none", "before", "after", "middle"]
Stacking = Literal["none", "stacked", "percent"]
ValueLabels = Literal["none", "values", "percent"]

# Charts whose datasets may each be drawn as another type, on the same axes.
MIXABLE_TYPES = frozenset({"line", "bar", "stacked_bar", "area", "scatter"})
# Charts drawn over numeric `x` values rather than evenly spaced categories.
NUMERIC_X_TYPES = frozenset({"line", "area", "scatter", "sparkline"})
ROUND_TYPES = frozenset({"pie", "doughnut"})
HORIZONTAL_TYPES = frozenset({"horizontal_bar", "horizontal_stacked_bar", "horizontal_box_plot"})
STACKED_TYPES = frozenset({"stacked_bar", "horizontal_stacked_bar"})
# Chart types whose bars or areas `stacked` may stack.
STACKABLE_TYPES = frozenset({"bar", "horizontal_bar", "area"}) | STACKED_TYPES
# Chart and dataset types drawn as lines, which `stepped` and `tension` shape.
LINE_TYPES = frozenset({"line", "area", "sparkline"})

_TYPE_ALIASES = {
    "hbar": "horizontal_bar",
    "donut": "doughnut",
    "stacked_hbar": "horizontal_stacked_bar",
    "stacked_horizontal_bar": "horizontal_stacked_bar",
    "polar": "polar_area",
    "boxplot": "box_plot",
    "horizontal_boxplot": "horizontal_box_plot",
    "hbox_plot": "horizontal_box_plot",
    "violin_plot": "violin",
}
_LEGEND_WORDS = {"on": "top", "true": "top", "show": "top", "off": "none", "false": "none"}
_VALUE_LABEL_WORDS = {
    **dict.fromkeys(("true", "1", "on", "yes", "show", "value"), "values"),
    **dict.fromkeys(("false", "0", "off", "no", "hide"), "none"),
}
# Charts with axes smaller than this have no room for them: a sparkline has none.
MIN_CHART_WIDTH, MIN_CHART_HEIGHT = 100, 60

# Numbers of a size matplotlib can scale axes to, margins included, on a log axis too.
PLOTTABLE = 1e100
COLORS_PATTERN = list_pattern(
    "|".join((HEX_PATTERN.strip("^$"), FUNCTION_PATTERN.strip("^$"), *COLOR_NAMES))
)


def _plottable(value: float) -> float:
    if math.isfinite(value) and value != 0 and not 1 / PLOTTABLE <= abs(value) <= PLOTTABLE:
        raise PydanticCustomError(
            "limit_exceeded",
            "must be 0 or between {low} and {limit} in size",
            {"low": 1 / PLOTTABLE, "limit": PLOTTABLE},
        )
    return value


def _finite(value: float) -> float:
    """Positions and axis ends must be real numbers; `1e999` reads as infinity."""
    if not math.isfinite(value):
        raise PydanticCustomError(
            "limit_exceeded",
            "must be a finite number, at most {limit} in size",
            {"limit": PLOTTABLE},
        )
    return value


Coordinate = Annotated[float, AfterValidator(_finite), AfterValidator(_plottable)]
# None, NaN and ±inf are gaps: no point, no bar, a break in the line.
Point = Annotated[float, AfterValidator(_plottable)] | None


# Cartesian chart kinds (issue 11): bubbles, box plots, a time axis, a right value axis
# and point styles. Their parameters are in blocks of their own below.
PointStyle = Literal[
    "circle", "square", "triangle", "diamond", "cross", "x", "star", "dash", "none"
]
AxisSide = Literal["left", "right"]
XType = Literal["number", "time"]
BOX_TYPES = frozenset({"box_plot", "horizontal_box_plot", "violin"})
# Charts with one value axis on the left whose datasets may take a second on the right.
RIGHT_AXIS_TYPES = frozenset({"line", "bar", "area", "scatter"})
# Chart and dataset types that draw points, which `point_style` and `point_size` shape.
POINT_TYPES = frozenset({"line", "area", "scatter", "bubble"})
# Charts whose `x` may be a time axis: bars stand at their dates.
TIME_TYPES = frozenset({"line", "area", "scatter", "bar", "sparkline"})
MAX_BUBBLE_RADIUS = 200  # CSS pixels
MIN_BOX_SAMPLES = 3  # fewer have no quartiles worth drawing
_POINT_STYLE_WORDS = {
    "rect": "square",
    "rectrot": "diamond",
    "rect_rot": "diamond",
    "crossrot": "x",
    "cross_rot": "x",
    "false": "none",
    "off": "none",
    "line": "dash",
}


def _point_style(value: object) -> object:
    if value is False:
        return "none"
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    return _POINT_STYLE_WORDS.get(word, word)


def _item_error(message: str, limit: object = None) -> PydanticCustomError:
    return PydanticCustomError("limit_exceeded", message, {"limit": limit})


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _item_error(f"{what} must be a number", "number")
    return _plottable(_finite(float(value)))


class Bubble(BaseModel):
    """One point of a bubble chart: where it is, and how big."""

    x: float
    y: float
    r: float


def _bubble(value: dict[str, object]) -> Bubble:
    unknown = sorted(set(value) - {"x", "y", "r"})
    if unknown:
        raise _item_error(f"a bubble has x, y and r, not {unknown[0]!r}", "x, y, r")
    for key, what in (("x", "x"), ("y", "y"), ("r", "r (its radius)")):
        if value.get(key) is None:
            raise _item_error(f"a bubble needs x, y and r: {what} is missing", "x, y, r")
    radius = _number(value["r"], "r")
    if not 0 <= radius <= MAX_BUBBLE_RADIUS:
        raise _item_error("r must be from 0 to {limit} (CSS pixels)", MAX_BUBBLE_RADIUS)
    return Bubble(x=_number(value["x"], "x"), y=_number(value["y"], "y"), r=radius)


def _data_item(value: object) -> object:
    """One entry of a series: a value (None, NaN and ±inf are gaps), a box plot's
    samples (a list of values), or a bubble (`{x, y, r}`)."""
    if isinstance(value, Bubble):
        return value
    if isinstance(value, dict):
        return _bubble(value)
    if isinstance(value, list):
        return [None if v is None else _sample(v) for v in value]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _item_error("must be a number, or empty for a gap", "number")
    return _plottable(float(value))


def _sample(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _item_error("a sample must be a number", "number")
    return _plottable(float(value))


_POINT_SCHEMA: dict[str, Any] = {"anyOf": [{"type": "number"}, {"type": "null"}]}


def data_item(max_samples: int) -> Any:
    """The type of one entry of a series: a value, a box plot's samples (at most
    `max_samples`), or a bubble."""
    return Annotated[
        Any,  # float | list[float | None] | Bubble | None, serialized as what it holds
        PlainValidator(_data_item),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number"},
                    {"type": "null"},
                    {
                        "type": "array",
                        "items": _POINT_SCHEMA,
                        "minItems": MIN_BOX_SAMPLES,
                        "maxItems": max_samples,
                        "description": "a box's samples",
                    },
                    {
                        "type": "object",
                        "description": "a bubble",
                        "properties": {
                            "x": {"type": "number"},
                            "y": {"type": "number"},
                            "r": {"type": "number", "minimum": 0, "maximum": MAX_BUBBLE_RADIUS},
                        },
                        "required": ["x", "y", "r"],
                        "additionalProperties": False,
                    },
                ]
            }
        ),
    ]


DataItem = data_item(10_000)


def _position(value: object) -> object:
    """An `x` position: a number, or an ISO 8601 date (kept as text until the chart
    knows its axis)."""
    if isinstance(value, str):
        try:
            parse_time(value)
        except ValueError:
            raise _item_error(
                f"{value.strip()[:40]!r} is not a number or an ISO 8601 date ({DATE_EXAMPLES})",
                "ISO 8601",
            ) from None
        return value.strip()
    return _number(value, "x")


POSITIONS_PATTERN = list_pattern(rf"{NUMBER}|{DATE_PATTERN}")
Position = Annotated[
    Any,  # float | str
    PlainValidator(_position),
    WithJsonSchema(
        {"anyOf": [{"type": "number"}, {"type": "string", "pattern": f"^{DATE_PATTERN}$"}]}
    ),
]


def limited_list(item: Any, max_items: int) -> Any:
    """The type `list[item]` with at most `max_items` items, for `with_limits`."""
    return Annotated[list[item], Field(max_length=max_items)]


def _chart_type(value: object) -> object:
    if not isinstance(value, str):
        return value
    camel = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", value.strip())  # polarArea
    name = re.sub(r"[\s-]+", "_", camel.lower())
    return _TYPE_ALIASES.get(name, name)


def _words(words: dict[str, str], true: str, false: str) -> Callable[[object], object]:
    """Reads a field of words: `true` and `false` (JSON booleans) as the words given,
    other words (case and spaces aside) as `words` maps them."""

    def read(value: object) -> object:
        if isinstance(value, bool):
            return true if value else false
        if not isinstance(value, str):
            return value
        word = value.strip().lower()
        return words.get(word, word)

    return read


_legend = _words(_LEGEND_WORDS, "top", "none")
_value_labels = _words(_VALUE_LABEL_WORDS, "values", "none")
_stepped = _words(
    {"true": "before", "on": "before", "false": "none", "off": "none"}, "before", "none"
)
_stacked = _words(
    {"true": "stacked", "on": "stacked", "false": "none", "off": "none"}, "stacked", "none"
)


class Dataset(BaseModel):
    """One series of a chart, with its own look (JSON bodies only)."""

    data: list[DataItem] = Field(
        description="The values, one per label; `null` is a gap. On box plots and "
        "violins, a list of samples per label; on bubble charts, `{x, y, r}` points.",
        examples=[[12, 19, None, 5]],
    )
    label: DrawnText | None = Field(
        None, description="Name in the legend. Default: from `series`, else `Series N`."
    )
    type: DatasetType | None = Field(
        None,
        description="Draw this dataset as another type, on the same axes: bars and a "
        "line, say. Only on line, bar, stacked_bar, area and scatter charts. "
        "Default: the chart's `type`.",
    )
    color: Color | None = Field(
        None, description="Colour. Default: from `colors`, else the default palette."
    )
    colors: list[Color] | None = Field(
        None,
        description="One colour per bar or point, in order; points beyond the list take "
        "`color`. Lines and areas keep `color`; their markers take these.",
        examples=[["4e79a7", "f28e2b", "e15759"]],
    )
    line_style: LineStyle = Field(
        "solid", description="Line style, for lines and the edge of areas."
    )
    line_width: float = Field(
        2, ge=0.5, le=20, description="Line width in CSS pixels, for lines and areas."
    )
    stepped: Annotated[Stepped | None, BeforeValidator(_stepped), AlsoBoolean()] = Field(
        None, description="This line's or area's `stepped`. Default: the chart's."
    )
    in_legend: bool = Field(True, description="Whether the legend lists this dataset.")
    tension: float | None = Field(
        None, ge=0, le=1, description="This line's or area's `tension`. Default: the chart's."
    )
    # Cartesian options (issue 11)
    axis: AxisSide | None = Field(
        None,
        description="The value axis this dataset is drawn against: `right` for a second "
        "axis with its own range (`y2_min`, `y2_max`), title and number format. Default: "
        "from `series_axis`, else `left`.",
    )
    point_style: Annotated[PointStyle | None, BeforeValidator(_point_style)] = Field(
        None, description="This dataset's `point_style`. Default: the chart's."
    )
    point_size: float | None = Field(
        None, ge=1, le=40, description="This dataset's `point_size`. Default: the chart's."
    )


MAX_SPOT_LENGTH = 100  # a category annotation's label, in characters


def _annotation_error(message: str, limit: object) -> PydanticCustomError:
    return PydanticCustomError("limit_exceeded", message, {"limit": limit})


def _coordinate(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _annotation_error("must be a {limit}", "number")
    return _plottable(_finite(float(value)))


def _spot(value: object) -> float | str:
    if isinstance(value, str):
        if len(value) > MAX_SPOT_LENGTH:
            raise _annotation_error("must be at most {limit} characters", MAX_SPOT_LENGTH)
        return value
    return _coordinate(value)


def _one_or_two(check: Any) -> PlainValidator:
    """A validator of one position (a line) or a list of two (a band)."""

    def validate(value: object) -> object:
        if value is None:  # not on this axis (as `model_dump` writes it)
            return None
        if isinstance(value, list):
            if len(value) != 2:
                raise _annotation_error("a band has {limit} ends", 2)
            return [check(end) for end in value]
        return check(value)

    return PlainValidator(validate)


_NUMBER_SCHEMA: dict[str, Any] = {"type": "number"}
_SPOT_SCHEMA: dict[str, Any] = {
    "anyOf": [_NUMBER_SCHEMA, {"type": "string", "maxLength": MAX_SPOT_LENGTH}]
}


def _line_or_band(one: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema(
        {"anyOf": [one, {"type": "array", "items": one, "minItems": 2, "maxItems": 2}]}
    )


class Annotation(BaseModel):
    """A reference line or band across the plot, with an optional label."""

    y: Annotated[
        float | list[float] | None, _one_or_two(_coordinate), _line_or_band(_NUMBER_SCHEMA)
    ] = Field(
        None,
        description="On the value axis: a value for a line across the plot, "
        "`[from, to]` for a band.",
        examples=[100, [80, 120]],
    )
    x: Annotated[
        float | str | list[float | str] | None, _one_or_two(_spot), _line_or_band(_SPOT_SCHEMA)
    ] = Field(
        None,
        description="On the category (or `x`) axis: a category's label or number (0 the "
        "first; 1.5 between the second and third), or an `x` position, for a line; "
        "`[from, to]` for a band.",
        examples=["Mar", [1, 3]],
    )
    label: DrawnText | None = Field(None, description="Text written inside the plot by it.")
    color: Color | None = Field(
        None, description="Colour of the line, band and label. Default: the text colour."
    )
    line_style: LineStyle = Field("dashed", description="Line style, for lines.")

    @model_validator(mode="after")
    def _one_axis(self) -> "Annotation":
        if (self.x is None) == (self.y is None):
            raise limit_error("x", "give x or y, not {limit}", "both or neither")
        return self

    @property
    def band(self) -> bool:
        return isinstance(self.x if self.y is None else self.y, list)


_SPOT_TEXT = rf"(?:{DATE_PATTERN})|[^:|]+?"  # a date-time's colons are not a label's
_LABEL_TEXT = r"(?::[^|]*)?"


def _item_pattern(axis: str, band: bool, label: str = _LABEL_TEXT) -> str:
    """One annotation in a URL: its position (two, for a band), then `:label`."""
    at = NUMBER if axis == "y" else _SPOT_TEXT
    ends = rf"\s*({at})\s*\.\.\s*({at})\s*" if band else rf"\s*({at})\s*"
    return ends + label


def _compact_annotations(axis: str, band: bool) -> BeforeValidator:
    """`100:Target|50` (lines) or `80..120:Normal` (bands) → annotations on `axis`."""
    item = re.compile(_item_pattern(axis, band, r"(?::(.*))?"), re.DOTALL)

    def position(text: str) -> object:
        return float(text) if re.fullmatch(NUMBER, text.strip()) else text.strip()

    def split(value: object) -> object:
        if not isinstance(value, str):
            return value
        found: list[object] = []
        for text in value.split("|") if value.strip() else []:
            match = item.fullmatch(text)
            if match is None:  # refused by validation, at its place
                found.append({axis: text})
                continue
            *ends, label = match.groups()
            where = [position(end) for end in ends] if band else position(ends[0])
            found.append({axis: where} | ({"label": label.strip()} if label is not None else {}))
        return found

    return BeforeValidator(split)


def annotation_list(model: type[Annotation], axis: str, band: bool) -> Any:
    """The type of `hline`, `vline`, `hband` and `vband`: annotations of `model`, or their
    compact text."""
    item = _item_pattern(axis, band)
    return Annotated[
        list[model] | None,  # type: ignore[valid-type]
        _compact_annotations(axis, band),
        TextForm(rf"^(?:{item}(?:\|{item})*)?$"),
    ]


class ChartParams(BaseModel):
    """Parameters of `/chart`, as query parameters or as a JSON body."""

    max_pixels: ClassVar[int] = 16_000_000
    max_annotations: ClassVar[int] = 20
    max_box_samples: ClassVar[int] = 10_000

    type: Annotated[ChartType, BeforeValidator(_chart_type)] = Field(
        "bar",
        description="Chart type (or an alias: `hbar`, `donut`, `polarArea`…); see "
        "Charts in the README.",
    )
    data: Annotated[
        list[list[DataItem]] | None, BeforeValidator(split_series), TextForm(SERIES_PATTERN)
    ] = Field(
        None,
        description="The values. In a URL, `|` separates series and `,` values: "
        "`1,2,3|4,5,6`. In JSON, a list of series (lists of numbers). An empty value, "
        "`null` or `nan` is a gap. Give `data` or `datasets`. Box plots: samples per "
        "label, `1;2;3,4;5;6` (lists in JSON); bubbles: `x:y:r` (`{x, y, r}`), r in px.",
        examples=["12,19,3,5|7,11,13,2", [[12, 19, 3, 5], [7, 11, 13, 2]]],
    )
    labels: Annotated[list[DrawnText] | None, BeforeValidator(split_items), TextForm()] = Field(
        None,
        description="Category labels, one per value (`,`-separated in a URL). With more "
        "labels than values the extra categories are empty; with fewer, the rest have none.",
        examples=["Jan,Feb,Mar,Apr"],
    )
    series: Annotated[list[DrawnText] | None, BeforeValidator(split_items), TextForm()] = Field(
        None,
        description="Series names for the legend, in the order of `data` "
        "(`,`-separated in a URL). Default: `Series 1`, `Series 2`…",
        examples=["2024,2025"],
    )
    x: Annotated[
        list[Position] | None, BeforeValidator(split_points), TextForm(POSITIONS_PATTERN)
    ] = Field(
        None,
        description="Numeric x positions shared by all series, for line, area, scatter "
        "and sparkline charts (`,`-separated in a URL), or times (also on bar charts): "
        "ISO 8601 dates (`2024-03-15T14:30Z`; UTC by default) or, with `x_type=time`, "
        "Unix seconds. Series are cut or padded with gaps to its length; `labels` are "
        "not shown. Default: evenly spaced categories.",
        examples=["1,2.5,4,8", "2024-01-01,2024-02-01,2024-04-01"],
    )
    title: DrawnText | None = Field(None, description="Title above the chart.", examples=["Sales"])
    x_title: DrawnText | None = Field(
        None,
        description="Title of the category (or `x`) axis; the vertical one on a "
        "horizontal_bar chart.",
    )
    y_title: DrawnText | None = Field(
        None,
        description="Title of the value axis; the horizontal one on a horizontal_bar chart.",
    )
    colors: Annotated[
        list[Color] | None, BeforeValidator(split_colors), TextForm(COLORS_PATTERN)
    ] = Field(
        None,
        description="Colours of the series (of the slices, for pie and doughnut), "
        "`,`-separated in a URL; write `#` as `%23`, or leave it out. Series beyond "
        "the list take the default palette's colours. With one series and more than one "
        "colour, each bar and point takes its own colour, in order (the series and its "
        "legend entry the first).",
        examples=["4e79a7,f28e2b"],
    )
    width: int = Field(
        600,
        ge=16,
        description=f"Width in CSS pixels; at least {MIN_CHART_WIDTH} but for sparklines.",
    )
    height: int = Field(
        400,
        ge=16,
        description=f"Height in CSS pixels; at least {MIN_CHART_HEIGHT} but for sparklines.",
    )
    scale: float = Field(
        1,
        ge=1,
        description="Device pixel ratio: the image is `scale` times larger in each "
        "direction (1.5 allowed; pixel sizes are rounded down), for sharp images on "
        "high-density (retina) screens. SVG and PDF keep the CSS size.",
    )
    background: Color = Field(
        "white",
        validate_default=True,
        description="Background colour; `transparent` for none (PNG, WebP, SVG, PDF)."
        + COLOR_SYNTAX,
    )
    color: Color | None = Field(
        None,
        description="Colour of text, axes and ticks. Default: `333333`, or `e6e6e6` on a "
        "dark background." + COLOR_SYNTAX,
    )
    font: str = Field("open-sans", description="Font family, by name; see `GET /fonts`.")
    font_size: float = Field(12, ge=6, le=72, description="Text size in CSS pixels.")
    legend: Annotated[LegendPosition | None, BeforeValidator(_legend)] = Field(
        None,
        description="Where the legend goes, or `none`; `on` means `top`, `off` means "
        "`none`. Default: at the top when there is more than one series (more than one "
        "labelled slice, for pie and doughnut).",
    )
    datasets: list[Dataset] | None = Field(
        None,
        description="JSON bodies only: the series with their own type, colour, line style "
        "and label, instead of `data`, `series` and `colors` (which then only provide "
        "defaults for names and colours). Give `data` or `datasets`, not both (422). A "
        "dataset `type` mixes only into line, bar, stacked_bar, area and scatter charts.",
    )
    y_min: Coordinate | None = Field(
        None, description="Lower end of the value axis. Default: fitted to the data."
    )
    y_max: Coordinate | None = Field(
        None, description="Upper end of the value axis. Default: fitted to the data."
    )
    log_scale: bool = Field(
        False, description="Logarithmic value axis; values of 0 or less are not drawn."
    )
    grid: bool = Field(True, description="Grid lines across the value axis.")
    x_grid: bool = Field(
        False, description="Grid lines across the category (or `x`) axis, at its ticks."
    )
    x_axis: bool = Field(
        True,
        description="The category (or `x`) axis: its line, ticks and labels; `false` "
        "hides them and gives the plot their room.",
    )
    y_axis: bool = Field(
        True,
        description="The value axis: its line, ticks and labels; `false` hides them and "
        "gives the plot their room (the grid stays, as `grid` says).",
    )
    begin_at_zero: bool = Field(
        False,
        description="The value axis includes zero on every type (bars and areas always "
        "do). Not with `log_scale`.",
    )
    stacked: Annotated[Stacking, BeforeValidator(_stacked), AlsoBoolean()] = Field(
        "none",
        description="Bars (or areas) of a category on one another: `true` (`stacked`), "
        "negative values down; `percent`: each stack scaled to 100% of its total, "
        "value labels the values (shares with `value_labels=percent`); `false` (`none`). "
        "On bar, horizontal_bar and area charts (stacked types: `true` or `percent`).",
    )
    stepped: Annotated[Stepped, BeforeValidator(_stepped), AlsoBoolean()] = Field(
        "none",
        description="Lines and areas as steps, as Chart.js draws them: `before` (also "
        "`true`) holds each value until the next point; `after` steps at each point; "
        "`middle` halfway between; `none` (also `false`): straight.",
    )
    tension: float = Field(
        0,
        ge=0,
        le=1,
        description="Smoothed lines and areas: 0 straight, 1 a monotone cubic "
        "(Fritsch–Carlson) through every point that never overshoots the data between "
        "two points; values between blend the two. Not with `stepped`.",
    )
    value_labels: Annotated[ValueLabels, BeforeValidator(_value_labels)] = Field(
        "none",
        description="Write each value on its bar, point or slice, as `number_format` "
        "says: `values` (also `true`), `percent` (each slice's share, for pie and "
        "doughnut charts; the value elsewhere) or `none` (also `false`). A label that "
        "does not fit inside a stacked segment is left out.",
    )
    number_format: str | None = Field(
        None,
        max_length=40,
        description="How values and value-axis ticks are written: `compact` (1.2k, "
        "3.4M), a Python format spec such as `,.0f` or `.1%`, or one with text around "
        "it, such as `${:,.0f}`. Default: thousands separators. Ticks too wide for the "
        "image are written `compact`.",
        examples=[",.0f"],
        json_schema_extra={"pattern": NUMBER_FORMAT_PATTERN},
    )

    # Radial charts and gauges
    bands: Annotated[
        list[Coordinate] | None, BeforeValidator(split_points), TextForm(NUMBERS_PATTERN)
    ] = Field(
        None,
        description="Gauges: where coloured bands end, increasing (`,`-separated in a "
        "URL): `50,80,100` colours the dial from its start to 50, 50 to 80 and 80 to 100, "
        "in `colors` (default green, yellow, orange, red…). The last is the range's end "
        "unless `y_max` says otherwise. A radial_gauge or progress_bar is filled in the "
        "colour of the band its value is in.",
        examples=["50,80,100"],
    )
    center_text: DrawnText | None = Field(
        None,
        description="Text in the middle of a doughnut or a gauge (on a progress_bar's "
        "bar), made smaller and wrapped to stay inside. Default on gauges: the value, "
        "as `number_format` writes it (a progress_bar's percentage without one); empty "
        "for none.",
        examples=["72%"],
    )
    fill: bool = Field(
        True,
        description="Radar charts: each polygon filled, a quarter opaque, as areas are; "
        "`false` draws the outlines only.",
    )
    # Cartesian options (issue 11): the kind of x axis, a right value axis, points.
    x_type: XType | None = Field(
        None,
        description="`time`: `x` (or, without `x`, `labels`) holds times, drawn at their "
        "dates with ticks at calendar steps; numbers in it are Unix timestamps (seconds). "
        "`number`: `x` holds numbers. Default: `time` when `x` has a date in it. On "
        "line, area, scatter, bar and sparkline charts.",
    )
    series_axis: Annotated[
        list[AxisSide] | None, BeforeValidator(split_items), TextForm(list_pattern("left|right"))
    ] = Field(
        None,
        description="The value axis of each series, in order (`,`-separated in a URL): "
        "`left`, or `right` for a second axis on the right with its own range, title and "
        "number format (`y2_…`). Each axis needs a series (422). On line, bar, area and "
        "scatter charts, not stacked, not with `log_scale`.",
        examples=["left,right"],
    )
    y2_min: Coordinate | None = Field(
        None, description="Lower end of the right value axis. Default: fitted to its data."
    )
    y2_max: Coordinate | None = Field(
        None, description="Upper end of the right value axis. Default: fitted to its data."
    )
    y2_title: DrawnText | None = Field(None, description="Title of the right value axis.")
    y2_number_format: str | None = Field(
        None,
        max_length=40,
        description="How the right axis' ticks and its series' value labels are written, "
        "as `number_format` says. Default: `number_format`.",
        json_schema_extra={"pattern": NUMBER_FORMAT_PATTERN},
    )
    point_style: Annotated[PointStyle | None, BeforeValidator(_point_style)] = Field(
        None,
        description="The shape of points on lines, areas, scatter and bubble charts "
        "(also `rect`, `rectRot`, `crossRot`); given, every point of a line or area is "
        "marked. Default: circles, on lines of at most 50 points.",
    )
    point_size: float | None = Field(
        None,
        ge=1,
        le=40,
        description="Diameter of the points in CSS pixels. Default: 3 × the line width.",
    )

    annotations: list[Annotation] | None = Field(
        None,
        description="Reference lines and bands inside the plot, each with an optional "
        'label: `{"y": 100, "label": "Target"}`, `{"y": [80, 120]}`, `{"x": "Mar"}`, '
        '`{"x": [1, 3], "color": "e15759"}`. The value axis reaches them, unless '
        "`y_min` or `y_max` fix it. Not on pie, doughnut and sparkline charts.",
    )
    hline: annotation_list(Annotation, "y", band=False) = Field(
        None,
        description="Lines across the value axis, in a URL: `value:label`, `|` between "
        "them (vertical on horizontal bar charts).",
        examples=["100:Target|50"],
    )
    vline: annotation_list(Annotation, "x", band=False) = Field(
        None,
        description="Lines across the category (or `x`) axis, in a URL: a label, a "
        "category's number from 0, or an `x` position; then `:label`.",
        examples=["Mar:Launch"],
    )
    hband: annotation_list(Annotation, "y", band=True) = Field(
        None,
        description="Bands across the value axis, in a URL: `from..to:label`.",
        examples=["80..120:Normal"],
    )
    vband: annotation_list(Annotation, "x", band=True) = Field(
        None,
        description="Bands across the category (or `x`) axis, in a URL: `from..to:label`.",
        examples=["Q2..Q3:Campaign"],
    )

    @field_validator("number_format", "y2_number_format")
    @classmethod
    def _number_format(cls, number_format: str | None) -> str | None:
        if number_format is not None:
            parse_number_format(number_format)
        return number_format

    @model_validator(mode="after")
    def _pixel_budget(self) -> "ChartParams":
        check_pixel_budget(self.width, self.height, self.scale, self.max_pixels)
        if self.type not in ("sparkline", "progress_bar"):  # a bar in a table cell too
            for name, least in (("width", MIN_CHART_WIDTH), ("height", MIN_CHART_HEIGHT)):
                if getattr(self, name) < least:
                    raise limit_error(
                        name, f"must be at least {{limit}} on a {self.type} chart", least
                    )
        return self

    @model_validator(mode="after")
    def _data_or_datasets(self) -> "ChartParams":
        if self.data is None and self.datasets is None:
            raise limit_error(
                "data", "give data (or, in a JSON body, datasets)", "data or datasets"
            )
        if self.data is not None and self.datasets is not None:
            raise limit_error(
                "datasets", "give either data or datasets, not both", "data or datasets"
            )
        return self

    # Cartesian checks (issue 11): data shapes, the time axis, the right axis, points.

    @model_validator(mode="after")
    def _data_shapes(self) -> "ChartParams":
        """Bubbles only on bubble charts, samples only on box plots, and each box with
        enough samples and not too many."""
        bubbles, boxes = self.type == "bubble", self.type in BOX_TYPES
        given = self.data is not None
        rows = self.data if given else [d.data for d in self.datasets or []]
        for i, row in enumerate(rows or []):
            for j, item in enumerate(row):
                where = f"data.{i}.{j}" if given else f"datasets.{i}.data.{j}"
                if item is None:
                    continue
                if isinstance(item, Bubble) and not bubbles:
                    raise limit_error(where, "x:y:r points are for {limit} charts", "bubble")
                if isinstance(item, list):
                    if not boxes:
                        raise limit_error(
                            where, "lists of samples are for {limit} charts", _BOX_NAMES
                        )
                    if len(item) > self.max_box_samples:
                        raise limit_error(
                            where, "at most {limit} samples in one box", self.max_box_samples
                        )
                    count = sum(1 for v in item if v is not None and math.isfinite(v))
                    if 0 < count < MIN_BOX_SAMPLES:
                        raise limit_error(
                            where, "a box needs at least {limit} samples", MIN_BOX_SAMPLES
                        )
                elif isinstance(item, float) and bubbles:
                    raise limit_error(where, "a bubble chart's points are x:y:r", "x:y:r")
                elif isinstance(item, float) and boxes:
                    raise limit_error(
                        where, "a box needs its samples (a;b;c in a URL)", MIN_BOX_SAMPLES
                    )
        if (bubbles or boxes) and self.value_labels != "none":
            raise limit_error("value_labels", f"a {self.type} chart has no value labels", "none")
        return self

    @model_validator(mode="after")
    def _time_axis(self) -> "ChartParams":
        """Dates in `x` (or in `labels`, with `x_type=time`) and in the annotations
        across it as Unix seconds, on charts that can have a time axis."""
        dates = [i for i, v in enumerate(self.x or []) if isinstance(v, str)]
        if dates and self.x_type == "number":
            raise limit_error(f"x.{dates[0]}", "a date needs x_type={limit}", "time")
        if dates:
            self.x_type = "time"
        if self.x_type != "time":
            return self
        if self.type not in TIME_TYPES:
            raise limit_error(
                "x_type",
                f"a {self.type} chart has no time axis, only {{limit}}",
                ", ".join(sorted(TIME_TYPES)),
            )
        if self.x is None:
            if not self.labels:
                raise limit_error("x", "a time axis needs x (or labels) of {limit}", "dates")
            self.x = [_time(label, f"labels.{i}") for i, label in enumerate(self.labels)]
        self.x = [_time(v, f"x.{i}") for i, v in enumerate(self.x)]
        for name in ANNOTATION_FIELDS:
            for annotation in getattr(self, name) or []:
                spots = annotation.x if isinstance(annotation.x, list) else [annotation.x]
                if annotation.x is not None:
                    times = [_time(spot, name) for spot in spots]
                    annotation.x = times if isinstance(annotation.x, list) else times[0]
        return self

    @model_validator(mode="after")
    def _right_axis(self) -> "ChartParams":
        """A right axis only where it can be drawn, and each axis with a series."""
        sides = axis_sides(self)
        count = len(self.data if self.data is not None else self.datasets or [])
        if self.series_axis is not None and len(self.series_axis) > count:
            raise limit_error("series_axis", "there are only {limit} series", count)
        options = [n for n in _RIGHT_OPTIONS if getattr(self, n) is not None]
        if "right" not in sides:
            if options:
                raise limit_error(
                    options[0],
                    "no dataset is on the right axis (series_axis, or datasets[].axis)",
                    "right",
                )
            return self
        name = "datasets" if self.datasets and any(d.axis for d in self.datasets) else "series_axis"
        if self.type not in RIGHT_AXIS_TYPES:
            raise limit_error(
                name,
                f"a {self.type} chart has no right axis, only {{limit}}",
                ", ".join(sorted(RIGHT_AXIS_TYPES)),
            )
        if "left" not in sides:
            raise limit_error(name, "no dataset is on the {limit} axis: give it one", "left")
        for clash, value in (("stacked", self.stacked != "none"), ("log_scale", self.log_scale)):
            if value:
                raise limit_error(name, f"a chart with {clash} has {{limit}} value axis", 1)
        if self.y2_min is not None and self.y2_max is not None and self.y2_min >= self.y2_max:
            raise limit_error("y2_max", "must be greater than y2_min ({limit})", self.y2_min)
        return self

    @model_validator(mode="after")
    def _points(self) -> "ChartParams":
        """Point styles and sizes only where points are drawn; a scatter chart's points
        are never `none`."""
        datasets = self.datasets or []
        kinds = {d.type or self.type for d in datasets} | {self.type}
        for name in ("point_style", "point_size"):
            given = getattr(self, name) is not None or any(
                getattr(d, name) is not None for d in datasets
            )
            if given and not kinds & POINT_TYPES:
                raise limit_error(
                    name,
                    f"a {self.type} chart has no points; {name} is for {{limit}}",
                    ", ".join(sorted(POINT_TYPES)),
                )
        for i, dataset in enumerate(datasets or [None]):
            style = (dataset and dataset.point_style) or self.point_style
            kind = (dataset and dataset.type) or self.type
            if style == "none" and kind in ("scatter", "bubble"):
                where = (
                    "point_style"
                    if dataset is None or not dataset.point_style
                    else (f"datasets.{i}.point_style")
                )
                raise limit_error(where, f"{kind} points cannot be {{limit}}", "none")
        return self

    @model_validator(mode="after")
    def _fits_the_type(self) -> "ChartParams":
        datasets = self.datasets or []
        if any(d.type is not None for d in datasets) and self.type not in MIXABLE_TYPES:
            raise limit_error(
                "datasets",
                f"a dataset type cannot be mixed into a {self.type} chart, only into {{limit}}",
                ", ".join(sorted(MIXABLE_TYPES)),
            )
        on_time = self.x_type == "time" and self.type in TIME_TYPES
        if (
            self.x is not None
            and not on_time
            and (self.type not in NUMERIC_X_TYPES or any(d.type == "bar" for d in datasets))
        ):
            raise limit_error(
                "x", "x positions are only for {limit} charts", ", ".join(sorted(NUMERIC_X_TYPES))
            )
        if self.type in ROUND_TYPES:
            first = self.data[0] if self.data else (datasets[0].data if datasets else [])
            if any(value is not None and value < 0 for value in first):
                raise limit_error(
                    "data" if self.data else "datasets", "pie slices must be at least {limit}", 0
                )
        return self

    @model_validator(mode="after")
    def _annotations(self) -> "ChartParams":
        every = annotations_of(self)
        if not every:
            return self
        name = next(n for n in ANNOTATION_FIELDS if getattr(self, n))
        if len(every) > self.max_annotations:
            raise limit_error(
                name,
                "at most {limit} annotations (annotations, hline, vline, hband and vband together)",
                self.max_annotations,
            )
        if self.type in ROUND_TYPES | RADIAL_TYPES or self.type == "sparkline":
            raise limit_error(name, f"a {self.type} chart has no axes for annotations", 0)
        for annotation in every:
            ends = annotation.y if isinstance(annotation.y, list) else [annotation.y]
            if self.log_scale and any(end is not None and end <= 0 for end in ends):
                raise limit_error(name, "y must be above {limit} on a logarithmic axis", 0)
            spots = annotation.x if isinstance(annotation.x, list) else [annotation.x]
            labels = [] if self.x is not None else self.labels or []
            for spot in spots:
                if isinstance(spot, str) and spot not in labels:
                    raise limit_error(
                        name, f"x {spot!r} is not one of the chart's {{limit}}", "labels"
                    )
        return self

    @model_validator(mode="after")
    def _stacking(self) -> "ChartParams":
        if self.stacked == "none":
            return self
        if self.type not in STACKABLE_TYPES:
            raise limit_error(
                "stacked",
                f"a {self.type} chart cannot be stacked, only {{limit}}",
                ", ".join(sorted(STACKABLE_TYPES)),
            )
        kind = "area" if self.type == "area" else "bar"
        if self.stacked == "percent" and any((d.type or kind) != kind for d in self.datasets or []):
            raise limit_error(
                "datasets", "on a percent-stacked chart every dataset is {limit}", kind
            )
        return self

    @model_validator(mode="after")
    def _line_shape(self) -> "ChartParams":
        if self.stepped != "none" and self.tension > 0:
            raise limit_error("tension", "must be {limit} on a stepped chart", 0)
        kinds = {d.type or self.type for d in self.datasets or []} | {self.type}
        for name, value, unset in (("stepped", self.stepped, "none"), ("tension", self.tension, 0)):
            if value != unset and not kinds & LINE_TYPES:
                raise limit_error(
                    name,
                    f"a {self.type} chart has no lines; {name} is for {{limit}}",
                    ", ".join(sorted(LINE_TYPES)),
                )
        return self

    @model_validator(mode="after")
    def _value_range(self) -> "ChartParams":
        if self.y_min is not None and self.y_max is not None and self.y_min >= self.y_max:
            raise limit_error("y_max", "must be greater than y_min ({limit})", self.y_min)
        if self.log_scale and self.begin_at_zero:
            raise limit_error("begin_at_zero", "must be {limit} on a logarithmic axis", False)
        for name, end in (("y_min", self.y_min), ("y_max", self.y_max)):
            if self.log_scale and end is not None and end <= 0:
                raise limit_error(name, "must be above {limit} on a logarithmic axis", 0)
        return self

    @model_validator(mode="after")
    def _radial(self) -> "ChartParams":
        if self.center_text is not None and self.type not in CENTER_TEXT_TYPES:
            raise limit_error(
                "center_text",
                f"a {self.type} chart has no centre; center_text is for {{limit}}",
                ", ".join(sorted(CENTER_TEXT_TYPES)),
            )
        if self.bands is not None and self.type not in GAUGE_TYPES:
            raise limit_error(
                "bands",
                f"a {self.type} chart has no dial; bands are for {{limit}}",
                ", ".join(sorted(GAUGE_TYPES)),
            )
        if self.type not in RADIAL_TYPES:
            return self
        if self.log_scale:
            raise limit_error("log_scale", f"must be {{limit}} on a {self.type} chart", False)
        name = "data" if self.data is not None else "datasets"
        series = self.data if self.data is not None else [d.data for d in self.datasets or []]
        if self.type == "polar_area" and any(
            v is not None and v < 0 for v in (series[0] if series else [])
        ):
            raise limit_error(name, "polar_area wedges must be at least {limit}", 0)
        if self.type in GAUGE_TYPES:
            _check_gauge(self, name, series)
        return self


def stacking(params: ChartParams) -> Stacking:
    """How the chart's bars or areas stack."""
    if params.type in STACKED_TYPES and params.stacked == "none":
        return "stacked"
    return params.stacked


def is_horizontal(params: ChartParams) -> bool:
    """Whether the categories run down the left side, the values along the bottom."""
    return params.type in HORIZONTAL_TYPES


ANNOTATION_FIELDS = ("annotations", "hline", "vline", "hband", "vband")


def annotations_of(params: ChartParams) -> list[Annotation]:
    """Every annotation of the chart, from JSON and from the URL forms."""
    return [a for name in ANNOTATION_FIELDS for a in getattr(params, name) or []]


# Gauges


DEFAULT_GAUGE_MAX = 100.0  # a gauge's range is 0 to 100 unless bands or y_max say otherwise


def gauge_range(params: ChartParams) -> tuple[float, float]:
    """The ends of a gauge's dial: `y_min` (else 0), and `y_max` (else the last band's
    end, else 100)."""
    low = 0.0 if params.y_min is None else params.y_min
    if params.y_max is not None:
        return low, params.y_max
    return low, params.bands[-1] if params.bands else max(DEFAULT_GAUGE_MAX, low + 1)


def gauge_value(params: ChartParams) -> float:
    """The one value a gauge shows (validated: present, and inside its range)."""
    first = params.data[0] if params.data is not None else (params.datasets or [])[0].data
    value = first[0]
    assert value is not None
    return value


def _check_gauge(params: ChartParams, name: str, series: list[list[Point]]) -> None:
    """A gauge shows one finite value inside its range, with bands increasing inside it."""
    values = [v for s in series for v in s]
    if len(series) != 1 or len(values) != 1:
        raise limit_error(name, f"a {params.type} shows one value: give {{limit}}", 1)
    value = values[0]
    if value is None or not math.isfinite(value):
        raise limit_error(name, f"a {params.type} needs a value, a {{limit}}", "finite number")
    low, high = gauge_range(params)
    if low >= high:
        raise limit_error("y_max", "must be greater than the gauge's start ({limit})", low)
    if not low <= value <= high:
        raise limit_error(
            name, "the value must be inside the gauge's range, {limit}", f"{low:g} to {high:g}"
        )
    ends = [low, *(params.bands or [])]
    for before, end in itertools.pairwise(ends):
        if end <= before:
            raise limit_error(
                "bands", "must increase, each past the one before (and past y_min, {limit})", low
            )
    if params.bands and params.bands[-1] > high:
        raise limit_error(
            "bands", "must end inside the gauge's range, at most y_max ({limit})", high
        )


# Cartesian helpers (issue 11)

_BOX_NAMES = "box_plot, horizontal_box_plot and violin"
_RIGHT_OPTIONS = ("y2_min", "y2_max", "y2_title", "y2_number_format")


def _time(value: object, name: str) -> float:
    """A time as Unix seconds: an ISO 8601 date, or a number of seconds."""
    if isinstance(value, str):
        try:
            seconds = parse_time(value)
        except ValueError:
            raise limit_error(
                name, f"{value.strip()[:40]!r} is not an ISO 8601 date ({DATE_EXAMPLES})", 0
            ) from None
    else:
        seconds = float(value)  # type: ignore[arg-type]
    if not FIRST_TIME <= seconds <= LAST_TIME:
        raise limit_error(name, "a time must be within the years 1 to {limit}", 9999)
    return seconds


def axis_sides(params: ChartParams) -> list[AxisSide]:
    """The value axis of each series: its dataset's `axis`, else `series_axis`, else left."""
    given = params.series_axis or []
    count = len(params.data if params.data is not None else params.datasets or [])
    datasets = params.datasets or []
    return [
        (datasets[i].axis if i < len(datasets) else None)
        or (given[i] if i < len(given) else "left")
        for i in range(count)
    ]


def right_ends(params: ChartParams) -> tuple[float | None, float | None]:
    """The right value axis' ends as given, if any."""
    return params.y2_min, params.y2_max
