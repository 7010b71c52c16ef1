"""Errors an `<img>` can show: the JSON error drawn as an image of the size and format
the request asked for, its status kept and its message in `X-Imagegen-Error`, as
QuickChart answers.

An `<img>` shows no JSON body. A request that prefers an image — its `Accept` names no
JSON type (a browser's `<img>` sends `image/avif,image/webp,…,*/*;q=0.8`; none at all
counts too), or its query says `errors=image` — gets the error drawn: a light
background, a border, the status and the message fitted inside. `errors=json` and
`Accept: application/json` keep the JSON body as it is.

`ErrorImageMiddleware` does it for every error of the routes it is given (the
compatibility grammars' always, ours with `IMAGEGEN_ERROR_IMAGES=on`), whoever answered
it: a 422 of the route, or a 429, 414 or 403 refused before routing. It sits inside the
CORS middleware, so the image carries the CORS headers any response does. Drawing an
error costs a few milliseconds at most (the pixels are capped), runs in a thread, and
never fails: at worst the image has no text.
"""

import logging
import math
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from threading import Lock

import anyio.to_thread
from anyio import CapacityLimiter
from PIL import Image, ImageDraw
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imagegen.encoding import EncodeOptions, encode
from imagegen.errors import invalid_parameter
from imagegen.fonts import FontLibrary
from imagegen.formats import AVIF, GIF, JPEG, PNG, SVG, WEBP, ImageFormat, format_for_token
from imagegen.headers import list_header_text
from imagegen.jsonbody import json_object
from imagegen.negotiation import parse_accept, quality
from imagegen.placeholder_svg import placeholder_svg
from imagegen.settings import Settings
from imagegen.text import Layout, TextBlock

logger = logging.getLogger("imagegen")

ERRORS_PARAM = "errors"
ERRORS_VALUES = ("image", "json")
ERROR_HEADER = "X-Imagegen-Error"
# The header holds the message on one line, at most this many characters ("..." ends a
# longer one): a proxy's header limit is typically 4-8 KB for all headers together.
MAX_HEADER_CHARS = 500
# Error images have at most this many pixels (a larger request is drawn smaller, in its
# proportions): drawing and encoding one then takes at most a few tens of milliseconds.
MAX_ERROR_PIXELS = 2_000_000
# Errors waiting for the drawing thread at most: past it, a refusal is answered with its
# JSON body at once (a flood of different bad URLs costs what JSON errors cost; drawing
# one takes 10-60 ms, so this many wait at most about a second).
MAX_WAITING_DRAWINGS = 16
# Drawn error images remembered, least recently used forgotten first: a flood of one
# refused URL (a 429, say) is drawn once. Each is a few KB (a flat image).
ERRORS_REMEMBERED = 64
# For a route whose size cannot be read (a plugin's without `width` and `height`).
DEFAULT_SIZE = (600, 400)
# Formats an error may be drawn in when the request names one. Otherwise (or PDF) it is
# the first of NEGOTIATED_FORMATS that `Accept` admits, even by a wildcard (PNG for a
# browser: exact and the quickest to encode for a flat image), and PNG failing that.
EXPLICIT_FORMATS = (PNG, JPEG, WEBP, AVIF, GIF, SVG)
NEGOTIATED_FORMATS = (PNG, WEBP, JPEG, GIF)

BACKGROUND = (246, 246, 246, 255)
BORDER = (200, 40, 40, 255)
TEXT = (40, 40, 40, 255)
_FONT = "open-sans"
_MIN_TEXT_SIZE = 9  # pixels: smaller, the message is cut with "…"
_MIN_STATUS_SIZE = 6  # pixels: smaller still, nothing is written
# With a text box narrower or lower than this (pixels), only the status code is written.
_MESSAGE_BOX = (72, 28)
# Text is anti-aliased in this many shades of each colour, so that an error image has
# at most 2 + 2 × 63 colours: a palette PNG, and lossless WebP (which keeps the colours
# exact, and is smaller than lossy for a flat image).
_SHADES = [round(v * 63 / 255) * 255 // 63 for v in range(256)]
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_JSON_TYPE = re.compile(r"(?:application/json|[^/]+/[^/]*\+json)")


@dataclass(frozen=True)
class Canvas:
    """The image a request asks for, as far as it can be read without validating it:
    the size in CSS pixels (None: not readable), the device pixel ratio, and the format
    as the request names it (an extension or a `format` value; None: not named).
    `data_uri`: the request asks for text (QuickChart's `format=base64`), so its
    errors stay JSON."""

    width: float | None = None
    height: float | None = None
    scale: float = 1.0
    format: str | None = None
    data_uri: bool = False


def positive_number(value: object) -> float | None:
    """`value` as a finite number above 0, if it is one (text or number); else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def read_errors_param(query: dict[str, str]) -> str | None:
    """Remove `errors` from `query` and return it; a 422 when it is not image or json."""
    value = query.pop(ERRORS_PARAM, None)
    if value is not None and value.strip().lower() not in ERRORS_VALUES:
        raise invalid_parameter(ERRORS_PARAM, "must be image or json", list(ERRORS_VALUES))
    return None if value is None else value.strip().lower()


def names_json(accept: str | None) -> bool:
    """Whether an Accept header names a JSON type (`application/json`, `*/*+json`)
    with a quality above 0; wildcards such as `*/*` name none."""
    if not accept:
        return False
    return any(
        r.q > 0 and _JSON_TYPE.fullmatch(f"{r.type}/{r.subtype}") for r in parse_accept(accept)
    )


def prefers_image(accept: str | None, errors: str | None) -> bool:
    """Whether a request's error is drawn: `errors=image` or `errors=json` decide; else
    an `Accept` that names no JSON type (or no `Accept`)."""
    if errors is not None and errors.strip().lower() in ERRORS_VALUES:
        return errors.strip().lower() == "image"
    return not names_json(accept)


def header_text(message: str) -> str:
    """`message` as a header value: Latin-1 (other characters as `?`), no control
    characters, at most `MAX_HEADER_CHARS` characters."""
    text = " ".join(_CONTROL.sub(" ", message).split())
    text = text.encode("latin-1", "replace").decode("latin-1")
    if len(text) > MAX_HEADER_CHARS:
        text = text[: MAX_HEADER_CHARS - 3] + "..."
    return text


def pixel_size(canvas: Canvas, settings: Settings, vector: bool) -> tuple[int, int]:
    """The error image's size in pixels: the request's own, within the server's limits
    (a size not readable: `DEFAULT_SIZE`), its device pixel ratio applied for raster
    formats, and at most `MAX_ERROR_PIXELS`, in the same proportions."""
    width, height = positive_number(canvas.width), positive_number(canvas.height)
    if width is None or height is None:
        width, height = DEFAULT_SIZE
    width, height = min(width, settings.max_width), min(height, settings.max_height)
    scale = 1.0 if vector else min(positive_number(canvas.scale) or 1.0, settings.max_scale)
    pixels_width, pixels_height = max(1, int(width * scale)), max(1, int(height * scale))
    limit = min(MAX_ERROR_PIXELS, settings.max_pixels)
    if pixels_width * pixels_height > limit:
        shrink = math.sqrt(limit / (pixels_width * pixels_height))
        pixels_width = max(1, int(pixels_width * shrink))
        pixels_height = max(1, min(int(pixels_height * shrink), limit // pixels_width))
    return pixels_width, pixels_height


def error_format(named: str | None, accept: str | None) -> ImageFormat:
    """The format named, if an error can be drawn in it; else the best of
    `NEGOTIATED_FORMATS` for `accept`; else PNG."""
    fmt = format_for_token(named) if named else None
    if fmt in EXPLICIT_FORMATS:
        assert fmt is not None
        return fmt
    ranges = parse_accept(accept) if accept else []
    for candidate in NEGOTIATED_FORMATS:  # the first acceptable, even by a wildcard
        if not ranges or quality(ranges, candidate.media_type)[0] > 0:
            return candidate
    return PNG


def _border_width(width: int, height: int) -> int:
    return max(2, min(width, height) // 60)


class ErrorDrawer:
    """Draws error images with the bundled fonts, remembering the last few."""

    def __init__(self, fonts: FontLibrary) -> None:
        self.fonts = fonts
        self.font = _FONT if fonts.resolve(_FONT) is not None else fonts.names[0]
        self._drawn: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._lock = Lock()

    def draw(self, status: int, message: str, size: tuple[int, int], fmt: ImageFormat) -> bytes:
        """The image of an error, `size` pixels (CSS pixels for SVG) in `fmt`."""
        key = (status, message, size, fmt.name)
        with self._lock:
            if key in self._drawn:
                self._drawn.move_to_end(key)
                return self._drawn[key]
        content = self._draw(status, message, size, fmt)
        with self._lock:
            self._drawn[key] = content
            if len(self._drawn) > ERRORS_REMEMBERED:
                self._drawn.popitem(last=False)
        return content

    def layout(self, status: int, message: str, width: int, height: int) -> Layout | None:
        """ "Error {status}" and the message, fitted inside the border; only the status
        in a small box; None when not even that is legible."""
        inset = _border_width(width, height) + max(2, round(min(width, height) * 0.05))
        box_width, box_height = width - 2 * inset, height - 2 * inset
        if box_width < 4 or box_height < 4:
            return None
        # A label's size, not a poster's; larger on a long, low strip (2000×200).
        largest = max(_MIN_TEXT_SIZE, min(width, height) // 12, min(width // 40, height // 4))
        text = " ".join(_CONTROL.sub(" ", message).split())[:MAX_HEADER_CHARS]
        if box_width >= _MESSAGE_BOX[0] and box_height >= _MESSAGE_BOX[1]:
            block = TextBlock(f"Error {status}\n{text}", self.font, self.fonts)
            layout = block.fit(box_width, box_height, largest, _MIN_TEXT_SIZE)
            if layout is None:
                layout = block.shortened(_MIN_TEXT_SIZE, box_width, box_height)
            if layout is not None:
                return layout
        block = TextBlock(str(status), self.font, self.fonts)
        return block.fit(box_width, box_height, max(largest, _MIN_STATUS_SIZE), _MIN_STATUS_SIZE)

    def _draw(self, status: int, message: str, size: tuple[int, int], fmt: ImageFormat) -> bytes:
        width, height = size
        layout = self.layout(status, message, width, height)
        border = _border_width(width, height)
        if fmt is SVG:
            family = self.fonts.chain(self.font)[0]
            return placeholder_svg(
                size, size, BACKGROUND, (0, 0, 0, 0), (border, BORDER), (layout, TEXT, family)
            )
        image = Image.new("RGB", size, BACKGROUND[:3])
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, width - 1, height - 1), outline=BORDER[:3], width=border)
        if layout is not None:
            mask = Image.new("L", size, 0)
            layout.draw(ImageDraw.Draw(mask), 255)
            mask = mask.point(_SHADES)
            # The first line (the status) in the border's colour, the message below it.
            first = layout.lines[0]
            split = round((height - layout.height) / 2 - first.top + first.bottom) + 1
            split = min(max(split, 0), height)
            image.paste(BORDER[:3], (0, 0, width, split), mask.crop((0, 0, width, split)))
            if split < height:
                rest = mask.crop((0, split, width, height))
                image.paste(TEXT[:3], (0, split, width, height), rest)
        return encode(image, fmt, EncodeOptions())


def _merged_vary(headers: list[tuple[bytes, bytes]]) -> bytes:
    values = [v.decode("latin-1") for k, v in headers if k.lower() == b"vary"]
    names = [n.strip() for value in values for n in value.split(",") if n.strip()]
    if not any(n.lower() == "accept" for n in names):
        names.append("Accept")
    return ", ".join(dict.fromkeys(names)).encode("latin-1")


# A request's canvas, from its scope and (for a POST) its body as far as it was read;
# None when its route draws no error images.
CanvasResolver = Callable[[Scope, bytes | None], Canvas | None]


class ErrorImageMiddleware:
    """Answers the JSON errors of the routes `resolve` knows with their image, for the
    requests that prefer one; the JSON errors of those routes carry `Vary: Accept`."""

    def __init__(
        self, app: ASGIApp, resolve: CanvasResolver, drawer: ErrorDrawer, settings: Settings
    ) -> None:
        self.app = app
        self.resolve = resolve
        self.drawer = drawer
        self.settings = settings
        # One error is drawn at a time: a flood of refusals takes at most one core.
        self.limiter = CapacityLimiter(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body: list[bytes] = []
        if scope.get("method") == "POST":
            inner_receive = receive
            kept = 0

            async def receive() -> Message:  # keeps the body, for its canvas
                nonlocal kept
                message = await inner_receive()
                if message["type"] == "http.request" and kept <= self.settings.max_body_bytes:
                    body.append(message.get("body", b""))
                    kept += len(body[-1])
                return message

        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if start is None and message["type"] == "http.response.start":
                if message["status"] < 400 or not _is_json(message["headers"]):
                    await send(message)
                    start = {}  # passed on: so is the rest
                    return
                start = message
                return
            if not start:  # passed on, or not a response start
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                post = b"".join(body) if scope.get("method") == "POST" else None
                await self._answer(scope, start, b"".join(chunks), post, send)

        await self.app(scope, receive, capture)

    def _canvas(self, scope: Scope, body: bytes | None) -> Canvas | None:
        try:
            return self.resolve(scope, body)
        except Exception:  # a plugin grammar's canvas: the JSON error stands
            logger.exception("reading the error image size of %s failed", scope.get("path"))
            return None

    async def _answer(
        self, scope: Scope, start: Message, content: bytes, body: bytes | None, send: Send
    ) -> None:
        if body is None:  # matching routes and reading a query: microseconds
            canvas = self._canvas(scope, None)
        else:  # reading a JSON body of up to `max_body_bytes`: off the event loop
            canvas = await anyio.to_thread.run_sync(self._canvas, scope, body, limiter=self.limiter)
        headers: list[tuple[bytes, bytes]] = list(start["headers"])
        if canvas is None:
            await _send_json(send, start, content)
            return
        headers = [(k, v) for k, v in headers if k.lower() != b"vary"]
        headers.append((b"vary", _merged_vary(start["headers"])))
        accept = list_header_text(scope, b"accept")
        wanted = not canvas.data_uri and prefers_image(accept, _errors_value(scope))
        if not wanted or self.limiter.statistics().tasks_waiting >= MAX_WAITING_DRAWINGS:
            await _send_json(send, start | {"headers": headers}, content)
            return
        status = start["status"]
        message = _message(content, status)
        fmt = error_format(canvas.format, accept)
        size = pixel_size(canvas, self.settings, fmt.vector)
        try:
            image = await anyio.to_thread.run_sync(
                self.drawer.draw, status, message, size, fmt, limiter=self.limiter
            )
        except Exception:  # never a 500 for drawing an error: the JSON error stands
            logger.exception("drawing the error image of %s failed", scope.get("path"))
            await _send_json(send, start | {"headers": headers}, content)
            return
        dropped = (b"content-type", b"content-length", b"cache-control")
        headers = [(k, v) for k, v in headers if k.lower() not in dropped]
        headers += [
            (b"content-type", fmt.media_type.encode()),
            (b"content-length", str(len(image)).encode()),
            (b"cache-control", b"no-store"),
            (ERROR_HEADER.lower().encode(), header_text(message).encode("latin-1")),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": image})


async def _send_json(send: Send, start: Message, content: bytes) -> None:
    """The JSON error as it was (with `start`'s headers)."""
    await send(start)
    await send({"type": "http.response.body", "body": content})


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        k.lower() == b"content-type" and v.split(b";")[0].strip() == b"application/json"
        for k, v in headers
    )


def _errors_value(scope: Scope) -> str | None:
    return QueryParams(scope.get("query_string", b"")).get(ERRORS_PARAM)


def _message(content: bytes, status: int) -> str:
    """The error body's `message`; the status's reason phrase for another body."""
    body = json_object(content)
    if body is not None and isinstance(body.get("message"), str):
        return str(body["message"])
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
