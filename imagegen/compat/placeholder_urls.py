"""placehold.co, dummyimage.com and fakeimg.pl URLs at the root, into `/placeholder`.

The three services share a shape — `/{size}/{background}/{text colour}` — and differ in
the details, all of which are read whichever service's defaults the server takes
(`root_placeholders`):

- size: `600x400`, `600` (square), `@2x`/`@3x` after it (placehold.co), a ratio for one
  side (`640x4:3`, `16:9x1080`) or a keyword (`medrect`, `leaderboard`, `vga`, `hd1080`…;
  dummyimage);
- colours: hex of 1, 2, 3 or 6 digits (`c` is `cccccc`, `ef` is `efefef`; dummyimage), or
  of 4 or 8 with alpha, CSS names and `transparent` (placehold.co), `,{alpha}` 0-255 after
  one (`ff0000,128`; fakeimg);
- format: an extension after the size or a colour (`/300.png/09f/fff`, `/600x400/000/fff.png`),
  a last segment (`/600x400/000/FFF/png`; placehold.co) or a file name (`/300/image.webp`;
  fakeimg);
- text: `?text=` (`\\n` breaks lines) or `&text=` inside the path (dummyimage: `+` is a
  space, `|` breaks lines, `0x2B` is `+`);
- `?font=` (placehold.co's names, and fakeimg's), `?font_size=`, `?retina` and corner
  radii `?radius=` or `?radius_tl=`… (fakeimg).

A path is taken only when its first segment begins with a digit or is a size keyword,
and no other route serves it (`Grammar.catch_all`).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from imagegen.colors import format_color, parse_color
from imagegen.compat import CompatRequest, Grammar, Translation
from imagegen.error_images import Canvas
from imagegen.errors import ApiError, invalid_parameter
from imagegen.formats import format_for_token


@dataclass(frozen=True)
class ServiceDefaults:
    """What one service draws for what a URL leaves out."""

    format: str
    background: str
    color: str
    font: str
    #: The label when there is no text, with `{w}` and `{h}`; None: ours, `600×400`.
    text: str | None
    #: Whether `|` breaks lines in `?text=` too (dummyimage), not only in `&text=`.
    bar_breaks_query_text: bool = False


# The services' defaults, from their documentation and code.
SERVICE_DEFAULTS = {
    "placehold.co": ServiceDefaults("svg", "dddddd", "999999", "lato", None),
    # dummyimage draws in M+ 2c Light, whose licence is neither OFL nor Apache.
    "dummyimage.com": ServiceDefaults(
        "png", "cccccc", "000000", "noto-sans", "{w} × {h}", bar_breaks_query_text=True
    ),
    "fakeimg.pl": ServiceDefaults("png", "cccccc", "909090", "yanone-kaffeesatz", "{w} x {h}"),
}

# dummyimage's standard sizes, by keyword and shortcut: IAB ad units, screens and video.
_AD_SIZES = {
    ("mediumrectangle", "medrect"): (300, 250),
    ("squarepopup", "sqrpop"): (250, 250),
    ("verticalrectangle", "vertrec"): (240, 400),
    ("largerectangle", "lrgrec"): (336, 280),
    ("rectangle", "rec"): (180, 150),
    ("popunder", "pop"): (720, 300),
    ("fullbanner", "fullban"): (468, 60),
    ("halfbanner", "halfban"): (234, 60),
    ("microbar", "mibar"): (88, 31),
    ("button1", "but1"): (120, 90),
    ("button2", "but2"): (120, 60),
    ("verticalbanner", "vertban"): (120, 240),
    ("squarebutton", "sqrbut"): (125, 125),
    ("leaderboard", "leadbrd"): (728, 90),
    ("wideskyscraper", "wiskyscrpr"): (160, 600),
    ("skyscraper", "skyscrpr"): (120, 600),
    ("halfpage", "hpge"): (300, 600),
}
_SCREEN_SIZES = {
    "cga": (320, 200),
    "qvga": (320, 240),
    "vga": (640, 480),
    "wvga": (800, 480),
    "svga": (1024, 600),  # as dummyimage serves it (its table says 800×480)
    "wsvga": (1024, 600),
    "xga": (1024, 768),
    "wxga": (1280, 800),
    "wsxga": (1440, 900),
    "wuxga": (1920, 1200),
    "wqxga": (2560, 1600),
    "ntsc": (720, 480),
    "pal": (768, 576),
    "hd720": (1280, 720),
    "hd1080": (1920, 1080),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "1440p": (2560, 1440),
    "2160p": (3840, 2160),
    "4k": (3840, 2160),
}
SIZE_KEYWORDS: dict[str, tuple[int, int]] = {
    name: size for names, size in _AD_SIZES.items() for name in names
} | _SCREEN_SIZES

# fakeimg's font names for the bundled families; those it has and we lack (Lobster, Bebas,
# Museo) are drawn in Yanone Kaffeesatz, as fakeimg draws any font it lacks.
_FONT_ALIASES = {
    "yanone": "yanone-kaffeesatz",
    "noto": "noto-sans",
    "noto-serif": "dejavu-serif",
    "lobster": "yanone-kaffeesatz",
    "bebas": "yanone-kaffeesatz",
    "museo": "yanone-kaffeesatz",
}
_EXTENSIONS = ("png", "jpg", "jpeg", "webp", "gif", "avif", "svg")
_MAX_SEGMENTS = 4  # size, background, text colour, format or file name
_NUMBER = r"[0-9]{1,6}"
_RATIO = rf"{_NUMBER}(?:\.[0-9]{{1,6}})?:{_NUMBER}(?:\.[0-9]{{1,6}})?"
_SIDE = re.compile(rf"(?P<number>{_NUMBER})|(?P<ratio>{_RATIO})")
_SCALE = re.compile(r"@([0-9]{1,2})x$", re.IGNORECASE)
_SHORT_HEX = re.compile(r"[0-9a-fA-F]{1,2}")
_ALPHA = re.compile(r"[0-9]{1,3}")
_PATH_TEXT = re.compile(r"&text=", re.IGNORECASE)
_HEX_ESCAPE = re.compile(r"0x([0-9a-fA-F]{2})")
# A keyword is the whole first segment, or is followed by an extension, `@2x` or `&text=`.
_KEYWORD_HEAD = re.compile(r"([a-z0-9]+)(?:[.@&]|$)")
_DIGITS = tuple("0123456789")
# fakeimg's corners, in the order of `/placeholder`'s `radius` (CSS's `border-radius`).
_CORNERS = ("radius_tl", "radius_tr", "radius_br", "radius_bl")
_RADIUS = re.compile(r"[0-9]{1,6}")


def _first_word(segment: str) -> str:
    found = _KEYWORD_HEAD.match(segment.lower())
    return found.group(1) if found else ""


def claims_root_path(path: str) -> bool:
    """Whether a root path is a placeholder URL: its first segment begins with an ASCII
    digit or is a size keyword (`/vga`, `/leaderboard.png`, `/skyscraper/f0f/f`)."""
    first = path.removeprefix("/").partition("/")[0]
    return first[:1] in _DIGITS or _first_word(first) in SIZE_KEYWORDS


@dataclass
class _Size:
    width: int
    height: int
    scale: int | None
    #: How the service names the size in an error: `width` and `height` for plain
    #: numbers, `size` for a keyword or a ratio.
    names: dict[str, str]


def _split_extension(segment: str) -> tuple[str, str | None]:
    """`segment` and its format extension (`png`), if it ends in a known one."""
    head, dot, extension = segment.rpartition(".")
    if dot and extension.lower() in _EXTENSIONS:
        return head, extension.lower()
    return segment, None


def _side(text: str) -> tuple[int | None, tuple[float, float] | None]:
    """A side of the size: a number of pixels, or a ratio such as `4:3`."""
    found = _SIDE.fullmatch(text)
    if found is None:
        raise invalid_parameter(
            "size",
            "must be WIDTHxHEIGHT, one number for a square, a ratio for one side "
            "(640x4:3) or a size keyword (vga, leaderboard…)",
        )
    if found.group("number") is not None:
        return int(text), None
    first, second = (float(part) for part in text.split(":"))
    if first <= 0 or second <= 0:
        raise invalid_parameter("size", "both parts of a ratio must be more than 0")
    return None, (first, second)


def _size(segment: str) -> _Size:
    token = segment
    scale = None
    found = _SCALE.search(token)
    if found:
        scale = int(found.group(1))
        token = token[: found.start()]
    keyword = SIZE_KEYWORDS.get(token.lower())
    if keyword is not None:
        return _Size(*keyword, scale, {"width": "size", "height": "size"})
    parts = token.lower().split("x")
    if len(parts) == 1:
        width, ratio = _side(parts[0])
        if ratio is not None or width is None:
            raise invalid_parameter("size", "a ratio needs the other side: 640x4:3 or 16:9x1080")
        return _Size(width, width, scale, {"width": "size", "height": "size"})
    if len(parts) != 2:
        raise invalid_parameter("size", "must be WIDTHxHEIGHT, such as 600x400")
    (width, width_ratio), (height, height_ratio) = _side(parts[0]), _side(parts[1])
    if width_ratio is not None and height_ratio is not None:
        raise invalid_parameter("size", "only one side may be a ratio: 640x4:3 or 16:9x1080")
    if width_ratio is not None and height is not None:  # dummyimage truncates
        width = int(height * width_ratio[0] / width_ratio[1])
        return _Size(width, height, scale, {"width": "size", "height": "height"})
    if height_ratio is not None and width is not None:
        height = int(width * height_ratio[1] / height_ratio[0])
        return _Size(width, height, scale, {"width": "width", "height": "size"})
    assert width is not None and height is not None
    return _Size(width, height, scale, {"width": "width", "height": "height"})


def _color(segment: str, name: str) -> str:
    """A colour segment as our canonical hex: dummyimage's 1- and 2-digit hex widened,
    fakeimg's `,alpha` applied."""
    value, comma, alpha = segment.partition(",")
    if _SHORT_HEX.fullmatch(value):
        value = (value * 6)[:6] if len(value) == 1 else value * 3
    try:
        red, green, blue, opacity = parse_color(value)
    except ValueError as exc:
        raise invalid_parameter(name, str(exc)) from None
    if comma:
        if not _ALPHA.fullmatch(alpha) or int(alpha) > 255:
            raise invalid_parameter(name, "alpha after the comma must be 0 to 255", 255)
        opacity = int(alpha)
    return format_color((red, green, blue, opacity))


def _is_color(segment: str) -> bool:
    value = segment.partition(",")[0]
    if _SHORT_HEX.fullmatch(value):
        return True
    try:
        parse_color(value)
    except ValueError:
        return False
    return True


def _path_text(text: str) -> str:
    """dummyimage's text in the path: `+` is a space, `0x2B` a character, `|` a line."""
    text = _HEX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text.replace("+", " "))
    return text.replace("|", "\n")


def _radius(query: Mapping[str, str]) -> str | None:
    """fakeimg's `radius` and `radius_tl`…`radius_bl` as our `radius`: a corner not
    given takes `radius` (0 without it)."""
    if not any(corner in query for corner in _CORNERS):
        return query.get("radius")
    uniform = query.get("radius", "0")
    radii = []
    for name in ("radius", *_CORNERS):
        value = query.get(name, uniform)
        if not _RADIUS.fullmatch(value):
            raise invalid_parameter(name, "must be a whole number of CSS pixels")
        if name != "radius":
            radii.append(value)
    return ",".join(radii)


class PlaceholderURLs(Grammar):
    path = "/{spec:path}"
    generator = "placeholder"
    service = "placehold.co, dummyimage.com and fakeimg.pl"
    summary = "A placeholder, by placehold.co's, dummyimage.com's or fakeimg.pl's URL"
    catch_all = True

    @property
    def defaults(self) -> ServiceDefaults | None:
        """The chosen service's defaults; None when the root routes are off."""
        return SERVICE_DEFAULTS.get(self.settings.root_placeholders)

    def claims_path(self, path: str) -> bool:
        return self.defaults is not None and claims_root_path(path)

    def canvas(self, request: CompatRequest) -> Canvas:
        spec = request.path_params.get("spec", request.path.removeprefix("/"))
        segments = [s for s in _PATH_TEXT.split(spec, maxsplit=1)[0].split("/") if s]
        if not segments:
            return Canvas()
        head, extension = _split_extension(segments[0])
        try:
            size: _Size | None = _size(head)
        except ApiError:
            size = None
        for segment in segments[1:]:
            is_format = segment.lower() in _EXTENSIONS
            extension = segment.lower() if is_format else _split_extension(segment)[1] or extension
        if size is None:
            return Canvas(format=extension)
        scale = 2.0 if "retina" in request.query else float(size.scale or 1)
        return Canvas(size.width, size.height, scale, extension)

    def translate(self, request: CompatRequest) -> Translation:
        defaults = self.defaults
        assert defaults is not None  # claims_path took it
        spec = request.path_params.get("spec", request.path.removeprefix("/"))
        spec, *rest = _PATH_TEXT.split(spec, maxsplit=1)
        path_text = rest[0] if rest else ""
        segments = [segment for segment in spec.split("/") if segment]
        if not segments:
            raise invalid_parameter("size", "the path must begin with the size")
        if len(segments) > _MAX_SEGMENTS:
            raise invalid_parameter(
                "path",
                "at most size/background/text colour/format (or a file name)",
                _MAX_SEGMENTS,
            )
        head, extension = _split_extension(segments[0])
        size = _size(head)
        names: dict[str, str] = dict(size.names) | {
            "background": "background",
            "color": "text_color",
            "scale": "size",
        }
        colors: list[str] = []
        extensions = [extension] if extension else []
        for index, segment in enumerate(segments[1:], start=1):
            last = index == len(segments) - 1
            if segment.lower() in _EXTENSIONS and last:  # /600x400/000/FFF/png
                extensions.append(segment.lower())
                continue
            value, extension = _split_extension(segment)
            if extension and last and not _is_color(value):  # fakeimg's /300/image.png
                extensions.append(extension)
                continue
            if len(colors) == 2:
                raise invalid_parameter(
                    "path", f"{segment!r}: only a format or a file name may follow the colours"
                )
            colors.append(_color(value, ("background", "text_color")[len(colors)]))
            if extension:
                extensions.append(extension)
        if len({format_for_token(extension) for extension in extensions}) > 1:
            raise invalid_parameter("format", f"given twice: {' and '.join(extensions)}")
        query = request.query
        params: dict[str, Any] = {
            "width": str(size.width),
            "height": str(size.height),
            "background": colors[0] if colors else defaults.background,
            "color": colors[1] if len(colors) > 1 else defaults.color,
            "font": _FONT_ALIASES.get(query.get("font", "").lower(), query.get("font"))
            or defaults.font,
        }
        text = query.get("text") or None
        if text is not None and defaults.bar_breaks_query_text:
            text = text.replace("|", "\n")
        if text is None and path_text:
            text = _path_text(path_text)
        if text is None and defaults.text is not None:
            text = defaults.text.format(w=size.width, h=size.height)
        if text is not None:
            params["text"] = text
        if "font_size" in query:
            params["font_size"] = query["font_size"]
        radius = _radius(query)
        if radius is not None:
            params["radius"] = radius
        if "retina" in query:
            if size.scale is not None:
                raise invalid_parameter("retina", f"conflicts with @{size.scale}x in the size")
            params["scale"], names["scale"] = "2", "retina"
        elif size.scale is not None:
            params["scale"] = str(size.scale)
        return Translation(
            "placeholder",
            params,
            output={"format": extensions[0] if extensions else defaults.format},
            names=names,
        )
