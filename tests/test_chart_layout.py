"""Chart layout, checked on the drawn figure itself over a grid of hard cases: every type
at sizes from the smallest accepted to 2000×1200, at scale 1 and 2, with long labels,
long titles, 1 to 20 series, every legend position, huge, tiny, negative and zero data.

For each chart: no text, legend entry or swatch outside the canvas; no two tick labels
of an axis overlapping, nor the title, legend and axis texts; every legend entry drawn
(or counted in "+N more"); every requested value label drawn; the plot at least its
share of the image; no glyph missing from the fonts (matplotlib's warning is an error).
"""

import itertools
import random
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from imagegen.charts.figure import build_figure
from imagegen.charts.layout import MIN_PLOT_SHARE
from imagegen.charts.measure import ELLIPSIS
from imagegen.charts.text import ChartFonts
from imagegen.fonts import FontLibrary
from imagegen.generators.chart import Chart
from imagegen.plugin import GeneratorContext
from imagegen.settings import Settings

FONTS = FontLibrary(Path(__file__).parent.parent / "fonts")
CHART = Chart(GeneratorContext(Settings(), FONTS))
WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "omicron",
    "sigma",
]
SIZES = [
    (100, 60),
    (120, 80),
    (200, 120),
    (320, 200),
    (600, 400),
    (1200, 400),
    (400, 1000),
    (2000, 1200),
]
TYPES = [
    "bar",
    "line",
    "horizontal_bar",
    "stacked_bar",
    "area",
    "pie",
    "doughnut",
    "scatter",
    "horizontal_stacked_bar",
]


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _case(seed: int) -> dict[str, str]:
    """A chart with a random mix of hard features, the same for the same seed."""
    rng = random.Random(seed)
    kind = TYPES[seed % len(TYPES)]
    width, height = SIZES[(seed // len(TYPES)) % len(SIZES)]
    series = rng.choice([1, 2, 4, 8, 20])
    points = rng.choice([1, 3, 7, 12, 30])
    magnitude = rng.choice([1e-6, 1, 1e3, 1e9, 1.7e9, 0])
    signed = rng.random() < 0.3 and kind not in ("pie", "doughnut")
    rows = [
        ",".join(
            f"{(rng.uniform(-1, 1) if signed else rng.uniform(0, 1)) * magnitude:.6g}"
            for _ in range(points)
        )
        for _ in range(series)
    ]
    long_labels = rng.random() < 0.5
    labels = [_words(rng, rng.randint(3, 5)) if long_labels else f"L{i}" for i in range(points)]
    params = {
        "type": kind,
        "width": str(width),
        "height": str(height),
        "scale": str(rng.choice([1, 2])),
        "data": "|".join(rows),
        "labels": ",".join(labels),
        "series": ",".join(_words(rng, rng.randint(1, 4)) for _ in range(series)),
        "legend": rng.choice(["top", "bottom", "left", "right", "best", "none"]),
    }
    if rng.random() < 0.5:
        params["title"] = _words(rng, rng.choice([2, 8, 30]))
    if rng.random() < 0.3:
        params["x_title"], params["y_title"] = _words(rng, 3), _words(rng, 6)
    if rng.random() < 0.3 and points <= 12:
        params["value_labels"] = "true"
    if rng.random() < 0.2:
        params["number_format"] = rng.choice(["compact", "${:,.0f}", ".1%"])
    return params | _options(seed, kind, series, points, magnitude)


def _options(seed: int, kind: str, series: int, points: int, magnitude: float) -> dict[str, str]:
    """Options drawn from a generator of their own, so that the cases above stay the
    same as options are added."""
    rng = random.Random(-1 - seed)
    options: dict[str, str] = {}
    if series == 1 and rng.random() < 0.3:
        options["colors"] = ",".join(rng.choice(COLOR_WORDS) for _ in range(points))
    if kind in ("line", "area") and rng.random() < 0.4:
        if rng.random() < 0.5:
            options["stepped"] = rng.choice(["before", "after", "middle"])
        else:
            options["tension"] = str(rng.choice([0.3, 1]))
    if kind not in ("pie", "doughnut") and rng.random() < 0.3:
        options |= {name: "false" for name in ("x_axis", "y_axis") if rng.random() < 0.5}
        options |= {"x_grid": "true", "begin_at_zero": "true"} if rng.random() < 0.5 else {}
    if kind in ("bar", "horizontal_bar", "area") and rng.random() < 0.4:
        options["stacked"] = rng.choice(["true", "percent"])
    elif kind in ("stacked_bar", "horizontal_stacked_bar") and rng.random() < 0.3:
        options["stacked"] = "percent"
    if kind not in ("pie", "doughnut") and rng.random() < 0.4:
        options |= _annotations(rng, points, magnitude)
    return options


def _annotations(rng: random.Random, points: int, magnitude: float) -> dict[str, str]:
    """Reference lines and bands, labelled or not, some beyond the data."""

    def value() -> str:
        return f"{rng.uniform(-0.5, 1.5) * magnitude:.6g}"

    def label() -> str:
        return ":" + _words(rng, rng.choice([1, 2, 6])) if rng.random() < 0.7 else ""

    def spot() -> str:
        return str(rng.randrange(points)) if rng.random() < 0.7 else f"{rng.uniform(0, points):.2g}"

    options = {
        "hline": "|".join(value() + label() for _ in range(rng.randint(1, 3))),
        "vline": spot() + label(),
        "hband": f"{value()}..{value()}" + label(),
        "vband": f"{spot()}..{spot()}" + label(),
    }
    chosen = rng.sample(sorted(options), rng.randint(1, 4))
    return {name: options[name] for name in chosen}


COLOR_WORDS = ["red", "teal", "orange", "navy", "gold", "purple", "e15759", "59a14f"]


CASES = [_case(seed) for seed in range(len(TYPES) * len(SIZES) * 4)]
RADIAL_TYPES = ["radar", "polar_area", "gauge", "radial_gauge", "progress_bar"]
RADIAL_SIZES = [*SIZES, (900, 150), (150, 600), (333, 217)]


def _radial_case(seed: int) -> dict[str, str]:
    """A radial chart or gauge with a random mix of hard features: long labels, titles
    and centre texts, many series or bands, huge and tiny values."""
    rng = random.Random(1000 + seed)
    kind = RADIAL_TYPES[seed % len(RADIAL_TYPES)]
    width, height = RADIAL_SIZES[(seed // len(RADIAL_TYPES)) % len(RADIAL_SIZES)]
    magnitude = rng.choice([1e-6, 1, 1e3, 1e9, 0])
    params = {
        "type": kind,
        "width": str(width),
        "height": str(height),
        "scale": str(rng.choice([1, 2])),
        "legend": rng.choice(["top", "bottom", "left", "right", "none"]),
    }
    if rng.random() < 0.5:
        params["title"] = _words(rng, rng.choice([2, 8, 30]))
    if rng.random() < 0.2:
        params["number_format"] = rng.choice(["compact", "${:,.0f}", ".1%"])
    if kind in ("radar", "polar_area"):
        series = rng.choice([1, 2, 4, 8, 20]) if kind == "radar" else 1
        points = rng.choice([1, 3, 5, 7, 12, 30])
        signed = kind == "radar" and rng.random() < 0.3
        params["data"] = "|".join(
            ",".join(
                f"{(rng.uniform(-1, 1) if signed else rng.uniform(0, 1)) * magnitude:.6g}"
                for _ in range(points)
            )
            for _ in range(series)
        )
        long_labels = rng.random() < 0.5
        params["labels"] = ",".join(
            _words(rng, rng.randint(2, 4)) if long_labels else f"L{i}" for i in range(points)
        )
        params["series"] = ",".join(_words(rng, rng.randint(1, 3)) for _ in range(series))
        if rng.random() < 0.3:
            params |= {name: "false" for name in ("x_axis", "y_axis", "grid", "fill")}
        if kind == "polar_area" and rng.random() < 0.5:
            params["value_labels"] = rng.choice(["true", "percent"])
        return params
    high = (magnitude or 1) * 100
    bands = sorted({float(f"{rng.uniform(0.05, 1) * high:.4g}") for _ in range(rng.randint(0, 10))})
    if bands:
        params["bands"] = ",".join(f"{b:g}" for b in bands)
        params["y_max"] = f"{high:g}"
    else:
        params["y_max"] = f"{high:g}"
    params["data"] = f"{rng.uniform(0, 1) * high:.6g}"
    if rng.random() < 0.5:
        params["center_text"] = rng.choice(["", "72%", _words(rng, rng.choice([1, 3, 12]))])
    if rng.random() < 0.2:
        params["y_axis"] = "false"
    return params


RADIAL_CASES = [_radial_case(seed) for seed in range(len(RADIAL_TYPES) * len(RADIAL_SIZES) * 3)]
SMALL = 120  # CSS pixels: a legend may give way to the plot on an image this small


@dataclass
class Drawn:
    figure: Figure
    canvas: FigureCanvasAgg
    params: dict[str, str]

    def extent(self, artist: Text) -> Bbox:
        return artist.get_window_extent(self.canvas.get_renderer())

    @property
    def texts(self) -> list[Text]:
        return [t for t in self.figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def draw(params: dict[str, str]) -> Drawn:
    model = CHART.params.model_validate(params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" among them
        figure = build_figure(model, ChartFonts(model.font, FONTS))
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
    return Drawn(figure, canvas, params)


def _overlap(a: Bbox, b: Bbox, slack: float = 0.5) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > slack and min(a.y1, b.y1) - max(a.y0, b.y0) > slack


def check(drawn: Drawn) -> None:
    figure, params = drawn.figure, drawn.params
    width, height = drawn.canvas.get_width_height(physical=True)
    canvas = Bbox([[-0.5, -0.5], [width + 0.5, height + 0.5]])
    for text in drawn.texts:
        box = drawn.extent(text)
        assert canvas.contains(box.x0, box.y0) and canvas.contains(box.x1, box.y1), (
            f"{text.get_text()!r} at {box} is outside the {width}×{height} canvas"
        )
    for artist in [*figure.artists, *figure.patches, *figure.lines]:
        box = artist.get_window_extent(drawn.canvas.get_renderer())
        assert canvas.contains(box.x0, box.y0) and canvas.contains(box.x1, box.y1), artist
    ax = figure.axes[0]
    plot = ax.get_position()
    if params["type"] in ("pie", "doughnut"):
        assert plot.width * width >= MIN_PLOT_SHARE * min(width, height) - 1
    elif params["type"] in RADIAL_TYPES:  # the direction the shape is bound by
        assert plot.width >= MIN_PLOT_SHARE - 0.01 or plot.height >= MIN_PLOT_SHARE - 0.01
        _check_radial(drawn)
    else:
        assert plot.width >= MIN_PLOT_SHARE - 0.01 and plot.height >= MIN_PLOT_SHARE - 0.01
        for side in (ax.get_xaxis_transform(), ax.get_yaxis_transform()):
            _check_tick_labels(drawn, [t for t in ticks_of(drawn) if t.get_transform() is side])
    ticks = ticks_of(drawn)
    notes = [t for t in figure.axes[0].texts if t.get_label() == "annotation"]
    frame = [t for t in [*figure.texts, *ticks, *notes] if t.get_visible() and t.get_text().strip()]
    outlines = [(t, _outline(drawn, t)) for t in frame]
    for (a, a_outline), (b, b_outline) in itertools.combinations(outlines, 2):
        if a in ticks and b in ticks and a.get_rotation() % 180 and b.get_rotation() % 180:
            continue  # checked by _check_tick_labels
        assert not _polygons_overlap(a_outline, b_outline), (
            f"{a.get_text()!r} overlaps {b.get_text()!r}"
        )
    _check_legend(drawn)
    _check_value_labels(drawn)


def _outline(drawn: Drawn, text: Text) -> np.ndarray:
    """The corners of `text` as drawn: its box, turned with it when it is slanted."""
    box = drawn.extent(text)
    angle = text.get_rotation() % 360
    if angle in (0, 90, 180, 270) or "\n" in text.get_text():
        return np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    width, height, _ = drawn.canvas.get_renderer().get_text_width_height_descent(
        text.get_text(), text.get_fontproperties(), ismath=False
    )
    turn = np.deg2rad(angle)
    along, across = np.array([np.cos(turn), np.sin(turn)]), np.array([-np.sin(turn), np.cos(turn)])
    # A slanted label's box is as wide and high as the turned rectangle reaches.
    corners = np.array([a * along + b * across for a in (0, width) for b in (0, height)])
    corners = corners[[0, 2, 3, 1]]
    return corners - corners.min(axis=0) + [box.x0, box.y0]


def _polygons_overlap(a: np.ndarray, b: np.ndarray, slack: float = 0.5) -> bool:
    """Whether two convex polygons overlap by more than `slack` pixels (separating axes)."""
    for polygon in (a, b):
        for p, q in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
            normal = np.array([p[1] - q[1], q[0] - p[0]])
            normal /= np.hypot(*normal) or 1
            pa, pb = a @ normal, b @ normal
            if min(pa.max(), pb.max()) - max(pa.min(), pb.min()) <= slack:
                return False
    return True


def _check_tick_labels(drawn: Drawn, labels: list[Text]) -> None:
    """No two labels of an axis overlap: upright ones by their boxes, slanted ones by
    the distance between their parallel baselines."""
    turned = [t for t in labels if t.get_rotation() % 180]
    if not turned:
        boxes = [drawn.extent(t) for t in labels]
        for a, b in itertools.combinations(boxes, 2):
            assert not _overlap(a, b), f"tick labels overlap: {a} {b}"
        return
    angle = np.deg2rad(turned[0].get_rotation())
    anchors = sorted(
        drawn.figure.axes[0].transData.transform((t.get_position()[0], 0))[0] for t in turned
    )
    renderer = drawn.canvas.get_renderer()
    thick = max(
        renderer.get_text_width_height_descent("lp", t.get_fontproperties(), ismath=False)[1]
        for t in turned
    )
    for a, b in itertools.pairwise(anchors):
        assert (b - a) * abs(np.sin(angle)) >= thick - 0.5, f"slanted labels {b - a:.1f} px apart"


def ticks_of(drawn: Drawn) -> list[Text]:
    """The tick labels, of both axes."""
    return [t for t in drawn.figure.axes[0].texts if t.get_label() == "tick"]


def values_of(drawn: Drawn) -> list[Text]:
    """The value labels."""
    return [t for t in drawn.figure.findobj(Text) if t.get_label() == "value"]


def texts_of(drawn: Drawn) -> list[str]:
    """The figure's texts, and the entries of a legend inside the plot (`best`)."""
    inside = drawn.figure.axes[0].get_legend()
    legend = inside.get_texts() if inside is not None else []
    return [t.get_text() for t in [*drawn.figure.texts, *legend]]


def _legend_names(params: dict[str, str]) -> list[str]:
    if params["type"] in ("gauge", "radial_gauge", "progress_bar"):
        return []
    if params["type"] in ("pie", "doughnut", "polar_area"):
        values = [float(v) for v in params["data"].split("|")[0].split(",")]
        labels = params["labels"].split(",")
        return [label for label, value in zip(labels, values, strict=False) if value > 0]
    return params["series"].split(",")[: len(params["data"].split("|"))]


def _check_legend(drawn: Drawn) -> None:
    params = drawn.params
    names = _legend_names(params)
    position = params.get("legend") or ("top" if len(names) > 1 else "none")
    if position == "none" or not names:
        return
    if not any(t.endswith(("more", *names)) or ELLIPSIS in t for t in texts_of(drawn)):
        # The legend gave way: only on images too small for it beside the plot.
        assert min(int(params["width"]), int(params["height"])) <= SMALL
        return
    texts = texts_of(drawn)
    more = sum(int(t[1:].split()[0]) for t in texts if t.startswith("+") and t.endswith("more"))
    shown = 0
    remaining = list(texts)
    for name in names:
        match = next(
            (
                t
                for t in remaining
                if t == name or (t.endswith(ELLIPSIS) and name.startswith(t[:-1].rstrip()))
            ),
            None,
        )
        if match is not None:
            remaining.remove(match)
            shown += 1
    assert shown + more >= len(names), f"{shown} shown + {more} more of {len(names)} entries"
    assert shown >= 1 or more == len(names)


def _check_value_labels(drawn: Drawn) -> None:
    params = drawn.params
    stacked_bars = params["type"] != "area" and params.get("stacked", "none") != "none"
    if (
        params.get("value_labels") != "true"
        or params["type"] in ("pie", "doughnut", "stacked_bar", "horizontal_stacked_bar")
        or params["type"] in RADIAL_TYPES  # a wedge too small for its label goes without
        or stacked_bars  # a segment too small for its label goes without
    ):
        return
    rows = [row.split(",") for row in params["data"].split("|")]
    finite = sum(1 for row in rows for v in row if v and np.isfinite(float(v)))
    labels = values_of(drawn)
    assert len(labels) == finite, f"{len(labels)} value labels for {finite} values"


@pytest.mark.parametrize("params", CASES, ids=[f"{p['type']}-{i}" for i, p in enumerate(CASES)])
def test_layout_grid(params):
    check(draw(params))


@pytest.mark.parametrize(
    "params", RADIAL_CASES, ids=[f"{p['type']}-{i}" for i, p in enumerate(RADIAL_CASES)]
)
def test_radial_layout_grid(params):
    check(draw(params))


def _check_radial(drawn: Drawn) -> None:
    """Every text of a radial chart inside its plot's box (a radar's labels, a gauge's
    ends and text); the centre text inside the hole, a progress bar's inside the bar."""
    ax = drawn.figure.axes[0]
    plot = ax.get_window_extent(drawn.canvas.get_renderer())
    for text in ax.texts:
        if not text.get_text().strip():
            continue
        box = drawn.extent(text)
        assert plot.x0 - 1 <= box.x0 and box.x1 <= plot.x1 + 1, text.get_text()
        if text.get_label() != "tick":  # the top tick's label may stand on the rim
            assert plot.y0 - 1 <= box.y0 and box.y1 <= plot.y1 + 1, text.get_text()
    centre = [t for t in ax.texts if t.get_label() == "center"]
    assert len(centre) <= 1
    if centre and drawn.params["type"] == "radial_gauge":
        hole = ax.patches[0]  # the track: its inner edge bounds the hole
        assert _inside_circle(drawn, centre[0], hole)


def _inside_circle(drawn: Drawn, text: Text, ring: object) -> bool:
    """Whether `text`'s box lies inside the hole of `ring` (a Wedge with a width)."""
    ax = drawn.figure.axes[0]
    centre = ax.transData.transform(ring.center)
    inner = (ax.transData.transform((ring.r - ring.width, 0)) - ax.transData.transform((0, 0)))[0]
    box = drawn.extent(text)
    corners = np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x0, box.y1], [box.x1, box.y1]])
    return bool((np.hypot(*(corners - centre).T) <= inner + 0.5).all())


@pytest.mark.parametrize(
    "params",
    [
        {"font": "droid-sans-fallback", "data": "1200,3400,5600", "labels": "a,b,c"},
        {"title": "Sales in 東京, Paris and القاهرة", "data": "1,2", "labels": "東京,القاهرة"},
        {"type": "pie", "data": "1,2,3", "labels": "Ελλάδα,Россия,עברית", "legend": "right"},
    ],
)
def test_every_character_has_a_glyph_from_the_font_chain(params):
    check(draw({"type": "bar", "series": "s"} | params))


def test_a_missing_glyph_fails_the_check():
    with pytest.raises(UserWarning, match="missing from font"):
        draw({"type": "bar", "data": "1", "title": "Linear B \U00010000"})


def test_every_requested_label_is_drawn_even_when_the_bars_are_cut_by_y_max():
    drawn = draw(
        {"type": "bar", "data": "5,50,500", "y_max": "100", "value_labels": "true"}
        | {"labels": "a,b,c", "series": "s"}
    )
    check(drawn)
    assert [t.get_text() for t in values_of(drawn)] == ["5", "50", "500"]


@pytest.mark.parametrize(
    ("data", "number_format", "expected"),
    [
        ("3,17,9", None, ["0", "2", "4", "6", "8", "10", "12", "14", "16", "18"]),
        (
            "0,0,0",
            None,
            ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"],
        ),
        ("1e9,1.7e9", "compact", ["0", "200M", "400M", "600M", "800M", "1B", "1.2B", "1.4B"]),
        ("0.5,2.75", None, ["0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"]),
        ("1e9,1.7e9&width=300", None, ["0", "200M", "400M", "600M"]),  # too wide, else
        ("1e9,1.7e9&width=1200", None, ["0", "200,000,000", "400,000,000", "600,000,000"]),
    ],
)
def test_value_ticks_are_nice_steps_written_plainly_and_end_the_axis(data, number_format, expected):
    data, _, width = data.partition("&width=")
    params = {"type": "bar", "data": data, "series": "s", "labels": "a,b,c"}
    drawn = draw(
        params
        | ({"width": width} if width else {})
        | ({"number_format": number_format} if number_format else {})
    )
    ax = drawn.figure.axes[0]
    left = [t for t in ticks_of(drawn) if t.get_transform() is ax.get_yaxis_transform()]
    assert [t.get_text() for t in left][: len(expected)] == expected
    ticks = [t.get_position()[1] for t in left]
    assert ax.get_ylim() == (ticks[0], ticks[-1]), "the axis ends on ticks"


@pytest.mark.parametrize("chart_type", ["bar", "horizontal_bar"])
def test_value_labels_write_the_values_on_a_log_axis(chart_type):
    drawn = draw(
        {"type": chart_type, "data": "12,19,7,15", "log_scale": "true", "value_labels": "true"}
        | {"labels": "a,b,c,d", "series": "s"}
    )
    check(drawn)
    assert [t.get_text() for t in values_of(drawn)] == ["12", "19", "7", "15"]


def test_korean_and_emoji_have_glyphs_in_charts():
    check(
        draw(
            {"type": "bar", "data": "3,5", "labels": "서울,부산", "series": "방문자 👋"}
            | {"title": "월간 방문자 📈 Visitors", "legend": "top"}
        )
    )


def _tick_texts(drawn: Drawn, vertical: bool) -> list[str]:
    ax = drawn.figure.axes[0]
    side = ax.get_yaxis_transform() if vertical else ax.get_xaxis_transform()
    return [t.get_text() for t in ticks_of(drawn) if t.get_transform() is side]


@pytest.mark.parametrize("chart_type", ["bar", "horizontal_bar", "line"])
def test_hidden_axes_draw_no_ticks_and_give_the_plot_their_room(chart_type):
    params = {"type": chart_type, "data": "3,5,7", "labels": "alpha,beta,gamma", "series": "s"}
    shown, hidden = draw(params), draw(params | {"x_axis": "false", "y_axis": "false"})
    check(hidden)
    assert ticks_of(shown) and not ticks_of(hidden)
    before, after = shown.figure.axes[0].get_position(), hidden.figure.axes[0].get_position()
    assert after.width > before.width and after.height > before.height


def test_one_hidden_axis_keeps_the_other():
    drawn = draw({"type": "bar", "data": "3,5,7", "labels": "a,b,c", "y_axis": "false"})
    assert _tick_texts(drawn, vertical=False) == ["a", "b", "c"]
    assert _tick_texts(drawn, vertical=True) == []


def test_x_grid_lines_fall_between_bars_and_on_points():
    def grid_lines(drawn: Drawn) -> list[float]:
        ax = drawn.figure.axes[0]
        return sorted(
            float(segment[0][0])
            for collection in ax.collections
            if collection.get_zorder() == 0.5
            for segment in collection.get_segments()
            if segment[0][0] == segment[1][0]
        )

    params = {"data": "3,5,7", "labels": "a,b,c", "x_grid": "true", "grid": "false"}
    assert grid_lines(draw(params | {"type": "bar"})) == [-0.5, 0.5, 1.5, 2.5]
    assert grid_lines(draw(params | {"type": "line"})) == [0.0, 1.0, 2.0]


def test_begin_at_zero_takes_a_line_chart_down_to_zero():
    params = {"type": "line", "data": "30,50,42", "labels": "a,b,c"}
    assert _tick_texts(draw(params), vertical=True)[0] != "0"
    assert _tick_texts(draw(params | {"begin_at_zero": "true"}), vertical=True)[0] == "0"


def test_a_dataset_can_be_left_out_of_the_legend():
    drawn = draw(
        {
            "type": "bar",
            "labels": ["a", "b"],
            "datasets": [
                {"data": [1, 2], "label": "Revenue"},
                {"data": [2, 1], "label": "Target", "type": "line", "in_legend": False},
                {"data": [3, 1], "label": "Costs"},
            ],
        }
    )
    legend = [t.get_text() for t in drawn.figure.texts if t.get_label() == "legend"]
    assert legend == ["Revenue", "Costs"]
    alone = draw(
        {
            "type": "bar",
            "datasets": [{"data": [1, 2], "label": "Shown"}, {"data": [2, 1], "in_legend": False}],
        }
    )
    assert not [t for t in alone.figure.texts if t.get_label() == "legend"], (
        "one entry left: no legend by default"
    )


@pytest.mark.parametrize("chart_type", ["bar", "horizontal_bar", "line"])
@pytest.mark.parametrize(("width", "height"), [(100, 60), (600, 400), (1200, 300)])
def test_annotation_labels_are_inside_the_plot_and_shortened_to_it(chart_type, width, height):
    long = "a reference line with a label far longer than the plot is wide"
    drawn = draw(
        {"type": chart_type, "data": "3,5,7", "labels": "a,b,c", "series": "s"}
        | {"width": str(width), "height": str(height)}
        | {"hline": f"4:{long}|6:Target", "vband": "0..1:Campaign", "vline": "c:Launch"}
    )
    check(drawn)
    ax = drawn.figure.axes[0]
    plot = ax.get_window_extent(drawn.canvas.get_renderer())
    notes = [t for t in ax.texts if t.get_label() == "annotation"]
    assert notes, "at least one label has room"
    for note in notes:
        box = drawn.extent(note)
        assert plot.x0 - 0.5 <= box.x0 and box.x1 <= plot.x1 + 0.5
        assert plot.y0 - 0.5 <= box.y0 and box.y1 <= plot.y1 + 0.5
        assert note.get_text() in (
            long,
            "Target",
            "Campaign",
            "Launch",
        ) or note.get_text().endswith(ELLIPSIS)
    if width >= 600:
        assert {"Target", "Campaign", "Launch"} <= {t.get_text() for t in notes}
