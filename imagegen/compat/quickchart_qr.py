"""QuickChart's QR code URLs: `/qr?text=…&size=…&margin=…&dark=…&light=…&ecLevel=…`,
with a caption (`caption`, `captionFontSize`, `captionFontColor`, `captionFontFamily`).

QuickChart fetches `centerImageUrl`; nothing is fetched here, so it is refused, and
`centerImageSizeRatio` (which sizes that image) is checked and has nothing to size.
"""

from typing import Any, ClassVar

from imagegen.compat import CompatRequest, Grammar, Translation
from imagegen.error_images import Canvas, positive_number
from imagegen.errors import invalid_parameter

_FORMATS = ("png", "svg", "base64")
# QuickChart's names for our parameters, and its defaults where they differ from ours.
_NAMES = {
    "data": "text",
    "size": "size",
    "border": "margin",
    "color": "dark",
    "background": "light",
    "ecc": "ecLevel",
    "caption": "caption",
    "caption_size": "captionFontSize",
    "caption_color": "captionFontColor",
    "caption_font": "captionFontFamily",
}
# QuickChart's caption default is 10 px: a fifteenth of its default 150 px, as ours is.
_DEFAULTS = {"size": "150"}
_NOT_FETCHED = ("centerImageUrl", "centerImageWidth", "centerImageHeight")
# CSS generic families, as the bundled fonts that stand for them.
_GENERIC_FONTS = {
    "sans-serif": "open-sans",
    "serif": "dejavu-serif",
    "monospace": "dejavu-sans-mono",
}


def _ratio(value: str) -> float:
    try:
        ratio = float(value)
    except ValueError:
        ratio = -1.0
    if not 0 <= ratio <= 1:
        raise invalid_parameter("centerImageSizeRatio", "must be a number from 0.0 to 1.0", 1)
    return ratio


def _font(value: str) -> str:
    name = value.strip().strip("'\"").lower()
    return _GENERIC_FONTS.get(name, name)


def _parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


class QuickChartQR(Grammar):
    path = "/qr"
    generator = "qr"
    service = "QuickChart"
    summary = "A QR code, by QuickChart's URL"
    description = (
        "QuickChart's `/qr` API (`quickchart.io/qr?text=…`): a URL written for it renders "
        "here when only the host changes. Taken when the query has `text`; `/qr?data=…` "
        "is our own QR route. Images are never fetched: `centerImageUrl` is refused."
    )
    claims_query = ("text",)
    answers_data_uri = True
    parameters: ClassVar[tuple[dict[str, Any], ...]] = (
        {**_parameter("text", "The content of the code.", {"type": "string"}), "required": True},
        _parameter("size", "Width and height in pixels (default 150).", {"type": "integer"}),
        _parameter("margin", "Quiet zone in modules (default 4).", {"type": "integer"}),
        _parameter("dark", "Colour of the dark modules (hex).", {"type": "string"}),
        _parameter("light", "Background colour (hex; `0000` is transparent).", {"type": "string"}),
        _parameter("ecLevel", "Error correction: L, M, Q or H (default M).", {"type": "string"}),
        _parameter("caption", "Text under the code.", {"type": "string"}),
        _parameter("captionFontSize", "The caption's size in pixels.", {"type": "integer"}),
        _parameter("captionFontColor", "The caption's colour (default: dark).", {"type": "string"}),
        _parameter(
            "captionFontFamily",
            "A bundled font, or sans-serif (default), serif or monospace.",
            {"type": "string"},
        ),
        _parameter(
            "centerImageSizeRatio",
            "0.0 to 1.0; accepted, with no image to size (centerImageUrl is refused).",
            {"type": "number"},
        ),
        _parameter(
            "format",
            "png (default), svg, or base64: a PNG as a `data:` URI in text.",
            {"type": "string", "enum": list(_FORMATS)},
        ),
    )

    def canvas(self, request: CompatRequest) -> Canvas:
        size = positive_number(request.query.get("size")) or positive_number(_DEFAULTS["size"])
        fmt = request.query.get("format", "png").lower()
        return Canvas(size, size, format=fmt, data_uri=fmt == "base64")

    def translate(self, request: CompatRequest) -> Translation:
        query = request.query
        for name in _NOT_FETCHED:
            if name in query:
                raise invalid_parameter(name, "images are never fetched from URLs here")
        params = {ours: query.get(theirs, _DEFAULTS.get(ours)) for ours, theirs in _NAMES.items()}
        if "centerImageSizeRatio" in query:
            _ratio(query["centerImageSizeRatio"])
        if params["caption_font"] is not None:
            params["caption_font"] = _font(params["caption_font"])
        fmt = query.get("format", "png").lower()
        if fmt not in _FORMATS:
            raise invalid_parameter("format", f"must be one of {', '.join(_FORMATS)}", _FORMATS)
        return Translation(
            "qr",
            {name: value for name, value in params.items() if value is not None},
            output={"format": "png" if fmt == "base64" else fmt},
            names=_NAMES,
            data_uri=fmt == "base64",
        )
