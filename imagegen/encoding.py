"""Pillow image -> PNG, JPEG, WebP, AVIF or GIF bytes, with per-format options."""

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from imagegen.formats import AVIF, GIF, JPEG, PNG, WEBP, ImageFormat
from imagegen.png import write_indexed_png

DEFAULT_JPEG_QUALITY = 85
DEFAULT_WEBP_QUALITY = 80
DEFAULT_AVIF_QUALITY = 60
# libaom's speed, 0-10. Its default, 6, took 174 ms for a 600×400 placeholder and 0.8 s
# for 2000×1500 on one core; 8 took 50 and 270 ms for files 5-10% larger (README,
# "Formats"). One thread: renders already run side by side, one per core.
AVIF_SPEED = 8
# GIF transparency is on or off: a pixel at least half opaque is drawn in its colour.
_GIF_OPAQUE_FROM = 128
_PALETTE_COLORS = 256
# A flat image with a palette this small loses nothing when encoded losslessly,
# and lossless is then both exact and smaller than lossy: the default for WebP.
_FLAT_IMAGE_COLORS = 256


@dataclass(frozen=True)
class EncodeOptions:
    """Encoder settings a request may choose. None means the format's default."""

    quality: int | None = None
    lossless: bool | None = None
    png_level: int = 9  # libdeflate level of palette PNGs (a server setting)


def _truecolor(image: Image.Image) -> Image.Image:
    """RGB or RGBA: what the JPEG and WebP encoders take."""
    if image.mode in ("RGB", "RGBA"):
        return image
    return image.convert("RGBA" if image.has_transparency_data else "RGB")


def _flatten(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """RGB for formats without alpha: transparent areas become white, as on a page."""
    image = _truecolor(image)
    if image.mode == "RGB":
        return image
    rgba = image
    base = Image.new("RGB", rgba.size, background)
    base.paste(rgba, mask=rgba.getchannel("A"))
    return base


def _packed(image: Image.Image) -> np.ndarray:
    """One uint32 per pixel, so that colours compare as numbers."""
    raw = "RGBA" if image.mode == "RGBA" else "RGBX"
    return np.frombuffer(image.tobytes("raw", raw), dtype=np.uint32)


Indexed = tuple[np.ndarray, list[tuple[int, ...]]]


def _from_palette_image(image: Image.Image) -> Indexed:
    """A "P" image's indices and RGBA palette, most frequent colour first, with unused
    entries dropped and entries of the same colour merged (coverage palettes have many:
    neighbouring coverage levels often round to one colour).

    Flat images are mostly index 0 (a background): only the box around the other
    indices (`getbbox`) is counted and remapped, the rest is known to be index 0."""
    box = image.getbbox(alpha_only=False)
    if box is None:
        box = (0, 0, 1, 1)
    crop = image.crop(box) if box != (0, 0, *image.size) else image
    counts = crop.histogram()
    counts[0] += image.width * image.height - crop.width * crop.height
    counts = np.asarray(counts, dtype=np.int64)
    used = np.flatnonzero(counts)
    rgba = np.frombuffer(bytes(image.getpalette("RGBA") or []), dtype=np.uint32)
    rgba = np.pad(rgba, (0, _PALETTE_COLORS - len(rgba)))  # a short palette: black
    # Entries of one colour are merged; colours are ordered by their pixel count, ties by
    # their first index.
    colours, first, merged = np.unique(rgba[used], return_index=True, return_inverse=True)
    totals = np.bincount(merged, weights=counts[used])
    order = np.lexsort((first, -totals))
    rank = np.empty(len(order), dtype=np.uint8)
    rank[order] = np.arange(len(order), dtype=np.uint8)
    remap = np.zeros(_PALETTE_COLORS, dtype=np.uint8)
    remap[used] = rank[merged.ravel()]
    palette = list(map(tuple, colours[order].view(np.uint8).reshape(-1, 4).tolist()))
    if np.array_equal(remap[used], used):  # already in place: no copy to make
        return np.asarray(image), palette
    if remap[0] != 0 or crop is image:
        return remap[np.asarray(image)], palette
    indices = np.zeros((image.height, image.width), dtype=np.uint8)
    indices[box[1] : box[3], box[0] : box[2]] = remap[np.asarray(crop)]
    return indices, palette


def palette_indices(image: Image.Image) -> Indexed | None:
    """The image as (palette positions, palette), most frequent colour first, if it has
    at most 256 colours; else None. Exact: every pixel keeps its colour.

    Generators that know their few colours should return a "P" image: that skips
    finding the colours again here, the costliest step of encoding a flat image."""
    if image.mode == "P":
        return _from_palette_image(image)
    if image.mode not in ("RGB", "RGBA"):
        return None
    counted = image.getcolors(_PALETTE_COLORS)
    if counted is None:
        return None
    palette = [color for _, color in sorted(counted, key=lambda item: -item[0])]
    swatch = Image.new(image.mode, (len(palette), 1))
    swatch.putdata(palette)
    positions = _positions(_packed(swatch), _packed(image))
    return positions.reshape(image.height, image.width), palette


# Odd 32-bit constants for multiplicative hashing; fixed, so output is deterministic.
_MULTIPLIERS = tuple(np.uint32(m) for m in (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F))
_HASH_SHIFT = np.uint32(16)


def _positions(keys: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """For each pixel, the position of its colour in `keys` (every pixel is one of them).

    A multiplicative hash into a 65,536-entry table is about 3x faster than a binary
    search; each multiplier has roughly even odds of being collision-free for 256 keys,
    and a binary search remains the fallback.
    """
    for multiplier in _MULTIPLIERS:
        slots = (keys * multiplier) >> _HASH_SHIFT
        if len(np.unique(slots)) == len(keys):
            table = np.zeros(1 << 16, dtype=np.uint8)
            table[slots] = np.arange(len(keys), dtype=np.uint8)
            return table[(pixels * multiplier) >> _HASH_SHIFT]
    order = np.argsort(keys)
    return order.astype(np.uint8)[np.searchsorted(keys[order], pixels)]


# libdeflate's levels above 9 cost 1.5-2.5 times level 9's time for a few per cent of
# size; on big images that is hundreds of milliseconds (739 against 300 ms for a 16 MP
# placeholder at 12), so they apply only up to this many pixels.
SLOW_PNG_LEVELS_UP_TO_PIXELS = 4_000_000


def _encode_png(image: Image.Image, options: EncodeOptions) -> bytes:
    indexed = palette_indices(image)
    if indexed is not None:
        level = options.png_level
        if image.width * image.height > SLOW_PNG_LEVELS_UP_TO_PIXELS:
            level = min(level, 9)
        return write_indexed_png(*indexed, level=level)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
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
    image = _truecolor(image)
    if lossless:
        image.save(out, "WEBP", lossless=True, quality=100, method=4, exact=False)
    else:
        quality = options.quality or DEFAULT_WEBP_QUALITY
        image.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()


def _encode_avif(image: Image.Image, options: EncodeOptions) -> bytes:
    out = io.BytesIO()
    quality = options.quality or DEFAULT_AVIF_QUALITY
    # 4:4:4: drawn edges between saturated colours (text, chart lines) keep their colour;
    # 4:2:0 blurs it over two pixels, for a few per cent of size on such images.
    _truecolor(image).save(
        out, "AVIF", quality=quality, speed=AVIF_SPEED, max_threads=1, subsampling="4:4:4"
    )
    return out.getvalue()


def _gif_palette(image: Image.Image) -> tuple[np.ndarray, list[tuple[int, ...]], int | None]:
    """(indices, RGB palette, transparent index or None) of a GIF of `image`: its exact
    colours when it has at most 256, else 255 or 256 found by median cut. Pixels less
    than half opaque share one transparent entry; the others are drawn opaque."""
    indexed = palette_indices(image)
    if indexed is not None:
        indices, palette = indexed
        clear = [i for i, colour in enumerate(palette) if len(colour) == 4 and colour[3] < 128]
        if not clear:
            return indices, palette, None
        remap = np.arange(len(palette), dtype=np.uint8)
        remap[clear] = clear[0]
        return remap[indices], palette, clear[0]
    hidden = None
    if image.mode == "RGBA":
        hidden = np.asarray(image.getchannel("A")) < _GIF_OPAQUE_FROM
        if not hidden.any():
            hidden = None
    colours = _PALETTE_COLORS - (hidden is not None)
    quantized = image.convert("RGB").quantize(colours, Image.Quantize.MEDIANCUT)
    flat = quantized.getpalette() or []
    palette = [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)][:colours]
    indices = np.asarray(quantized)
    if hidden is None:
        return indices, palette, None
    indices = indices.copy()
    indices[hidden] = len(palette)
    return indices, [*palette, (0, 0, 0)], len(palette)


def _encode_gif(image: Image.Image, options: EncodeOptions) -> bytes:
    indices, palette, transparent = _gif_palette(image)
    height, width = indices.shape
    indexed = Image.frombytes("P", (width, height), np.ascontiguousarray(indices).tobytes())
    indexed.putpalette(b"".join(bytes(colour[:3]) for colour in palette), rawmode="RGB")
    out = io.BytesIO()
    extra = {} if transparent is None else {"transparency": transparent}
    indexed.save(out, "GIF", optimize=False, **extra)
    return out.getvalue()


_ENCODERS = {
    PNG: _encode_png,
    JPEG: _encode_jpeg,
    WEBP: _encode_webp,
    AVIF: _encode_avif,
    GIF: _encode_gif,
}


def _drop_opaque_alpha(image: Image.Image) -> Image.Image:
    """An RGBA image whose every pixel is opaque, as RGB: smaller files, no alpha chunk."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        return image.convert("RGB")
    return image


def encode(image: Image.Image, fmt: ImageFormat, options: EncodeOptions) -> bytes:
    """Encode `image` as `fmt`. Deterministic: the same image and options give the same bytes."""
    return _ENCODERS[fmt](_drop_opaque_alpha(image), options)
