"""Charts by URL: line, bar, area, pie, scatter and sparkline charts drawn by matplotlib."""

from typing import Annotated

from PIL import Image
from pydantic import BaseModel, Field

from imagegen.charts.export import to_image, to_vector
from imagegen.charts.figure import build_figure
from imagegen.charts.model import (
    ROUND_TYPES,
    Annotation,
    ChartParams,
    Coordinate,
    Dataset,
    Point,
    annotation_list,
    limited_list,
)
from imagegen.charts.series import datasets_of, point_count
from imagegen.charts.text import ChartFonts
from imagegen.encoding import EncodeOptions
from imagegen.fonts import font_choice
from imagegen.formats import AVIF, GIF, JPEG, PDF, PNG, SVG, WEBP, ImageFormat
from imagegen.plugin import Generator, with_limits
from imagegen.textparams import DrawnText

# The render cost model (see `Chart.render_cost`), in milliseconds.
_COST_BASE = 150
_COST_PER_MEGAPIXEL = 40
# A series costs, per megapixel, this much plus as much again per point: Agg fills and
# strokes it over the plot, and a denser one has more edges (area charts at 4000²:
# 4.5 ms per series-megapixel at 50 points, 16-18 at 800, 22 at 1,000).
_COST_PER_SERIES_MEGAPIXEL = 4
_COST_PER_POINT_MEGAPIXEL = 0.018
_COST_PER_SLICE_MEGAPIXEL = 0.11  # pies: 89 ms a megapixel for 800 slices
_COST_PER_VECTOR_POINT = 0.02
_FORMAT_FACTOR = {PNG: 1.0, JPEG: 0.8, WEBP: 1.3, GIF: 1.1}
_LOSSLESS_WEBP_PER_MEGAPIXEL = 450
_AVIF_PER_MEGAPIXEL = 260  # bench/formats.py: 62 ms for a 600×400 chart, one thread


class Chart(Generator):
    """`GET /chart?type=bar&data=1,2,3` for `<img src>`, `POST /chart` for the full spec."""

    name = "chart"
    summary = "Chart"
    description = (
        "A line, bar, horizontal bar, stacked bar (also horizontal and 100%), area (also "
        "stacked and 100%), pie, doughnut, scatter or sparkline chart. `GET` takes the "
        "common options as query parameters, with lists "
        "in compact text (`data=1,2,3|4,5,6`, `labels=a,b,c`); `POST` takes the same "
        "parameters as a JSON body, plus `datasets` with a type, colour, line style and "
        "label each. PNG, JPEG, WebP, AVIF and GIF are `width × scale` by `height × scale` pixels; "
        "SVG and PDF are vector, at the CSS size. A raster chart estimated to take longer "
        "than the server's render cost limit (big and dense: pixels × series) is a 422 "
        "naming `width`, `height`, `scale` and `data`."
    )
    # AVIF before WebP: over the gallery's charts it is 0.70x WebP's bytes at equal
    # quality, for about 25 ms more encoding on a 50-130 ms render (README, "Formats").
    formats = (PNG, AVIF, WEBP, JPEG, GIF, SVG, PDF)
    accepts_body = True
    heavy = True  # Agg holds the GIL while it draws: render in the render processes
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
        {
            "type": "bar",
            "data": "42,38,35,31,28,24,21,17",
            "labels": "Support tickets,Account setup,Billing and invoices,Integrations,"
            "Performance,Mobile app,Reporting and dashboards,Security and compliance",
            "title": "What customers wrote to us about in the third quarter, by topic",
            "value_labels": "true",
            "width": "600",
            "height": "400",
        },
        {
            "type": "line",
            "data": "5,7,6,9|4,5,7,8|3,4,4,6|6,5,4,3|2,3,5,7|1,2,2,4",
            "labels": "Q1,Q2,Q3,Q4",
            "series": "North America,Europe,Asia Pacific,Latin America,Middle East,Africa",
            "title": "Signups (k), Tōkyō 東京 and القاهرة included",
            "background": "1e1e2e",
            "width": "320",
            "height": "220",
        },
        {
            "type": "horizontal_stacked_bar",
            "stacked": "percent",
            "data": "52,38,61|30,41,24|18,21,15",
            "labels": "Email,Search,Social",
            "series": "Promoters,Passives,Detractors",
            "colors": "59a14f,bab0ac,e15759",
            "value_labels": "percent",
            "title": "Survey answers by channel",
            "width": "480",
            "height": "260",
        },
        {
            "type": "line",
            "data": "12,15,14,19,23,21,26,30|10,11,13,12,14,15,15,16",
            "labels": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug",
            "series": "This year,Last year",
            "tension": "0.5",
            "hline": "25:Target",
            "vline": "Apr:Launch",
            "hband": "0..10:Quiet",
            "title": "Signups per week",
            "width": "480",
            "height": "280",
        },
    )

    def params_model(self) -> type[BaseModel]:
        limits = self.context.settings
        points, series = limits.max_chart_points, limits.max_chart_series
        label = Annotated[DrawnText, Field(max_length=limits.max_label_length)]
        notes = limits.max_chart_annotations
        annotation = with_limits(Annotation, label={"max_length": limits.max_label_length})
        dataset = with_limits(
            Dataset,
            data={"max_length": points},
            label={"max_length": limits.max_label_length},
            colors={"max_length": points},
        )
        return with_limits(
            ChartParams,
            {"max_pixels": limits.max_pixels, "max_annotations": limits.max_chart_annotations},
            data={"annotation": limited_list(limited_list(Point, points), series) | None},
            labels={"annotation": limited_list(label, points) | None},
            series={"annotation": limited_list(label, series) | None},
            x={"annotation": limited_list(Coordinate, points) | None},
            colors={"max_length": points},
            datasets={"annotation": limited_list(dataset, series) | None},
            annotations={"annotation": limited_list(annotation, notes) | None},
            hline={"annotation": annotation_list(annotation, "y", band=False)},
            vline={"annotation": annotation_list(annotation, "x", band=False)},
            hband={"annotation": annotation_list(annotation, "y", band=True)},
            vband={"annotation": annotation_list(annotation, "x", band=True)},
            title={"max_length": limits.max_text_length},
            x_title={"max_length": limits.max_label_length},
            y_title={"max_length": limits.max_label_length},
            width={"le": limits.max_width},
            height={"le": limits.max_height},
            scale={"le": limits.max_scale},
            font={"annotation": font_choice(self.context.fonts.names)},
        )

    def cost_parameters(self, params: ChartParams) -> tuple[str, ...]:
        return ("width", "height", "scale", "data" if params.datasets is None else "datasets")

    def render_cost(self, params: ChartParams, fmt: ImageFormat, options: EncodeOptions) -> float:
        """Milliseconds, from a model fitted to cold renders of every chart type at
        2000² and 4000² px with 1-20 series of 10-1,000 points on the reference machine
        (`bench/cost.py` prints measured against estimated): Agg fills every series over
        the whole plot, so the time grows with pixels × series × points (a pie's with
        pixels × slices), and lossless WebP adds up to 450 ms a megapixel of encoding
        on anti-aliased truecolour, AVIF about 260."""
        series = datasets_of(params)
        points = point_count(params)
        if fmt.vector:
            return _COST_BASE + _COST_PER_VECTOR_POINT * points * max(len(series), 1)
        if params.type in ROUND_TYPES:
            per_megapixel = _COST_PER_SLICE_MEGAPIXEL * points
        else:
            per_series = _COST_PER_SERIES_MEGAPIXEL + _COST_PER_POINT_MEGAPIXEL * points
            per_megapixel = len(series) * per_series
        megapixels = params.width * params.height * params.scale**2 / 1e6
        draw = _COST_BASE + megapixels * (_COST_PER_MEGAPIXEL + per_megapixel)
        if fmt == WEBP and options.lossless:
            return draw + megapixels * _LOSSLESS_WEBP_PER_MEGAPIXEL
        if fmt == AVIF:
            return draw + megapixels * _AVIF_PER_MEGAPIXEL
        return draw * _FORMAT_FACTOR[fmt]

    def render(self, params: ChartParams, fmt: ImageFormat) -> Image.Image | bytes:
        figure = build_figure(params, ChartFonts(params.font, self.context.fonts))
        try:
            return to_vector(figure, fmt) if fmt.vector else to_image(figure)
        finally:
            figure.clear()  # break the artists' reference cycles now, not at the next GC
