"""The parameters of `/chart`: one model for the query string of `GET` and the JSON body
of `POST`.

List fields take the compact text of a URL (`data=1,2,3|4,5,6`, `labels=a,b,c`) or a
JSON list; see `compact.py`. Options that only make sense as structures (`datasets`) are
for JSON bodies. The limits in force are applied by the generator with `with_limits`.
"""

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
from imagegen.colors import COLOR_NAMES, COLOR_SYNTAX, FUNCTION_PATTERN, HEX_PATTERN, Color
from imagegen.errors import limit_error
from imagegen.plugin import check_pixel_budget
from imagegen.textparams import DrawnText

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
HORIZONTAL_TYPES = frozenset({"horizontal_bar", "horizontal_stacked_bar"})
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


def limited_list(item: Any, max_items: int) -> Any:
    """The type `list[item]` with at most `max_items` items, for `with_limits`."""
    return Annotated[list[item], Field(max_length=max_items)]


def _chart_type(value: object) -> object:
    if not isinstance(value, str):
        return value
    name = re.sub(r"[\s-]+", "_", value.strip().lower())
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

    data: list[Point] = Field(
        description="The values, one per label; `null` is a gap.",
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


_SPOT_TEXT = r"[^:|]+?"
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

    type: Annotated[ChartType, BeforeValidator(_chart_type)] = Field(
        "bar",
        description="Chart type (short: `hbar`, `stacked_hbar`, `donut`). A sparkline is "
        "a bare line for a table cell: no axes, ticks, legend or titles. Pie and "
        "doughnut charts draw the first series.",
    )
    data: Annotated[
        list[list[Point]] | None, BeforeValidator(split_series), TextForm(SERIES_PATTERN)
    ] = Field(
        None,
        description="The values. In a URL, `|` separates series and `,` values: "
        "`1,2,3|4,5,6`. In JSON, a list of series (lists of numbers). An empty value, "
        "`null` or `nan` is a gap. Give `data` or `datasets`.",
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
        list[Coordinate] | None, BeforeValidator(split_points), TextForm(NUMBERS_PATTERN)
    ] = Field(
        None,
        description="Numeric x positions shared by all series, for line, area, scatter "
        "and sparkline charts (`,`-separated in a URL). Series are cut or padded with "
        "gaps to its length, and `labels` are not shown. Default: evenly spaced "
        "categories. Refused (422) on other chart types and with bar datasets.",
        examples=["1,2.5,4,8"],
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

    @field_validator("number_format")
    @classmethod
    def _number_format(cls, number_format: str | None) -> str | None:
        if number_format is not None:
            parse_number_format(number_format)
        return number_format

    @model_validator(mode="after")
    def _pixel_budget(self) -> "ChartParams":
        check_pixel_budget(self.width, self.height, self.scale, self.max_pixels)
        if self.type != "sparkline":
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

    @model_validator(mode="after")
    def _fits_the_type(self) -> "ChartParams":
        datasets = self.datasets or []
        if any(d.type is not None for d in datasets) and self.type not in MIXABLE_TYPES:
            raise limit_error(
                "datasets",
                f"a dataset type cannot be mixed into a {self.type} chart, only into {{limit}}",
                ", ".join(sorted(MIXABLE_TYPES)),
            )
        if self.x is not None and (
            self.type not in NUMERIC_X_TYPES or any(d.type == "bar" for d in datasets)
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
        if self.type in ROUND_TYPES or self.type == "sparkline":
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
