"""Pillow image -> PNG, JPEG or WebP bytes, with per-format options."""

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from imagegen.formats import JPEG, PNG, WEBP, ImageFormat

DEFAULT_JPEG_QUALITY = 85
DEFAULT_WEBP_QUALITY = 80
_PALETTE_COLORS = 256
# A flat image with a palette this small loses nothing when encoded losslessly,
# and lossless is then both exact and smaller than lossy: the default for WebP.
_FLAT_IMAGE_COLORS = 256


@dataclass(frozen=True)
class EncodeOptions:
    """Encoder settings a request may choose. None means the format's default."""

    quality: int | None = None
    lossless: bool | None = None


def _flatten(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """RGB for formats without alpha: transparent areas become white, as on a page."""
    if image.mode == "RGB":
        return image
    rgba = image.convert("RGBA")
    base = Image.new("RGB", rgba.size, background)
    base.paste(rgba, mask=rgba.getchannel("A"))
    return base


def _packed(image: Image.Image) -> np.ndarray:
    """One uint32 per pixel, so that colours compare as numbers."""
    raw = "RGBA" if image.mode == "RGBA" else "RGBX"
    return np.frombuffer(image.tobytes("raw", raw), dtype=np.uint32)


def _exact_palette(image: Image.Image) -> Image.Image | None:
    """The image as a palette image if it has at most 256 colours, else None.

    Pillow's quantizers either merge close colours (lossy) or take 10-20 ms on a
    600×400 image; mapping each pixel to its own colour's index is exact and fast.
    """
    if image.mode not in ("RGB", "RGBA"):
        return None
    colors = image.getcolors(_PALETTE_COLORS)
    if colors is None:
        return None
    swatch = Image.new(image.mode, (len(colors), 1))
    swatch.putdata([color for _, color in colors])
    keys = _packed(swatch)
    order = np.argsort(keys)
    indices = np.searchsorted(keys[order], _packed(image)).astype(np.uint8)
    paletted = Image.frombytes("P", image.size, indices.tobytes())
    channels = len(image.mode)
    palette = swatch.tobytes("raw", image.mode)
    ordered = b"".join(palette[i * channels : (i + 1) * channels] for i in order.tolist())
    paletted.putpalette(ordered, rawmode=image.mode)
    return paletted


def _encode_png(image: Image.Image, options: EncodeOptions) -> bytes:
    out = io.BytesIO()
    (_exact_palette(image) or image).save(out, "PNG", optimize=True)
    return out.getvalue()


def _encode_jpeg(image: Image.Image, options: EncodeOptions) -> bytes:
    out = io.BytesIO()
    quality = options.quality or DEFAULT_JPEG_QUALITY
    _flatten(image).save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _encode_webp(image: Image.Image, options: EncodeOptions) -> bytes:
    lossless = options.lossless
    if lossless is None:
        lossless = options.quality is None and image.getcolors(_FLAT_IMAGE_COLORS) is not None
    out = io.BytesIO()
    if lossless:
        image.save(out, "WEBP", lossless=True, quality=100, method=4, exact=False)
    else:
        quality = options.quality or DEFAULT_WEBP_QUALITY
        image.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()


_ENCODERS = {PNG: _encode_png, JPEG: _encode_jpeg, WEBP: _encode_webp}


def can_encode(fmt: ImageFormat) -> bool:
    """Whether the core can encode a raster image into `fmt`."""
    return fmt in _ENCODERS


def _drop_opaque_alpha(image: Image.Image) -> Image.Image:
    """An RGBA image whose every pixel is opaque, as RGB: smaller files, no alpha chunk."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        return image.convert("RGB")
    return image


def encode(image: Image.Image, fmt: ImageFormat, options: EncodeOptions) -> bytes:
    """Encode `image` as `fmt`. Deterministic: the same image and options give the same bytes."""
    return _ENCODERS[fmt](_drop_opaque_alpha(image), options)
