"""Charts by URL: line, bar, area, pie, scatter and sparkline charts drawn by matplotlib."""

from typing import Annotated

from PIL import Image
from pydantic import BaseModel, Field

from imagegen.charts.export import to_image, to_vector
from imagegen.charts.figure import build_figure
from imagegen.charts.model import (
    ChartParams,
    Coordinate,
    Dataset,
    Point,
    limited_list,
)
from imagegen.charts.text import ChartFonts
from imagegen.fonts import font_choice
from imagegen.formats import JPEG, PDF, PNG, SVG, WEBP, ImageFormat
from imagegen.plugin import Generator, Text, with_limits


class Chart(Generator):
    """`GET /chart?type=bar&data=1,2,3` for `<img src>`, `POST /chart` for the full spec."""

    name = "chart"
    summary = "Chart"
    description = (
        "A line, bar, horizontal bar, stacked bar, area, pie, doughnut, scatter or "
        "sparkline chart. `GET` takes the common options as query parameters, with lists "
        "in compact text (`data=1,2,3|4,5,6`, `labels=a,b,c`); `POST` takes the same "
        "parameters as a JSON body, plus `datasets` with a type, colour, line style and "
        "label each. PNG, JPEG and WebP are `width × scale` by `height × scale` pixels; "
        "SVG and PDF are vector, at the CSS size."
    )
    formats = (PNG, WEBP, JPEG, SVG, PDF)
    accepts_body = True
    examples = (
        {
            "type": "bar",
            "data": "12,19,7,15|9,14,11,18",
            "labels": "Q1,Q2,Q3,Q4",
            "series": "2025,2026",
            "title": "Sales",
            "width": "480",
            "height": "300",
        },
        {
            "type": "doughnut",
            "data": "45,25,20,10",
            "labels": "Email,Search,Social,Direct",
            "title": "Traffic",
            "width": "320",
            "height": "300",
        },
        {"type": "sparkline", "data": "3,5,4,8,6,9,7,12", "width": "200", "height": "50"},
    )

    def params_model(self) -> type[BaseModel]:
        limits = self.context.settings
        points, series = limits.max_chart_points, limits.max_chart_series
        label = Annotated[Text, Field(max_length=limits.max_label_length)]
        dataset = with_limits(
            Dataset,
            data={"max_length": points},
            label={"max_length": limits.max_label_length},
        )
        return with_limits(
            ChartParams,
            {"max_pixels": limits.max_pixels},
            data={"annotation": limited_list(limited_list(Point, points), series) | None},
            labels={"annotation": limited_list(label, points) | None},
            series={"annotation": limited_list(label, series) | None},
            x={"annotation": limited_list(Coordinate, points) | None},
            colors={"max_length": points},
            datasets={"annotation": limited_list(dataset, series) | None},
            title={"max_length": limits.max_text_length},
            x_title={"max_length": limits.max_label_length},
            y_title={"max_length": limits.max_label_length},
            width={"le": limits.max_width},
            height={"le": limits.max_height},
            scale={"le": limits.max_scale},
            font={"annotation": font_choice(self.context.fonts.names)},
        )

    def render(self, params: ChartParams, fmt: ImageFormat) -> Image.Image | bytes:
        figure = build_figure(params, ChartFonts(params.font, self.context.fonts))
        try:
            return to_vector(figure, fmt) if fmt.vector else to_image(figure)
        finally:
            figure.clear()  # break the artists' reference cycles now, not at the next GC
