"""Bubbles, box plots and violins, the time axis, the right value axis and point styles
(issue 11): what the picture shows, measured in its pixels against where the figure's
own transforms put the data, and the 422s at the edge."""

import io
import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from imagegen.app import create_app
from imagegen.charts.boxes import box_stats
from imagegen.charts.figure import build_figure
from imagegen.charts.text import ChartFonts
from imagegen.charts.timeaxis import MONTHS, parse_time
from imagegen.fonts import FontLibrary
from imagegen.generators.chart import Chart
from imagegen.plugin import GeneratorContext
from imagegen.settings import Settings

FONTS = FontLibrary(Path(__file__).parent.parent / "fonts")
CHART = Chart(GeneratorContext(Settings(), FONTS))
RED = (255, 0, 0)


class Drawn:
    """A chart drawn through the generator, with the figure that placed it."""

    def __init__(self, params: dict) -> None:
        model = CHART.params.model_validate(params)
        self.figure = build_figure(model, ChartFonts(model.font, FONTS))
        self.canvas = FigureCanvasAgg(self.figure)
        self.canvas.draw()
        buffer = io.BytesIO()
        self.canvas.print_png(buffer)
        self.image = np.asarray(Image.open(buffer).convert("RGB")).astype(int)
        self.ax = self.figure.axes[0]

    def px(self, x: float, y: float) -> tuple[float, float]:
        """Data to image pixels (column, row from the top)."""
        column, row = self.ax.transData.transform((x, y))
        return column, self.image.shape[0] - row

    def near(self, rgb: tuple[int, int, int], tolerance: int = 30) -> np.ndarray:
        return np.all(np.abs(self.image - rgb) <= tolerance, axis=-1)

    def ticks(self) -> list:
        return [t for t in self.ax.texts if t.get_label() == "tick"]


def _rows_with(mask: np.ndarray, least: int) -> list[int]:
    return np.flatnonzero(mask.sum(axis=1) >= least).tolist()


def test_a_box_plot_draws_quartiles_whiskers_and_outliers_at_their_values():
    samples = ";".join(str(v) for v in [*range(1, 10), 30])  # 1…9 and an outlier
    drawn = Drawn(
        {"type": "box_plot", "data": samples, "labels": "a", "colors": "ff0000"}
        | {"y_min": 0, "y_max": 40, "grid": "false", "width": 300, "height": 400}
    )
    red = drawn.near(RED, 100)  # edges and lines, anti-aliased; not the pale fill
    box_left, _ = drawn.px(-0.35, 0)
    box_right, _ = drawn.px(0.35, 0)
    across = red[:, int(box_left) + 3 : int(box_right) - 3]
    rows = _rows_with(across, across.shape[1] * 0.9)  # lines across the whole box
    # Quartiles of 1…9 and 30, linearly interpolated: 3.25, 5.5 and 7.75.
    for value in (3.25, 5.5, 7.75):
        assert any(abs(row - drawn.px(0, value)[1]) <= 2 for row in rows), value
    # Whiskers end at 1 and 9 (30 is past 7.75 + 1.5 × 4.5): caps half the box wide.
    centre = int(drawn.px(0, 0)[0])
    caps = red[:, centre - 5 : centre + 6]
    for value in (1, 9):
        row = round(drawn.px(0, value)[1])
        assert caps[row - 2 : row + 3].all(axis=1).any(), value
    outlier = round(drawn.px(0, 30)[1])
    assert red[outlier - 1 : outlier + 2, centre - 1 : centre + 2].all(), "the outlier is a dot"
    between = round(drawn.px(0, 20)[1])
    assert not red[between, centre - 3 : centre + 4].any(), "no whisker reaches the outlier"


def test_a_horizontal_box_plot_lies_on_its_side():
    drawn = Drawn(
        {"type": "horizontal_box_plot", "data": "1;2;3;4;5;6;7;8;9", "labels": "a"}
        | {"colors": "ff0000", "y_min": 0, "y_max": 10, "grid": "false"}
    )
    red = drawn.near(RED, 100)
    _, middle = drawn.px(0, 0)
    row = red[int(middle) - 10 : int(middle) + 10]
    columns = np.flatnonzero(row.sum(axis=0) >= 15)  # lines down the whole box
    for value in (3, 5, 7):
        assert min(abs(columns - drawn.px(value, 0)[0])) <= 2, value


def test_a_violin_is_widest_where_the_samples_are_densest():
    samples = ";".join(["5"] * 20 + ["1", "9", "4", "6"])
    drawn = Drawn(
        {"type": "violin", "data": samples, "labels": "a", "colors": "ff0000"}
        | {"y_min": 0, "y_max": 10, "grid": "false"}
    )
    filled = ~drawn.near((255, 255, 255), 8)
    plot = drawn.ax.get_window_extent()
    inside = filled[:, int(plot.x0) + 2 : int(plot.x1) - 2]
    width_at = {v: inside[round(drawn.px(0, v)[1])].sum() for v in (2, 5, 8)}
    assert width_at[5] > 2 * width_at[2] and width_at[5] > 2 * width_at[8]


def test_bubbles_are_drawn_at_their_place_with_their_radius():
    drawn = Drawn(
        {"type": "bubble", "data": "2:3:20,8:7:6", "colors": "ff0000", "grid": "false"}
        | {"width": 500, "height": 400}
    )
    red = drawn.near(RED, 60) | drawn.near((255, 128, 128), 40)  # the edge and the fill
    for x, y, r in ((2, 3, 20), (8, 7, 6)):
        column, row = (round(v) for v in drawn.px(x, y))
        window = red[row - r - 5 : row + r + 6, column - r - 5 : column + r + 6]
        rows, columns = np.nonzero(window)
        assert abs((columns.max() - columns.min() + 1) - 2 * r) <= 2, (x, y, r)
        assert abs((rows.max() - rows.min() + 1) - 2 * r) <= 2, (x, y, r)
        assert abs((columns.max() + columns.min()) / 2 - (r + 5)) <= 1.5
    plot = drawn.ax.get_window_extent()
    big = drawn.px(2, 3)
    assert big[0] - 20 >= plot.x0 - 1, "the axis leaves room for the biggest bubble"


def _right_ticks(drawn: Drawn) -> list:
    return [t for t in drawn.ticks() if t.get_horizontalalignment() == "left"]


def test_the_right_axis_has_its_own_range_labels_and_side():
    drawn = Drawn(
        {
            "type": "line",
            "data": "100,150,200|0.1,0.2,0.3",
            "series_axis": "left,right",
            "labels": "a,b,c",
            "colors": "0000ff,ff0000",
            "y2_min": 0,
            "y2_max": 0.3,
            "y2_number_format": ".0%",
            "y2_title": "Share",
            "width": 400,
            "height": 300,
        }
    )
    right = _right_ticks(drawn)
    assert right[0].get_text() == "0%" and right[-1].get_text() == "30%"
    plot = drawn.ax.get_window_extent()
    renderer = drawn.canvas.get_renderer()
    for label in right:
        box = label.get_window_extent(renderer)
        assert box.x0 > plot.x1 and box.x1 <= drawn.image.shape[1], label.get_text()
    # 0.3, the right axis' top, is drawn at the top of the plot; 0.1 at its bottom third.
    red = drawn.near(RED, 60)
    for index, value in ((2, 0.3), (0, 0.1)):
        column, _ = drawn.px(index, 0)
        rows = np.flatnonzero(red[:, round(column)])
        expected = drawn.image.shape[0] - (plot.y0 + plot.height * value / 0.3)
        assert abs(rows.mean() - expected) <= 3, value
    titles = [t for t in drawn.figure.texts if t.get_text() == "Share"]
    assert titles and titles[0].get_window_extent(renderer).x0 > plot.x1


_LABEL = re.compile(
    r"(?:(?P<month>[A-Z][a-z]{2})(?: (?P<day>\d{1,2}))?(?:,? (?P<year>\d{4}))?)?"
    r" ?(?:(?P<hour>\d{2}):(?P<minute>\d{2}))?"
)


def _read_back(labels: list[str], year: int) -> list[datetime]:
    """The tick labels read as dates, each filling in what it leaves out from the last
    (times of day leave out the year: `year`)."""
    read = []
    month, day = 1, 1
    for label in labels:
        if re.fullmatch(r"\d{4}", label):
            year, month, day, hour, minute = int(label), 1, 1, 0, 0
        else:
            match = _LABEL.fullmatch(label)
            assert match, label
            parts = match.groupdict()
            if parts["year"]:
                year = int(parts["year"])
            if parts["month"]:
                month, day = MONTHS.index(parts["month"]) + 1, int(parts["day"] or 1)
            hour, minute = int(parts["hour"] or 0), int(parts["minute"] or 0)
        read.append(datetime(year, month, day, hour, minute, tzinfo=UTC))
    return read


@pytest.mark.parametrize(
    ("x", "first", "width"),
    [
        ("2024-01-01,2024-02-01,2024-06-01,2024-12-31", "Jan 2024", 600),
        ("2024-03-01,2024-03-03,2024-03-09", "Mar 1, 2024", 600),
        ("2024-03-01T09:30,2024-03-01T12:00,2024-03-02T03:00", "Mar 1 10:00", 600),
        ("2001-05-05,2009-01-01,2030-06-30", "2005", 600),
        ("2024-01-01,2024-02-01,2024-06-01,2024-12-31", "Jan 2024", 120),
    ],
)
def test_date_ticks_read_back_as_the_dates_they_stand_at(x, first, width):
    drawn = Drawn({"type": "line", "data": "1,2,3,4", "x": x, "width": width, "height": 200})
    bottom = [t for t in drawn.ticks() if t.get_transform() is drawn.ax.get_xaxis_transform()]
    labels = [t.get_text() for t in bottom]
    values = [t.get_position()[0] for t in bottom]
    assert labels[0] == first
    times = [parse_time(v) for v in x.split(",")]
    moments = _read_back(labels, datetime.fromtimestamp(times[0], UTC).year)
    assert [m.timestamp() for m in moments] == values
    assert drawn.ax.get_xlim() == (min(times), max(times)), "the axis spans the dates"
    steps = np.diff(values)
    assert len(labels) >= 2 and steps.min() > 0
    renderer = drawn.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in bottom]
    for a, b in itertools.pairwise(boxes):
        assert a.x1 < b.x0, "labels keep apart"
    assert boxes[0].x0 >= 0 and boxes[-1].x1 <= drawn.image.shape[1]


def test_points_keep_the_gaps_between_their_dates():
    drawn = Drawn(
        {"type": "scatter", "data": "1,1,1", "x": "2024-01-01,2024-01-02,2024-01-11"}
        | {"colors": "ff0000", "grid": "false", "y_min": 0, "y_max": 2}
    )
    red = drawn.near(RED, 60)
    row = round(drawn.px(0, 1)[1])
    columns = np.flatnonzero(red[row])
    centres = [run.mean() for run in np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)]
    assert len(centres) == 3
    assert (centres[2] - centres[1]) / (centres[1] - centres[0]) == pytest.approx(9, rel=0.05)


def test_bars_stand_at_their_dates_a_day_wide():
    drawn = Drawn(
        {"type": "bar", "data": "1,2,3", "x": "2024-01-01,2024-01-02,2024-01-05"}
        | {"colors": "ff0000", "grid": "false"}
    )
    red = drawn.near(RED)
    row = round(drawn.px(0, 0.5)[1])
    columns = np.flatnonzero(red[row])
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    assert len(runs) == 3
    day = drawn.px(86_400, 0)[0] - drawn.px(0, 0)[0]
    for run, date in zip(runs, ("2024-01-01", "2024-01-02", "2024-01-05"), strict=True):
        assert abs(run.mean() - drawn.px(parse_time(date), 0)[0]) <= 1.5
        assert abs(len(run) - 0.8 * day) <= 2


def test_point_styles_draw_their_shapes():
    def red_pixels(style: str) -> int:
        drawn = Drawn(
            {"type": "scatter", "data": "1", "x": "1", "colors": "ff0000", "grid": "false"}
            | {"point_style": style, "point_size": 20}
        )
        return int(drawn.near(RED, 60).sum())

    square, circle, triangle = (red_pixels(s) for s in ("square", "circle", "triangle"))
    # 20 px across, and matplotlib's edge (a pixel's width of it outside the shape).
    assert square == pytest.approx(21**2, rel=0.1)
    assert circle == pytest.approx(np.pi * 10.5**2, rel=0.1)
    assert triangle < circle < square


def test_a_point_style_marks_every_point_of_a_long_line():
    data = ",".join(["1", "2"] * 40)
    plain = Drawn({"type": "line", "data": data, "colors": "ff0000", "grid": "false"})
    marked = Drawn(
        {"type": "line", "data": data, "colors": "ff0000", "grid": "false"}
        | {"point_style": "square", "point_size": 8}
    )
    top = np.flatnonzero(plain.near(RED, 60).any(axis=1)).min()
    above = marked.near(RED, 60)[: top - 2]  # only markers reach past the line's peaks
    columns = np.flatnonzero(above.any(axis=0))
    peaks = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    assert len(peaks) == 40, "a square on every peak"


@pytest.fixture(scope="module")
def few_samples_client() -> TestClient:
    return TestClient(create_app(Settings(max_box_samples=5)))


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"type": "bubble", "data": "1:2:3,4:5"}, "data.0.1", "r"),
        ({"type": "bubble", "data": "1,2"}, "data.0.0", "x:y:r"),
        ({"type": "bubble", "data": "1:2:500"}, "data.0.0", "200"),
        ({"type": "line", "data": "1:2:3"}, "data.0.0", "bubble"),
        ({"type": "box_plot", "data": "1;2,3;4;5"}, "data.0.0", "3"),
        ({"type": "box_plot", "data": "1,2"}, "data.0.0", "samples"),
        ({"type": "bar", "data": "1;2;3"}, "data.0.0", "box_plot"),
        ({"type": "box_plot", "data": "1;2;3", "value_labels": "true"}, "value_labels", ""),
        ({"data": "1,2", "type": "line", "x": "2024-01-01,2024-02-30"}, "x.1", "2024-02-30"),
        ({"data": "1,2", "type": "line", "x": "2024-01-01,soon"}, "x.1", "soon"),
        ({"data": "1", "type": "pie", "x_type": "time", "labels": "2024-01-01"}, "x_type", ""),
        (
            {"data": "1,2", "type": "line", "x_type": "time", "labels": "2024,May"},
            "labels.1",
            "May",
        ),
        ({"data": "1", "type": "line", "x": "1e15", "x_type": "time"}, "x.0", "9999"),
        ({"data": "1", "type": "line", "x": "2024-01-01", "x_type": "number"}, "x.0", "time"),
        ({"data": "1,2", "x": "2024-01-01,2024-01-02", "vline": "Tuesday"}, "vline", "Tuesday"),
        ({"data": "1", "y2_title": "Share"}, "y2_title", "right"),
        ({"data": "1", "y2_max": "5"}, "y2_max", "right"),
        ({"data": "1|2", "series_axis": "right,right"}, "series_axis", "left"),
        ({"data": "1|2", "series_axis": "left,right,right"}, "series_axis", "2"),
        ({"data": "1|2", "series_axis": "left,up"}, "series_axis.1", ""),
        ({"data": "1|2", "type": "pie", "series_axis": "left,right"}, "series_axis", ""),
        ({"data": "1|2", "series_axis": "left,right", "stacked": "true"}, "series_axis", ""),
        (
            {"data": "1|2", "series_axis": "left,right", "y2_min": 3, "y2_max": 1},
            "y2_max",
            "",
        ),
        ({"data": "1", "type": "bar", "point_style": "square"}, "point_style", "line"),
        ({"data": "1", "type": "line", "point_size": "100"}, "point_size", "40"),
        ({"data": "1", "type": "scatter", "point_style": "none"}, "point_style", "none"),
        ({"data": "1", "type": "line", "point_style": "blob"}, "point_style", ""),
    ],
)
def test_bad_cartesian_input_gets_422_naming_the_parameter(client, params, parameter, words):
    response = client.get("/chart", params=params)
    assert response.status_code == 422, response.text
    problems = {p["parameter"]: p for p in response.json()["parameters"]}
    assert parameter in problems, response.text
    assert words in problems[parameter]["message"] + str(problems[parameter]["limit"])


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"type": "bubble", "datasets": [{"data": [{"x": 1, "y": 2}]}]}, "datasets.0.data.0"),
        (
            {"type": "bubble", "datasets": [{"data": [{"x": 1, "y": 2, "r": "3"}]}]},
            "datasets.0.data.0",
        ),
        (
            {"type": "bubble", "datasets": [{"data": [{"x": 1, "y": 2, "r": 3, "z": 1}]}]},
            "datasets.0.data.0",
        ),
        ({"type": "box_plot", "datasets": [{"data": [[1, 2]]}]}, "datasets.0.data.0"),
        ({"type": "box_plot", "datasets": [{"data": [[1, "2", 3]]}]}, "datasets.0.data.0"),
        ({"type": "line", "data": [[1]], "x": ["2024-13-01"]}, "x.0"),
        ({"type": "bar", "datasets": [{"data": [1], "axis": "right"}]}, "datasets"),
        ({"type": "line", "datasets": [{"data": [1], "axis": "middle"}]}, "datasets.0.axis"),
    ],
)
def test_bad_cartesian_json_gets_422_naming_the_parameter(client, body, parameter):
    response = client.post("/chart", json=body)
    assert response.status_code == 422, response.text
    assert parameter in [p["parameter"] for p in response.json()["parameters"]]


def test_samples_per_box_are_limited_by_a_setting(few_samples_client):
    response = few_samples_client.get("/chart", params={"type": "box_plot", "data": "1;2;3;4;5;6"})
    assert response.status_code == 422
    problem = response.json()["parameters"][0]
    assert (problem["parameter"], problem["limit"]) == ("data.0.0", 5)
    ok = few_samples_client.get("/chart", params={"type": "box_plot", "data": "1;2;3;4;5"})
    assert ok.status_code == 200
    schema = few_samples_client.app.openapi()["components"]["schemas"]
    assert '"maxItems": 5' in str(schema).replace("'", '"')


def test_json_bodies_take_bubbles_samples_and_axes_as_the_url_does(client):
    pairs = [
        (
            {"type": "bubble", "data": "1:2:3,4:5:6"},
            {
                "type": "bubble",
                "datasets": [{"data": [{"x": 1, "y": 2, "r": 3}, {"x": 4, "y": 5, "r": 6}]}],
            },
        ),
        (
            {"type": "box_plot", "data": "1;2;3,4;5;6", "labels": "a,b"},
            {
                "type": "box_plot",
                "labels": ["a", "b"],
                "datasets": [{"data": [[1, 2, 3], [4, 5, 6]]}],
            },
        ),
        (
            {"type": "line", "data": "1,2|3,4", "series_axis": "left,right"},
            {"type": "line", "datasets": [{"data": [1, 2]}, {"data": [3, 4], "axis": "right"}]},
        ),
        (
            {"type": "line", "data": "1,2", "x": "2024-01-01,2024-01-02T12:00Z"},
            {"type": "line", "data": [[1, 2]], "x": ["2024-01-01", 1704196800]},
        ),
        (
            {"type": "line", "data": "1,2", "x": "2024-01-01,2024-01-02T12:00Z"},
            {
                "type": "line",
                "data": [[1, 2]],
                "x_type": "time",
                "labels": ["2024-01-01", "2024-01-02T14:00+02:00"],
            },
        ),
    ]
    for query, body in pairs:
        got, posted = client.get("/chart", params=query), client.post("/chart", json=body)
        assert got.status_code == posted.status_code == 200, (got.text, posted.text)
        assert got.content == posted.content, query


@pytest.mark.parametrize(
    "params",
    [
        {"type": "bubble", "data": "1:2:10,3:4:20|2:2:5"},
        {"type": "box_plot", "data": "1;2;3;4;9,2;3;4", "labels": "a,b"},
        {"type": "horizontal_box_plot", "data": "1;2;3;4;9,2;3;4", "labels": "a,b"},
        {"type": "violin", "data": "1;2;3;4;9,2;3;4", "labels": "a,b"},
        {"type": "bar", "data": "1,2,3", "x": "2024-01-01,2024-01-02,2024-01-05"},
        {"type": "line", "data": "1,2|30,40", "series_axis": "left,right", "y2_title": "R"},
        {"type": "line", "data": "1,2,3", "point_style": "star", "point_size": 12},
    ],
)
@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp", "svg", "pdf"])
def test_every_format_draws_the_new_kinds_deterministically(client, params, fmt):
    first = client.get(f"/chart.{fmt}", params=params | {"width": 300, "height": 200})
    second = client.get(f"/chart.{fmt}", params=params | {"width": 300, "height": 200})
    assert first.status_code == 200, first.text
    assert first.content == second.content
    if fmt in ("png", "jpeg", "webp"):
        assert Image.open(io.BytesIO(first.content)).size == (300, 200)


def test_box_stats_follow_the_usual_rules():
    stats = box_stats(np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 30]))
    assert (stats.q1, stats.median, stats.q3) == (3.25, 5.5, 7.75)
    assert (stats.low, stats.high, stats.outliers.tolist()) == (1, 9, [30])
    few = box_stats(np.array([4.0, 5, 6, 50]))  # 6, the highest within reach, is in the box
    assert few.high == few.q3 == 17 and few.outliers.tolist() == [50]
