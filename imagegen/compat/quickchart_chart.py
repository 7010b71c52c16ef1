"""QuickChart's and image-charts' Chart.js URLs: `/chart?c=<config>&w=&h=&bkg=&f=&v=`,
`POST /chart` with `{"chart": …}`, and image-charts' `/chart.js/{version}?c=…`.

The config is read by `jsliteral` (never run) and translated by `chartjs`; the image
options here become our chart's `width`, `height`, `scale` and `background`.
"""

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import unquote

from imagegen.compat import CompatRequest, Grammar, Translation
from imagegen.compat.chartjs import translate_config
from imagegen.compat.jsliteral import LiteralError, config_error, nesting_depth, parse_literal
from imagegen.error_images import Canvas, positive_number
from imagegen.errors import ApiError, invalid_parameter
from imagegen.jsonbody import json_object

FORMATS = {"png": "png", "webp": "webp", "jpg": "jpeg", "jpeg": "jpeg", "svg": "svg"}
FORMATS |= {"pdf": "pdf", "base64": "png"}
# Each option under its names (the first is the long one), with QuickChart's default.
_OPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "width": (("width", "w"), "500"),
    "height": (("height", "h"), "300"),
    "scale": (("devicePixelRatio",), "2"),
    "background": (("backgroundColor", "bkg"), "transparent"),
    "format": (("format", "f"), "png"),
    "version": (("version", "v"), "2"),
    "encoding": (("encoding",), "url"),
}
_CONFIG_NAMES = ("chart", "c")
_IGNORED = ("key", "sig", "accountId", "icac", "icretina", "ichm")
_VERSION = re.compile(r"^([234])(?:\.\d+){0,2}$")
_RAW_PARAM = re.compile(rb"(?:^|&)(chart|c)=([^&]*)")


def _parameter(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": {"type": kind}}


def raw_config(raw_query: bytes) -> tuple[str, str] | None:
    """The config's name and text from the raw query string, where `+` is a plus (as
    QuickChart reads it, with decodeURIComponent) rather than a space."""
    found = None
    for match in _RAW_PARAM.finditer(raw_query):
        found = match  # the last one wins, as for the other parameters
    if found is None:
        return None
    text = unquote(found.group(2).decode("latin-1"), encoding="utf-8", errors="replace")
    return found.group(1).decode(), text


class ChartOptions:
    """The image options of a request, in QuickChart's names (query or POST body)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.names: dict[str, str] = {}

    def get(self, ours: str) -> tuple[Any, str]:
        names, default = _OPTIONS[ours]
        for name in names:
            if name in self.values and self.values[name] not in (None, ""):
                self.names[ours] = name
                return self.values[name], name
        return default, names[0]

    def number(self, ours: str, integer: bool) -> float:
        value, name = self.get(ours)
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or (integer and not number.is_integer()):
            raise invalid_parameter(name, "must be a whole number" if integer else "a number")
        return number

    def version(self) -> int:
        value, name = self.get("version")
        match = _VERSION.fullmatch(str(value).strip())
        if match is None:
            raise invalid_parameter(name, "must be Chart.js version 2, 3 or 4", ["2", "3", "4"])
        return int(match.group(1))


def translate_chart(config: object, options: ChartOptions, version: int) -> Translation:
    """A parsed config and its image options, in our chart's parameters."""
    translated = translate_config(config, version)
    fmt_value, fmt_name = options.get("format")
    fmt = str(fmt_value).lower()
    if fmt not in FORMATS:
        raise invalid_parameter(fmt_name, "must be one of " + ", ".join(FORMATS), list(FORMATS))
    params = dict(translated.params)
    params["width"] = int(options.number("width", integer=True))
    params["height"] = int(options.number("height", integer=True))
    params["scale"] = options.number("scale", integer=False)
    background, _ = options.get("background")
    params["background"] = background
    names = dict(translated.names)
    for ours in ("width", "height", "scale", "background"):
        names[ours] = options.names.get(ours, _OPTIONS[ours][0][0])
    return Translation(
        "chart",
        params,
        output={"format": FORMATS[fmt]},
        names=names,
        json=True,
        data_uri=fmt == "base64",
    )


class _ChartJsGrammar(Grammar):
    """What QuickChart's and image-charts' Chart.js routes share."""

    generator = "chart"
    answers_data_uri = True
    parameters: ClassVar[tuple[dict[str, Any], ...]] = (
        _parameter("c", "The Chart.js config, a JavaScript object literal (also `chart`)."),
        _parameter("w", "Width in CSS pixels (also `width`; default 500).", "integer"),
        _parameter("h", "Height in CSS pixels (also `height`; default 300).", "integer"),
        _parameter("devicePixelRatio", "Pixels per CSS pixel (default 2).", "number"),
        _parameter("bkg", "Background colour (also `backgroundColor`; default transparent)."),
        _parameter("f", "png (default), webp, jpg, svg, pdf or base64 (also `format`)."),
        _parameter("v", "Chart.js version whose defaults apply: 2 (default), 3 or 4."),
        _parameter("encoding", "`url` (default) or `base64`: how `c` is written."),
    )

    def canvas(self, request: CompatRequest) -> Canvas:
        values: Mapping[str, object] = request.query
        if request.body is not None:
            values = json_object(request.body) or {}
        options = ChartOptions(values)

        def number(ours: str) -> float | None:  # QuickChart's default for a bad one
            return positive_number(options.get(ours)[0]) or positive_number(_OPTIONS[ours][1])

        fmt = str(options.get("format")[0]).lower()
        return Canvas(
            number("width"),
            number("height"),
            number("scale") or 1.0,
            FORMATS.get(fmt),
            data_uri=fmt == "base64",
        )

    def _config_text(self, text: str, name: str, encoding: str) -> str:
        if encoding == "base64":
            padded = text.strip() + "=" * (-len(text.strip()) % 4)
            try:
                raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
                text = raw.decode("utf-8")
            except (binascii.Error, ValueError):
                raise invalid_parameter(name, "is not base64 of UTF-8 text") from None
        elif encoding != "url":
            raise invalid_parameter("encoding", "must be url or base64", ["url", "base64"])
        limit = self.settings.max_chart_config_bytes
        if len(text.encode("utf-8", "replace")) > limit:
            raise invalid_parameter(name, f"must be at most {limit} bytes", limit)
        return text

    def _parsed(self, text: str, name: str) -> object:
        del name  # errors name `chart`, the config's own name in QuickChart's docs
        try:
            return parse_literal(text, "chart", self.settings.max_chart_config_depth)
        except LiteralError as exc:
            limit = self.settings.max_chart_config_depth if "deeper" in exc.message else None
            raise config_error(exc, limit) from None

    def _from_query(self, request: CompatRequest, version_in_path: str | None) -> Translation:
        query = dict(request.query)
        found = raw_config(request.raw_query)
        if found is None:
            raise invalid_parameter("c", "give the Chart.js config in c (or chart)")
        name, text = found
        if version_in_path is not None:
            query["version"] = version_in_path
        options = ChartOptions(query)
        encoding, _ = options.get("encoding")
        config = self._parsed(self._config_text(text, name, str(encoding)), name)
        return translate_chart(config, options, options.version())


class QuickChartChart(_ChartJsGrammar):
    path = "/chart"
    service = "QuickChart"
    summary = "A chart, by QuickChart's Chart.js URL"
    description = (
        "QuickChart's `/chart` API: `GET /chart?c=<Chart.js config>` and `POST /chart` "
        'with `{"chart": …}`. Taken when the query has `c` or `chart`, or the body has '
        "`chart`; the config is read as data, never run."
    )
    methods = ("GET", "POST")
    claims_query = _CONFIG_NAMES
    claims_body_keys = ("chart",)

    def translate(self, request: CompatRequest) -> Translation:
        if request.body is None:
            return self._from_query(request, None)
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):
            raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise invalid_parameter("chart", "give the Chart.js config in the body's chart")
        options = ChartOptions(body)
        known = {n for names, _ in _OPTIONS.values() for n in names} | {"chart", *_IGNORED}
        for key in body:
            if key not in known:
                raise invalid_parameter(key, "is not one of QuickChart's options", sorted(known))
        config = body.get("chart")
        encoding, _ = options.get("encoding")
        if isinstance(config, str):
            config = self._parsed(self._config_text(config, "chart", str(encoding)), "chart")
        else:
            text = request.body.decode("utf-8", "replace")
            self._config_text(text, "chart", "url")  # the same limits as the text's
            depth = self.settings.max_chart_config_depth
            if nesting_depth(text) > depth + 1:  # the body's own braces are one level
                raise invalid_parameter("chart", f"nests deeper than {depth} levels", depth)
        return translate_chart(config, options, options.version())


class ImageChartsChartJs(_ChartJsGrammar):
    path = "/chart.js/{version}"
    service = "image-charts"
    summary = "A chart, by image-charts' Chart.js URL"
    description = (
        "image-charts' `/chart.js/{version}?c=<Chart.js config>`: the version in the path "
        "(2.8.0, 3, 4…) chooses the Chart.js defaults; the config is read, never run."
    )
    in_spec = False  # documented in the README with the other services' URLs

    def translate(self, request: CompatRequest) -> Translation:
        return self._from_query(request, request.path_params.get("version", ""))
