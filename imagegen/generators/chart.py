"""Charts by URL: line, bar, area, pie, scatter and sparkline charts drawn by matplotlib."""

from typing import Annotated

from PIL import Image
from pydantic import BaseModel, Field

from imagegen.charts.export import release, to_image, to_vector
from imagegen.charts.figure import build_figure
from imagegen.charts.model import (
    ROUND_TYPES,
    Annotation,
    ChartParams,
    Coordinate,
    Dataset,
    Position,
    annotation_list,
    data_item,
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
# Box plots and violins draw several artists a box (box, whiskers, caps, median,
# outliers; a violin's density polygon) and sort or sum over their samples: beside bars
# of the same shape, measured at about 0.3 and 0.7 ms a box and 1 µs a sample (20 × 1,000
# violins at 2000²: 13.2 s of CPU against 2.7 s for bars, which the model above fits).
_COST_PER_BOX = {"box_plot": 0.3, "horizontal_box_plot": 0.3, "violin": 0.7}
_COST_PER_SAMPLE = 0.001


def _box_cost(params: ChartParams) -> float:
    """What a box plot's or violin's boxes add to the model's estimate, in ms."""
    per_box = _COST_PER_BOX.get(params.type)
    if per_box is None:
        return 0.0
    boxes = [item for d in datasets_of(params) for item in d.data if isinstance(item, list)]
    return per_box * len(boxes) + _COST_PER_SAMPLE * sum(len(box) for box in boxes)


class Chart(Generator):
    """`GET /chart?type=bar&data=1,2,3` for `<img src>`, `POST /chart` for the full spec."""

    name = "chart"
    summary = "Chart"
    description = (
        "A line, bar, horizontal bar, stacked bar (also horizontal and 100%), area (also "
        "stacked and 100%), pie, doughnut, scatter, sparkline, radar or polar area chart, "
        "or a gauge, radial gauge or progress bar. `GET` takes the "
        "common options as query parameters, with lists "
        "in compact text (`data=1,2,3|4,5,6`, `labels=a,b,c`); `POST` takes the same "
        "parameters as a JSON body, plus `datasets` with a type, colour, line style and "
        "label each. PNG, JPEG, WebP, AVIF and GIF are `width × scale` by `height × scale` pixels; "
        "SVG and PDF are vector, at the CSS size. A raster chart estimated to take longer "
        "than the server's render cost limit (big and dense: pixels × series) is a 422 "
        "naming `width`, `height`, `scale` and `data`."
        " Also bubble (`x:y:r` points), box plot (also horizontal) and violin charts "
        "(samples per label), time axes (ISO 8601 dates in `x`) and a second value axis "
        "on the right (`series_axis`)."
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
        {
            "type": "radar",
            "data": "4,3,5,2,4,3|3,5,3,4,2,5",
            "labels": "Speed,Battery,Camera,Screen,Price,Storage",
            "series": "Model A,Model B",
            "y_max": "5",
            "title": "Phones compared",
            "width": "420",
            "height": "320",
        },
        {
            "type": "polar_area",
            "data": "11,16,7,3,14",
            "labels": "North,East,South,West,Online",
            "value_labels": "true",
            "legend": "right",
            "title": "Orders by region",
            "width": "420",
            "height": "280",
        },
        {
            "type": "gauge",
            "data": "72",
            "bands": "50,80,100",
            "center_text": "72 ms",
            "title": "Response time",
            "width": "320",
            "height": "220",
        },
        {
            "type": "radial_gauge",
            "data": "64",
            "center_text": "64% done",
            "width": "200",
            "height": "200",
        },
        {
            "type": "progress_bar",
            "data": "37",
            "width": "320",
            "height": "40",
        },
        # Cartesian kinds (issue 11)
        {
            "type": "bubble",
            "data": "12:64:9,18:71:14,25:58:22,31:80:12|15:45:6,22:52:8,28:41:18,35:60:10",
            "series": "Europe,Asia",
            "title": "Stores: size, satisfaction and revenue",
            "x_title": "Floor area (100 m²)",
            "y_title": "Satisfaction",
            "width": "480",
            "height": "300",
        },
        {
            "type": "box_plot",
            "data": "120;135;150;160;180;210;240;520,90;110;115;130;150;170;200|"
            "100;125;140;145;150;175;190,80;85;95;100;120;125;140;330",
            "labels": "Checkout,Search",
            "series": "Web,App",
            "y_title": "Response time (ms)",
            "title": "Response times",
            "width": "480",
            "height": "300",
        },
        {
            "type": "horizontal_box_plot",
            "data": "31;35;38;40;42;45;47;52;70,22;26;29;30;33;35;41,44;47;50;51;55;58;63",
            "labels": "Berlin,Lisbon,Oslo",
            "y_title": "Minutes to work",
            "title": "Commutes",
            "width": "480",
            "height": "240",
        },
        {
            "type": "violin",
            "data": "2;3;3;4;4;4;5;5;6;9,6;7;7;8;8;8;8;9;9;10,1;2;5;5;6;8;9;9;9;10",
            "labels": "Before,After,Control",
            "y_title": "Score",
            "title": "Scores by group",
            "width": "480",
            "height": "280",
        },
        {
            "type": "line",
            "data": "42,47,45,61,58,74,71",
            "x": "2025-01-06,2025-01-20,2025-02-03,2025-03-17,2025-04-07,2025-06-02,2025-06-30",
            "point_style": "diamond",
            "point_size": "9",
            "vline": "2025-03-01:Price change",
            "title": "Weekly orders, sampled on a time axis",
            "width": "480",
            "height": "280",
        },
        {
            "type": "line",
            "data": "3,4,8,13,17,20,22|48,41,42,45,60,55,58",
            "labels": "Jan,Feb,Mar,Apr,May,Jun,Jul",
            "series": "Temperature,Rainfall",
            "series_axis": "left,right",
            "y_title": "°C",
            "y2_title": "Rainfall (mm)",
            "y2_min": "0",
            "title": "Temperature and rainfall",
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
        item = data_item(limits.max_box_samples)
        dataset = with_limits(
            Dataset,
            data={"annotation": limited_list(item, points)},
            label={"max_length": limits.max_label_length},
            colors={"max_length": points},
        )
        return with_limits(
            ChartParams,
            {
                "max_pixels": limits.max_pixels,
                "max_annotations": limits.max_chart_annotations,
                "max_box_samples": limits.max_box_samples,
            },
            data={"annotation": limited_list(limited_list(item, points), series) | None},
            labels={"annotation": limited_list(label, points) | None},
            series={"annotation": limited_list(label, series) | None},
            x={"annotation": limited_list(Position, points) | None},
            colors={"max_length": points},
            datasets={"annotation": limited_list(dataset, series) | None},
            annotations={"annotation": limited_list(annotation, notes) | None},
            bands={"annotation": limited_list(Coordinate, limits.max_gauge_bands) | None},
            center_text={"max_length": limits.max_label_length},
            hline={"annotation": annotation_list(annotation, "y", band=False)},
            vline={"annotation": annotation_list(annotation, "x", band=False)},
            hband={"annotation": annotation_list(annotation, "y", band=True)},
            vband={"annotation": annotation_list(annotation, "x", band=True)},
            title={"max_length": limits.max_text_length},
            x_title={"max_length": limits.max_label_length},
            y_title={"max_length": limits.max_label_length},
            y2_title={"max_length": limits.max_label_length},
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
        boxes = _box_cost(params)
        if fmt.vector:
            return _COST_BASE + boxes + _COST_PER_VECTOR_POINT * points * max(len(series), 1)
        if params.type in ROUND_TYPES:
            per_megapixel = _COST_PER_SLICE_MEGAPIXEL * points
        else:
            per_series = _COST_PER_SERIES_MEGAPIXEL + _COST_PER_POINT_MEGAPIXEL * points
            per_megapixel = len(series) * per_series
        megapixels = params.width * params.height * params.scale**2 / 1e6
        draw = _COST_BASE + boxes + megapixels * (_COST_PER_MEGAPIXEL + per_megapixel)
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
            release(figure)  # break the artists' reference cycles now, not at the next GC
