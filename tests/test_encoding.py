"""Encoders: exact palettes, alpha handling, options, determinism."""

import io
import zlib

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw

from imagegen.encoding import EncodeOptions, encode
from imagegen.formats import JPEG, PNG, WEBP
from imagegen.png import _pack_rows, zlib_compress
from tests.conftest import decode


def flat(mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (120, 80), (200, 30, 30, 255) if mode == "RGBA" else (200, 30, 30))
    ImageDraw.Draw(image).ellipse((10, 10, 110, 70), fill="navy")  # anti-aliasing-free
    return image


def photo() -> Image.Image:
    """More than 256 colours: a gradient."""
    image = Image.new("RGB", (256, 64))
    image.putdata([(x, y * 4, (x + y) % 256) for y in range(64) for x in range(256)])
    return image


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    diff = ImageChops.difference(a.convert("RGBA"), b.convert("RGBA"))
    return diff.getbbox(alpha_only=False) is None


def test_flat_png_is_an_exact_palette_image():
    image = flat()
    decoded = decode(encode(image, PNG, EncodeOptions()))
    assert decoded.mode == "P"
    assert same_pixels(decoded, image)


def test_flat_png_with_alpha_keeps_transparency_exactly():
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((10, 10, 39, 39), fill=(0, 128, 0, 128))
    decoded = decode(encode(image, PNG, EncodeOptions()))
    assert decoded.mode == "P"
    assert decoded.convert("RGBA").getpixel((0, 0)) == (0, 0, 0, 0)
    assert decoded.convert("RGBA").getpixel((20, 20)) == (0, 128, 0, 128)


def test_many_colour_png_stays_truecolour_and_lossless():
    image = photo()
    decoded = decode(encode(image, PNG, EncodeOptions()))
    assert decoded.mode == "RGB"
    assert same_pixels(decoded, image)


def test_jpeg_flattens_alpha_onto_white_and_honours_quality():
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    decoded = decode(encode(image, JPEG, EncodeOptions()))
    assert decoded.mode == "RGB"
    assert all(c >= 250 for c in decoded.getpixel((32, 32)))
    small = encode(photo(), JPEG, EncodeOptions(quality=10))
    large = encode(photo(), JPEG, EncodeOptions(quality=95))
    assert len(small) < len(large)


def test_webp_is_lossless_for_flat_images_and_lossy_for_photos_by_default():
    image = flat()
    assert same_pixels(decode(encode(image, WEBP, EncodeOptions())), image)
    lossy = decode(encode(photo(), WEBP, EncodeOptions()))
    assert not same_pixels(lossy, photo())


def test_webp_options_override_the_default():
    forced_lossless = decode(encode(photo(), WEBP, EncodeOptions(lossless=True)))
    assert same_pixels(forced_lossless, photo())
    forced_lossy = encode(flat(), WEBP, EncodeOptions(lossless=False, quality=5))
    assert forced_lossy != encode(flat(), WEBP, EncodeOptions())


def test_encoding_is_deterministic():
    for fmt in (PNG, JPEG, WEBP):
        assert encode(photo(), fmt, EncodeOptions()) == encode(photo(), fmt, EncodeOptions())


def test_png_output_is_a_real_png():
    data = encode(flat(), PNG, EncodeOptions())
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(data)).format == "PNG"


def test_opaque_rgba_is_encoded_without_alpha():
    image = Image.new("RGBA", (40, 40), (10, 20, 30, 255))
    decoded = decode(encode(image, PNG, EncodeOptions()))
    assert decoded.mode == "P"
    assert "transparency" not in decoded.info
    assert decoded.convert("RGB").getpixel((0, 0)) == (10, 20, 30)


def test_palette_png_uses_the_smallest_bit_depth_and_stays_exact():
    for colors, depth in ((2, 1), (3, 2), (4, 2), (16, 4), (17, 8)):
        image = Image.new("RGB", (37, 5))  # odd width: rows pad to whole bytes
        image.putdata([(i % colors * 9, 0, 200) for i in range(37 * 5)])
        data = encode(image, PNG, EncodeOptions())
        assert data[24] == depth, f"{colors} colours"  # IHDR bit depth byte
        assert same_pixels(decode(data), image)


def test_palette_puts_the_most_frequent_colour_first():
    image = Image.new("RGB", (20, 20), (1, 2, 3))
    image.putpixel((0, 0), (250, 250, 250))
    assert decode(encode(image, PNG, EncodeOptions())).getpalette()[:3] == [1, 2, 3]


def test_palette_mapping_is_exact_for_a_full_256_colour_palette():
    image = Image.new("RGB", (256, 40))
    image.putdata([(x, (x * 7) % 256, 255 - x) for _ in range(40) for x in range(256)])
    decoded = decode(encode(image, PNG, EncodeOptions()))
    assert decoded.mode == "P" and same_pixels(decoded, image)


def test_palette_mapping_falls_back_when_every_hash_collides(monkeypatch):
    import imagegen.encoding

    monkeypatch.setattr(imagegen.encoding, "_MULTIPLIERS", ())
    image = flat()
    assert same_pixels(decode(encode(image, PNG, EncodeOptions())), image)


def _idat_stream(png: bytes) -> bytes:
    """The PNG's IDAT data, joined: one zlib stream."""
    position, data = 8, b""
    while position < len(png):
        length = int.from_bytes(png[position : position + 4], "big")
        if png[position + 4 : position + 8] == b"IDAT":
            data += png[position + 8 : position + 8 + length]
        position += length + 12
    return data


@pytest.mark.parametrize(
    ("size", "band"),
    [
        ((600, 400), (150, 180)),  # blank above and below
        ((600, 400), (0, 60)),  # blank below only
        ((600, 400), (340, 400)),  # blank above only
        ((600, 900), (880, 890)),  # a thin band, most rows blank
    ],
)
def test_mostly_blank_palette_images_are_exact_in_pieces(size, band):
    """Rows of background above and below the content are compressed apart from it
    (png._banded_stream): the stream still decodes to every pixel, its checksum holds."""
    width = size[0]
    image = Image.new("P", size, 0)
    image.putpalette([200, 200, 200] + [c for i in range(255) for c in (i, 255 - i, 90)])
    draw = ImageDraw.Draw(image)
    for i, x in enumerate(range(0, width - 20, 23)):
        draw.rectangle((x, band[0], x + 11, band[1] - 1), fill=1 + i % 200)
    png = encode(image, PNG, EncodeOptions())
    zlib.decompress(_idat_stream(png))  # raises on a bad Adler-32 or a cut stream
    decoded = decode(png)
    assert decoded.size == size
    assert ImageChops.difference(decoded.convert("RGB"), image.convert("RGB")).getbbox() is None


def test_banded_stream_is_not_used_for_one_bit_images():
    """QR codes (1 bit a pixel) keep libdeflate's one-piece stream: their bytes are
    those of earlier versions."""
    image = Image.new("P", (800, 800), 0)
    image.putpalette([255, 255, 255, 0, 0, 0])
    ImageDraw.Draw(image).rectangle((100, 390, 700, 410), fill=1)
    png = encode(image, PNG, EncodeOptions())
    rows = _pack_rows(np.asarray(image), 1)
    raw = np.zeros((rows.shape[0], rows.shape[1] + 1), dtype=np.uint8)
    raw[:, 1:] = rows
    assert _idat_stream(png) == zlib_compress(raw, 9)
    assert ImageChops.difference(decode(png).convert("RGB"), image.convert("RGB")).getbbox() is None
