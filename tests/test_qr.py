"""`/qr` through the HTTP app: codes decoded by zxing-cpp, exact pixels, SVG, errors."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from imagegen.generators.qr import QRParams, encode_modules
from tests.conftest import decode

SVG_NS = "{http://www.w3.org/2000/svg}"
LONG_URL = "https://example.com/reports/2024/quarterly?" + "&".join(
    f"field{i}=value-{i:04d}" for i in range(28)
)
PAYLOADS = {
    "ascii": "Hello, QR! 0123456789",
    "long_url": LONG_URL,
    "emoji": "Tickets 🎟️ for the show 🎉😀",
    "cjk": "你好，世界 こんにちは 안녕하세요",
    "mixed": "Ünïcödé café — 12345678901234567890 ÄÖÜß",
}
_RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\3z")


def read_qr(image: Image.Image) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in `image`."""
    return [
        result.text
        for result in zxingcpp.read_barcodes(image.convert("RGB"))
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


def svg_modules(svg: ET.Element) -> tuple[int, np.ndarray]:
    """(side, dark modules) of an SVG from `/qr`: its single path, rasterised one pixel
    per module. Fails on any path syntax other than the runs `/qr` writes."""
    side = int(svg.get("viewBox").split()[2])
    grid = np.zeros((side, side), dtype=bool)
    path = svg.find(f"{SVG_NS}path").get("d")
    assert _RUN.sub("", path) == "", "unexpected path syntax"
    for match in _RUN.finditer(path):
        x, y, width = (int(group) for group in match.groups())
        assert not grid[y, x : x + width].any(), "runs overlap"
        grid[y, x : x + width] = True
    return side, grid


def upscaled(modules: np.ndarray, factor: int) -> Image.Image:
    """A black-on-white image of `modules`, `factor` pixels per module."""
    pixels = np.where(modules, 0, 255).astype(np.uint8)
    return Image.fromarray(np.kron(pixels, np.ones((factor, factor), dtype=np.uint8)))


def problem(response, parameter):
    """The 422 body's entry for `parameter`."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_parameter"
    assert parameter in body["message"]
    return next(p for p in body["parameters"] if p["parameter"] == parameter)


@pytest.mark.parametrize("ecc", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_png_round_trips_every_payload_at_every_ecc_level(client, payload, ecc):
    response = client.get("/qr.png", params={"data": payload, "ecc": ecc, "size": 400})
    assert response.status_code == 200
    assert read_qr(decode(response.content)) == [payload]


@pytest.mark.parametrize(("extension", "fmt"), [("webp", "WEBP"), ("jpg", "JPEG")])
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_webp_and_jpeg_round_trip(client, payload, extension, fmt):
    response = client.get(f"/qr.{extension}", params={"data": payload, "size": 400})
    image = decode(response.content)
    assert (image.format, image.size) == (fmt, (400, 400))
    assert read_qr(image) == [payload]


def test_post_takes_a_long_payload_as_json(client):
    payload = "ticket:" + "0123456789abcdef" * 100 + " 🎟️"
    response = client.post("/qr", json={"data": payload, "ecc": "l", "size": 800})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert read_qr(decode(response.content)) == [payload]


@pytest.mark.parametrize("size", [29, 57, 100, 123, 300, 301, 1000])
def test_output_is_exactly_size_pixels(client, size):
    image = decode(client.get("/qr", params={"data": "hello", "size": size}).content)
    assert image.size == (size, size)


def test_scale_multiplies_the_pixels_and_keeps_the_modules_whole(client):
    image = decode(client.get("/qr?data=hello&size=123&scale=2").content)
    assert image.size == (246, 246)
    assert set(np.unique(np.asarray(image.convert("L")))) == {0, 255}
    assert read_qr(image) == ["hello"]


@pytest.mark.parametrize("size", [100, 123, 299])
def test_modules_are_crisp_whole_pixels_centred_on_the_canvas(client, size):
    response = client.get("/qr.png", params={"data": "crisp?", "size": size, "border": 2})
    rgb = np.asarray(decode(response.content).convert("RGB"))
    colours = {tuple(c) for c in rgb.reshape(-1, 3)}
    assert colours == {(0, 0, 0), (255, 255, 255)}  # no anti-aliasing
    modules = encode_modules(QRParams(data="crisp?", size=size, border=2))
    count = len(modules)
    module_px = size // (count + 4)
    dark = rgb[:, :, 0] == 0
    rows, cols = np.nonzero(dark)
    top, left = rows.min(), cols.min()
    assert abs(top - (size - rows.max() - 1)) <= 1 and abs(left - (size - cols.max() - 1)) <= 1
    assert top >= 2 * module_px  # the quiet zone is at least `border` modules
    code = dark[top : top + count * module_px, left : left + count * module_px]
    expected = np.kron(modules, np.ones((module_px, module_px), dtype=bool))
    assert np.array_equal(code, expected)


def test_same_parameters_give_the_same_bytes(client):
    for path in ("/qr.png?data=same", "/qr.svg?data=same", "/qr.webp?data=same"):
        assert client.get(path).content == client.get(path).content


def test_colours_and_transparent_background(client):
    response = client.get(
        "/qr.png", params={"data": "colours", "color": "#336699", "background": "transparent"}
    )
    image = decode(response.content).convert("RGBA")
    assert image.getpixel((0, 0)) == (0, 0, 0, 0)  # quiet zone
    assert {c for _, c in image.getcolors()} == {(0, 0, 0, 0), (51, 102, 153, 255)}
    on_white = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    assert read_qr(on_white) == ["colours"]


def test_translucent_modules_are_painted_over_the_background(client):
    response = client.get("/qr.png", params={"data": "x", "color": "#00000080", "size": 58})
    image = decode(response.content)
    assert image.mode in ("RGB", "P")  # an opaque background keeps the image opaque
    assert {c for _, c in image.convert("RGB").getcolors()} == {(127, 127, 127), (255, 255, 255)}


def test_jpeg_shows_a_transparent_background_as_white(client):
    response = client.get("/qr.jpg", params={"data": "jpeg", "background": "transparent"})
    image = decode(response.content)
    assert image.getpixel((2, 2)) == (255, 255, 255)
    assert read_qr(image) == ["jpeg"]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_svg_is_vector_and_draws_exactly_the_modules(client, payload):
    response = client.get("/qr.svg", params={"data": payload, "size": 250, "ecc": "Q"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    svg = ET.fromstring(response.content)
    assert svg.tag == f"{SVG_NS}svg"
    assert (svg.get("width"), svg.get("height")) == ("250", "250")
    assert svg.get("shape-rendering") == "crispEdges"
    side, grid = svg_modules(svg)
    assert svg.get("viewBox") == f"0 0 {side} {side}"
    modules = encode_modules(QRParams(data=payload, size=250, ecc="Q"))
    assert side == len(modules) + 8
    assert np.array_equal(grid[4:-4, 4:-4], modules) and grid.sum() == modules.sum()
    assert read_qr(upscaled(grid, 4)) == [payload]


def test_svg_colours_and_transparency(client):
    plain = ET.fromstring(client.get("/qr.svg?data=x").content)
    assert plain.find(f"{SVG_NS}rect").get("fill") == "#ffffff"
    assert plain.find(f"{SVG_NS}path").get("fill") == "#000000"
    params = {"data": "x", "color": "#33669980", "background": "transparent"}
    clear = ET.fromstring(client.get("/qr.svg", params=params).content)
    assert clear.find(f"{SVG_NS}rect") is None
    path = clear.find(f"{SVG_NS}path")
    assert (path.get("fill"), path.get("fill-opacity")) == ("#336699", "0.502")


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/qr?data=hi&format=svg", {}),
        ("get", "/qr.svg?data=hi", {}),
        ("get", "/qr?data=hi", {"headers": {"Accept": "image/svg+xml"}}),
        ("post", "/qr.svg", {"json": {"data": "hi"}}),
        ("post", "/qr?format=svg", {"json": {"data": "hi"}}),
    ],
)
def test_svg_is_chosen_by_extension_format_or_accept(client, method, path, kwargs):
    response = getattr(client, method)(path, **kwargs)
    assert response.headers["content-type"] == "image/svg+xml"
    assert ET.fromstring(response.content).get("width") == "300"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("*/*", "image/png"),
        (None, "image/png"),
        ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "image/webp"),
        ("image/jpeg", "image/jpeg"),
    ],
)
def test_accept_negotiation_defaults_to_png(client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/qr?data=negotiate", headers=headers)
    assert response.headers["content-type"] == media_type
    assert response.headers["vary"] == "Accept"


def test_version_fixes_the_module_count(client):
    svg = ET.fromstring(client.get("/qr.svg?data=hi&version=10&border=0").content)
    assert svg.get("viewBox") == "0 0 57 57"
    image = decode(client.get("/qr.png?data=hi&version=10&size=171").content)
    assert read_qr(image) == ["hi"]


@pytest.mark.parametrize(
    ("params", "parameter", "limit"),
    [
        ({"data": ""}, "data", 1),
        ({}, "data", None),
        ({"data": "x" * 7090}, "data", 7089),
        ({"data": "x" * 1274, "ecc": "H"}, "data", 1273),
        ({"data": "é" * 1500}, "data", 2331),
        ({"data": "hello world, version one", "version": 1, "ecc": "h"}, "data", 7),
        ({"data": "hello", "size": 28}, "size", 29),
        ({"data": "hello", "size": 20, "border": 0}, "size", 21),
        ({"data": "x" * 1000, "size": 100}, "size", 129),  # version 26: 121 + 2 × 4
        ({"data": "hello", "size": 0}, "size", 1),
        ({"data": "hello", "size": 4001}, "size", 4000),
        ({"data": "hello", "size": 10**30}, "size", None),
        ({"data": "hello", "size": 4000, "scale": 2}, "scale", 16_000_000),
        ({"data": "hello", "scale": 5}, "scale", 4),
        ({"data": "hello", "ecc": "X"}, "ecc", None),
        ({"data": "hello", "version": 41}, "version", 40),
        ({"data": "hello", "version": 0}, "version", 1),
        ({"data": "hello", "border": -1}, "border", 0),
        ({"data": "hello", "border": 41}, "border", 40),
        ({"data": "hello", "color": "nope"}, "color", None),
    ],
)
def test_bad_input_gets_422_naming_the_parameter_and_limit(client, params, parameter, limit):
    for response in (client.get("/qr", params=params), client.post("/qr", json=params)):
        found = problem(response, parameter)
        if limit is not None:
            assert found["limit"] == limit
            assert str(limit) in found["message"] or found["parameter"] == "ecc"


def test_capacity_message_names_the_level_and_version(client):
    body = client.get("/qr", params={"data": "x" * 1274, "ecc": "H"}).json()
    assert body["message"] == (
        "data: is too long: 1274 bytes as UTF-8, and a QR code at ecc=H holds at most 1273 "
        "bytes (more if only digits or upper-case letters)"
    )
    body = client.get("/qr", params={"data": "x" * 20, "version": 1}).json()
    assert "of version 1 at ecc=M holds at most 14 bytes" in body["message"]


def test_the_largest_codes_fit_exactly(client):
    full = client.post("/qr.svg", json={"data": "x" * 2953, "ecc": "L"})
    assert full.status_code == 200
    assert ET.fromstring(full.content).get("viewBox") == "0 0 185 185"  # version 40
    digits = client.post("/qr.png", json={"data": "7" * 7089, "ecc": "L", "size": 740})
    assert read_qr(decode(digits.content)) == ["7" * 7089]


def test_spec_lists_qr_formats_in_order_of_preference(app):
    paths = app.openapi()["paths"]
    for path in ("/qr", "/qr.{format}"):
        for method in ("get", "post"):
            content = paths[path][method]["responses"]["200"]["content"]
            assert list(content) == [
                "image/png",
                "image/webp",
                "image/avif",
                "image/jpeg",
                "image/gif",
                "image/svg+xml",
            ]
    params = {p["name"]: p for p in paths["/qr"]["get"]["parameters"]}
    # `data`, or a content helper (`wifi.ssid`…) instead: required by the model, not the spec.
    assert params["data"]["required"] is False
    assert params["data"]["schema"]["maxLength"] == 7089
    assert params["ecc"]["schema"]["enum"] == ["L", "M", "Q", "H"]
    assert params["format"]["schema"]["enum"] == [
        "png",
        "webp",
        "avif",
        "jpeg",
        "jpg",
        "gif",
        "svg",
    ]
