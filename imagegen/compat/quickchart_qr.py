"""QuickChart's QR code URLs: `/qr?text=…&size=…&margin=…&dark=…&light=…&ecLevel=…`."""

from typing import Any, ClassVar

from imagegen.compat import CompatRequest, Grammar, Translation
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
}
_DEFAULTS = {"size": "150"}
_NOT_FETCHED = ("centerImageUrl",)


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
        _parameter(
            "format",
            "png (default), svg, or base64: a PNG as a `data:` URI in text.",
            {"type": "string", "enum": list(_FORMATS)},
        ),
    )

    def translate(self, request: CompatRequest) -> Translation:
        query = request.query
        for name in _NOT_FETCHED:
            if name in query:
                raise invalid_parameter(name, "images are never fetched from URLs here")
        params = {ours: query.get(theirs, _DEFAULTS.get(ours)) for ours, theirs in _NAMES.items()}
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
