"""api.qrserver.com's (goQR.me's) QR code URLs: `/v1/create-qr-code/?data=…&size=…`.

Its documentation (goqr.me/api/doc/create-qr-code/) sets the defaults: 200×200 PNG,
error correction L, no quiet zone (`qzone`, in modules, 0) and a 1-pixel `margin`
(pixels, inside `size`, left out of SVG), dark modules 0-0-0 on 255-255-255. Colours
are `R-G-B` in decimal or hex (`f00`, `ff0000`). `charset-source` says how `data` was
percent-encoded and `charset-target` how it is written into the code: UTF-8 or
ISO-8859-1.
"""

import re
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from imagegen.compat import CompatRequest, Grammar, Translation
from imagegen.error_images import Canvas
from imagegen.errors import invalid_parameter
from imagegen.generators.qr import MAX_BORDER

_NAMES = {
    "data": "data",
    "size": "size",
    "ecc": "ecc",
    "color": "color",
    "background": "bgcolor",
    "padding": "margin",
    "border": "qzone",
    "charset": "charset-target",
}
_FORMATS = ("png", "gif", "jpeg", "jpg", "svg", "eps")
_VECTOR = ("svg", "eps")
_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "iso-8859-1"}
_SIZE = re.compile(r"^(\d{1,5})(?:x(\d{1,5}))?$", re.IGNORECASE)
_DECIMAL_RGB = re.compile(r"^(\d{1,3})-(\d{1,3})-(\d{1,3})$")
_HEX_RGB = re.compile(r"^#?([0-9a-f]{3}|[0-9a-f]{6})$", re.IGNORECASE)
# The same forms for the spec, so generated clients and fuzzers know them.
_COLOR_SCHEMA = {
    "type": "string",
    "pattern": r"^\s*(\d{1,3}-\d{1,3}-\d{1,3}|#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}))\s*$",
}
_COLOR_LIMIT = "R-G-B in decimal (255-0-0) or hex (f00, ff0000)"
MAX_MARGIN = 50  # pixels, as the service documents


def _parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def qrserver_color(name: str, value: str) -> str:
    """A colour as qrserver writes it, `255-0-0` or `f00`/`ff0000`, as our hex."""
    decimal = _DECIMAL_RGB.match(value.strip())
    if decimal:
        channels = [int(part) for part in decimal.groups()]
        if max(channels) > 255:
            raise invalid_parameter(name, "each of R-G-B must be 0 to 255", 255)
        return "".join(f"{channel:02x}" for channel in channels)
    if _HEX_RGB.match(value.strip()):
        return value.strip().lstrip("#").lower()
    raise invalid_parameter(name, f"must be {_COLOR_LIMIT}", _COLOR_LIMIT)


def _size(value: str) -> str:
    match = _SIZE.match(value.strip())
    if not match:
        raise invalid_parameter(
            "size", "must be WIDTHxHEIGHT in pixels, such as 200x200", "WIDTHxHEIGHT"
        )
    width, height = match.group(1), match.group(2) or match.group(1)
    if int(width) != int(height):
        raise invalid_parameter(
            "size", "must be square (a QR code is): such as 200x200", "WIDTH = HEIGHT"
        )
    return str(int(width))


def _charset(name: str, value: str) -> str:
    charset = _CHARSETS.get(value.strip().lower())
    if charset is None:
        raise invalid_parameter(name, "must be UTF-8 or ISO-8859-1", ["UTF-8", "ISO-8859-1"])
    return charset


def _data(request: CompatRequest, source: str) -> str | None:
    """`data` as sent: percent-decoded as UTF-8 (what the query already holds), or as
    ISO-8859-1 bytes with `charset-source=ISO-8859-1`."""
    if source == "utf-8":
        return request.query.get("data")
    pairs = parse_qsl(
        request.raw_query.decode("latin-1"), keep_blank_values=True, encoding="latin-1"
    )
    values = [value for name, value in pairs if name == "data"]
    return values[-1] if values else None


class QRServer(Grammar):
    path = "/v1/create-qr-code/"
    generator = "qr"
    service = "api.qrserver.com"
    summary = "A QR code, by api.qrserver.com's URL"
    description = (
        "goQR.me's QR code API (`api.qrserver.com/v1/create-qr-code/?data=…&size=200x200`): "
        "a URL written for it renders here when only the host changes, with its defaults "
        "(200×200 PNG, ecc L, no quiet zone, a 1-pixel margin). EPS is not drawn here."
    )
    parameters: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            **_parameter("data", "The content of the code.", {"type": "string", "minLength": 1}),
            "required": True,
        },
        _parameter(
            "size",
            "`WIDTHxHEIGHT` in pixels, square (default 200x200).",
            {"type": "string", "pattern": r"^\s*\d{1,5}([xX]\d{1,5})?\s*$"},
        ),
        _parameter(
            "ecc",
            "Error correction: L (default), M, Q or H.",
            {"type": "string", "enum": ["L", "M", "Q", "H"]},
        ),
        _parameter("color", "Dark modules: R-G-B in decimal (0-0-0) or hex (000).", _COLOR_SCHEMA),
        _parameter("bgcolor", "Background: R-G-B in decimal (255-255-255) or hex.", _COLOR_SCHEMA),
        _parameter(
            "margin",
            "Plain margin in pixels, 0 to 50, inside `size` (default 1; ignored for SVG).",
            {"type": "integer", "minimum": 0, "maximum": MAX_MARGIN},
        ),
        _parameter(
            "qzone",
            f"Quiet zone in modules, 0 to {MAX_BORDER} (default 0).",
            {"type": "integer", "minimum": 0, "maximum": MAX_BORDER},
        ),
        _parameter(
            "format",
            "png (default), gif, jpg, jpeg or svg; eps is not drawn here.",
            {"type": "string", "enum": list(_FORMATS)},
        ),
        _parameter(
            "charset-source",
            "How `data` is percent-encoded: UTF-8 (default) or ISO-8859-1.",
            {"type": "string", "enum": ["UTF-8", "ISO-8859-1"]},
        ),
        _parameter(
            "charset-target",
            "How the text is written into the code: UTF-8 (default) or ISO-8859-1.",
            {"type": "string", "enum": ["UTF-8", "ISO-8859-1"]},
        ),
    )

    def canvas(self, request: CompatRequest) -> Canvas:
        match = _SIZE.match(request.query.get("size", "200x200").strip())
        width, height = (match.group(1), match.group(2) or match.group(1)) if match else (200, 200)
        return Canvas(int(width), int(height), format=request.query.get("format", "png").strip())

    def translate(self, request: CompatRequest) -> Translation:
        query = request.query
        fmt = query.get("format", "png").strip().lower()
        if fmt not in _FORMATS:
            raise invalid_parameter("format", f"must be one of {', '.join(_FORMATS)}", _FORMATS)
        if fmt == "eps":
            raise invalid_parameter(
                "format", "EPS is not drawn here: use svg", ["png", "gif", "jpg", "svg"]
            )
        source = _charset("charset-source", query.get("charset-source", "UTF-8"))
        margin = query.get("margin", "1").strip()
        if not margin.isdigit() or int(margin) > MAX_MARGIN:
            raise invalid_parameter(
                "margin", "must be a whole number of pixels, 0 to 50", MAX_MARGIN
            )
        params: dict[str, Any] = {
            "data": _data(request, source),
            "size": _size(query.get("size", "200x200")),
            "ecc": query.get("ecc", "L"),
            "color": qrserver_color("color", query.get("color", "0-0-0")),
            "background": qrserver_color("bgcolor", query.get("bgcolor", "255-255-255")),
            "border": query.get("qzone", "0"),
            "charset": _charset("charset-target", query.get("charset-target", "UTF-8")),
            # The margin is left out of vector output, as the service does.
            "padding": "0" if fmt in _VECTOR else margin,
        }
        return Translation(
            "qr",
            {name: value for name, value in params.items() if value is not None},
            output={"format": fmt},
            names=_NAMES,
        )
