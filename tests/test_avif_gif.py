"""AVIF and GIF on every raster route, explicit or negotiated."""

import io

import pytest
from PIL import Image, ImageDraw, features

from imagegen.encoding import EncodeOptions, encode
from imagegen.formats import AVIF, GIF
from tests.conftest import decode

CHROME_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
ROUTES = {
    "placeholder": "/placeholder/120x80",
    "qr": "/qr?data=hello&size=120",
    "chart": "/chart?type=bar&data=1,3,2&width=160&height=120",
}


def test_pillow_encodes_avif():
    assert features.check("avif")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("fmt", "name", "media_type"), [("avif", "AVIF", "image/avif"), ("gif", "GIF", "image/gif")]
)
def test_every_raster_route_serves_avif_and_gif(client, route, fmt, name, media_type):
    path = ROUTES[route]
    base, _, query = path.partition("?")
    for url in (f"{base}.{fmt}?{query}", f"{path}{'&' if query else '?'}format={fmt}"):
        response = client.get(url, headers={"Accept": "image/png"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == media_type
        image = decode(response.content)
        assert image.format == name
        assert image.size == (
            (120, 120) if route == "qr" else (120, 80) if route == "placeholder" else (160, 120)
        )


def test_qr_gif_keeps_its_two_colours_exactly(client):
    image = decode(client.get("/qr.gif?data=hello&size=120&color=336699").content)
    colours = {colour for _, colour in image.convert("RGB").getcolors()}
    assert colours == {(0x33, 0x66, 0x99), (255, 255, 255)}


@pytest.mark.parametrize(
    ("route", "media_type"),
    [("placeholder", "image/webp"), ("qr", "image/webp"), ("chart", "image/avif")],
)
def test_browsers_get_the_measured_preference(client, route, media_type):
    response = client.get(ROUTES[route], headers={"Accept": CHROME_ACCEPT})
    assert response.headers["content-type"] == media_type
    assert response.headers["vary"] == "Accept"
    decode(response.content)


def test_avif_only_accept_gets_avif_everywhere(client):
    for path in ROUTES.values():
        response = client.get(path, headers={"Accept": "image/avif"})
        assert response.headers["content-type"] == "image/avif"


def test_avif_keeps_alpha_and_is_deterministic():
    image = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((16, 12, 47, 35), fill=(200, 40, 40, 255))
    data = encode(image, AVIF, EncodeOptions())
    assert data == encode(image, AVIF, EncodeOptions())
    decoded = Image.open(io.BytesIO(data)).convert("RGBA")
    assert decoded.getpixel((2, 2))[3] == 0
    assert decoded.getpixel((32, 24))[3] == 255
    assert len(encode(image, AVIF, EncodeOptions(quality=10))) < len(
        encode(image, AVIF, EncodeOptions(quality=95))
    )


def test_gif_of_many_colours_is_quantized_to_a_palette_with_transparency():
    image = Image.new("RGBA", (256, 64))
    image.putdata(
        [(x, y * 4, (x + y) % 256, 0 if x < 8 else 255) for y in range(64) for x in range(256)]
    )
    decoded = Image.open(io.BytesIO(encode(image, GIF, EncodeOptions())))
    assert decoded.mode == "P" and len(decoded.getpalette()) // 3 <= 256
    assert decoded.getpixel((0, 0)) == decoded.info["transparency"]
    r, g, b = decoded.convert("RGB").getpixel((200, 40))
    assert abs(r - 200) < 24 and abs(g - 160) < 24 and abs(b - 240) < 24
