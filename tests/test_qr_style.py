"""Styled QR codes through the HTTP app: shapes, finder colour, logo, caption and padding,
each decoded by zxing-cpp at the smallest size the route accepts for it."""

import base64
import io
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from imagegen.app import create_app
from imagegen.errors import ApiError
from imagegen.qr_logo import LOGO_DAMAGE_SHARE, LOGO_NAME_PATTERN, damage, logo_box, logo_fits
from imagegen.rendering import validate_params
from imagegen.settings import Settings

URL = "https://example.com/tickets/42"
SVG_NS = "{http://www.w3.org/2000/svg}"


def _logo(width: int, height: int) -> Image.Image:
    """A red badge with a white disc and transparent corners: dark and light pixels."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), min(width, height) // 5, (225, 87, 89))
    side = min(width, height) * 2 // 3
    left, top = (width - side) // 2, (height - side) // 2
    draw.ellipse((left, top, left + side, top + side), (255, 255, 255))
    return image


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _huge_png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` × `height` pixels in a few dozen bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def logos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("logos")
    _logo(200, 120).save(folder / "acme.png")
    _logo(100, 100).convert("RGB").save(folder / "square.jpg")
    _logo(80, 160).save(folder / "tall.webp")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (folder / "bomb.png").write_bytes(_huge_png_header(30_000, 30_000))
    (folder / "big.png").write_bytes(_png(_logo(200, 200)) + b"\0" * 600_000)
    (folder / "notes.txt").write_text("not a logo")
    return folder


@pytest.fixture(scope="module")
def styled(logos: Path) -> TestClient:
    return TestClient(create_app(Settings(logos_dir=logos)))


def read(content: bytes) -> list[str]:
    """The QR codes zxing-cpp finds, the image composited on white first."""
    image = Image.open(io.BytesIO(content)).convert("RGBA")
    white = Image.new("RGBA", image.size, "white")
    white.alpha_composite(image)
    return [r.text for r in zxingcpp.read_barcodes(white.convert("RGB"))]


def smallest_size(client: TestClient, params: dict[str, object]) -> int:
    """The smallest `size` the route accepts for `params`, from its 422 at size 1."""
    response = client.get("/qr.png", params={**params, "size": 1})
    assert response.status_code == 422, response.text
    (problem,) = response.json()["parameters"]
    assert problem["parameter"] == "size"
    return int(problem["limit"])


STYLES = {
    "rounded": {"shape": "rounded"},
    "dots": {"shape": "dots"},
    "gapped": {"shape": "gapped"},
    "finder colour": {"finder_color": "e15759", "color": "1e293b"},
    "dots in two colours": {"shape": "dots", "finder_color": "336699"},
    "caption": {"caption": "Scan for tickets"},
    "padding": {"padding": 10},
    "logo": {"logo": "acme"},
    "everything": {
        "shape": "rounded",
        "finder_color": "e15759",
        "logo": "acme",
        "caption": "Scan me",
        "background": "transparent",
    },
}


@pytest.mark.parametrize("style", STYLES.values(), ids=STYLES.keys())
@pytest.mark.parametrize("scale", [1, 2])
def test_every_style_decodes_at_its_smallest_size(styled, style, scale):
    params = {"data": URL, "scale": scale, **style}
    size = smallest_size(styled, params)
    for fmt in ("png", "webp"):
        response = styled.get(f"/qr.{fmt}", params={**params, "size": size})
        assert response.status_code == 200, response.text
        image = Image.open(io.BytesIO(response.content))
        assert image.width == size * scale
        assert read(response.content) == [URL], (fmt, size)
    large = styled.get("/qr.png", params={**params, "size": 1000})
    assert read(large.content) == [URL]


def test_shapes_need_four_pixels_a_module(styled):
    # Version 3, 29 modules, with 4 of quiet zone on each side: 37 × 4 pixels.
    assert smallest_size(styled, {"data": URL, "shape": "dots"}) == 148
    assert smallest_size(styled, {"data": URL, "shape": "dots", "scale": 2}) == 74
    assert smallest_size(styled, {"data": URL}) == 37
    assert smallest_size(styled, {"data": URL, "padding": 10}) == 57


def test_shapes_are_antialiased_and_finders_take_their_colour(styled):
    params = {"data": URL, "size": 450, "shape": "dots", "finder_color": "ff0000"}
    rgb = np.asarray(
        Image.open(io.BytesIO(styled.get("/qr.png", params=params).content)).convert("RGB")
    )
    colours = {tuple(c) for c in rgb.reshape(-1, 3)}
    assert len(colours) > 10  # edges in between
    module = 450 // 37
    offset = (450 - 29 * module) // 2
    # The top left finder's left edge, halfway down: red; the data in the middle: not.
    red = (rgb == (255, 0, 0)).all(axis=2)
    middle = offset + 3 * module + module // 2
    assert red[middle, offset : offset + module].all()
    assert not red[offset + 10 * module : offset + 19 * module, offset + 10 * module :].any()


def test_caption_makes_the_image_taller_and_is_drawn_in_its_colour(styled):
    params = {"data": URL, "size": 300, "caption": "Scan for tickets", "caption_color": "ff0000"}
    image = Image.open(io.BytesIO(styled.get("/qr.png", params=params).content)).convert("RGB")
    assert image.width == 300 and image.height > 300
    below = np.asarray(image)[268:, :]  # under the code (29 modules of 8 px from 34)
    assert ((below[..., 0] > 200) & (below[..., 1] < 60)).any()
    assert read(styled.get("/qr.png", params=params).content) == [URL]


def test_a_long_caption_wraps_and_shrinks_then_is_cut(styled):
    short = styled.get("/qr.png", params={"data": URL, "size": 200, "caption": "Hi"})
    words = "Scan this code to see the full list of tickets for the show"
    long = styled.get("/qr.png", params={"data": URL, "size": 200, "caption": words})
    very = styled.get("/qr.png", params={"data": URL, "size": 200, "caption": words * 3})
    heights = [Image.open(io.BytesIO(r.content)).height for r in (short, long, very)]
    assert heights[0] < heights[1] <= heights[2] < 200 + 200 // 2
    fixed = styled.get(
        "/qr.png", params={"data": URL, "size": 200, "caption": words * 3, "caption_size": 20}
    )
    assert Image.open(io.BytesIO(fixed.content)).height < 200 + 4 * 30  # three lines at most


def test_logo_sets_ecc_h_and_leaves_a_hole(styled):
    plain = styled.get("/qr.svg", params={"data": URL})
    with_logo = styled.get("/qr.svg", params={"data": URL, "logo": "square"})
    side = lambda r: int(ET.fromstring(r.content).get("viewBox").split()[2])  # noqa: E731
    assert side(plain) == 37  # version 3 at M
    svg = ET.fromstring(with_logo.content)
    image = svg.find(f"{SVG_NS}image")
    assert image is not None and image.get("href").startswith("data:image/png;base64,")
    png = base64.b64decode(image.get("href").split(",", 1)[1])
    assert Image.open(io.BytesIO(png)).format == "PNG"  # re-encoded, not the bytes sent
    explicit = styled.get(
        "/qr.png", params={"data": URL, "logo": "square", "ecc": "H", "size": 400}
    )
    implicit = styled.get("/qr.png", params={"data": URL, "logo": "square", "size": 400})
    assert explicit.content == implicit.content


def test_the_version_grows_to_make_room_for_the_logo(styled):
    # "hi" fits version 1 at H, whose middle has room for 3 modules between the
    # finders: a quarter of the width needs a larger version.
    response = styled.get("/qr.png", params={"data": "hi", "logo": "square", "size": 300})
    assert read(response.content) == ["hi"]
    fixed = styled.get("/qr.png", params={"data": "hi", "logo": "square", "version": 1})
    assert fixed.status_code == 422
    (problem,) = fixed.json()["parameters"]
    assert problem["parameter"] == "logo_size"
    assert "version 1" in problem["message"]


@pytest.mark.parametrize("data", ["hi", URL, "x" * 120, "y" * 400])
@pytest.mark.parametrize("logo", ["acme", "square", "tall"])
def test_the_largest_accepted_logo_decodes_at_the_smallest_size(styled, data, logo):
    """The rule, checked by decoding: the largest logo_size the route accepts for this
    data decodes at the smallest size it accepts."""
    (qr,) = [g for g in styled.app.state.generators if g.name == "qr"]

    def accepts(logo_size: float) -> bool:
        query = {"data": data, "logo": logo, "logo_size": str(logo_size), "size": "4000"}
        try:
            validate_params(qr, query)  # the route's validation, without drawing 4000 px
        except ApiError:
            return False
        return True

    accepted = [size / 100 for size in range(5, 41) if accepts(size / 100)]
    assert accepted, "every logo_size refused"
    params = {"data": data, "logo": logo, "logo_size": accepted[-1]}
    size = smallest_size(styled, params)
    for at in (size, max(size, 300)):
        response = styled.get("/qr.png", params={**params, "size": at})
        assert read(response.content) == [data], (at, accepted[-1])


@pytest.mark.parametrize("version", [2, 5, 7, 10, 20, 40])
@pytest.mark.parametrize("ecc", [2, 3])  # H and Q (qrcode's constants)
def test_a_logo_at_the_rule_takes_at_most_its_share_of_each_block(version, ecc):
    count = 4 * version + 17
    for size in range(5, 41):
        box = logo_box(count, size / 100, 1.0)
        if logo_fits(version, ecc, box):
            assert all(t <= LOGO_DAMAGE_SHARE * c for t, c in damage(version, ecc, box))
        else:
            assert max(box) > count - 18 or any(
                t > LOGO_DAMAGE_SHARE * c for t, c in damage(version, ecc, box)
            )


def test_a_refused_logo_is_one_that_would_not_decode_with_margin(styled):
    """Past the rule, a code at a fixed version with a bigger hole: the 422 says so, and
    the hole the rule refuses takes more than the share of some block."""
    response = styled.get(
        "/qr", params={"data": URL, "logo": "square", "version": 5, "logo_size": 0.4}
    )
    assert response.status_code == 422
    (problem,) = response.json()["parameters"]
    assert problem["parameter"] == "logo_size"
    assert 0.05 <= problem["limit"] < 0.4
    ok = styled.get(
        "/qr.png",
        params={"data": URL, "logo": "square", "version": 5, "logo_size": problem["limit"]},
    )
    assert ok.status_code == 200 and read(ok.content) == [URL]


def test_a_logo_in_a_data_uri_in_a_post_body(styled):
    uri = "data:image/png;base64," + base64.b64encode(_png(_logo(64, 64))).decode()
    response = styled.post("/qr.png", json={"data": URL, "logo": uri, "size": 300})
    assert response.status_code == 200
    assert read(response.content) == [URL]
    plain_server = TestClient(create_app(Settings()))  # no logo folder: data URIs still work
    assert plain_server.post("/qr.png", json={"data": URL, "logo": uri}).status_code == 200


@pytest.mark.parametrize(
    ("logo", "limit"),
    [
        ("../acme", LOGO_NAME_PATTERN),
        ("acme.png", LOGO_NAME_PATTERN),
        ("/etc/passwd", LOGO_NAME_PATTERN),
        ("missing", "a logo of the folder"),
        ("notes", "a logo of the folder"),
        ("broken", "PNG, JPEG, WebP or GIF"),
        ("bomb", 4_000_000),
        ("big", 512_000),
        ("https://example.com/logo.png", LOGO_NAME_PATTERN),
        ("data:text/html;base64,PGI+", "data:image/png, jpeg, webp or gif;base64"),
        ("data:image/png;base64,!!!!", "base64"),
        (
            "data:image/png;base64," + base64.b64encode(b"GIF89a not a png").decode(),
            "PNG, JPEG, WebP or GIF",
        ),
        (
            "data:image/png;base64," + base64.b64encode(_huge_png_header(5000, 5000)).decode(),
            4_000_000,
        ),
    ],
)
def test_bad_logos_get_a_422_naming_logo(styled, logo, limit):
    response = styled.post("/qr", json={"data": URL, "logo": logo})
    assert response.status_code == 422, response.text
    (problem,) = response.json()["parameters"]
    assert problem["parameter"] == "logo"
    assert problem["limit"] == limit


def test_a_data_uri_over_the_byte_limit_is_refused_before_decoding(logos):
    client = TestClient(create_app(Settings(logos_dir=logos, max_logo_bytes=1000)))
    uri = "data:image/png;base64," + base64.b64encode(b"\0" * 5000).decode()
    response = client.post("/qr", json={"data": URL, "logo": uri})
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "logo"
    assert client.get("/qr", params={"data": URL, "logo": "big"}).status_code == 422  # file too


def test_named_logos_need_a_logo_folder():
    response = TestClient(create_app(Settings())).get("/qr", params={"data": URL, "logo": "acme"})
    assert response.status_code == 422
    assert "IMAGEGEN_LOGOS_DIR" in response.json()["message"]


def test_styled_svg_is_vector_and_well_formed(styled):
    params = {
        "data": URL,
        "shape": "rounded",
        "finder_color": "e15759",
        "logo": "acme",
        "caption": 'Tickets <&> "more"',
        "size": 300,
    }
    response = styled.get("/qr.svg", params=params)
    assert response.headers["content-type"] == "image/svg+xml"
    svg = ET.fromstring(response.content)
    assert svg.get("width") == "300" and float(svg.get("height")) > 300
    paths = svg.findall(f".//{SVG_NS}path")
    assert [p.get("fill") for p in paths] == ["#000000", "#e15759"]
    assert paths[1].get("fill-rule") == "evenodd"
    texts = svg.findall(f".//{SVG_NS}text")
    assert [t.text for t in texts] == ['Tickets <&> "more"']
    for shape in ("dots", "gapped", "square"):
        other = styled.get("/qr.svg", params={**params, "shape": shape})
        assert ET.fromstring(other.content).tag == f"{SVG_NS}svg"


def test_styled_output_is_deterministic(styled):
    params = {"data": URL, "shape": "dots", "logo": "acme", "caption": "Hi"}
    for fmt in ("png", "svg", "webp", "jpg"):
        first = styled.get(f"/qr.{fmt}", params=params).content
        assert first == TestClient(styled.app).get(f"/qr.{fmt}", params=params).content


def test_jpeg_of_a_transparent_styled_code_is_white_behind(styled):
    response = styled.get(
        "/qr.jpg", params={"data": URL, "shape": "dots", "background": "transparent"}
    )
    image = Image.open(io.BytesIO(response.content))
    assert image.mode == "RGB" and image.getpixel((1, 1)) == (255, 255, 255)
    assert read(response.content) == [URL]


@pytest.mark.parametrize("fmt", ["png", "webp", "avif", "jpg", "gif"])
def test_a_fully_styled_code_decodes_in_every_raster_format(styled, fmt):
    response = styled.get(f"/qr.{fmt}", params={"data": URL, **STYLES["everything"], "size": 300})
    assert response.status_code == 200
    assert read(response.content) == [URL]
