"""A PNG writer for palette images, tuned for the flat images generators draw.

Pillow's PNG encoder is general; for images of at most 256 colours three choices make
files 15-30% smaller and encoding several times faster:
- the palette is ordered by frequency, so the background is index 0: the same byte as
  each row's filter type, which turns blank rows into one long run of zeros;
- no filtering (for indexed colour, filters mostly hurt);
- the smallest bit depth that holds the palette (1 bit for a QR code) and libdeflate,
  which compresses better than zlib at the same speed.

A placeholder is mostly blank rows above and below its text, and at 8 bits a pixel
libdeflate spends more than half its time on them (a 600×400 one: 0.85 of 1.66 ms).
Such images are compressed in pieces (`_banded_stream`): the blank rows above and below
as ready-made runs of zeros, the band between them by zlib, into one zlib stream that
decodes to the very same rows. Smaller and four times faster for them; other images
(QR codes among them, at 1 bit a pixel) keep the one-piece stream.
"""

import ctypes
import struct
import threading
import zlib
from functools import lru_cache

import deflate
import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOR_TYPE_INDEXED = 3


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _load_libdeflate() -> ctypes.CDLL | None:
    """libdeflate's own functions in the `deflate` package's extension module, where it
    exports them. Called through ctypes they run without the GIL (the package's
    `zlib_compress` holds it: a 600×400 image's millisecond blocked every other thread,
    the server's event loop included); the code and so the bytes are the same."""
    try:
        library = ctypes.CDLL(deflate._deflate.__file__)
        library.libdeflate_alloc_compressor.restype = ctypes.c_void_p
        library.libdeflate_alloc_compressor.argtypes = [ctypes.c_int]
        library.libdeflate_free_compressor.argtypes = [ctypes.c_void_p]
        library.libdeflate_zlib_compress_bound.restype = ctypes.c_size_t
        library.libdeflate_zlib_compress_bound.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        library.libdeflate_zlib_compress.restype = ctypes.c_size_t
        library.libdeflate_zlib_compress.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_void_p,
            ctypes.c_size_t,
        ]
    except (OSError, AttributeError):
        return None
    return library


_LIBDEFLATE = _load_libdeflate()


class _Compressors(threading.local):
    """One libdeflate compressor per level and thread (they are not thread-safe, and
    allocating one costs about as much as compressing a small image)."""

    def __init__(self) -> None:
        self.by_level: dict[int, int] = {}

    def get(self, library: ctypes.CDLL, level: int) -> int:
        if level not in self.by_level:
            self.by_level[level] = library.libdeflate_alloc_compressor(level)
        return self.by_level[level]

    def __del__(self) -> None:
        if _LIBDEFLATE is not None:
            for compressor in self.by_level.values():
                _LIBDEFLATE.libdeflate_free_compressor(compressor)


_compressors = _Compressors()


def zlib_compress(data: np.ndarray, level: int) -> bytes:
    """`data` (a C-contiguous array) as a zlib stream by libdeflate at `level`: the bytes
    of `deflate.zlib_compress`, without holding the GIL when libdeflate can be called."""
    if _LIBDEFLATE is None:
        return deflate.zlib_compress(data.tobytes(), level)
    compressor = _compressors.get(_LIBDEFLATE, level)
    if not compressor:
        raise MemoryError("libdeflate could not allocate a compressor")
    bound = _LIBDEFLATE.libdeflate_zlib_compress_bound(compressor, data.nbytes)
    out = ctypes.create_string_buffer(bound)
    size = _LIBDEFLATE.libdeflate_zlib_compress(
        compressor, data.ctypes.data, data.nbytes, out, bound
    )
    return ctypes.string_at(out, size)


# The banded stream is used for 8-bit images of at least this many bytes of rows (below
# it compressing takes little time anyway, and the one-piece stream is a little smaller)
# at libdeflate levels up to this one (above it an operator asked for the smallest
# files, whatever the time) whose blank rows above and below their content are at least
# this share of their rows.
BANDED_MIN_BYTES = 64 * 1024
BANDED_UP_TO_LEVEL = 9
BANDED_MIN_BLANK_SHARE = 0.5
# zlib's level for the band: 6 compresses a placeholder's text band within 3% of
# libdeflate's level 9 in half its time (zlib's 9 takes ten times as long for 4% less).
_BAND_ZLIB_LEVEL = 6
_ZLIB_HEADER = b"\x78\xda"  # deflate, 32 KiB window, "maximum compression" flag
_ADLER_MOD = 65521


@lru_cache(maxsize=256)
def _zero_run(length: int, last: bool) -> bytes:
    """`length` zero bytes as raw deflate blocks on their own (they refer to nothing
    before them), ending on a byte boundary unless `last` (which closes the stream)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    return compressor.compress(bytes(length)) + compressor.flush(
        zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
    )


def _adler_after_zeros(adler: int, count: int) -> int:
    """The Adler-32 of some data followed by `count` zero bytes, from the data's."""
    a, b = adler & 0xFFFF, adler >> 16
    return (((b + count * a) % _ADLER_MOD) << 16) | a


def _banded_stream(raw: np.ndarray, top: int, bottom: int) -> bytes:
    """The zlib stream of `raw`'s rows, whose first `top` and last `bottom` rows are all
    zeros: those as cached zero runs, the rows between by zlib, the pieces joined at
    byte boundaries (zlib's sync flush) into one stream."""
    row_bytes = raw.shape[1]
    band = raw[top : raw.shape[0] - bottom].tobytes()
    compressor = zlib.compressobj(_BAND_ZLIB_LEVEL, zlib.DEFLATED, -15, 9)
    parts = [_ZLIB_HEADER]
    if top:
        parts.append(_zero_run(top * row_bytes, last=False))
    parts.append(compressor.compress(band))
    if bottom:
        parts.append(compressor.flush(zlib.Z_SYNC_FLUSH))
        parts.append(_zero_run(bottom * row_bytes, last=True))
    else:
        parts.append(compressor.flush(zlib.Z_FINISH))
    adler = _adler_after_zeros(1, top * row_bytes)
    adler = _adler_after_zeros(zlib.adler32(band, adler), bottom * row_bytes)
    parts.append(struct.pack(">I", adler))
    return b"".join(parts)


def _blank_edges(indices: np.ndarray) -> tuple[int, int]:
    """How many rows of `indices` above and below the others are all index 0."""
    filled = np.flatnonzero(indices.any(axis=1))
    if len(filled) == 0:
        return len(indices), 0
    return int(filled[0]), len(indices) - 1 - int(filled[-1])


def bit_depth(colors: int) -> int:
    """The smallest PNG bit depth whose palette holds `colors` entries."""
    return next(depth for depth in (1, 2, 4, 8) if colors <= 1 << depth)


def _pack_rows(indices: np.ndarray, depth: int) -> np.ndarray:
    """Rows of `indices` packed `8 // depth` pixels per byte, most significant first."""
    if depth == 8:
        return indices
    if depth == 1:  # indices are 0 and 1: numpy packs them as PNG does, in one call
        return np.packbits(indices, axis=1)
    per_byte = 8 // depth
    height, width = indices.shape
    padded = np.zeros((height, -(-width // per_byte) * per_byte), dtype=np.uint8)
    padded[:, :width] = indices
    groups = padded.reshape(height, -1, per_byte)
    packed = np.zeros(groups.shape[:2], dtype=np.uint8)
    for position in range(per_byte):
        packed |= groups[:, :, position] << (8 - depth * (position + 1))
    return packed


def write_indexed_png(indices: np.ndarray, palette: list[tuple[int, ...]], level: int) -> bytes:
    """Encode a palette image.

    `indices` is a (height, width) uint8 array of palette positions; `palette` holds
    RGB or RGBA tuples, most frequent first; `level` is libdeflate's, 1-12.
    """
    height, width = indices.shape
    depth = bit_depth(len(palette))
    rows = _pack_rows(indices, depth)
    raw = np.zeros((height, rows.shape[1] + 1), dtype=np.uint8)  # filter byte 0: none
    raw[:, 1:] = rows
    header = struct.pack(">IIBBBBB", width, height, depth, _COLOR_TYPE_INDEXED, 0, 0, 0)
    parts = [_SIGNATURE, _chunk(b"IHDR", header)]
    parts.append(_chunk(b"PLTE", b"".join(bytes(color[:3]) for color in palette)))
    alphas = [color[3] if len(color) == 4 else 255 for color in palette]
    while alphas and alphas[-1] == 255:
        alphas.pop()  # entries past the tRNS chunk are opaque
    if alphas:
        parts.append(_chunk(b"tRNS", bytes(alphas)))
    top = bottom = 0
    if depth == 8 and raw.nbytes >= BANDED_MIN_BYTES and level <= BANDED_UP_TO_LEVEL:
        top, bottom = _blank_edges(indices)
    if top + bottom >= max(BANDED_MIN_BLANK_SHARE * height, 1):
        data = _banded_stream(raw, top, bottom)
    else:
        data = zlib_compress(raw, level)
    parts.append(_chunk(b"IDAT", data))
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)
