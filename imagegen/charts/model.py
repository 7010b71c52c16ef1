"""The parameters of `/chart`: one model for the query string of `GET` and the JSON body
of `POST`.

List fields take the compact text of a URL (`data=1,2,3|4,5,6`, `labels=a,b,c`) or a
JSON list; see `compact.py`. Options that only make sense as structures (`datasets`) are
for JSON bodies. The limits in force are applied by the generator with `with_limits`.
"""

import math
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from imagegen.charts.compact import (
    NUMBERS_PATTERN,
    SERIES_PATTERN,
    TextForm,
    list_pattern,
    split_items,
    split_points,
    split_series,
)
from imagegen.charts.numbers import NUMBER_FORMAT_PATTERN, parse_number_format
from imagegen.colors import COLOR_NAMES, COLOR_SYNTAX, HEX_PATTERN, Color
from imagegen.errors import limit_error
from imagegen.plugin import check_pixel_budget
from imagegen.textparams import DrawnText

ChartType = Literal[
    "line",
    "bar",
    "horizontal_bar",
    "stacked_bar",
    "area",
    "pie",
    "doughnut",
    "scatter",
    "sparkline",
]
DatasetType = Literal["line", "bar", "area", "scatter"]
LegendPosition = Literal["none", "top", "bottom", "left", "right", "best"]
LineStyle = Literal["solid", "dashed", "dotted", "dashdot"]
ValueLabels = Literal["none", "values", "percent"]

# Charts whose datasets may each be drawn as another type, on the same axes.
MIXABLE_TYPES = frozenset({"line", "bar", "stacked_bar", "area", "scatter"})
# Charts drawn over numeric `x` values rather than evenly spaced categories.
NUMERIC_X_TYPES = frozenset({"line", "area", "scatter", "sparkline"})
ROUND_TYPES = frozenset({"pie", "doughnut"})

_TYPE_ALIASES = {"hbar": "horizontal_bar", "donut": "doughnut"}
_LEGEND_WORDS = {"on": "top", "true": "top", "show": "top", "off": "none", "false": "none"}
_VALUE_LABEL_WORDS = {
    **dict.fromkeys(("true", "1", "on", "yes", "show", "value"), "values"),
    **dict.fromkeys(("false", "0", "off", "no", "hide"), "none"),
}
# Charts with axes smaller than this have no room for them: a sparkline has none.
MIN_CHART_WIDTH, MIN_CHART_HEIGHT = 100, 60

# Numbers of a size matplotlib can scale axes to, margins included, on a log axis too.
PLOTTABLE = 1e100
COLORS_PATTERN = list_pattern(HEX_PATTERN.strip("^$") + "|" + "|".join(COLOR_NAMES))


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


def _legend(value: object) -> object:
    if isinstance(value, bool):
        return "top" if value else "none"
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    return _LEGEND_WORDS.get(word, word)


def _value_labels(value: object) -> object:
    if isinstance(value, bool):
        return "values" if value else "none"
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    return _VALUE_LABEL_WORDS.get(word, word)


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
    line_style: LineStyle = Field(
        "solid", description="Line style, for lines and the edge of areas."
    )
    line_width: float = Field(
        2, ge=0.5, le=20, description="Line width in CSS pixels, for lines and areas."
    )


class ChartParams(BaseModel):
    """Parameters of `/chart`, as query parameters or as a JSON body."""

    max_pixels: ClassVar[int] = 16_000_000

    type: Annotated[ChartType, BeforeValidator(_chart_type)] = Field(
        "bar",
        description="Chart type. `hbar` is short for `horizontal_bar`, `donut` for "
        "`doughnut`. A sparkline is a bare line: no axes, ticks, legend or titles, as "
        "for a table cell. Pie and doughnut charts draw the first series.",
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
        list[Color] | None, BeforeValidator(split_items), TextForm(COLORS_PATTERN)
    ] = Field(
        None,
        description="Colours of the series (of the slices, for pie and doughnut), "
        "`,`-separated in a URL; write `#` as `%23`, or leave it out. Series beyond "
        "the list take the default palette's colours.",
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
    scale: int = Field(
        1,
        ge=1,
        description="Device pixel ratio: the image is `scale` times larger in each "
        "direction, for sharp images on high-density (retina) screens. SVG and PDF "
        "keep the CSS size.",
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
    def _value_range(self) -> "ChartParams":
        if self.y_min is not None and self.y_max is not None and self.y_min >= self.y_max:
            raise limit_error("y_max", "must be greater than y_min ({limit})", self.y_min)
        for name, end in (("y_min", self.y_min), ("y_max", self.y_max)):
            if self.log_scale and end is not None and end <= 0:
                raise limit_error(name, "must be above {limit} on a logarithmic axis", 0)
        return self
