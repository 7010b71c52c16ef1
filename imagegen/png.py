"""A PNG writer for palette images, tuned for the flat images generators draw.

Pillow's PNG encoder is general; for images of at most 256 colours three choices make
files 15-30% smaller and encoding several times faster:
- the palette is ordered by frequency, so the background is index 0: the same byte as
  each row's filter type, which turns blank rows into one long run of zeros;
- no filtering (for indexed colour, filters mostly hurt);
- the smallest bit depth that holds the palette (1 bit for a QR code) and libdeflate,
  which compresses better than zlib at the same speed.
"""

import ctypes
import struct
import threading
import zlib

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


def bit_depth(colors: int) -> int:
    """The smallest PNG bit depth whose palette holds `colors` entries."""
    return next(depth for depth in (1, 2, 4, 8) if colors <= 1 << depth)


def _pack_rows(indices: np.ndarray, depth: int) -> np.ndarray:
    """Rows of `indices` packed `8 // depth` pixels per byte, most significant first."""
    if depth == 8:
        return indices
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
    parts.append(_chunk(b"IDAT", zlib_compress(raw, level)))
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)
