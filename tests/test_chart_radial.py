"""Radar, polar area, gauge, radial gauge and progress bar charts, and centre texts:
what the picture shows, measured in its pixels (the needle's angle, the filled share of
a bar and of a ring, the radar's spokes), every format, and the 422s of their limits."""

import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Wedge

from imagegen.charts.center import CENTER_LABEL
from imagegen.charts.figure import build_figure
from imagegen.charts.radial import GAUGE_RING, RADIAL_RING
from imagegen.charts.text import ChartFonts
from imagegen.cli import main
from imagegen.fonts import FontLibrary
from imagegen.formats import JPEG, PDF, PNG, SVG, WEBP
from imagegen.generators.chart import Chart
from imagegen.plugin import GeneratorContext
from imagegen.settings import Settings
from tests.conftest import assert_format, decode

FONTS = FontLibrary(Path(__file__).parent.parent / "fonts")
CHART = Chart(GeneratorContext(Settings(), FONTS))
WHITE, INK = np.array([255, 255, 255]), np.array([0x33, 0x33, 0x33])
BLUE = np.array([0x4E, 0x79, 0xA7])  # the palette's first colour
TRACK = np.array([229, 229, 229])  # the text colour 12% opaque on white
EXAMPLES = {
    "radar": {"data": "3,5,2,4,5|4,2,5,3,1", "labels": "a,b,c,d,e"},
    "polar_area": {"data": "3,5,2,4", "labels": "a,b,c,d", "value_labels": "true"},
    "gauge": {"data": "72", "bands": "50,80,100"},
    "radial_gauge": {"data": "72"},
    "progress_bar": {"data": "72"},
}


class Drawn:
    """A chart drawn by Agg: its pixels (rows from the top) and its axes."""

    def __init__(self, params: dict[str, str]) -> None:
        model = CHART.params.model_validate(params)
        self.figure: Figure = build_figure(model, ChartFonts(model.font, FONTS))
        self.canvas = FigureCanvasAgg(self.figure)
        self.canvas.draw()
        self.pixels = np.asarray(self.canvas.buffer_rgba())[..., :3].astype(int)
        self.ax = self.figure.axes[0]

    def px(self, x: float, y: float) -> tuple[int, int]:
        """(column, row) of the pixel at data point (x, y)."""
        column, up = self.ax.transData.transform((x, y))
        return int(column), int(self.pixels.shape[0] - up)

    def at(self, x: float, y: float) -> np.ndarray:
        column, row = self.px(x, y)
        return self.pixels[row, column]

    def patch(self, kind: type) -> object:
        return next(p for p in self.ax.patches if isinstance(p, kind))


def spokes_of(drawn: Drawn, count: int) -> np.ndarray:
    """The radar's spokes, (centre, rim) each: the grid's lines out from one point."""
    for collection in drawn.ax.collections:
        segments = np.array(collection.get_segments())
        grid = collection.get_zorder() == 0.5 and len(segments) == count
        if grid and np.allclose(segments[:, 0], segments[0, 0]) and np.ptp(segments[:, 1]) > 0:
            return segments
    raise AssertionError("no spokes")


def close(color: np.ndarray, expected: np.ndarray, tolerance: int = 12) -> bool:
    return bool(np.all(np.abs(color - expected) <= tolerance))


def _ray(center: tuple[float, float], degrees: float, radius: float) -> tuple[float, float]:
    turn = math.radians(degrees)
    return center[0] + radius * math.cos(turn), center[1] + radius * math.sin(turn)


@pytest.mark.parametrize("value", [0, 25, 50, 90, 100])
def test_the_gauge_needle_points_at_the_value(value):
    drawn = Drawn({"type": "gauge", "data": str(value), "center_text": ""})
    hub = drawn.patch(Circle)
    radius = hub.radius / 0.07
    needle = 180 * (1 - value / 100)
    inner = radius * (1 - GAUGE_RING)
    for share in (0.2, 0.4, 0.6):  # along the needle, out of the hub, inside the hole
        assert close(drawn.at(*_ray(hub.center, needle, share * radius)), INK, 40), share
    for off in (-20, 20):  # beside it: the empty hole
        if 0 <= needle + off <= 180:
            assert close(drawn.at(*_ray(hub.center, needle + off, 0.6 * inner)), WHITE)


def test_gauge_bands_are_coloured_between_their_thresholds():
    drawn = Drawn({"type": "gauge", "data": "10", "bands": "50,80,100", "colors": "green,gold,red"})
    hub = drawn.patch(Circle)
    middle = hub.radius / 0.07 * (1 - GAUGE_RING / 2)
    expected = {0.25: [0, 128, 0], 0.65: [255, 215, 0], 0.9: [255, 0, 0]}
    for share, rgb in expected.items():
        assert close(drawn.at(*_ray(hub.center, 180 * (1 - share), middle)), np.array(rgb))


@pytest.mark.parametrize("value", [0, 30, 72, 100])
def test_the_radial_gauge_ring_is_filled_clockwise_to_the_value(value):
    drawn = Drawn({"type": "radial_gauge", "data": str(value)})
    track = drawn.patch(Wedge)
    middle = track.r * (1 - RADIAL_RING / 2)
    filled = value / 100 * 360
    for clockwise in range(0, 360, 6):
        if abs(clockwise - filled) < 3 or abs(clockwise - filled) > 357:
            continue  # the edge, anti-aliased
        color = drawn.at(*_ray(track.center, 90 - clockwise, middle))
        assert close(color, BLUE if clockwise < filled else TRACK), (clockwise, color)
    text = [t for t in drawn.ax.texts if t.get_label() == CENTER_LABEL]
    assert [t.get_text() for t in text] == [str(value)]


@pytest.mark.parametrize(("value", "y_max"), [(40, 100), (5, 20), (0.5, 1)])
def test_the_progress_bar_is_filled_to_its_share(client, value, y_max):
    params = {"type": "progress_bar", "data": value, "y_max": y_max, "center_text": ""}
    image = decode(_get(client, params, "png"))
    array = np.asarray(image.convert("RGB")).astype(int)
    row = array[array.shape[0] // 2]
    fill = np.flatnonzero(np.all(np.abs(row - BLUE) <= 12, axis=-1))
    track = np.flatnonzero(np.all(np.abs(row - TRACK) <= 12, axis=-1))
    left, right = fill.min(), track.max()
    assert fill.max() < track.min()  # the fill from the left, the track after it
    share = (fill.max() + 1 - left) / (right + 1 - left)
    assert share == pytest.approx(value / y_max, abs=2 / (right - left))


def test_the_progress_bar_writes_its_percentage_on_it():
    drawn = Drawn({"type": "progress_bar", "data": "30", "y_max": "60", "width": "400"})
    (text,) = [t for t in drawn.ax.texts if t.get_label() == CENTER_LABEL]
    assert text.get_text() == "50%"
    bar = drawn.ax.get_window_extent(drawn.canvas.get_renderer())
    box = text.get_window_extent(drawn.canvas.get_renderer())
    assert bar.x0 <= box.x0 and box.x1 <= bar.x1 and bar.y0 <= box.y0 and box.y1 <= bar.y1


def test_progress_bars_fit_a_table_cell(client):
    params = {"type": "progress_bar", "data": 64, "width": 80, "height": 16}
    image = decode(_get(client, params, "png"))
    assert image.size == (80, 16)


@pytest.mark.parametrize("count", [3, 5, 8])
def test_a_radar_has_a_spoke_per_label(count):
    drawn = Drawn(
        {
            "type": "radar",
            "data": ",".join(["10"] * count),
            "labels": ",".join(f"L{i}" for i in range(count)),
            "y_max": "10",
            "width": "400",
            "height": "400",
            "y_axis": "false",
            "fill": "false",
        }
    )
    spokes = spokes_of(drawn, count)
    centre = tuple(spokes[0][0])
    outer = np.hypot(*(spokes[0][1] - spokes[0][0]))
    # A small circle round the centre, inside the first ring, crosses only the spokes.
    steps = 720
    line = [
        drawn.at(*_ray(centre, 360 * k / steps, outer * 0.08)).mean() < 245 for k in range(steps)
    ]
    crossings = sum(1 for a, b in zip(line, line[1:] + line[:1], strict=True) if b and not a)
    assert crossings == count


def test_a_radar_point_at_the_axis_end_is_on_the_rim():
    drawn = Drawn(
        {"type": "radar", "data": "10,0,0,0", "labels": "a,b,c,d", "y_max": "10"}
        | {"y_axis": "false", "fill": "false", "colors": "red"}
    )
    centre, tip = spokes_of(drawn, 4)[0]  # 12 o'clock
    assert tip[0] == pytest.approx(centre[0]) and tip[1] > centre[1]
    assert close(drawn.at(*tip), np.array([255, 0, 0]), 30)
    assert close(drawn.at(centre[0] + 0.5 * (tip[1] - centre[1]), centre[1] + 4), WHITE)


def test_radar_fill_is_a_quarter_opaque_and_can_be_turned_off():
    params = {"type": "radar", "data": "10,10,10,10", "labels": "a,b,c,d", "y_max": "10"}
    params |= {"colors": "0000ff", "grid": "false", "y_axis": "false"}
    filled, outline = Drawn(params), Drawn(params | {"fill": "false"})
    centre = (filled.ax.get_xlim()[1] / 2, filled.ax.get_ylim()[1] / 2)
    inside = (centre[0] + 20, centre[1] + 20)
    assert close(filled.at(*inside), np.array([191, 191, 255]), 6)  # 25% blue on white
    assert close(outline.at(*inside), WHITE)


def test_radar_value_labels_are_written_inside_the_ring_at_each_point():
    params = {"type": "radar", "data": "10,5,8,2", "labels": "a,b,c,d", "y_max": "10"}
    params |= {"value_labels": "true", "number_format": ".1f", "y_axis": "false"}
    drawn = Drawn(params)
    centre, rim = (drawn.ax.transData.transform(p) for p in spokes_of(drawn, 4)[0])
    radius = float(np.hypot(*(rim - centre)))
    texts = {t.get_text(): t for t in drawn.ax.texts if t.get_text().endswith(".0")}
    assert sorted(texts) == ["10.0", "2.0", "5.0", "8.0"]
    renderer = drawn.canvas.get_renderer()
    for value in (10, 5, 8, 2):
        box = texts[f"{value}.0"].get_window_extent(renderer)
        corners = np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x0, box.y1], [box.x1, box.y1]])
        assert np.hypot(*(corners - centre).T).max() <= radius + 1  # inside the ring
        middle = np.hypot(*(np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2]) - centre))
        assert abs(middle - radius * value / 10) <= math.hypot(box.width, box.height)


def test_polar_area_wedges_are_as_long_as_their_values():
    drawn = Drawn(
        {"type": "polar_area", "data": "10,5,10,5", "labels": "a,b,c,d", "y_max": "10"}
        | {"colors": "red,green,blue,black", "y_axis": "false", "grid": "false"}
    )
    wedges = drawn.ax.collections[-1].get_paths()
    assert len(wedges) == 4
    width, height = drawn.ax.get_xlim()[1], drawn.ax.get_ylim()[1]
    centre = (width / 2, height / 2)
    radius = min(width, height) / 2 - 1
    # The first wedge clockwise from 12 o'clock (red) reaches the rim; the second half way.
    assert close(drawn.at(*_ray(centre, 45, 0.9 * radius)), np.array([255, 0, 0]), 20)
    assert close(drawn.at(*_ray(centre, -45, 0.4 * radius)), np.array([0, 128, 0]), 20)
    assert close(drawn.at(*_ray(centre, -45, 0.6 * radius)), WHITE)


@pytest.mark.parametrize(
    ("params", "hole"),
    [
        ({"type": "doughnut", "data": "3,2,1"}, "doughnut"),
        ({"type": "radial_gauge", "data": "40"}, "ring"),
    ],
)
@pytest.mark.parametrize(
    "text", ["72%", "Total 1,234 visits", "Supercalifragilisticexpialidocious words keep going"]
)
@pytest.mark.parametrize("size", [(120, 80), (600, 400), (150, 600)])
def test_centre_text_stays_inside_the_hole(params, hole, text, size):
    width, height = size
    drawn = Drawn(params | {"center_text": text, "width": str(width), "height": str(height)})
    texts = [t for t in drawn.ax.texts if t.get_label() == CENTER_LABEL]
    if hole == "doughnut":
        centre, inner = (0.0, 0.0), 1 - 0.45
    else:
        ring = drawn.patch(Wedge)
        centre, inner = ring.center, ring.r - ring.width
    reach = (drawn.ax.transData.transform((inner, 0)) - drawn.ax.transData.transform((0, 0)))[0]
    middle = drawn.ax.transData.transform(centre)
    for drawn_text in texts:
        box = drawn_text.get_window_extent(drawn.canvas.get_renderer())
        corners = np.array([[box.x0, box.y0], [box.x1, box.y1], [box.x0, box.y1], [box.x1, box.y0]])
        assert (np.hypot(*(corners - middle).T) <= reach + 0.5).all(), drawn_text.get_text()
    if width >= 600:  # room enough: all of it, on lines that together say it
        assert texts and " ".join(texts[0].get_text().split()) == text


def test_a_long_centre_text_is_smaller_than_a_short_one():
    sizes = []
    for text in ("72", "Seventy-two thousand visitors this month"):
        drawn = Drawn({"type": "radial_gauge", "data": "72", "center_text": text})
        (written,) = [t for t in drawn.ax.texts if t.get_label() == CENTER_LABEL]
        sizes.append(written.get_fontsize())
    assert sizes[0] > sizes[1]


def test_a_gauge_value_too_wide_for_its_hole_is_written_compact():
    drawn = Drawn({"type": "radial_gauge", "data": "58136500000", "y_max": "1e11"} | _tiny())
    (written,) = [t for t in drawn.ax.texts if t.get_label() == CENTER_LABEL]
    assert written.get_text() == "58.1B"


def _tiny() -> dict[str, str]:
    return {"width": "100", "height": "60"}


def _get(client, params: dict[str, object], ext: str) -> bytes:
    response = client.get(f"/chart.{ext}", params=params)
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize("chart_type", sorted(EXAMPLES))
@pytest.mark.parametrize("fmt", [PNG, JPEG, WEBP, SVG, PDF], ids=lambda f: f.name)
def test_every_format_and_the_same_bytes_each_time(client, chart_type, fmt):
    params = EXAMPLES[chart_type] | {"type": chart_type, "width": 240, "height": 160}
    ext = fmt.extensions[0]
    first = client.get(f"/chart.{ext}", params=params)
    second = client.get(f"/chart.{ext}", params=params | {"title": None})
    assert first.status_code == 200, first.text
    assert first.content == second.content
    image = assert_format(first.content, fmt)
    if image is not None:
        assert image.size == (240, 160)


@pytest.mark.parametrize(
    ("quickchart", "ours"),
    [("polarArea", "polar_area"), ("radialGauge", "radial_gauge"), ("progressBar", "progress_bar")],
)
def test_quickcharts_camel_case_type_names(client, quickchart, ours):
    params = EXAMPLES[ours] | {"width": 200, "height": 120}
    theirs = client.get("/chart", params=params | {"type": quickchart})
    assert theirs.content == client.get("/chart", params=params | {"type": ours}).content


def test_a_gauge_renders_on_the_command_line(tmp_path):
    out = tmp_path / "gauge.png"
    args = ["render", "chart", "--type", "gauge", "--data", "72", "--bands", "50,80,100"]
    assert main([*args, "--center-text", "72 ms", "-o", str(out)]) == 0
    assert decode(out.read_bytes()).size == (600, 400)


@pytest.mark.parametrize(
    ("params", "parameter", "limit"),
    [
        ({"type": "gauge", "data": "120"}, "data", "0 to 100"),
        ({"type": "gauge", "data": "-1", "y_min": "0"}, "data", "0 to 100"),
        ({"type": "radial_gauge", "data": "5", "y_min": "10", "y_max": "20"}, "data", "10 to 20"),
        ({"type": "gauge", "data": "90", "bands": "50,80"}, "data", "0 to 80"),
        ({"type": "gauge", "data": "1,2"}, "data", 1),
        ({"type": "gauge", "data": "1|2"}, "data", 1),
        ({"type": "progress_bar", "data": "nan"}, "data", "finite number"),
        ({"type": "gauge", "data": "10", "bands": "50,40,100"}, "bands", 0),
        ({"type": "gauge", "data": "10", "bands": "0,40"}, "bands", 0),
        ({"type": "gauge", "data": "10", "bands": "40,120", "y_max": "100"}, "bands", 100),
        ({"type": "gauge", "data": "1", "bands": ",".join(map(str, range(1, 12)))}, "bands", 10),
        ({"type": "gauge", "data": "1", "bands": "a,b"}, "bands.0", None),
        ({"type": "line", "data": "1", "bands": "5"}, "bands", None),
        ({"type": "bar", "data": "1", "center_text": "hi"}, "center_text", None),
        ({"type": "doughnut", "data": "1", "center_text": "x" * 101}, "center_text", 100),
        ({"type": "radar", "data": "1,2,3", "log_scale": "true"}, "log_scale", False),
        ({"type": "polar_area", "data": "1,-2"}, "data", 0),
        ({"type": "radar", "data": "1,2,3", "hline": "2"}, "hline", 0),
        ({"type": "radar", "data": "1,2,3", "stacked": "true"}, "stacked", None),
        ({"type": "radar", "data": "1,2,3", "x": "1,2,3"}, "x", None),
        ({"type": "gauge", "data": "5", "width": "80"}, "width", 100),
    ],
)
def test_bad_radial_input_gets_422_naming_the_parameter(client, params, parameter, limit):
    response = client.get("/chart", params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    problem = next(p for p in body["parameters"] if p["parameter"] == parameter)
    assert parameter in body["message"]
    if limit is not None:
        assert problem["limit"] == limit


def test_a_gauge_in_a_json_body(client):
    response = client.post(
        "/chart",
        json={"type": "gauge", "datasets": [{"data": [30]}], "bands": [50, 80, 100]},
    )
    assert response.status_code == 200, response.text
    bad = client.post("/chart", json={"type": "gauge", "data": [[300]], "bands": [50, 80, 100]})
    assert bad.status_code == 422
