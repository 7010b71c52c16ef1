"""Giving freed memory back to the system after big renders.

glibc's allocator keeps freed memory for reuse, and after a big free it raises its
threshold for serving allocations from fresh mappings, so the tens of megabytes a
16-megapixel render passes through (drawing buffers, arrays, encoder state) can stay in
the process long after the image is sent. `malloc_trim` returns what is free; it costs
a few milliseconds, so only renders of `TRIM_AFTER_PIXELS` or more pay it. Elsewhere
(another C library) this is a no-op.
"""

import ctypes
import ctypes.util
from collections.abc import Callable

TRIM_AFTER_PIXELS = 4_000_000


def _load_malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_malloc_trim = _load_malloc_trim()


def release_after(pixels: int) -> None:
    """After a render of `pixels`, hand freed memory back if it was a big one."""
    if _malloc_trim is not None and pixels >= TRIM_AFTER_PIXELS:
        _malloc_trim(0)
