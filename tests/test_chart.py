"""`/chart` through the HTTP app: decoded images of the right size with the data really
plotted, vector formats, determinism, the JSON body, limits, and the spec."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from imagegen.charts.figure import build_figure
from imagegen.fonts import FontLibrary
from imagegen.formats import PNG, SVG
from imagegen.generators import chart as chart_module
from imagegen.generators.chart import Chart
from imagegen.plugin import GeneratorContext
from imagegen.settings import Settings
from tests.conftest import decode

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"width": 200, "height": 150}
TYPES = [
    "line",
    "bar",
    "horizontal_bar",
    "hbar",
    "stacked_bar",
    "horizontal_stacked_bar",
    "stacked_hbar",
    "area",
    "pie",
    "doughnut",
    "scatter",
    "sparkline",
]


def chart(client, **params):
    """GET /chart with `params` (small by default) and decode the image."""
    response = client.get("/chart", params=SMALL | params)
    assert response.status_code == 200, response.text
    return decode(response.content)


def pixels(image):
    """The image as an RGBA array of shape (height, width, 4)."""
    return np.asarray(image.convert("RGBA")).astype(int)


def near(image, rgb, tolerance=40):
    """Mask of the opaque pixels within `tolerance` of `rgb` in every channel."""
    array = pixels(image)
    close = np.all(np.abs(array[..., :3] - rgb) <= tolerance, axis=-1)
    return close & (array[..., 3] > 200)


def dark(image):
    """Mask of the opaque pixels darker than mid-grey in every channel."""
    array = pixels(image)
    return np.all(array[..., :3] < 100, axis=-1) & (array[..., 3] > 200)


def box(mask):
    """(left, top, right, bottom) of the true pixels of `mask`."""
    rows, columns = np.nonzero(mask)
    return columns.min(), rows.min(), columns.max(), rows.max()


@pytest.mark.parametrize("chart_type", TYPES)
def test_every_type_is_a_png_of_the_requested_size(client, chart_type):
    response = client.get(
        "/chart", params=SMALL | {"type": chart_type, "data": "3,1,4,1,5|2,7,1,8,2"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    image = decode(response.content)
    assert (image.format, image.size) == ("PNG", (200, 150))
    assert near(image, (0x4E, 0x79, 0xA7)).sum() > 20, "the first palette colour is drawn"


def test_defaults_are_a_600_by_400_bar_chart(client):
    response = client.get("/chart?data=1,2,3", headers={"Accept": "*/*"})
    assert response.headers["vary"] == "Accept"
    image = decode(response.content)
    assert image.size == (600, 400)
    assert pixels(image)[0, 0, :3].tolist() == [255, 255, 255]


def test_scale_multiplies_pixels_and_keeps_the_drawing(client):
    one = chart(client, type="bar", data="1,2,3", colors="ff0000")
    two = chart(client, type="bar", data="1,2,3", colors="ff0000", scale=2)
    assert two.size == (400, 300)
    ratio = near(two, (255, 0, 0), 10).sum() / near(one, (255, 0, 0), 10).sum()
    assert 3.5 < ratio < 4.5


def test_transparent_background(client):
    image = chart(client, type="line", data="1,3,2", background="transparent")
    assert image.has_transparency_data
    alpha = np.asarray(image.convert("RGBA"))[..., 3]
    assert alpha[0, 0] == alpha[-1, -1] == 0
    assert alpha.max() == 255, "the line is opaque"


def test_bars_are_drawn_in_their_colour(client):
    image = chart(client, type="bar", data="5,8,3", colors="ff0000")
    red = near(image, (255, 0, 0), 10)
    assert red.sum() > 2000
    left, top, right, bottom = box(red)
    assert right - left > 100 and bottom - top > 60


def test_horizontal_bars_lie_on_their_side(client):
    def extent(chart_type):
        image = chart(client, type=chart_type, data="10,0,0,0", colors="ff0000")
        left, top, right, bottom = box(near(image, (255, 0, 0), 10))
        return right - left, bottom - top

    width, height = extent("hbar")
    assert width > 3 * height
    width, height = extent("bar")
    assert height > 2 * width


def test_stacked_bars_share_their_column(client):
    image = chart(client, type="stacked_bar", data="4|4", colors="ff0000,0000ff", legend="none")
    red, blue = box(near(image, (255, 0, 0), 10)), box(near(image, (0, 0, 255), 10))
    assert abs(red[0] - blue[0]) <= 1 and abs(red[2] - blue[2]) <= 1
    assert blue[3] <= red[1] + 1, "the second series sits on top of the first"


def test_a_line_chart_shows_both_series(client):
    image = chart(client, type="line", data="1,2,3|3,2,1", colors="ff0000,0000ff")
    assert near(image, (255, 0, 0)).sum() > 100
    assert near(image, (0, 0, 255)).sum() > 100


def test_a_sparkline_has_no_axes_and_spans_the_image(client):
    params = {"data": "1,5,2,8,3", "colors": "ff0000", "color": "000000"}
    spark = chart(client, type="sparkline", **params)
    line = chart(client, type="line", **params)
    assert dark(spark).sum() == 0, "no axes, ticks or text"
    assert dark(line).sum() > 100
    left, top, right, bottom = box(near(spark, (255, 0, 0), 60))
    assert left <= 4 and right >= 195 and top <= 6 and bottom >= 143


def test_pie_slices_have_their_colours_in_proportion(client):
    image = chart(client, type="pie", data="1,1,2", colors="ff0000,00ff00,0000ff")
    red, green, blue = (near(image, c, 10).sum() for c in [(255, 0, 0), (0, 255, 0), (0, 0, 255)])
    assert red > 1000
    assert 0.8 < green / red < 1.25
    assert 1.6 < blue / red < 2.5
    assert pixels(image)[75, 100, :3].tolist() != [255, 255, 255], "a pie is full"


def test_a_doughnut_has_a_hole(client):
    image = chart(client, type="doughnut", data="1,1,2", colors="ff0000,00ff00,0000ff")
    assert pixels(image)[75, 100, :3].tolist() == [255, 255, 255]
    assert near(image, (0, 0, 255), 10).sum() > 500


def test_legend_is_automatic_with_several_series(client):
    one = client.get("/chart", params=SMALL | {"data": "1,2"}).content
    one_off = client.get("/chart", params=SMALL | {"data": "1,2", "legend": "none"}).content
    two = client.get("/chart", params=SMALL | {"data": "1,2|2,1"}).content
    two_off = client.get("/chart", params=SMALL | {"data": "1,2|2,1", "legend": "off"}).content
    assert one == one_off
    assert two != two_off
    positions = {"top", "bottom", "left", "right", "best"}
    drawn = {
        client.get("/chart", params=SMALL | {"data": "1|2", "legend": p}).content for p in positions
    }
    assert len(drawn) == len(positions)


def test_value_labels_titles_and_fonts_add_text(client):
    fixed = {"data": "1,2,3", "color": "000000", "y_min": "0", "y_max": "4"}
    plain = chart(client, **fixed)
    labelled = chart(client, **fixed, value_labels="true")
    assert (dark(labelled) & ~dark(plain)).sum() > 10, "the values are written"
    titled = chart(client, **fixed, title="Title")
    top = slice(0, 25)  # the title's rows
    assert dark(titled)[top].sum() > dark(plain)[top].sum() + 20
    lato = client.get("/chart", params=SMALL | {"data": "1,2", "title": "Hi", "font": "Lato"})
    serif = client.get(
        "/chart", params=SMALL | {"data": "1,2", "title": "Hi", "font": "dejavu-serif"}
    )
    assert lato.status_code == serif.status_code == 200
    assert lato.content != serif.content


def test_dollar_signs_are_text_not_math(client):
    response = client.get(
        "/chart", params=SMALL | {"data": "1,2", "title": "$5 and $6", "labels": "$a$,b"}
    )
    assert response.status_code == 200


def test_gaps_in_data_draw_as_gaps(client):
    spelled = "1,,3,null,5,nan,7,NaN,9,inf,11,-inf,13, None ,15"
    blank = "1,,3,,5,,7,,9,,11,,13,,15"
    response = client.get("/chart", params=SMALL | {"type": "line", "data": spelled})
    assert response.status_code == 200
    expected = client.get("/chart", params=SMALL | {"type": "line", "data": blank})
    assert response.content == expected.content


@pytest.mark.parametrize("chart_type", TYPES)
def test_all_gap_and_empty_series_still_draw(client, chart_type):
    params = {"type": chart_type, "data": "nan,null|", "log_scale": "true", "value_labels": "1"}
    assert client.get("/chart", params=SMALL | params).status_code == 200


def test_empty_data_draws_an_empty_chart(client):
    assert client.get("/chart", params=SMALL | {"data": ""}).status_code == 200


def test_json_body_null_is_a_gap_and_nan_is_not_json(client):
    body = SMALL | {"type": "bar", "data": [[1, None, 3]], "value_labels": True}
    response = client.post("/chart", json=body)
    assert response.status_code == 200
    url_gap = client.get("/chart", params=SMALL | {"data": "1,nan,3", "value_labels": "true"})
    assert url_gap.content == response.content
    nan_body = b'{"width": 200, "height": 150, "data": [[1, NaN, 3]], "value_labels": true}'
    assert client.post("/chart", content=nan_body).status_code == 400  # RFC 8259 has no NaN


def test_post_json_equals_get_query(client):
    query = client.get(
        "/chart?type=line&data=1,2,3|3,1,2&labels=a,b,c&colors=red,blue&width=200&height=150"
    )
    body = {
        "type": "line",
        "data": [[1, 2, 3], [3, 1, 2]],
        "labels": ["a", "b", "c"],
        "colors": ["red", "blue"],
    } | SMALL
    assert client.post("/chart", json=body).content == query.content
    compact = body | {"data": "1,2,3|3,1,2", "labels": "a,b,c"}
    assert client.post("/chart", json=compact).content == query.content


RICH_BODY = {
    "type": "bar",
    "title": "Revenue",
    "labels": ["Jan", "Feb", "Mar", "Apr"],
    "datasets": [
        {"label": "Actual", "data": [10, 14, None, 18], "color": "#ff0000"},
        {"label": "Plan", "data": [9, 12, 15, 17], "color": "#0000ff"},
        {
            "label": "Trend",
            "type": "line",
            "data": [8, 11, 14, 19],
            "color": "#00aa00",
            "line_style": "dashed",
            "line_width": 4,
        },
        {"label": "Events", "type": "scatter", "data": [2, None, 4, 3], "color": "#ff00ff"},
        {"label": "Band", "type": "area", "data": [1, 2, 2, 1], "color": "#888888"},
    ],
    "y_min": 1,
    "y_max": 30,
    "log_scale": True,
    "grid": True,
    "value_labels": True,
    "number_format": "{:,.1f} k",
    "x_title": "Month",
    "y_title": "USD",
    "legend": "right",
    "font": "roboto",
    "font_size": 10,
}


def test_rich_json_body_draws_every_dataset(client):
    response = client.post("/chart", json=RICH_BODY)
    assert response.status_code == 200, response.text
    image = decode(response.content)
    assert image.size == (600, 400)
    for colour in [(255, 0, 0), (0, 0, 255), (0, 0xAA, 0), (255, 0, 255)]:
        assert near(image, colour, 20).sum() > 30, colour
    solid = client.post(
        "/chart",
        json=RICH_BODY | {"datasets": [d | {"line_style": "solid"} for d in RICH_BODY["datasets"]]},
    )
    assert solid.content != response.content, "the line style is drawn"
    linear = client.post("/chart", json=RICH_BODY | {"log_scale": False})
    assert linear.content != response.content


def test_value_axis_range_is_applied(client):
    free = chart(client, type="bar", data="5,6", colors="ff0000")
    capped = chart(client, type="bar", data="5,6", colors="ff0000", y_min=0, y_max=100)
    assert near(capped, (255, 0, 0), 10).sum() < near(free, (255, 0, 0), 10).sum() / 4
    above = client.get("/chart", params=SMALL | {"data": "1,2", "y_min": 50})
    assert above.status_code == 200, "a y_min above the data still draws"


def test_numeric_x_positions(client):
    even = chart(client, type="scatter", data="1,2,3", colors="ff0000")
    skewed = chart(client, type="scatter", data="1,2,3", x="1,2,30", colors="ff0000")
    assert pixels(even).tobytes() != pixels(skewed).tobytes()


@pytest.mark.parametrize(
    ("path", "media_type", "magic"),
    [
        ("/chart.svg", "image/svg+xml", b"<svg"),
        ("/chart.pdf", "application/pdf", b"%PDF-"),
        ("/chart.png", "image/png", b"\x89PNG"),
        ("/chart.webp", "image/webp", b"RIFF"),
        ("/chart.jpg", "image/jpeg", b"\xff\xd8"),
    ],
)
def test_formats_are_deterministic(client, path, media_type, magic):
    params = SMALL | {"type": "line", "data": "1,3,2|2,2,3", "title": "Déjà vu", "labels": "a,b,c"}
    first, second = client.get(path, params=params), client.get(path, params=params)
    assert first.status_code == 200
    assert first.headers["content-type"] == media_type
    assert magic in first.content[:400]
    assert first.content == second.content


def test_vector_formats_keep_the_css_size_and_embed_the_bundled_font(client):
    svg = client.get("/chart.svg?data=1,2&width=600&height=400").text
    root = re.search(r"<svg[^>]*>", svg)[0]
    assert 'width="450pt"' in root and 'height="300pt"' in root  # 600 × 400 CSS px
    pdf = client.get("/chart.pdf?data=1,2&title=Hi&font=lato").content
    assert set(re.findall(rb"/BaseFont /\w+\+(\S+)", pdf)) == {b"Lato-Regular"}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [("image/svg+xml", "image/svg+xml"), ("application/pdf", "application/pdf")],
)
def test_vector_formats_are_negotiated(client, accept, media_type):
    response = client.get("/chart?data=1,2", headers={"Accept": accept})
    assert response.headers["content-type"] == media_type
    assert response.headers["vary"] == "Accept"


def many(count, value="1"):
    return ",".join([value] * count)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"type": "bar", "stepped": "before"}, "stepped"),
        ({"type": "pie", "tension": "0.5"}, "tension"),
        ({"type": "line", "tension": "1.5"}, "tension"),
        ({"type": "line", "stepped": "sideways"}, "stepped"),
        ({"type": "line", "stepped": "after", "tension": "0.5"}, "tension"),
        ({"type": "line", "begin_at_zero": "true", "log_scale": "true"}, "begin_at_zero"),
        ({"type": "line", "stacked": "true"}, "stacked"),
        ({"type": "pie", "stacked": "percent"}, "stacked"),
        ({"type": "bar", "stacked": "sideways"}, "stacked"),
        ({"type": "pie", "hline": "1:Target"}, "hline"),
        ({"type": "sparkline", "vband": "0..1"}, "vband"),
        ({"type": "line", "hline": "0", "log_scale": "true"}, "hline"),
        ({"type": "line", "vline": "Nope", "labels": "a,b,c"}, "vline"),
        ({"type": "line", "hline": "|".join(["1"] * 21)}, "hline"),
        ({"type": "line", "hband": "1..2..3"}, "hband"),
        ({"type": "line", "hline": "abc"}, "hline"),
    ],
)
def test_options_are_refused_where_they_cannot_apply(client, params, parameter):
    response = client.get("/chart", params={"data": "1,2,3"} | params)
    assert response.status_code == 422
    assert parameter in response.text


def test_a_stepped_line_turns_square_and_a_smoothed_one_stays_within_the_data(client):
    params = {"type": "line", "data": "1,1,9,9", "colors": "ff0000", "y_min": "0"}
    params |= {"y_max": "10", "grid": "false", "width": "300", "height": "200"}
    straight = near(chart(client, **params), (255, 0, 0), 60)
    stepped = near(chart(client, **params, stepped="before"), (255, 0, 0), 60)
    smooth = near(chart(client, **params, tension="1"), (255, 0, 0), 60)
    # Stepped "before": the value 1 holds up to the third point, then the line rises
    # straight up; the straight line is already halfway up by then.
    column = box(straight)[0] + (box(straight)[2] - box(straight)[0]) * 2 // 3
    lowest = [np.flatnonzero(line[:, column - 3]).max() for line in (stepped, straight)]
    assert lowest[0] > lowest[1]
    # Flat from the first point to the second (one slope of 0 then an S curve): no
    # pixel of the smoothed line above the top one or below the bottom one.
    assert box(smooth)[1] >= box(straight)[1] - 2 and box(smooth)[3] <= box(straight)[3] + 2


@pytest.mark.parametrize(
    ("params", "parameter", "limit"),
    [
        ({"data": "|".join(["1"] * 21)}, "data", 20),
        ({"data": many(1001)}, "data.0", 1000),
        ({"data": "1", "labels": many(1001, "a")}, "labels", 1000),
        ({"data": "1", "labels": "x" * 101}, "labels.0", 100),
        ({"data": "1", "series": "y" * 101}, "series.0", 100),
        ({"data": "1", "series": many(21, "s")}, "series", 20),
        ({"data": "1", "colors": many(1001, "red")}, "colors", 1000),
        ({"data": "1", "title": "t" * 201}, "title", 200),
        ({"data": "1", "x_title": "t" * 101}, "x_title", 100),
        ({"data": "1", "width": 4001}, "width", 4000),
        ({"data": "1", "height": 10}, "height", 16),
        ({"data": "1", "scale": 5}, "scale", 4),
        ({"data": "1", "width": 4000, "height": 4000, "scale": 2}, "scale", 16_000_000),
        ({"data": "1", "type": "funnel"}, "type", None),
        ({"data": "1", "colors": "red,nope"}, "colors.1", None),
        ({"data": "1", "background": "#12345"}, "background", None),
        ({"data": "1", "number_format": "{0.__class__}"}, "number_format", None),
        ({"data": "1", "number_format": ".500f"}, "number_format", None),
        ({"data": "1,a,3"}, "data.0.1", None),
        ({"data": "1,1e101"}, "data.0.1", None),
        ({}, "data", None),
        ({"data": "1,-2", "type": "pie"}, "data", None),
        ({"data": "1", "y_min": 5, "y_max": 1}, "y_max", None),
        ({"data": "1", "log_scale": "true", "y_min": 0}, "y_min", None),
        ({"data": "1", "log_scale": "true", "y_max": -1}, "y_max", None),
        ({"data": "1", "y_max": "inf"}, "y_max", None),
        ({"data": "1", "x": "1"}, "x", None),
        ({"data": "1", "type": "line", "x": "1,inf"}, "x.1", None),
        ({"data": "1", "legend": "middle"}, "legend", None),
        ({"data": "1", "font": "../../etc/passwd"}, "font", None),
        ({"data": "1", "font_size": 100}, "font_size", 72),
        ({"data": "1", "format": "bmp"}, "format", None),
    ],
)
def test_bad_input_gets_422_naming_the_parameter(client, params, parameter, limit):
    response = client.get("/chart", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_parameter"
    problem = next(p for p in body["parameters"] if p["parameter"] == parameter)
    assert parameter in body["message"]
    if limit is not None:
        assert problem["limit"] == limit


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"data": [[1]], "datasets": [{"data": [1]}]}, "datasets"),
        ({"datasets": [{"data": [1]}] * 21}, "datasets"),
        ({"datasets": [{"data": [1] * 1001}]}, "datasets.0.data"),
        ({"datasets": [{"data": [1], "label": "l" * 101}]}, "datasets.0.label"),
        ({"datasets": [{"data": [1], "type": "pie"}]}, "datasets.0.type"),
        ({"type": "pie", "datasets": [{"data": [1], "type": "line"}]}, "datasets"),
        ({"type": "pie", "datasets": [{"data": [-1]}]}, "datasets"),
        ({"datasets": [{"data": [1], "line_width": 50}]}, "datasets.0.line_width"),
        ({"datasets": [{"data": [1], "line_style": "wavy"}]}, "datasets.0.line_style"),
        ({"type": "line", "x": [1], "datasets": [{"data": [1], "type": "bar"}]}, "x"),
        ({"data": [["a"]]}, "data.0.0"),
        ({"data": [1, 2]}, "data.0"),
    ],
)
def test_bad_json_bodies_get_422_naming_the_parameter(client, body, parameter):
    response = client.post("/chart", json=body)
    assert response.status_code == 422
    assert parameter in [p["parameter"] for p in response.json()["parameters"]]


def test_get_parameters_document_text_forms_and_the_body_documents_structures(app):
    spec = app.openapi()
    get = {p["name"]: p for p in spec["paths"]["/chart"]["get"]["parameters"]}
    for name in ("data", "labels", "series", "colors", "x"):
        assert get[name]["schema"]["type"] == "string" and "anyOf" not in get[name]["schema"], name
    assert "datasets" not in get
    assert get["type"]["schema"]["enum"][:2] == ["line", "bar"]
    assert get["width"]["schema"]["maximum"] == 4000
    assert get["format"]["schema"]["enum"] == [
        "png",
        "avif",
        "webp",
        "jpeg",
        "jpg",
        "gif",
        "svg",
        "pdf",
    ]
    post = spec["paths"]["/chart"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ChartParams"
    }
    schemas = spec["components"]["schemas"]
    data = schemas["ChartParams"]["properties"]["data"]
    assert [form.get("type") for form in data["anyOf"]] == ["string", "array", "null"]
    assert data["anyOf"][1]["maxItems"] == 20
    assert data["anyOf"][1]["items"]["maxItems"] == 1000
    datasets = schemas["ChartParams"]["properties"]["datasets"]["anyOf"][0]
    assert datasets["items"] == {"$ref": "#/components/schemas/Dataset"}
    for model in ("ChartParams", "Dataset"):
        for name, prop in schemas[model]["properties"].items():
            assert prop.get("description"), f"{model}.{name} has no description"
    for operation in (spec["paths"]["/chart"]["get"], post):
        media = set(operation["responses"]["200"]["content"])
        assert media == {
            "image/png",
            "image/avif",
            "image/webp",
            "image/jpeg",
            "image/gif",
            "image/svg+xml",
            "application/pdf",
        }


def test_chart_is_listed_with_its_formats(client):
    generators = {g["name"]: g for g in client.get("/generators").json()}
    assert generators["chart"]["formats"][0] == "image/png"
    assert generators["chart"]["accepts_body"] is True


DOC = (ROOT / "README.md").read_text(encoding="utf-8")
DOC_IMAGES = re.findall(r'<img src="http://127\.0\.0\.1:8000(/chart[^"]*)"', DOC)
DOC_CURLS = re.findall(
    r"curl -X POST http://127\.0\.0\.1:8000(\S+) -H 'Content-Type: application/json' "
    r"-d '([^']*)' -o \S+\.(\w+)",
    DOC,
)
EXTENSION_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def test_the_docs_have_examples_of_both_kinds():
    assert len(DOC_IMAGES) >= 2 and len(DOC_CURLS) >= 1


@pytest.mark.parametrize("path", DOC_IMAGES)
def test_every_img_example_in_the_docs_works(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert decode(response.content).format == "PNG"


@pytest.mark.parametrize(("path", "body", "extension"), DOC_CURLS)
def test_every_curl_example_in_the_docs_works(client, path, body, extension):
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == EXTENSION_TYPES[extension]


def test_the_figure_is_cleared_after_rendering(monkeypatch):
    settings = Settings.defaults()
    generator = Chart(GeneratorContext(settings, FontLibrary(settings.fonts_dir)))
    built = []

    def keep(*args):
        built.append(build_figure(*args))
        return built[-1]

    monkeypatch.setattr(chart_module, "build_figure", keep)
    params = generator.params.model_validate({"data": "1,2", "title": "T"})
    for fmt in (PNG, SVG):
        generator.render(params, fmt)
    assert len(built) == 2
    assert all(figure.axes == [] and figure.texts == [] for figure in built)


@pytest.mark.parametrize("fmt", [PNG, SVG])
def test_what_a_chart_draws_is_freed_at_once_after_rendering(monkeypatch, fmt):
    """What was drawn on the axes of a rendered chart (its lines, markers, labels and
    legend: what grows with the data) is freed when the render returns, without
    waiting for the garbage collector; the axes' own parts (spines, axis objects,
    background, titles) and the figure's few texts are left to it."""
    import gc
    import weakref

    settings = Settings.defaults()
    generator = Chart(GeneratorContext(settings, FontLibrary(settings.fonts_dir)))
    drawn: list[weakref.ref] = []

    def keep(*args):
        figure = build_figure(*args)
        own_parts = {id(part) for ax in figure.axes for part in _axes_parts(ax)}
        children = [a for ax in figure.axes for a in ax.get_children() if id(a) not in own_parts]
        drawn.extend(weakref.ref(artist) for artist in children)
        return figure

    monkeypatch.setattr(chart_module, "build_figure", keep)
    query = {"type": "line", "data": "1,2,3|3,1,2", "series": "a,b", "title": "T"}
    params = generator.params.model_validate(query | {"labels": "x,y,z", "y_title": "Y"})
    gc.disable()
    try:
        generator.render(params, fmt)
        assert len(drawn) >= 8  # two lines, tick marks, grid, labels, legend…
        assert [ref() for ref in drawn if ref() is not None] == []
    finally:
        gc.enable()


def _axes_parts(ax):
    """What an Axes is made of, rather than what was drawn on it."""
    parts = [*ax.spines.values(), ax.xaxis, ax.yaxis, ax.patch]
    return [*parts, ax.title, ax._left_title, ax._right_title]


def test_rendering_never_imports_pyplot():
    script = f"""
import sys
from fastapi.testclient import TestClient
from imagegen.app import create_app
from imagegen.settings import Settings

client = TestClient(create_app(Settings.defaults()))
urls = [f"/chart.png?type={{t}}&data=1,2|3,1&width=100&height=60" for t in {TYPES!r}]
for url in urls + ["/chart.svg?data=1,2", "/chart.pdf?data=1,2"]:
    assert client.get(url).status_code == 200, url
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_one_series_with_several_colours_colours_each_bar(client):
    image = chart(client, type="bar", data="3,5,7", colors="ff0000,00ff00,0000ff")
    for rgb in ((255, 0, 0), (0, 255, 0), (0, 0, 255)):
        assert near(image, rgb, 10).sum() > 200, rgb
    lefts = [box(near(image, rgb, 10))[0] for rgb in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    assert lefts == sorted(lefts), "in the order of the points"


def test_dataset_colors_colour_each_point_and_past_the_list_the_series_colour(client):
    body = {
        "type": "scatter",
        "width": 200,
        "height": 150,
        "datasets": [{"data": [1, 2, 3], "color": "0000ff", "colors": ["ff0000"]}],
    }
    response = client.post("/chart", json=body)
    assert response.status_code == 200, response.text
    image = decode(response.content)
    red, blue = near(image, (255, 0, 0), 10), near(image, (0, 0, 255), 10)
    assert red.sum() > 10 and blue.sum() > 20
    assert box(red)[0] < box(blue)[0], "the first point is red, the others blue"


def _columns(mask):
    """(first, last) column of each run of columns where `mask` has pixels."""
    present = mask.any(axis=0).astype(int)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], present, [0]])))
    return list(zip(edges[::2], edges[1::2] - 1, strict=True))


def test_horizontal_stacked_bars_share_their_row(client):
    image = chart(
        client,
        type="horizontal_stacked_bar",
        data="3,3|2,2",
        colors="ff0000,0000ff",
        grid="false",
        legend="none",
    )
    red, blue = near(image, (255, 0, 0), 10), near(image, (0, 0, 255), 10)
    red_rows, blue_rows = np.flatnonzero(red.any(axis=1)), np.flatnonzero(blue.any(axis=1))
    assert set(red_rows) == set(blue_rows), "each category's segments on one row"
    assert box(blue)[0] >= box(red)[2] - 1, "the second series starts where the first ends"


def test_percent_stacked_bars_all_reach_the_top(client):
    image = chart(
        client,
        type="bar",
        stacked="percent",
        data="1,30,5|3,10,200",
        colors="ff0000,0000ff",
        legend="none",
    )
    blue = near(image, (0, 0, 255), 10)
    tops = [np.flatnonzero(blue[:, (a + b) // 2]).min() for a, b in _columns(blue)]
    assert len(tops) == 3 and max(tops) - min(tops) <= 1, tops
    response = client.get(
        "/chart", params=SMALL | {"type": "bar", "stacked": "percent", "data": "1,2|3,4"}
    )
    assert response.status_code == 200


def test_percent_stacking_refuses_a_line_dataset(client):
    body = {
        "type": "bar",
        "stacked": "percent",
        "datasets": [{"data": [1, 2]}, {"data": [2, 1], "type": "line"}],
    }
    response = client.post("/chart", json=body)
    assert response.status_code == 422 and "datasets" in response.text


def test_stacked_areas_rise_on_one_another(client):
    params = {"type": "area", "data": "4,4,4|4,4,4", "colors": "ff0000,0000ff", "y_max": "10"}
    params |= {"grid": "false", "legend": "none"}
    flat, stacked = chart(client, **params), chart(client, **params, stacked="true")
    top = box(near(flat, (0, 0, 255), 10))[1]
    stacked_top = box(near(stacked, (0, 0, 255), 10))[1]
    assert stacked_top < top - 20, "the second area is drawn from the first's top"


def test_an_annotation_line_is_drawn_at_its_value_and_the_axis_reaches_it(client):
    body = {
        "type": "bar",
        "width": 300,
        "height": 200,
        "data": [[5, 2]],
        "colors": ["0000ff"],
        "grid": False,
        "y_max": 10,
        "annotations": [
            {"y": 5, "color": "ff0000", "line_style": "solid"},
            {"y": [1, 1.5], "color": "00ff00"},
        ],
    }
    image = decode(client.post("/chart", json=body).content)
    red, blue = near(image, (255, 0, 0), 70), near(image, (0, 0, 255), 30)
    line_rows = np.flatnonzero(red.sum(axis=1) > 50)
    assert abs(line_rows.mean() - box(blue)[1]) <= 1.5, "the line at the first bar's top"
    assert red.sum(axis=1).max() > 200, "across the plot, over the bars"
    band = near(image, (217, 255, 217), 10)  # pale green, where no bar covers it
    assert band.sum() > 100
    del body["y_max"]
    body["annotations"] = [{"y": 50, "color": "ff0000", "line_style": "solid"}]
    image = decode(client.post("/chart", json=body).content)
    red, blue = near(image, (255, 0, 0), 70), near(image, (0, 0, 255), 30)
    assert red.any() and box(blue)[1] - box(red)[1] > 100, "the axis goes up to 50"


def test_a_vertical_line_goes_at_its_category_by_label_or_number(client):
    params = {"type": "line", "data": "1,2,3,4", "labels": "a,b,c,d", "grid": "false"}
    params |= {"colors": "0000ff", "width": "300", "height": "200"}
    by_label = near(chart(client, **params, vline="c:Launch"), (0x33, 0x33, 0x33), 10)
    by_number = near(chart(client, **params, vline="2:Launch"), (0x33, 0x33, 0x33), 10)
    assert (by_label == by_number).all()
