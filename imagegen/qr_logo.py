"""A logo in the middle of a QR code: where it comes from, and whether the code survives it.

A logo comes from the server's logo folder by name (`IMAGEGEN_LOGOS_DIR`; the name is
looked up among the folder's files, never joined into a path) or from a `data:` URI
in the request. Nothing is ever fetched from a URL. Either way the bytes are bounded
(`max_logo_bytes`), the image's size is read from its header and bounded
(`max_logo_pixels`) before it is decoded, and only PNG, JPEG, WebP and GIF decoders
are allowed to look at it.

The modules under the logo are left out, so a reader sees them as errors, which the
error correction must repair. Each Reed-Solomon block of the code corrects up to half
its error-correction codewords (less its misdecode protection on versions 1 to 3), and
the blocks are interleaved, so a hole in the middle spreads over all of them. A logo is
accepted when, in every block, the codewords it touches are at most `LOGO_DAMAGE_SHARE`
of what the block can correct: the rest is left for smudges, glare and a shaky camera.
"""

import base64
import binascii
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError
from pydantic_core import PydanticCustomError
from qrcode import base

from imagegen.errors import limit_error
from imagegen.qr_matrix import data_positions

#: The share of each block's correctable codewords a logo may take.
LOGO_DAMAGE_SHARE = 0.6
LOGO_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_NAME = re.compile(LOGO_NAME_PATTERN)
_EXTENSIONS = (".png", ".webp", ".jpg", ".jpeg", ".gif")  # in order of preference
_DECODERS = ["PNG", "JPEG", "WEBP", "GIF"]
_DATA_URI = re.compile(r"^data:image/(png|jpeg|webp|gif);base64,", re.IGNORECASE)
# Misdecode protection codewords (ISO/IEC 18004, table 9), by version and level: these
# detect a wrong correction instead of correcting, on the smallest codes.
_PROTECTION = {(1, 1): 3, (1, 0): 2, (1, 3): 1, (1, 2): 1, (2, 1): 2, (3, 1): 1}
# Finder patterns with their separators and format information take the first and last
# 9 modules of each side (8 at the right and bottom): a logo stays clear of them.
_EDGE_MODULES = 9


def _logo_error(message: str, limit: str) -> PydanticCustomError:
    """A refused logo, with what `logo` must be (the `limit` every refusal states)."""
    return PydanticCustomError("logo", message, {"parameter": "logo", "limit": limit})


def is_data_uri(value: str) -> bool:
    return value[:5].lower() == "data:"


def check_logo_reference(value: str) -> str:
    """A `logo` value's syntax: a name of the logo folder, or a `data:` URI."""
    if is_data_uri(value):
        if not _DATA_URI.match(value):
            raise _logo_error(
                "a data: URI must be data:image/png, jpeg, webp or gif, base64-encoded",
                "data:image/png, jpeg, webp or gif;base64",
            )
    elif not _NAME.match(value):
        raise _logo_error(
            "must be a logo's name (letters, digits, `-` and `_`, at most 64) or a data: URI",
            _NAME.pattern,
        )
    return value


def _named_file(folder: Path | None, name: str) -> Path:
    """The file of the folder whose name is `name` plus an image extension."""
    if folder is None:
        raise _logo_error(
            "this server has no logo folder (IMAGEGEN_LOGOS_DIR): use a data: URI", "data: URI"
        )
    found: dict[str, Path] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                stem, extension = os.path.splitext(entry.name)
                if stem == name and extension.lower() in _EXTENSIONS and entry.is_file():
                    found[extension.lower()] = Path(entry.path)
    except OSError:
        raise _logo_error("the logo folder cannot be read", "a readable logo folder") from None
    for extension in _EXTENSIONS:
        if extension in found:
            return found[extension]
    raise _logo_error(
        f"no logo named {name!r} in this server's logo folder", "a logo of the folder"
    )


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except OSError:
        raise _logo_error("the logo file cannot be read", "a readable logo file") from None
    if len(data) > max_bytes:
        raise limit_error("logo", "the logo file must be at most {limit} bytes", max_bytes)
    return data


def _decode_uri(value: str, max_bytes: int) -> bytes:
    encoded = value[value.index(",") + 1 :]
    if len(encoded) > 4 * math.ceil(max_bytes / 3):
        raise limit_error("logo", "the data: URI's image must be at most {limit} bytes", max_bytes)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _logo_error("the data: URI is not valid base64", "base64") from None
    if len(data) > max_bytes:
        raise limit_error("logo", "the data: URI's image must be at most {limit} bytes", max_bytes)
    return data


def decode_logo(data: bytes, max_pixels: int) -> Image.Image:
    """`data` decoded as an RGBA image (the first frame of an animation), its size
    checked against `max_pixels` from the header before any pixel is decoded."""
    too_many = limit_error(
        "logo", "the logo must have at most {limit} pixels (width × height)", max_pixels
    )
    try:
        with Image.open(io.BytesIO(data), formats=_DECODERS) as image:
            if image.width * image.height > max_pixels:
                raise too_many
            image.seek(0)
            return image.convert("RGBA")
    except PydanticCustomError:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours
        raise too_many from None
    except UnidentifiedImageError:
        raise _logo_error(
            "is not a PNG, JPEG, WebP or GIF image", "PNG, JPEG, WebP or GIF"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _logo_error("the image is damaged or truncated", "a whole image") from None


@dataclass(frozen=True)
class Logo:
    """A decoded logo and the bytes it came from."""

    image: Image.Image
    data: bytes


def load_logo(value: str, folder: Path | None, max_bytes: int, max_pixels: int) -> Logo:
    """The logo `value` names (in `folder`) or holds (a `data:` URI), decoded."""
    if is_data_uri(value):
        data = _decode_uri(value, max_bytes)
    else:
        data = _read_file(_named_file(folder, value), max_bytes)
    image = decode_logo(data, max_pixels)
    if image.getbbox() is None:
        raise _logo_error("the logo is fully transparent", "at least one visible pixel")
    return Logo(image, data)


def _odd(value: float) -> int:
    """The odd number nearest `value`, at least 1."""
    return max(1, 2 * round((value - 1) / 2) + 1)


def logo_box(count: int, logo_size: float, aspect: float) -> tuple[int, int]:
    """(width, height) in modules of the hole a logo of `aspect` (width / height) leaves
    in a code of `count` modules a side, its longer side `logo_size` of the code's:
    odd numbers, so the hole is centred on whole modules (a code's side is odd too)."""
    longer = _odd(count * logo_size)
    shorter = _odd(longer * min(aspect, 1 / aspect))
    return (longer, shorter) if aspect >= 1 else (shorter, longer)


def _block_of_codewords(version: int, level: int) -> tuple[np.ndarray, list[int]]:
    """Each interleaved codeword's block, and each block's correctable codewords."""
    blocks = base.rs_blocks(version, level)
    owners: list[int] = []
    for column in range(max(b.data_count for b in blocks)):
        owners += [i for i, b in enumerate(blocks) if column < b.data_count]
    ec_counts = [b.total_count - b.data_count for b in blocks]
    for column in range(max(ec_counts)):
        owners += [i for i, count in enumerate(ec_counts) if column < count]
    protection = _PROTECTION.get((version, level), 0)
    return np.array(owners), [(count - protection) // 2 for count in ec_counts]


def damage(version: int, level: int, box: tuple[int, int]) -> list[tuple[int, int]]:
    """For each block of the code: (codewords the hole of `box` modules in the middle
    touches, codewords the block can correct)."""
    count = 4 * version + 17
    width, height = box
    hole = np.zeros((count, count), dtype=bool)
    top, left = (count - height) // 2, (count - width) // 2
    hole[top : top + height, left : left + width] = True
    owners, correctable = _block_of_codewords(version, level)
    bits = np.flatnonzero(hole.ravel()[data_positions(version)])
    codewords = np.unique(bits // 8)
    codewords = codewords[codewords < owners.size]  # remainder bits belong to none
    touched = np.bincount(owners[codewords], minlength=len(correctable))
    return list(zip(touched.tolist(), correctable, strict=True))


def logo_fits(version: int, level: int, box: tuple[int, int]) -> bool:
    """Whether a hole of `box` modules in the middle leaves the code readable with a
    margin: clear of the finder patterns and format information, and within
    `LOGO_DAMAGE_SHARE` of every block's correction."""
    count = 4 * version + 17
    if max(box) > count - 2 * _EDGE_MODULES:
        return False
    return all(
        touched <= LOGO_DAMAGE_SHARE * correctable
        for touched, correctable in damage(version, level, box)
    )
