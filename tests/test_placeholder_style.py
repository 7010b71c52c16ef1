"""Placeholder styling: corners, borders, gradients, and the SVG, GIF and AVIF outputs."""

import xml.etree.ElementTree as ET

import pytest

from imagegen.generators.placeholder import parse_radii
from imagegen.gradients import parse_gradient
from tests.conftest import decode

SVG_NS = "{http://www.w3.org/2000/svg}"


def rgba(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text
    return decode(response.content).convert("RGBA")


def close(a, b, tolerance=3):
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(
    ("text", "radii"),
    [
        ("8", (8, 8, 8, 8)),
        ("8,0", (8, 0, 8, 0)),
        ("1,2,3", (1, 2, 3, 2)),
        ("1,2,3,4", (1, 2, 3, 4)),
    ],
)
def test_radius_expands_as_css_border_radius_does(text, radii):
    assert parse_radii(text) == radii


@pytest.mark.parametrize("fmt", ["png", "webp", "avif"])
def test_rounded_corners_are_transparent_and_antialiased(client, fmt):
    image = rgba(client, f"/placeholder/200x100.{fmt}?radius=20&background=336699&text=%20")
    for corner in ((0, 0), (199, 0), (199, 99), (0, 99)):
        assert image.getpixel(corner)[3] == 0
    assert image.getpixel((100, 50))[3] == 255
    assert image.getpixel((0, 50))[3] == 255  # the straight edge is whole pixels
    assert image.getpixel((100, 0))[3] == 255
    if fmt == "png":  # exact: the arc's pixels are partly covered
        arc = [image.getpixel((x, x))[3] for x in range(3, 10)]
        assert any(0 < alpha < 255 for alpha in arc)
        assert image.getpixel((100, 50))[:3] == (0x33, 0x66, 0x99)


def test_each_corner_has_its_own_radius(client):
    image = rgba(client, "/placeholder/100x100.png?radius=30,0,30,0")
    assert image.getpixel((0, 0))[3] == 0
    assert image.getpixel((99, 0))[3] == 255
    assert image.getpixel((99, 99))[3] == 0
    assert image.getpixel((0, 99))[3] == 255


def test_radii_too_large_are_scaled_down_as_in_css(client):
    pill = client.get("/placeholder/100x50.png?radius=100").content
    assert pill == client.get("/placeholder/100x50.png?radius=25").content


def test_radius_spellings_of_one_shape_share_an_etag(client):
    one = client.get("/placeholder/100x50.png?radius=8").headers["etag"]
    assert client.get("/placeholder/100x50.png?radius=8,8,8,8").headers["etag"] == one


def test_jpeg_shows_the_background_outside_the_corners(client):
    image = rgba(client, "/placeholder/120x80.jpg?radius=30&background=205080&text=%20")
    assert close(image.getpixel((0, 0)), (0x20, 0x50, 0x80, 255), 6)


def test_gif_corners_are_transparent_and_palette_is_256_at_most(client):
    response = client.get("/placeholder/120x80.gif?radius=30&gradient=linear,90,ff0000,0000ff")
    assert response.headers["content-type"] == "image/gif"
    image = decode(response.content)
    assert (image.format, image.size, image.mode) == ("GIF", (120, 80), "P")
    assert len(image.getpalette()) // 3 <= 256
    assert image.getpixel((0, 0)) == image.info["transparency"]
    assert image.getpixel((60, 40)) != image.info["transparency"]


def test_border_is_drawn_inside_in_the_text_colour_by_default(client):
    image = rgba(client, "/placeholder/120x80.png?border=5&color=ff0000&background=ffffff&text=%20")
    for point in ((0, 40), (4, 40), (119, 40), (60, 0), (60, 79)):
        assert image.getpixel(point) == (255, 0, 0, 255)
    assert image.getpixel((5, 40)) == (255, 255, 255, 255)
    blue = rgba(client, "/placeholder/120x80.png?border=5&border_color=blue&text=%20")
    assert blue.getpixel((2, 40)) == (0, 0, 255, 255)


def test_border_follows_rounded_corners(client):
    image = rgba(client, "/placeholder/100x100.png?radius=40&border=4&border_color=000&text=%20")
    assert image.getpixel((0, 0))[3] == 0
    # On the diagonal the arc of radius 40 crosses at 40 - 40/√2 ≈ 11.7: the border
    # lies just inside it, the background after.
    assert image.getpixel((13, 13))[:3] == (0, 0, 0)
    assert image.getpixel((20, 20))[:3] == (0xCC, 0xCC, 0xCC)


def test_linear_gradient_colours_at_known_points(client):
    image = rgba(client, "/placeholder/201x20.png?gradient=linear,90,ff0000,0000ff&text=%20")
    assert close(image.getpixel((0, 10)), (255, 0, 0, 255))
    assert close(image.getpixel((200, 10)), (0, 0, 255, 255))
    assert close(image.getpixel((100, 10)), (128, 0, 127, 255), 2)
    upwards = rgba(client, "/placeholder/20x201.png?gradient=linear,0,ff0000,0000ff&text=%20")
    assert close(upwards.getpixel((10, 200)), (255, 0, 0, 255))
    assert close(upwards.getpixel((10, 0)), (0, 0, 255, 255))


def test_gradient_stop_positions(client):
    image = rgba(
        client, "/placeholder/400x10.png?gradient=linear,90,ff0000,00ff00:25,0000ff&text=%20"
    )
    assert close(image.getpixel((100, 5)), (0, 255, 0, 255), 4)
    assert close(image.getpixel((250, 5)), (0, 128, 127, 255), 4)


def test_radial_gradient_runs_from_the_centre_to_the_corners(client):
    image = rgba(client, "/placeholder/200x100.png?gradient=radial,ffffff,000000&text=%20")
    assert close(image.getpixel((100, 50)), (255, 255, 255, 255), 3)
    assert close(image.getpixel((0, 0)), (0, 0, 0, 255), 6)
    # √2 × half the sides: the edge midpoints are at 1/√2 ≈ 0.71 of the way
    assert close(image.getpixel((0, 50)), (75, 75, 75, 255), 6)


def test_gradient_syntax():
    gradient = parse_gradient("LINEAR,45deg,red,00f:80,#0f0")
    assert (gradient.kind, gradient.angle) == ("linear", 45)
    assert [p for _, p in gradient.stops] == [0, 0.8, 1]
    assert str(gradient) == "linear,45,ff0000ff:0,0000ffff:80,00ff00ff:100"
    spread = parse_gradient("radial,red,green,blue,white:100")
    assert [round(p, 3) for _, p in spread.stops] == [0, 0.333, 0.667, 1]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("gradient=linear,ff0000", "gradient"),
        ("gradient=linear,45,ff0000", "gradient"),
        ("gradient=conic,ff0000,00ff00", "gradient"),
        ("gradient=radial,ff0000,nocolour", "gradient"),
        ("gradient=radial,ff0000,00ff00:101", "gradient"),
        ("gradient=radial," + ",".join(["fff"] * 17), "gradient"),
        ("radius=a", "radius"),
        ("radius=1,2,3,4,5", "radius"),
        ("radius=4001", "radius"),
        ("border=-1", "border"),
        ("border=4001", "border"),
        ("border_color=nope", "border_color"),
    ],
)
def test_bad_styles_get_422_naming_the_parameter(client, query, parameter):
    response = client.get(f"/placeholder/100x100?{query}")
    assert response.status_code == 422, response.text
    assert [p["parameter"] for p in response.json()["parameters"]] == [parameter]


def test_too_many_gradient_stops_names_the_limit(client):
    response = client.get("/placeholder/100x100?gradient=radial," + ",".join(["fff"] * 17))
    assert response.json()["parameters"][0]["limit"] == 16


@pytest.mark.parametrize("size", ["1x1", "3x2", "7x5", "101x37"])
def test_tiny_and_odd_sizes_with_every_style(client, size):
    query = "radius=50,0,3,1&border=2&gradient=linear,33,red,blue:40,white"
    for fmt in ("png", "gif", "webp", "avif", "jpg"):
        image = decode(client.get(f"/placeholder/{size}.{fmt}?{query}").content)
        assert f"{image.size[0]}x{image.size[1]}" == size


def svg(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    return ET.fromstring(response.content), response.content


def test_svg_is_vector_with_text_in_a_font_stack(client):
    root, content = svg(client, "/placeholder/600x400.svg")
    assert root.tag == f"{SVG_NS}svg"
    assert (root.get("width"), root.get("height")) == ("600", "400")
    texts = root.findall(f".//{SVG_NS}text")
    assert [t.text for t in texts] == ["600×400"]
    group = root.find(f".//{SVG_NS}g")
    assert group.get("font-family").startswith("'Lato',")
    assert group.get("font-family").endswith("sans-serif")
    assert float(texts[0].get("textLength")) > 100
    assert len(content) < 600


def test_svg_keeps_css_size_with_scale_and_escapes_text(client):
    root, _ = svg(client, "/placeholder/300x200.svg?scale=2&text=a%20%3C%26%3E%20b%5Cnline")
    assert (root.get("width"), root.get("viewBox")) == ("300", "0 0 600 400")
    assert [t.text for t in root.findall(f".//{SVG_NS}text")] == ["a <&> b", "line"]


def test_svg_draws_gradient_corners_and_border(client):
    root, _ = svg(
        client,
        "/placeholder/200x100.svg?radius=20&border=4&border_color=000"
        "&gradient=linear,90,ff0000,0000ff:75",
    )
    gradient = root.find(f".//{SVG_NS}linearGradient")
    stops = gradient.findall(f"{SVG_NS}stop")
    assert [(s.get("offset"), s.get("stop-color")) for s in stops] == [
        ("0", "#ff0000"),
        ("0.75", "#0000ff"),
    ]
    paths = root.findall(f"{SVG_NS}path")
    assert paths[0].get("fill") == "url(#g)" and "A20 20" in paths[0].get("d")
    assert paths[1].get("fill-rule") == "evenodd" and "A16 16" in paths[1].get("d")
    radial, _ = svg(client, "/placeholder/200x100.svg?gradient=radial,fff,000")
    assert radial.find(f".//{SVG_NS}radialGradient") is not None
