"""A peer for the placeholder benchmark: what fakeimg (fakeimg.pl, "Fake images please")
does per request, as a minimal Flask + Pillow app, run under gunicorn as it is deployed.

fakeimg's placeholder route, reduced to the default request `/600x400/`: an RGBA image
of the background colour, the text `600 x 400` in a font a quarter of the shorter side,
centred with `multiline_text`, saved by Pillow as PNG into a BytesIO and sent with
Flask's `send_file`; an ETag from the SHA-1 of the URL and a `Cache-Control` header are
added to every response. fakeimg bundles Yanone Kaffeesatz; this uses Lato, one of ours
(the font changes little: the time is Pillow's drawing and PNG encoding).

    gunicorn --workers 1 --bind 127.0.0.1:8001 bench.fakeimg:app
"""

import hashlib
from io import BytesIO

from flask import Flask, Response, request, send_file
from PIL import Image, ImageDraw, ImageFont

from imagegen.settings import bundled_fonts_dir

FONT = bundled_fonts_dir() / "lato" / "Lato-Regular.ttf"

app = Flask(__name__)
app.url_map.strict_slashes = False


def _rgba(hex_colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    digits = hex_colour if len(hex_colour) == 6 else "".join(c * 2 for c in hex_colour)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha)


@app.route("/<int:width>x<int:height>/")
@app.route("/<int:width>x<int:height>/<background>/")
@app.route("/<int:width>x<int:height>/<background>/<foreground>/")
def placeholder(
    width: int, height: int, background: str = "cccccc", foreground: str = "909090"
) -> Response:
    text = request.args.get("text") or f"{width} x {height}"
    font = ImageFont.truetype(str(FONT), int(min(width, height) / 4))
    image = Image.new("RGBA", (width, height), _rgba(background))
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font)
    position = ((width - (right - left)) / 2 - left, (height - (bottom - top)) / 2 - top)
    draw.multiline_text(position, text, fill=_rgba(foreground), font=font, align="center")
    out = BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return send_file(out, mimetype="image/png", etag=False)


@app.after_request
def cache_headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "public,max-age=36000"
    response.headers["Etag"] = hashlib.sha1(request.url.encode("utf-8")).hexdigest()
    return response
