"""QR codes: `data` encoded with the `qrcode` package, drawn pixel-exact or as SVG."""

from typing import Annotated, ClassVar, Literal

import numpy as np
import qrcode
from PIL import Image
from pydantic import BaseModel, BeforeValidator, Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError
from qrcode import constants, util
from qrcode.exceptions import DataOverflowError

from imagegen.colors import COLOR_SYNTAX, RGBA, Color, composite
from imagegen.errors import limit_error
from imagegen.formats import AVIF, GIF, JPEG, PNG, SVG, WEBP, ImageFormat
from imagegen.plugin import Generator, check_pixel_budget, with_limits
from imagegen.qr_codewords import best_fit
from imagegen.qr_matrix import make_modules

# The most any QR code holds: 7089 digits (numeric mode, version 40, ecc L). Longer data
# can never fit, so it is refused before the encoder spends any time on it.
MAX_DATA_LENGTH = 7089
# The standard's quiet zone is 4 modules; a wider one only shrinks the code.
MAX_BORDER = 40
MAX_VERSION = 40

EccLevel = Literal["L", "M", "Q", "H"]
_ECC_CONSTANTS = {
    "L": constants.ERROR_CORRECT_L,
    "M": constants.ERROR_CORRECT_M,
    "Q": constants.ERROR_CORRECT_Q,
    "H": constants.ERROR_CORRECT_H,
}


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def modules_per_side(version: int) -> int:
    """The number of modules along one side of a QR code of `version` (21 to 177)."""
    return 4 * version + 17


def byte_capacity(ecc: EccLevel, version: int) -> int:
    """How many bytes of text (byte mode) a QR code of `version` holds at level `ecc`."""
    level = _ECC_CONSTANTS[ecc]
    header_bits = 4 + util.length_in_bits(util.MODE_8BIT_BYTE, version)
    return (util.BIT_LIMIT_TABLE[level][version] - header_bits) // 8


def _new_code(data: str, ecc: EccLevel, version: int | None) -> qrcode.QRCode:
    code = qrcode.QRCode(version=version, error_correction=_ECC_CONSTANTS[ecc], border=0)
    code.add_data(data)
    return code


def _too_long(data: str, ecc: EccLevel, version: int | None) -> PydanticCustomError:
    symbol = f"of version {version} " if version else ""
    return limit_error(
        "data",
        f"is too long: {len(data.encode())} bytes as UTF-8, and a QR code {symbol}at "
        f"ecc={ecc} holds at most {{limit}} bytes (more if only digits or upper-case letters)",
        byte_capacity(ecc, version or MAX_VERSION),
    )


def fit_version(data: str, ecc: EccLevel, version: int | None) -> int:
    """The version of the QR code that encodes `data` at `ecc`: the smallest that holds
    it, or `version` if given. Raises a 422 on `data` if it does not fit.

    This only counts bits; the costly part (choosing the mask) is left to `render`,
    which runs in a worker thread.
    """
    try:
        fitted = best_fit(_new_code(data, ecc, None).data_list, _ECC_CONSTANTS[ecc], version or 1)
    except (DataOverflowError, ValueError):  # qrcode 8 raises ValueError past version 40
        raise _too_long(data, ecc, version) from None
    if version is not None and fitted != version:
        raise _too_long(data, ecc, version)
    return fitted


class QRParams(BaseModel):
    """Parameters of `/qr`."""

    max_pixels: ClassVar[int] = 16_000_000

    data: str = Field(
        min_length=1,
        max_length=MAX_DATA_LENGTH,
        description="The text to encode (UTF-8): a URL, a ticket number, any Unicode. How "
        "much fits depends on `ecc` and `version`: at most 2953 bytes of text, or 7089 digits.",
        examples=["https://example.com/tickets/42"],
    )
    size: int = Field(
        300,
        ge=1,
        description="Width and height of the whole image in CSS pixels, quiet zone "
        "included. Modules are drawn a whole number of pixels wide; the few pixels left "
        "over widen the quiet zone.",
        examples=[200],
    )
    ecc: Annotated[EccLevel, BeforeValidator(_upper)] = Field(
        "M",
        description="Error correction level: the share of the code that may be damaged "
        "or covered and still read, L ~7%, M ~15%, Q ~25%, H ~30%. Higher levels need "
        "more modules for the same data. Lower case is accepted.",
    )
    border: int = Field(
        4,
        ge=0,
        le=MAX_BORDER,
        description="Quiet zone around the code, in modules. Readers expect 4; use 0 only "
        "if the surroundings are already plain.",
    )
    color: Color = Field(
        "000000", validate_default=True, description="Colour of the dark modules." + COLOR_SYNTAX
    )
    background: Color = Field(
        "ffffff",
        validate_default=True,
        description="Background colour, quiet zone included. `transparent` works for PNG, "
        "WebP, AVIF, GIF and SVG; JPEG shows it as white." + COLOR_SYNTAX,
    )
    version: int | None = Field(
        None,
        ge=1,
        le=MAX_VERSION,
        description="QR version, from 1 (21×21 modules) to 40 (177×177). Default: the "
        "smallest that holds `data`. A version too small for `data` at `ecc` is a 422 "
        "that states its capacity, as is a `size` too small for the modules.",
    )
    scale: int = Field(
        1,
        ge=1,
        description="Device pixel ratio: the image is `scale` times larger in each "
        "direction, for sharp images on high-density (retina) screens. SVG is sharp at "
        "any density and ignores it.",
    )

    _fitted_version: int = PrivateAttr(0)

    @property
    def fitted_version(self) -> int:
        """The version of the QR code drawn: `version`, or the smallest that holds `data`."""
        return self._fitted_version

    @model_validator(mode="after")
    def _fit(self) -> "QRParams":
        self._fitted_version = fit_version(self.data, self.ecc, self.version)
        needed = modules_per_side(self._fitted_version) + 2 * self.border
        if self.size < needed:
            raise limit_error(
                "size",
                "must be at least {limit} pixels for this data and border: one per "
                "module of the code and its quiet zone",
                needed,
            )
        check_pixel_budget(self.size, self.size, self.scale, self.max_pixels, "size")
        return self


def encode_modules(params: QRParams) -> np.ndarray:
    """The QR code's modules, without quiet zone: a square bool array, True for dark."""
    return make_modules(_new_code(params.data, params.ecc, params.fitted_version))


def draw_raster(modules: np.ndarray, params: QRParams) -> Image.Image:
    """The code on an exactly `size × scale` pixel canvas, each module a whole number
    of pixels wide and the code centred, so that edges stay crisp at any size."""
    side = params.size * params.scale
    count = len(modules)
    module_px = side // (count + 2 * params.border)
    # A two-colour palette image: translucent modules are painted over the background,
    # as in SVG, and the encoder writes a 1-bit PNG without looking for colours.
    canvas = Image.new("P", (side, side), 0)
    dark = composite(params.color, params.background)
    canvas.putpalette(bytes(params.background) + bytes(dark), rawmode="RGBA")
    one_px = Image.frombytes("L", (count, count), (modules * np.uint8(255)).tobytes())
    mask = one_px.resize((count * module_px, count * module_px), Image.Resampling.NEAREST)
    offset = (side - count * module_px) // 2
    canvas.paste(1, (offset, offset), mask)
    return canvas


def _fill(color: RGBA) -> str:
    r, g, b, alpha = color
    opacity = f' fill-opacity="{round(alpha / 255, 3)}"' if alpha < 255 else ""
    return f' fill="#{r:02x}{g:02x}{b:02x}"{opacity}'


def dark_runs_path(modules: np.ndarray, border: int) -> str:
    """SVG path data for the dark modules, one rectangle per horizontal run, in module
    units offset by `border`."""
    edges = np.diff(np.pad(modules, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    return "".join(
        f"M{x + border} {y + border}h{w}v1h-{w}z"
        for y, x, w in zip(rows.tolist(), starts.tolist(), (ends - starts).tolist(), strict=True)
    )


def draw_svg(modules: np.ndarray, params: QRParams) -> bytes:
    """The code as an SVG document `size` pixels square, in module units."""
    side = len(modules) + 2 * params.border
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{params.size}" '
        f'height="{params.size}" viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
    ]
    if params.background[3] > 0:
        parts.append(f'<rect width="{side}" height="{side}"{_fill(params.background)}/>')
    parts.append(f'<path{_fill(params.color)} d="{dark_runs_path(modules, params.border)}"/>')
    parts.append("</svg>\n")
    return "".join(parts).encode("ascii")


class QR(Generator):
    """`GET /qr?data=...` and `POST /qr`: a QR code as PNG, WebP, AVIF, JPEG, GIF or SVG."""

    name = "qr"
    summary = "QR code"
    description = (
        "A QR code of `data`, `size` pixels square with its quiet zone, drawn with crisp "
        "whole-pixel modules. The version (module count) is the smallest that holds "
        "`data` at the error correction level `ecc`, unless `version` is given. "
        "`POST /qr` takes the same parameters as a JSON body, for long data."
    )
    formats = (PNG, WEBP, AVIF, JPEG, GIF, SVG)
    accepts_body = True
    examples = (
        {"data": "https://example.com/tickets/42", "size": "200"},
        {"data": "Hello 👋", "size": "200", "ecc": "H", "color": "336699"},
    )

    def params_model(self) -> type[BaseModel]:
        limits = self.context.settings
        return with_limits(
            QRParams,
            {"max_pixels": limits.max_pixels},
            size={"le": min(limits.max_width, limits.max_height)},
            scale={"le": limits.max_scale},
        )

    def render(self, params: QRParams, fmt: ImageFormat) -> Image.Image | bytes:
        modules = encode_modules(params)
        return draw_svg(modules, params) if fmt == SVG else draw_raster(modules, params)
