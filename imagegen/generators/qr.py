"""QR codes: `data` encoded with the `qrcode` package, drawn pixel-exact or as SVG.

A plain code (square modules in one colour) is drawn here, pixel-exact; shapes, a finder
colour, a logo and a caption are drawn by `imagegen.qr_style`. What the code says is
`data`, or is built by a content helper (`imagegen.qr_content`: Wi-Fi, contacts...).
"""

import math
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import qrcode
from PIL import Image
from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from qrcode import constants, util
from qrcode.exceptions import DataOverflowError

from imagegen.colors import COLOR_SYNTAX, RGBA, Color, composite
from imagegen.errors import limit_error
from imagegen.fonts import font_choice
from imagegen.formats import AVIF, GIF, JPEG, PNG, SVG, WEBP, ImageFormat
from imagegen.plugin import Generator, check_pixel_budget, with_limits
from imagegen.qr_codewords import best_fit
from imagegen.qr_content import CONTENT_MODELS, Geo, Mail, MeCard, Sms, Tel, VCard, WiFi
from imagegen.qr_logo import (
    LOGO_DAMAGE_SHARE,
    check_logo_reference,
    load_logo,
    logo_box,
    logo_fits,
)
from imagegen.qr_matrix import make_modules
from imagegen.qr_style import (
    CAPTION_SHARE,
    MAX_CAPTION_LINES,
    MIN_CAPTION_SIZE,
    MIN_SHAPED_MODULE_PX,
    Caption,
    Shape,
    Style,
    geometry,
    layout_caption,
)
from imagegen.qr_style import draw_raster as draw_styled_raster
from imagegen.qr_style import draw_svg as draw_styled_svg
from imagegen.textparams import DrawnText

# The most any QR code holds: 7089 digits (numeric mode, version 40, ecc L). Longer data
# can never fit, so it is refused before the encoder spends any time on it.
MAX_DATA_LENGTH = 7089
# The standard's quiet zone is 4 modules; a wider one only shrinks the code.
MAX_BORDER = 40
MAX_VERSION = 40
MAX_CAPTION_SIZE = 200  # CSS pixels: a caption is a line under the code, not a poster
MIN_LOGO_SIZE, MAX_LOGO_SIZE = 0.05, 0.4
# Quick renders (`Generator.renders_quickly`: drawn on the server's event loop): a plain
# code as PNG or SVG, at most 400 px wide, of at most 64 characters, in a version (a
# module count) fitted to them or of at most 6; the dearest take about 3 ms
# (`bench/quick.py`). Longer data costs more to encode (5-7 ms for 500 characters), and
# so does a large version (version 40: 15 ms).
QUICK_SIDE_PX = 400
QUICK_DATA_LENGTH = 64
QUICK_VERSION = 6
Charset = Literal["utf-8", "iso-8859-1"]

EccLevel = Literal["L", "M", "Q", "H"]
_ECC_CONSTANTS = {
    "L": constants.ERROR_CORRECT_L,
    "M": constants.ERROR_CORRECT_M,
    "Q": constants.ERROR_CORRECT_Q,
    "H": constants.ERROR_CORRECT_H,
}


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def modules_per_side(version: int) -> int:
    """The number of modules along one side of a QR code of `version` (21 to 177)."""
    return 4 * version + 17


def byte_capacity(ecc: EccLevel, version: int) -> int:
    """How many bytes of text (byte mode) a QR code of `version` holds at level `ecc`."""
    level = _ECC_CONSTANTS[ecc]
    header_bits = 4 + util.length_in_bits(util.MODE_8BIT_BYTE, version)
    return (util.BIT_LIMIT_TABLE[level][version] - header_bits) // 8


def _new_code(data: str | bytes, ecc: EccLevel, version: int | None) -> qrcode.QRCode:
    code = qrcode.QRCode(version=version, error_correction=_ECC_CONSTANTS[ecc], border=0)
    code.add_data(data)
    return code


def _too_long(data: str | bytes, ecc: EccLevel, version: int | None) -> PydanticCustomError:
    symbol = f"of version {version} " if version else ""
    encoded, charset = (data, "ISO-8859-1") if isinstance(data, bytes) else (data.encode(), "UTF-8")
    return limit_error(
        "data",
        f"is too long: {len(encoded)} bytes as {charset}, and a QR code {symbol}at "
        f"ecc={ecc} holds at most {{limit}} bytes (more if only digits or upper-case letters)",
        byte_capacity(ecc, version or MAX_VERSION),
    )


def fit_version(data: str | bytes, ecc: EccLevel, version: int | None) -> int:
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


def _content_description(what: str) -> str:
    return (
        f"Instead of `data`: {what} In a URL, one parameter per field, "
        "`{name}.{field}=…`; in JSON, an object."
    )


class QRParams(BaseModel):
    """Parameters of `/qr`."""

    max_pixels: ClassVar[int] = 16_000_000
    logos_dir: ClassVar[Path | None] = None
    max_logo_bytes: ClassVar[int] = 512_000
    max_logo_pixels: ClassVar[int] = 4_000_000

    data: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_DATA_LENGTH,
        description="The text to encode (UTF-8): a URL, a ticket number, any Unicode. How "
        "much fits depends on `ecc` and `version`: at most 2953 bytes of text, or 7089 digits. "
        "Required unless a content helper (`wifi`, `vcard`, `mecard`, `geo`, `email`, `tel`, "
        "`sms`) builds it.",
        examples=["https://example.com/tickets/42"],
    )
    size: int = Field(
        300,
        ge=1,
        description="Width and height of the whole image in CSS pixels, quiet zone "
        "included. Modules are drawn a whole number of pixels wide; the few pixels left "
        "over widen the quiet zone. A caption makes the image taller.",
        examples=[200],
    )
    ecc: Annotated[EccLevel | None, BeforeValidator(_upper)] = Field(
        None,
        description="Error correction level: the share of the code that may be damaged "
        "or covered and still read, L ~7%, M ~15%, Q ~25%, H ~30%. Higher levels need "
        "more modules for the same data. Lower case is accepted. Default: `M`, or `H` "
        "with a `logo`.",
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
        "smallest that holds `data` (and leaves room for the `logo`). A version too small "
        "for `data` at `ecc` is a 422 that states its capacity, as is a `size` too small "
        "for the modules.",
    )
    scale: int = Field(
        1,
        ge=1,
        description="Device pixel ratio: the image is `scale` times larger in each "
        "direction, for sharp images on high-density (retina) screens. SVG is sharp at "
        "any density and ignores it.",
    )
    charset: Annotated[Charset, BeforeValidator(_lower)] = Field(
        "utf-8",
        description="How the text is written into the code: `utf-8`, or `iso-8859-1` "
        "(Latin-1, the QR standard's default, for old readers; only its characters).",
    )
    padding: int = Field(
        0,
        ge=0,
        description="Plain background in CSS pixels around the quiet zone, inside `size`.",
    )
    shape: Shape = Field(
        "square",
        description="Module shape: `square`, `rounded` (corners rounded where a module has "
        "no neighbour), `dots` or `gapped` (squares with a gap). Shapes other than square "
        f"need at least {MIN_SHAPED_MODULE_PX} pixels a module. Finder patterns stay "
        "squares (rounded with `rounded` and `dots`).",
    )
    finder_color: Color | None = Field(
        None,
        description="Colour of the three finder patterns (the corner squares). Default: "
        "`color`." + COLOR_SYNTAX,
    )
    logo: str | None = Field(
        None,
        min_length=1,
        description="A logo in the middle: the name of one in the server's logo folder "
        "(`IMAGEGEN_LOGOS_DIR`; `acme` for `acme.png`), or a `data:image/png;base64,…` "
        "URI (PNG, JPEG, WebP or GIF; send it in a POST body). Never a URL. The modules "
        "under it are left out, so `ecc` defaults to `H`; a logo that would leave the "
        "code unreadable is a 422.",
    )
    logo_size: float = Field(
        0.25,
        ge=MIN_LOGO_SIZE,
        le=MAX_LOGO_SIZE,
        description="The logo's longer side, as a share of the code's width.",
    )
    caption: DrawnText | None = Field(
        None,
        min_length=1,
        description="Text under the code, centred; the image grows taller to hold it. "
        f"Wrapped on up to {MAX_CAPTION_LINES} lines and shrunk to fit the width, then "
        "cut with `…`.",
        examples=["Scan for tickets"],
    )
    caption_color: Color | None = Field(
        None, description="Colour of the caption. Default: `color`." + COLOR_SYNTAX
    )
    caption_font: str = Field("open-sans", description="The caption's font; see `GET /fonts`.")
    caption_size: int | None = Field(
        None,
        ge=1,
        le=MAX_CAPTION_SIZE,
        description="The caption's font size in CSS pixels. Default: fitted, at most a "
        f"fifteenth of `size` and at least {MIN_CAPTION_SIZE}.",
    )
    wifi: WiFi | None = Field(
        None,
        description=_content_description(
            "a Wi-Fi network to join, `WIFI:T:WPA;S:<ssid>;P:<password>;;`, escaped."
        ),
    )
    vcard: VCard | None = Field(
        None, description=_content_description("a contact card, vCard 3.0.")
    )
    mecard: MeCard | None = Field(
        None, description=_content_description("a contact card, MeCard (shorter than vCard).")
    )
    geo: Geo | None = Field(
        None, description=_content_description("a place on a map, `geo:<lat>,<lon>`.")
    )
    email: Mail | None = Field(
        None, description=_content_description("an e-mail to send, `mailto:`.")
    )
    tel: Tel | None = Field(None, description=_content_description("a number to call, `tel:`."))
    sms: Sms | None = Field(
        None, description=_content_description("a text message to send, `SMSTO:`.")
    )

    _fitted_version: int = PrivateAttr(0)
    _payload: str = PrivateAttr("")
    _logo: Image.Image | None = PrivateAttr(None)
    _logo_box: tuple[int, int] | None = PrivateAttr(None)

    @property
    def fitted_version(self) -> int:
        """The version of the QR code drawn: `version`, or the smallest that holds `data`."""
        return self._fitted_version

    @property
    def payload(self) -> str:
        """The text the code holds: `data`, or what a content helper built."""
        return self._payload

    @property
    def level(self) -> EccLevel:
        """The error correction level in force (`ecc` after its default)."""
        return self.ecc or ("H" if self.logo is not None else "M")

    @property
    def styled(self) -> bool:
        """Whether anything but the plain code is drawn (see `imagegen.qr_style`)."""
        return bool(
            self.shape != "square"
            or self.finder_color is not None
            or self.logo is not None
            or self.caption is not None
            or self.padding
        )

    @property
    def logo_image(self) -> Image.Image | None:
        """The decoded logo (RGBA), when there is one."""
        return self._logo

    @property
    def logo_hole(self) -> tuple[int, int, int, int] | None:
        """(top, left, height, width) in modules of the logo's hole, when there is one."""
        if self._logo_box is None:
            return None
        width, height = self._logo_box
        count = modules_per_side(self._fitted_version)
        return ((count - height) // 2, (count - width) // 2, height, width)

    def encoded(self) -> str | bytes:
        """The text as the encoder takes it: a str for UTF-8, bytes for Latin-1."""
        return self._payload if self.charset == "utf-8" else self._payload.encode("latin-1")

    @model_validator(mode="before")
    @classmethod
    def _nest_content_fields(cls, data: Any) -> Any:
        """`wifi.ssid=Home` from a query string as `{"wifi": {"ssid": "Home"}}`."""
        if not isinstance(data, dict) or not any("." in str(key) for key in data):
            return data
        nested: dict[str, Any] = {}
        for key, value in data.items():
            head, dot, field = str(key).partition(".")
            if dot and head in CONTENT_MODELS and isinstance(nested.setdefault(head, {}), dict):
                nested[head][field] = value
            else:
                nested[key] = value
        return nested

    @field_validator("logo")
    @classmethod
    def _logo_reference(cls, value: str | None) -> str | None:
        return None if value is None else check_logo_reference(value)

    def _content(self) -> str:
        helpers = [name for name in CONTENT_MODELS if getattr(self, name) is not None]
        if len(helpers) > 1:
            raise limit_error(
                helpers[1], "give one content helper at a time, not " + " and ".join(helpers), 1
            )
        if self.data is not None and helpers:
            raise PydanticCustomError(
                "content",
                f"give data or {helpers[0]}, not both",
                {"parameter": helpers[0], "limit": "data or one content helper"},
            )
        if self.data is not None:
            return self.data
        if not helpers:
            raise PydanticCustomError(
                "missing",
                "is required: the text to encode, or one of the content helpers "
                + ", ".join(CONTENT_MODELS),
                {"parameter": "data", "limit": "data or one content helper"},
            )
        return getattr(self, helpers[0]).payload()  # type: ignore[no-any-return]

    def _check_charset(self) -> None:
        if self.charset == "iso-8859-1":
            try:
                self._payload.encode("latin-1")
            except UnicodeEncodeError:
                raise PydanticCustomError(
                    "charset",
                    "has characters ISO-8859-1 lacks: use charset=utf-8",
                    {"parameter": "data", "limit": "ISO-8859-1 characters"},
                ) from None

    def _fit_logo(self, version: int) -> int:
        """The version that leaves room for the logo: `version`, or a larger one when
        `version` was not fixed. Raises a 422 on `logo_size` when none does."""
        assert self.logo is not None
        logo = load_logo(self.logo, self.logos_dir, self.max_logo_bytes, self.max_logo_pixels)
        self._logo = logo.image
        aspect = logo.image.width / logo.image.height
        level = _ECC_CONSTANTS[self.level]
        last = version if self.version is not None else MAX_VERSION
        for candidate in range(version, last + 1):
            box = logo_box(modules_per_side(candidate), self.logo_size, aspect)
            if logo_fits(candidate, level, box):
                self._logo_box = box
                return candidate
        fitting = [
            size / 100
            for size in range(round(MIN_LOGO_SIZE * 100), round(self.logo_size * 100))
            if logo_fits(version, level, logo_box(modules_per_side(version), size / 100, aspect))
        ]
        where = f"version {version}" if self.version is not None else "any version"
        message = (
            f"is too large: the modules under the logo would take more than "
            f"{LOGO_DAMAGE_SHARE:.0%} of what ecc={self.level} can correct, in {where}"
        )
        if fitting:
            message += f"; at most {{limit}} at version {version}"
        raise limit_error("logo_size", message, fitting[-1] if fitting else MIN_LOGO_SIZE)

    def _check_size(self) -> None:
        count = modules_per_side(self._fitted_version)
        side = count + 2 * self.border
        needed = side + 2 * self.padding
        what = "one per module of the code and its quiet zone"
        if self.shape != "square":
            needed = math.ceil(MIN_SHAPED_MODULE_PX * side / self.scale) + 2 * self.padding
            what = f"{MIN_SHAPED_MODULE_PX} device pixels per module of shape {self.shape}"
        if self.size < needed:
            padding = ", border and padding" if self.padding else " and border"
            raise limit_error(
                "size", f"must be at least {{limit}} pixels for this data{padding}: {what}", needed
            )
        height = self.size
        if self.caption is not None:
            font = self.caption_size or max(MIN_CAPTION_SIZE, round(self.size * CAPTION_SHARE))
            height += math.ceil(1.5 * font * MAX_CAPTION_LINES) + self.size // 4
        check_pixel_budget(self.size, height, self.scale, self.max_pixels, "size")

    @model_validator(mode="after")
    def _fit(self) -> "QRParams":
        self._payload = self._content()
        self._check_charset()
        version = fit_version(self.encoded(), self.level, self.version)
        if self.logo is not None:
            version = self._fit_logo(version)
        self._fitted_version = version
        self._check_size()
        return self


def encode_modules(params: QRParams) -> np.ndarray:
    """The QR code's modules, without quiet zone: a square bool array, True for dark."""
    return make_modules(_new_code(params.encoded(), params.level, params.fitted_version))


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
        {
            "data": "https://example.com/tickets/42",
            "size": "200",
            "shape": "rounded",
            "finder_color": "e15759",
            "caption": "Scan for tickets",
        },
        {
            "wifi.ssid": "Home",
            "wifi.password": "correct horse; battery",
            "size": "200",
            "shape": "dots",
            "color": "1e293b",
            "caption": "Wi-Fi: Home",
        },
    )

    def params_model(self) -> type[BaseModel]:
        limits = self.context.settings
        return with_limits(
            QRParams,
            {
                "max_pixels": limits.max_pixels,
                "logos_dir": limits.logos_dir,
                "max_logo_bytes": limits.max_logo_bytes,
                "max_logo_pixels": limits.max_logo_pixels,
            },
            size={"le": min(limits.max_width, limits.max_height)},
            scale={"le": limits.max_scale},
            padding={"le": min(limits.max_width, limits.max_height) // 2},
            # A data: URI of the largest logo, base64 and its header.
            logo={"max_length": 4 * math.ceil(limits.max_logo_bytes / 3) + 40},
            caption={"max_length": limits.max_text_length},
            caption_font={"annotation": font_choice(self.context.fonts.names)},
        )

    def _caption(self, params: QRParams, count: int, module: float, scale: int) -> Caption | None:
        """The caption laid out at `scale` device pixels per CSS pixel under a code of
        `count` modules `module` pixels wide; None when there is none, or when not even
        a few characters of it fit at the smallest size (as on placeholders)."""
        if params.caption is None:
            return None
        default = max(MIN_CAPTION_SIZE, round(params.size * CAPTION_SHARE)) * scale
        size = None if params.caption_size is None else params.caption_size * scale
        box_width = (count + min(params.border, 4)) * module
        layout = layout_caption(
            params.caption, params.caption_font, self.context.fonts, size, box_width, default
        )
        if layout is None:
            return None
        color = params.caption_color or params.color
        family = self.context.fonts.chain(params.caption_font)[0].family
        return Caption(layout, color, family)

    def _render_styled(
        self, params: QRParams, modules: np.ndarray, fmt: ImageFormat
    ) -> Image.Image | bytes:
        count = len(modules)
        style = Style(
            params.shape,
            params.color,
            params.finder_color or params.color,
            params.background,
            params.border,
        )
        if fmt == SVG:
            unit = (params.size - 2 * params.padding) / (count + 2 * params.border)
            caption = self._caption(params, count, unit, 1)
            return draw_styled_svg(
                modules,
                style,
                params.size,
                params.padding,
                params.logo_hole,
                params.logo_image,
                caption,
                1,
            )
        width = params.size * params.scale
        padding = params.padding * params.scale
        module = geometry(count, params.border, width, padding, 0).module
        caption = self._caption(params, count, module, params.scale)
        height = math.ceil(caption.layout.height) if caption else 0
        layout = geometry(count, params.border, width, padding, height)
        if caption is not None and params.scale > 1:
            # The image is `scale` times the image at scale 1, in height too, whatever
            # the rounding of text measured at each size: its height is that one's.
            css_module = geometry(count, params.border, params.size, params.padding, 0).module
            css_caption = self._caption(params, count, css_module, 1)
            css_height = math.ceil(css_caption.layout.height) if css_caption else 0
            css = geometry(count, params.border, params.size, params.padding, css_height)
            layout = replace(layout, height=css.height * params.scale)
        return draw_styled_raster(
            modules, style, layout, params.logo_hole, params.logo_image, caption
        )

    def renders_quickly(self, params: QRParams, fmt: ImageFormat) -> bool:
        return (
            fmt in (PNG, SVG)
            and not params.styled
            and params.size * params.scale <= QUICK_SIDE_PX
            and len(params.payload) <= QUICK_DATA_LENGTH
            and (params.version or 0) <= QUICK_VERSION
        )

    def render(self, params: QRParams, fmt: ImageFormat) -> Image.Image | bytes:
        modules = encode_modules(params)
        if params.styled:
            return self._render_styled(params, modules, fmt)
        return draw_svg(modules, params) if fmt == SVG else draw_raster(modules, params)
